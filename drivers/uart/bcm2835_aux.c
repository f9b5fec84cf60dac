/*
 * The BCM2835 auxiliary mini UART (the Raspberry Pi's "serial1"), transmit
 * only: the console when the firmware's device tree names it in
 * stdout-path, as it does unless config.txt moves the console to the PL011.
 * The firmware (or u-boot) has set its speed from the core clock; nothing
 * is changed here. The device tree's registers start at the mini UART's
 * own (AUX_MU_IO_REG), inside the AUX block the SPIs share.
 */
#include <stdint.h>
#include <drivers/uart.h>

#define MU_IO 0x00
#define MU_LSR 0x14
#define LSR_TX_EMPTY (1u << 5) /* room in the transmit FIFO */

static inline volatile uint32_t *reg(uint64_t base, unsigned int off)
{
	return (volatile uint32_t *)(base + off);
}

static void aux_putc(uint64_t base, char c)
{
	while (!(*reg(base, MU_LSR) & LSR_TX_EMPTY))
		;
	*reg(base, MU_IO) = (uint32_t)(unsigned char)c;
}

static const char *const aux_compat[] = { "brcm,bcm2835-aux-uart", NULL };

static const struct uart_driver aux_driver = {
	.name = "bcm2835-aux",
	.compatible = aux_compat,
	.init = NULL,
	.putc = aux_putc,
};
UART_DRIVER(aux_driver);
