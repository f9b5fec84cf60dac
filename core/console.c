/*
 * The console: formatted output to the current UART, one lock for all CPUs.
 *
 * Lock order: the console lock is a leaf; nothing is taken while holding
 * it, and interrupts are masked while it is held (an interrupt handler may
 * log). Before the MMU is on, memory is device memory where exclusive
 * accesses are not guaranteed to work, so locking starts only with
 * console_enable_locking(); until then only the boot CPU runs. After a
 * panic, only the panicking CPU may print, without the lock; any other CPU
 * that tries stops there.
 */
#include <arch/cpu.h>
#include <arch/spinlock.h>
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/percpu.h>
#include <drivers/uart.h>

#define NO_PANIC_CPU (~0u)

static spinlock_t console_lock = SPINLOCK_INIT;
static bool console_locking;
static unsigned int panic_cpu = NO_PANIC_CPU;
static const struct uart_driver *console_drv;
static uint64_t console_base;

static void console_out(char c, void *ctx)
{
	(void)ctx;
	if (!console_drv)
		return;
	if (c == '\n')
		console_drv->putc(console_base, '\r');
	console_drv->putc(console_base, c);
}

/* Take the console for one message. Returns the saved interrupt mask. */
static uint64_t console_acquire(void)
{
	unsigned int owner = __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE);
	uint64_t flags = arch_irq_save();

	if (owner != NO_PANIC_CPU) {
		if (owner != this_cpu_id())
			arch_cpu_halt(); /* the panic report is not to be mixed */
		return flags;
	}
	if (console_locking)
		spin_lock(&console_lock);
	return flags;
}

static void console_release(uint64_t flags)
{
	if (console_locking && __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) == NO_PANIC_CPU)
		spin_unlock(&console_lock);
	arch_irq_restore(flags);
}

void console_enable_locking(void)
{
	console_locking = true;
}

void console_set_uart(const struct uart_driver *drv, uint64_t base)
{
	uint64_t flags = console_acquire();

	if (drv && drv->init)
		drv->init(base);
	console_drv = drv;
	console_base = base;
	console_release(flags);
}

void console_vprintf(const char *fmt, va_list ap)
{
	uint64_t flags = console_acquire();

	fmt_vformat(console_out, 0, fmt, ap);
	console_release(flags);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void console_panic_takeover(void)
{
	__atomic_store_n(&panic_cpu, this_cpu_id(), __ATOMIC_RELEASE);
}
