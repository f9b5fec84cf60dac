/*
 * conbench: the console's benchmarks (`make bench`, tools/bench/console.dts).
 * It prints LINES lines of 64 characters in a burst, between "cbench:
 * start" and "cbench: end", which the console domain (given the word
 * "bench") times as it puts them out: console throughput. Then it waits for what is
 * typed on its virtual UART (the console has its focus) and prints the
 * virtual counter at each character's receive interrupt, which the
 * console domain's own stamp of taking the key off the board's UART pairs
 * with: keystroke to guest latency. Both domains read the same virtual
 * counter (the hypervisor gives every partition the same offset).
 */
#include <stdio.h>
#include <string.h>
#include "bulkhead.h"
#include "pl011.h"

/* What the stream of a partition holds (4 KiB): none is dropped. */
#define LINES 50

static struct pl011 uart;
static uint64_t key_at[64];
static volatile unsigned int keys;

static void on_rx(unsigned int intid)
{
	uint64_t now = bh_counter();

	(void)intid;
	while (pl011_getc(&uart) >= 0)
		if (keys < 64)
			key_at[keys++] = now;
	pl011_rx_ack(&uart);
}

/* WFI: on its shared CPU, the console domain runs meanwhile; the tick
 * brings it back. */
static void sleep_ms(unsigned int ms)
{
	uint64_t until = bh_counter() + bh_counter_freq() / 1000 * ms;

	while (bh_counter() < until)
		__asm__ volatile("wfi");
}

void thread(void)
{
	struct bh_device dev;
	char line[65];
	unsigned int told = 0;

	if (bh_device_find("arm,pl011", &dev) || !dev.intid) {
		printf("conbench: no virtual UART\n");
		return;
	}
	pl011_open(&uart, dev.base);
	memset(line, 'c', 64);
	line[64] = '\0';
	/* The console domain attached first, then the start line out alone:
	 * its clock starts at the first line after it. */
	sleep_ms(100);
	printf("cbench: start\n");
	sleep_ms(50);
	for (unsigned int i = 0; i < LINES; i++)
		printf("%s\n", line);
	printf("cbench: end\n");
	sleep_ms(50); /* the console domain runs now */
	if (bh_irq_enable(dev.intid, on_rx)) {
		printf("conbench: no virtual GIC\n");
		return;
	}
	for (;;) {
		__asm__ volatile("wfi");
		while (told < keys)
			printf("conbench: key-at %lu\n", (unsigned long)key_at[told++]);
	}
}
