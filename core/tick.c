/*
 * Periodic tick from the EL2 physical timer. Later the scheduler hangs off
 * it; for now it proves every CPU takes interrupts.
 */
#include <arch/cpu.h>
#include <arch/timer.h>
#include <bulkhead/percpu.h>
#include <bulkhead/tick.h>

static uint64_t tick_period(void)
{
	return arch_counter_freq() / CONFIG_HZ;
}

void tick_start_cpu(void)
{
	arch_timer_arm(tick_period());
}

void tick_handle(void)
{
	this_cpu()->ticks++;
	arch_timer_arm(tick_period());
}
