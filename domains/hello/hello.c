/*
 * hello: the smallest guest. Greets, then reports on the console ten times
 * a second, each time checking that a block of its memory still holds what
 * it wrote there, so a test can watch it keep running, untouched, while
 * other partitions do their worst.
 */
#include <stdio.h>
#include "bulkhead.h"

#define PATTERN_WORDS (256 * 1024 / 8)

static uint64_t pattern[PATTERN_WORDS];

static uint64_t pattern_word(unsigned int i)
{
	return (uint64_t)i * 0x9e3779b97f4a7c15UL ^ 0xb01c4eadUL;
}

static int pattern_intact(void)
{
	for (unsigned int i = 0; i < PATTERN_WORDS; i++)
		if (pattern[i] != pattern_word(i))
			return 0;
	return 1;
}

void thread(void)
{
	uint64_t freq = bh_counter_freq();

	for (unsigned int i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = pattern_word(i);
	printf("hello from %s (partition %u)\n", bh_partition_name(), bh_partition_id());
	if (!bh_restart_count()) {
		uint64_t *start, *end;
		unsigned long dirty = bh_fresh_ram(&start, &end);

		if (dirty)
			printf("%s: RAM NOT WIPED at first start (%lu non-zero words)\n",
			       bh_partition_name(), dirty);
		else
			printf("%s: RAM zeroed at first start\n", bh_partition_name());
	}
	for (unsigned int tick = 1;; tick++) {
		uint64_t until = bh_counter() + freq / 10;

		/* WFI: on a core of its own the next interrupt (the hypervisor's
		 * tick) ends it; on a shared core it lets the others run. */
		while (bh_counter() < until)
			__asm__ volatile("wfi");
		printf("%s: tick %u, memory %s\n", bh_partition_name(), tick,
		       pattern_intact() ? "intact" : "CHANGED");
	}
}
