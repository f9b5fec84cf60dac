/*
 * ticker: runs on interrupts. Its virtual timer fires every 10 ms through
 * the partition's virtual GIC; irq() re-arms it and reports every 100
 * interrupts, with how late the latest one was (in counter ticks).
 */
#include <stdio.h>
#include "bulkhead.h"

static unsigned int fired;
static uint64_t deadline, period;

void init(void)
{
	period = bh_counter_freq() / 100;
	if (bh_irq_claim(BH_IRQ_VTIMER)) {
		printf("%s: no virtual interrupt controller\n", bh_partition_name());
		bh_stop();
	}
	deadline = bh_counter() + period;
	bh_timer_arm_at(deadline);
	printf("%s: virtual timer armed, every %lu ticks\n", bh_partition_name(),
	       (unsigned long)period);
}

void irq(unsigned int intid)
{
	uint64_t late = bh_counter() - deadline;

	(void)intid;
	deadline += period;
	bh_timer_arm_at(deadline);
	if (++fired % 100 == 0)
		printf("%s: %u timer interrupts (last one %lu ticks late)\n", bh_partition_name(),
		       fired, (unsigned long)late);
}
