/*
 * wipecheck: proves that a partition starts on zeroed RAM, every time. Each
 * run counts the non-zero words in the RAM it has not used (past its image
 * and heap, up to its device tree), fills that RAM with a marker and ends:
 * the first run by faulting (the plan restarts it), every later run by
 * asking for a reset (PSCI SYSTEM_RESET), which the hypervisor grants with
 * a back-off that doubles while the resets come quickly. A marker seen by
 * the next run is a run reading what the one before it left.
 */
#include <stdint.h>
#include <stdio.h>
#include "bulkhead.h"

#define PSCI_SYSTEM_RESET 0x84000009u
#define MARKER 0x5a5a5a5a0badf00dUL

void thread(void)
{
	unsigned int run = bh_restart_count();
	uint64_t *start, *end;
	unsigned long nonzero = bh_fresh_ram(&start, &end);

	printf("wipecheck run %u: %lu KiB checked, %s (%lu non-zero words)\n", run,
	       (unsigned long)((uintptr_t)end - (uintptr_t)start) >> 10,
	       nonzero ? "NOT WIPED" : "all zero", nonzero);
	fflush(stdout);
	/* Our caches may hold some of it: that counts as left behind too. */
	for (volatile uint64_t *w = start; w < end; w++)
		*w = MARKER;
	if (run == 0) {
		printf("wipecheck: marker written; faulting\n");
		fflush(stdout);
		*(volatile uint64_t *)0x9000000UL = 1; /* not ours: a stage-2 fault */
	}
	printf("wipecheck: marker written; asking for a reset\n");
	fflush(stdout);
	bh_hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}
