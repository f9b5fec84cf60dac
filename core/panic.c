/*
 * Hypervisor panic: report once, with the register dump when there is a
 * trap frame, then stop this CPU. Only broken internal invariants get here.
 */
#include <arch/cpu.h>
#include <arch/exception.h>
#include <bulkhead/console.h>
#include <bulkhead/panic.h>
#include <bulkhead/percpu.h>

static int panicking;

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

static __attribute__((noreturn)) void panic_v(const struct exception_frame *f, unsigned int kind,
					      const char *fmt, va_list ap)
{
	arch_irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		arch_cpu_halt(); /* another CPU is already reporting */
	/* This CPU may have died holding the console lock. */
	console_panic_takeover();
	console_printf("\n*** Bulkhead panic on cpu%u: ", this_cpu_id());
	console_vprintf(fmt, ap);
	console_printf("\n");
	if (f)
		exception_dump(f, kind);
	console_printf("*** System halted\n");
	arch_cpu_halt();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_v(0, 0, fmt, ap);
}

void panic_with_frame(const struct exception_frame *f, unsigned int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_v(f, kind, fmt, ap);
}
