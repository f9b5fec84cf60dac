/*
 * UART drivers for the hypervisor console. A driver knows registers, never
 * addresses: the base comes from the device tree (or, before it is read,
 * from the board's early-console option).
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stddef.h>
#include <stdint.h>

struct uart_driver {
	const char *name;
	const char *const *compatible; /* NULL-terminated */
	void (*init)(uint64_t base);
	void (*putc)(uint64_t base, char c);
};

#define UART_DRIVER(var)                                                                           \
	static const struct uart_driver *const var##_entry                                         \
		__attribute__((used, section(".drivers.uart"))) = &var

/* The driver for a device tree "compatible" string list, or NULL. */
const struct uart_driver *uart_driver_find(const char *compat, int len);
/* The driver of the board's early console. */
const struct uart_driver *uart_early_driver(void);

#endif
