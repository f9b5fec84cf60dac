/*
 * PL011 for domains (pl011.h): the registers of the Arm PrimeCell UART
 * (PL011) Technical Reference Manual.
 */
#include "pl011.h"

#define DR 0x000
#define FR 0x018
#define CR 0x030
#define IMSC 0x038
#define ICR 0x044
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

static volatile uint32_t *reg(struct pl011 *u, unsigned int off)
{
	return (volatile uint32_t *)(u->base + off);
}

void pl011_open(struct pl011 *u, uintptr_t base)
{
	u->base = base;
	*reg(u, CR) |= CR_UARTEN | CR_TXE | CR_RXE;
	*reg(u, ICR) = INT_RX | INT_RT;
	*reg(u, IMSC) |= INT_RX | INT_RT;
}

void pl011_putc(struct pl011 *u, char c)
{
	while (*reg(u, FR) & FR_TXFF)
		;
	*reg(u, DR) = (uint8_t)c;
}

void pl011_write(struct pl011 *u, const char *s, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (s[i] == '\n')
			pl011_putc(u, '\r');
		pl011_putc(u, s[i]);
	}
}

int pl011_getc(struct pl011 *u)
{
	if (*reg(u, FR) & FR_RXFE)
		return -1;
	return (int)(*reg(u, DR) & 0xff);
}

void pl011_rx_ack(struct pl011 *u)
{
	*reg(u, ICR) = INT_RX | INT_RT;
}
