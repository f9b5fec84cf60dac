/*
 * The hypervisor console: one UART, shared by all CPUs under a lock so that
 * lines never interleave. Starts on the board's early UART and moves to the
 * device tree's stdout-path once that is known.
 */
#ifndef BULKHEAD_CONSOLE_H
#define BULKHEAD_CONSOLE_H

#include <stdarg.h>
#include <stdint.h>

struct uart_driver;

/* Use `drv` at physical address `base` from now on (NULL: no output). */
void console_set_uart(const struct uart_driver *drv, uint64_t base);

void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_vprintf(const char *fmt, va_list ap);
/* Print without taking the lock: for panics, where the lock may be held by
 * the CPU that died. */
void console_printf_unlocked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_force_unlock(void);

#endif
