/*
 * smp: a two-vCPU guest. vCPU 0 starts vCPU 1 with PSCI CPU_ON; both
 * report; vCPU 1 turns itself off after a while and vCPU 0 sees it go.
 */
#include <stdio.h>
#include <string.h>
#include "bulkhead.h"

/* In a partition named "crashy", vCPU 1 faults on its third tick in the
 * first run, to show that a fault on one vCPU takes the whole partition
 * down (and, with a restart policy, back up). */
static int crash_now(unsigned int tick)
{
	return tick == 3 && bh_restart_count() == 0 && bh_arg("crash");
}

static volatile unsigned int secondary_up, secondary_ticks;

static void wait_ms(unsigned int ms)
{
	uint64_t until = bh_counter() + bh_counter_freq() / 1000 * ms;

	while (bh_counter() < until)
		;
}

static void secondary(unsigned int index)
{
	struct bh_result id = bh_hvc(BH_HC_PARTITION_ID, 0, 0, 0);

	if (id.r2 == index)
		bh_console_write("smp: vCPU 1 up, and the hypervisor agrees it is vCPU 1\n");
	secondary_up = 1;
	for (unsigned int i = 1; i <= 5; i++) {
		wait_ms(50);
		secondary_ticks = i;
		bh_console_write("smp: vCPU 1 tick\n");
		if (crash_now(i)) {
			bh_console_write("smp: vCPU 1 faulting on purpose\n");
			(void)*(volatile uint64_t *)0x7f000000UL;
		}
	}
	bh_console_write("smp: vCPU 1 turning itself off\n");
}

void thread(void)
{
	int64_t rc;

	printf("smp: vCPU 0 up (run %u)\n", bh_restart_count());
	printf("smp: CPU_ON(3) -> %ld (a vCPU this partition does not have)\n",
	       (long)bh_cpu_on(3, secondary));
	rc = bh_cpu_on(1, secondary);
	printf("smp: CPU_ON(1) -> %ld\n", (long)rc);
	while (!secondary_up)
		wait_ms(1);
	printf("smp: CPU_ON(1) again -> %ld (already on)\n", (long)bh_cpu_on(1, secondary));
	while (secondary_ticks < 5)
		wait_ms(10);
	while (bh_cpu_is_on(1) == 1)
		wait_ms(10);
	printf("smp: vCPU 1 is off; vCPU 0 carries on\n");
	for (unsigned int i = 1;; i++) {
		wait_ms(100);
		printf("smp: vCPU 0 tick %u\n", i);
	}
}
