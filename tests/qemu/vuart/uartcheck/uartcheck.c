/*
 * Drives the partition's virtual PL011 (tests/qemu/vuart) as a driver
 * would a real one: found by compatible in its device tree, enabled, a
 * line sent polled (waiting on the flags), then a line sent from its
 * transmit interrupt, a few characters per interrupt, which only works if
 * the interrupt comes again while the transmitter stays empty and the
 * interrupt unmasked (a level, as the PL011's). Then, in loopback (what
 * is sent is received), characters received polled and from the receive
 * interrupt.
 */
#include <stdio.h>
#include "bulkhead.h"

#define DR 0x000
#define FR 0x018
#define CR 0x030
#define IMSC 0x038
#define MIS 0x040
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define CR_LBE (1u << 7)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)
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

static char received[32];
static unsigned int nr_received;

/* Loopback: send s, and take it back polled. */
static void receive_polled(const char *s)
{
	char got[16];
	unsigned int n = 0;

	*reg(CR) = 0x301 | CR_LBE;
	for (const char *c = s; *c; c++)
		*reg(DR) = (uint8_t)*c;
	while (!(*reg(FR) & FR_RXFE) && n < sizeof(got) - 1)
		got[n++] = (char)*reg(DR);
	got[n] = 0;
	printf("uartcheck: received \"%s\" polled\n", got);
}

/* Loopback: send s; the receive interrupt takes it (irq). */
static void receive_by_interrupt(const char *s)
{
	*reg(IMSC) = INT_RX | INT_RT;
	for (const char *c = s; *c; c++)
		*reg(DR) = (uint8_t)*c;
}

static void take_received(void)
{
	while (!(*reg(FR) & FR_RXFE) && nr_received < sizeof(received) - 1)
		received[nr_received++] = (char)*reg(DR);
	if (nr_received >= 9) {
		*reg(IMSC) = 0;
		printf("uartcheck: received \"%s\" from its interrupt\n", received);
	}
}

void irq(unsigned int intid)
{
	if (intid != dev.intid)
		return;
	if (*reg(MIS) & (INT_RX | INT_RT)) {
		take_received();
		return;
	}
	if (!(*reg(MIS) & INT_TX))
		return;
	interrupts++;
	for (unsigned int n = 0; n < PER_INTERRUPT && irq_line[pos]; n++)
		*reg(DR) = (uint8_t)irq_line[pos++];
	if (!irq_line[pos]) {
		*reg(IMSC) = 0;
		printf("uartcheck: done (%u transmit interrupts)\n", interrupts);
		receive_polled("polled");
		receive_by_interrupt("interrupt");
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
