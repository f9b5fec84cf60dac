/*
 * The console: formatted output to the current UART, one lock for all CPUs.
 * Lock order: the console lock is a leaf; nothing is taken while holding it.
 */
#include <arch/spinlock.h>
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <drivers/uart.h>

static spinlock_t console_lock = SPINLOCK_INIT;
static const struct uart_driver *console_drv;
static uint64_t console_base;

void console_set_uart(const struct uart_driver *drv, uint64_t base)
{
	spin_lock(&console_lock);
	if (drv && drv->init)
		drv->init(base);
	console_drv = drv;
	console_base = base;
	spin_unlock(&console_lock);
}

static void console_out(char c, void *ctx)
{
	(void)ctx;
	if (!console_drv)
		return;
	if (c == '\n')
		console_drv->putc(console_base, '\r');
	console_drv->putc(console_base, c);
}

void console_vprintf(const char *fmt, va_list ap)
{
	spin_lock(&console_lock);
	fmt_vformat(console_out, 0, fmt, ap);
	spin_unlock(&console_lock);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void console_printf_unlocked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(console_out, 0, fmt, ap);
	va_end(ap);
}

void console_force_unlock(void)
{
	console_lock.owner = console_lock.next;
}
