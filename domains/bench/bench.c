/*
 * bench: times hypervisor operations from inside a guest with the virtual
 * counter, for `make bench` (tools/bench.sh), which runs QEMU with -icount
 * so that counter ticks are a fixed number of instructions. Prints raw
 * counter ticks; the script turns them into instructions per operation.
 */
#include <stdio.h>
#include <string.h>
#include "bulkhead.h"

#define ROUNDS 10000
#define PSCI_VERSION 0x84000000u

/* ROUNDS iterations of the same loop with and without the trapping
 * instruction, so the difference is the operation alone. */
static uint64_t time_loop(int kind)
{
	uint64_t start = bh_counter();

	for (unsigned int i = 0; i < ROUNDS; i++) {
		register uint64_t x0 __asm__("x0");

		switch (kind) {
		case 0:
			x0 = 0;
			__asm__ volatile("" : "+r"(x0) : : "memory");
			break;
		case 1:
			x0 = BH_HC_NULL;
			__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
			break;
		case 2:
			x0 = PSCI_VERSION;
			__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
			break;
		case 3:
			x0 = PSCI_VERSION;
			__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
			break;
		}
	}
	return bh_counter() - start;
}

/* Two of these on one CPU ("switch-a", "switch-b"): yield back and forth;
 * each yield is a switch to the other vCPU and back is another. */
static __attribute__((noreturn)) void switch_bench(void)
{
	uint64_t start;

	/* Let both start before timing. */
	for (unsigned int i = 0; i < 100; i++)
		bh_hvc(BH_HC_YIELD, 0, 0, 0);
	start = bh_counter();
	for (unsigned int i = 0; i < ROUNDS; i++)
		bh_hvc(BH_HC_YIELD, 0, 0, 0);
	printf("bench: switch-pair %lu\n", (unsigned long)(bh_counter() - start));
	printf("bench: done\n");
	for (;;)
		__asm__ volatile("wfi");
}

#define TIMER_ROUNDS 100

static volatile uint64_t timer_seen;

static void on_timer(unsigned int intid)
{
	(void)intid;
	timer_seen = bh_counter();
	bh_timer_stop();
}

/* Virtual timer interrupt delivery: from the counter reaching the deadline
 * to the guest's handler reading the counter, summed over TIMER_ROUNDS. */
static uint64_t time_timer(void)
{
	uint64_t sum = 0;

	if (bh_irq_init() || bh_irq_enable(BH_IRQ_VTIMER, on_timer))
		return 0;
	bh_irq_unmask();
	for (unsigned int i = 0; i < TIMER_ROUNDS; i++) {
		uint64_t deadline = bh_counter() + 1000;

		timer_seen = 0;
		bh_timer_arm_at(deadline);
		while (!timer_seen)
			__asm__ volatile("wfi");
		sum += timer_seen - deadline;
	}
	return sum;
}

int main(void)
{
	uint64_t entry = bh_entry_counter();

	if (!strcmp(bh_partition_name(), "switch-a"))
		switch_bench();
	if (!strcmp(bh_partition_name(), "switch-b")) {
		for (;;)
			bh_hvc(BH_HC_YIELD, 0, 0, 0);
	}
	uint64_t empty = time_loop(0);

	printf("bench: first-instruction %lu\n", (unsigned long)entry);
	printf("bench: rounds %u\n", ROUNDS);
	printf("bench: empty-loop %lu\n", (unsigned long)empty);
	printf("bench: null-hypercall %lu\n", (unsigned long)time_loop(1));
	printf("bench: psci-version-hvc %lu\n", (unsigned long)time_loop(2));
	printf("bench: psci-version-smc %lu\n", (unsigned long)time_loop(3));
	printf("bench: timer-rounds %u\n", TIMER_ROUNDS);
	printf("bench: vtimer-delivery %lu\n", (unsigned long)time_timer());
	printf("bench: done\n");
	return 0;
}
