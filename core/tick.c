/*
 * Periodic tick from the EL2 physical timer. Later the scheduler hangs off
 * it; for now it proves every CPU takes interrupts.
 */
#include <arch/cpu.h>
#include <arch/timer.h>
#include <bulkhead/console.h>
#include <bulkhead/fault_inject.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <bulkhead/log.h>
#include <bulkhead/sched.h>
#include <bulkhead/tick.h>
#include <bulkhead/watchdog.h>

/* Ticks each CPU takes before it reports its timer as working. */
#define TICKS_TO_REPORT 10

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
	/* Reported once per CPU, from here since a CPU running a guest never
	 * returns to its idle loop. */
	if (++this_cpu()->ticks == TICKS_TO_REPORT)
		log_info("timer: %d ticks taken", TICKS_TO_REPORT);
	arch_timer_arm(tick_period());
	sched_tick();
	/* Each costs a load and a branch when unused: an idle CPU's tick is
	 * in every cross-core figure of make bench. */
	if (this_cpu()->current) {
		struct partition *p = this_cpu()->current->part;

		if (p->plan->watchdog_ms && !this_cpu()->waiting_in_place)
			watchdog_tick(this_cpu()->current);
		partition_console_tick(p);
	}
	if (fault_inject_armed())
		fault_inject_tick();
	console_drain();
}
