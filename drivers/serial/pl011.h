/*
 * A PL011 UART driven from a domain: the board's, passed through to the
 * console domain, or a partition's virtual one (core/vuart.c). The domain
 * finds it in its device tree (bh_device_find("arm,pl011")): no addresses
 * here. Polled transmit, receive from the interrupt.
 */
#ifndef DRIVERS_SERIAL_PL011_H
#define DRIVERS_SERIAL_PL011_H

#include <stdbool.h>
#include <stdint.h>

struct pl011 {
	uintptr_t base;
};

/* Enable transmit and receive, and the receive interrupts (data and
 * timeout); the line's speed stays what the loader set. */
void pl011_open(struct pl011 *u, uintptr_t base);
void pl011_putc(struct pl011 *u, char c);
/* n characters, each '\n' as "\r\n". */
void pl011_write(struct pl011 *u, const char *s, unsigned int n);
/* A received character, or -1 if none waits. */
int pl011_getc(struct pl011 *u);
/* Acknowledge the receive interrupts (after reading what waits). */
void pl011_rx_ack(struct pl011 *u);

#endif
