/*
 * Drives the partition's virtual PL011 (tests/qemu/vuart) as a driver
 * would a real one: found by compatible in its device tree, enabled, a
 * line sent polled (waiting on the flags), then a line sent from its
 * transmit interrupt, a few characters per interrupt, which only works if
 * the interrupt comes again while the transmitter stays empty and the
 * interrupt unmasked (a level, as the PL011's).
 */
#include <stdio.h>
#include "bulkhead.h"

#define DR 0x000
#define FR 0x018
#define CR 0x030
#define IMSC 0x038
#define MIS 0x040
#define FR_TXFF (1u << 5)
#define INT_TX (1u << 5)
#define PER_INTERRUPT 8

static struct bh_device dev;
static const char irq_line[] =
	"uartcheck: interrupt-driven transmit, eight characters an interrupt\n";
static unsigned int pos, interrupts;

static volatile uint32_t *reg(unsigned int off)
{
	return (volatile uint32_t *)(dev.base + off);
}

void irq(unsigned int intid)
{
	if (intid != dev.intid || !(*reg(MIS) & INT_TX))
		return;
	interrupts++;
	for (unsigned int n = 0; n < PER_INTERRUPT && irq_line[pos]; n++)
		*reg(DR) = (uint8_t)irq_line[pos++];
	if (!irq_line[pos]) {
		*reg(IMSC) = 0;
		printf("uartcheck: done (%u transmit interrupts)\n", interrupts);
	}
}

void init(void)
{
	if (bh_device_find("arm,pl011", &dev)) {
		printf("uartcheck: no PL011 in the device tree\n");
		return;
	}
	*reg(CR) = 0x301; /* UARTEN, TXE, RXE */
	for (const char *s = "uartcheck: polled transmit\n"; *s; s++) {
		while (*reg(FR) & FR_TXFF)
			;
		*reg(DR) = (uint8_t)*s;
	}
	bh_irq_claim(dev.intid);
	*reg(IMSC) = INT_TX; /* the FIFO is empty: it interrupts at once */
}
