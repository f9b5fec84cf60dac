/*
 * Prints "count N" for N = 1 to 1500, one line every 2 ms, then "counter:
 * done": tests/qemu/console-kill checks that every line arrives exactly
 * once and in order while the console domain is killed again and again.
 */
#include <stdio.h>
#include "bulkhead.h"

#define LINES 1500
#define PERIOD_US 2000

void irq(unsigned int intid)
{
	(void)intid;
	bh_timer_stop();
}

void thread(void)
{
	uint64_t period = bh_counter_freq() / 1000000 * PERIOD_US;

	if (bh_irq_claim(BH_IRQ_VTIMER)) {
		printf("counter: no virtual GIC\n");
		return;
	}
	for (unsigned int n = 1; n <= LINES; n++) {
		printf("count %u\n", n);
		uint64_t until = bh_counter() + period;

		/* The deadline decides, not the interrupt: a stale one ends
		 * no wait early. */
		while (bh_counter() < until) {
			bh_timer_arm_at(until);
			bh_wait();
			bh_dispatch();
		}
	}
	printf("counter: done\n");
	for (;;)
		bh_wait();
}
