/*
 * ticker: runs on interrupts. Its virtual timer fires every 10 ms through
 * the partition's virtual GIC; main() sleeps in WFI and reports every 100
 * interrupts, with how late the latest one was (in counter ticks).
 */
#include <stdio.h>
#include "bulkhead.h"

static volatile unsigned int fired;
static volatile uint64_t deadline, late;
static uint64_t period;

static void on_timer(unsigned int intid)
{
	(void)intid;
	late = bh_counter() - deadline;
	fired++;
	deadline += period;
	bh_timer_arm_at(deadline);
}

int main(void)
{
	unsigned int reported = 0;

	period = bh_counter_freq() / 100;
	if (bh_irq_init() || bh_irq_enable(BH_IRQ_VTIMER, on_timer)) {
		printf("%s: no virtual interrupt controller\n", bh_partition_name());
		return 1;
	}
	deadline = bh_counter() + period;
	bh_timer_arm_at(deadline);
	bh_irq_unmask();
	printf("%s: virtual timer armed, every %lu ticks\n", bh_partition_name(),
	       (unsigned long)period);
	for (;;) {
		__asm__ volatile("wfi");
		if (fired >= reported + 100) {
			reported += 100;
			printf("%s: %u timer interrupts (last one %lu ticks late)\n",
			       bh_partition_name(), reported, (unsigned long)late);
		}
	}
}
