/*
 * ARM PL011 UART, transmit only. The loader (firmware, u-boot or QEMU) has
 * set the baud rate; we only make sure the transmitter is enabled, because
 * the reference clock is not known here.
 */
#include <stdint.h>
#include <drivers/uart.h>

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTCR 0x30
#define FR_TXFF (1u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)

static inline volatile uint32_t *reg(uint64_t base, unsigned int off)
{
	return (volatile uint32_t *)(base + off);
}

static void pl011_init(uint64_t base)
{
	uint32_t cr = *reg(base, UARTCR);

	if ((cr & (CR_UARTEN | CR_TXE)) != (CR_UARTEN | CR_TXE))
		*reg(base, UARTCR) = cr | CR_UARTEN | CR_TXE;
}

static void pl011_putc(uint64_t base, char c)
{
	while (*reg(base, UARTFR) & FR_TXFF)
		;
	*reg(base, UARTDR) = (uint32_t)(unsigned char)c;
}

static const char *const pl011_compat[] = { "arm,pl011", NULL };

static const struct uart_driver pl011_driver = {
	.name = "pl011",
	.compatible = pl011_compat,
	.init = pl011_init,
	.putc = pl011_putc,
};
UART_DRIVER(pl011_driver);
