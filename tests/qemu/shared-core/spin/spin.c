/*
 * spin: never yields, never waits, interrupts masked. On a core of its own
 * it harms nobody; on a shared core the scheduler must still give its
 * equals their turns at each tick.
 */
#include <stdio.h>
#include "bulkhead.h"

void thread(void)
{
	printf("spin: spinning with interrupts masked\n");
	fflush(stdout);
	__asm__ volatile("msr daifset, #0xf");
	for (volatile uint64_t n = 0;; n++)
		;
}
