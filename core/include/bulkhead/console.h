/*
 * The hypervisor console: one UART, shared by all CPUs through one log
 * buffer so that messages never interleave and no CPU waits on another's
 * UART output (core/console.c). Starts on the board's early UART and moves
 * to the device tree's stdout-path once that is known.
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
/* Push buffered output to the UART (a bounded amount, and only if no other
 * CPU is doing so): from the tick, so that nothing waits long for the next
 * message to carry it out. */
void console_drain(void);
/* Start taking the console lock: call once the MMU (and so exclusive
 * accesses) work, before any other CPU starts. */
void console_enable_locking(void);
/* From now on only the calling CPU prints, without the lock (it may have
 * died holding it); any other CPU that tries to print halts. */
void console_panic_takeover(void);

#endif
