/*
 * bench: times hypervisor operations from inside a guest with the virtual
 * counter, for `make bench` (tools/bench.sh), which runs QEMU with -icount
 * so that counter ticks are a fixed number of instructions. Prints raw
 * counter ticks; the script turns them into instructions per operation.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include "bulkhead.h"

#define ROUNDS 10000
#define PSCI_VERSION 0x84000000u

/* Where the emulated registers are, from the device tree (bench_devices):
 * the virtual GIC's distributor, and the virtual UART's (0: none). */
static uint64_t gicd_base, uart_base;

/* The first "reg" address of the first node compatible with c, or 0. */
static uint64_t first_reg(const char *c)
{
	const void *dt = bh_device_tree();
	int node = fdt_node_offset_by_compatible(dt, -1, c), len;
	const fdt32_t *reg = node >= 0 ? fdt_getprop(dt, node, "reg", &len) : NULL;

	return reg && len >= 8 ? (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]) : 0;
}

static void bench_devices(void)
{
	gicd_base = first_reg("arm,gic-v3");
	if (!gicd_base)
		gicd_base = first_reg("arm,cortex-a15-gic");
	uart_base = first_reg("arm,pl011");
}

#define GICD_TYPER 0x4
#define UART_FR 0x18

/* ROUNDS iterations of the same loop with and without the trapping
 * instruction, so the difference is the operation alone. */
/* Not inlined: the loop measured must stay the same code from build to
 * build, or its cost moves with the compiler's choices, not the hypervisor's. */
static __attribute__((noinline)) uint64_t time_loop(int kind)
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

/* The same for traps to emulated registers ("traps" run, its own plan
 * tools/bench/traps.dts, so that the loop above stays the same code):
 * kind 0 the empty loop, 1 the virtual GIC's GICD_TYPER, 2 ACTLR_EL1
 * (trapped by HCR_EL2.TACR), 3 the virtual UART's flag register. */
static __attribute__((noinline)) uint64_t time_trap_loop(int kind)
{
	uint64_t start = bh_counter();

	for (unsigned int i = 0; i < ROUNDS; i++) {
		uint64_t x;

		switch (kind) {
		case 0:
			x = 0;
			__asm__ volatile("" : "+r"(x) : : "memory");
			break;
		case 1:
			__asm__ volatile("ldr %w0, [%1]"
					 : "=r"(x)
					 : "r"(gicd_base + GICD_TYPER)
					 : "memory");
			break;
		case 2:
			__asm__ volatile("mrs %0, actlr_el1" : "=r"(x) : : "memory");
			break;
		case 3:
			__asm__ volatile("ldr %w0, [%1]"
					 : "=r"(x)
					 : "r"(uart_base + UART_FR)
					 : "memory");
			break;
		}
	}
	return bh_counter() - start;
}

static void traps_bench(void)
{
	bench_devices();
	printf("bench: rounds %u\n", ROUNDS);
	printf("bench: empty-loop %lu\n", (unsigned long)time_trap_loop(0));
	if (gicd_base)
		printf("bench: gicd-typer-read %lu\n", (unsigned long)time_trap_loop(1));
	printf("bench: actlr-read %lu\n", (unsigned long)time_trap_loop(2));
	if (uart_base)
		printf("bench: vuart-fr-read %lu\n", (unsigned long)time_trap_loop(3));
	printf("bench: done\n");
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

/*
 * Channel benchmarks: "bench" (client, first end) and "echo" (server) on
 * two cores, joined by the channel "bench" with a shared region. echo's
 * event handler stamps the counter into the region's spare tail (the rings
 * use the first 4 KiB of each 8 KiB half), where bench reads it.
 */
#define CHAN_ROUNDS 1000
#define PIPE_MESSAGES 20000
#define STAMP_OFFSET 0x1f00 /* in the first half, past the request ring */

static struct bh_rpc rpc;
static volatile uint64_t *stamp;
static volatile bool ready;

void notified(unsigned int port)
{
	if (stamp && port == rpc.ch.port) {
		*stamp = bh_counter();
		ready = true;
	}
}

static __attribute__((noreturn)) void echo(void)
{
	uint64_t seen = 0;
	uint8_t buf[64];
	uint32_t id, len;

	bh_rpc_open(&rpc, "bench", 64);
	stamp = (volatile uint64_t *)((uint8_t *)rpc.ch.shared + STAMP_OFFSET);
	bh_event_unmask(rpc.ch.port);
	bh_event_send(rpc.ch.port); /* ready */
	for (;;) {
		while (bh_rpc_next(&rpc, &id, buf, sizeof(buf), &len) == 0) {
			/* The first payload byte says whether to notify always. */
			rpc.notify_always = len && buf[0] == 'A';
			while (bh_rpc_respond(&rpc, id, buf, len) == BH_RING_FULL)
				bh_rpc_kick(&rpc);
			if (rpc.notify_always)
				bh_rpc_kick(&rpc);
		}
		bh_rpc_kick(&rpc);
		if (!bh_rpc_arm(&rpc))
			bh_events_wait(&seen);
	}
}

/* Pipelined: up to 32 requests in flight, PIPE_MESSAGES in all. */
static uint64_t pipelined(char mode)
{
	uint64_t seen = 0, start = bh_counter();
	uint32_t sent = 0, got = 0, id, len;
	uint8_t buf[64] = { (uint8_t)mode };

	rpc.notify_always = mode == 'A';
	while (got < PIPE_MESSAGES) {
		bool progress = false;

		while (sent < PIPE_MESSAGES && sent - got < 32 &&
		       bh_rpc_call(&rpc, buf, 16, &id) == 0) {
			sent++;
			progress = true;
			if (rpc.notify_always)
				bh_rpc_kick(&rpc);
		}
		bh_rpc_kick(&rpc);
		while (bh_rpc_reply(&rpc, &id, buf, sizeof(buf), &len) == 0) {
			got++;
			progress = true;
		}
		/* Never spin: under QEMU's -icount one core's spinning holds
		 * the others back (they run in turns). */
		if (!progress && got < PIPE_MESSAGES && !bh_rpc_arm(&rpc))
			bh_events_wait(&seen);
	}
	return bh_counter() - start;
}

static void channel_bench(void)
{
	uint64_t seen = 0, sum = 0, start, dmin = ~0UL, dmax = 0;
	unsigned int imax = 0;
	struct bh_channel sink;
	uint8_t buf[64] = { 'S' };
	uint32_t id, len;

	bh_events_init();
	bh_irq_unmask();
	if (bh_rpc_open(&rpc, "bench", 64)) {
		printf("bench: cannot open the channel\n");
		return;
	}
	stamp = (volatile uint64_t *)((uint8_t *)rpc.ch.shared + STAMP_OFFSET);
	bh_event_unmask(rpc.ch.port);
	/* Wait (not spin: under -icount the cores run in turns, and a
	 * spinning one holds the others back) for echo's ready event. */
	while (!ready)
		bh_events_wait(&seen);
	/* Event send, the hypercall alone: on "sink", whose far end (echo)
	 * never unmasks it, so the send sets a bit and raises nothing. */
	if (bh_channel_lookup("sink", &sink)) {
		printf("bench: no sink channel\n");
		return;
	}
	printf("bench: rounds %u\n", ROUNDS);
	printf("bench: empty-loop %lu\n", (unsigned long)time_loop(0));
	start = bh_counter();
	for (unsigned int i = 0; i < ROUNDS; i++)
		bh_hvc(BH_HC_EVENT_SEND, sink.port, 0, 0);
	printf("bench: event-send %lu\n", (unsigned long)(bh_counter() - start));
	/* Time send -> echo's handler; echo is waiting in WFI. */
	for (unsigned int i = 0; i < CHAN_ROUNDS; i++) {
		uint64_t t0;

		*stamp = 0;
		t0 = bh_counter();
		bh_hvc(BH_HC_EVENT_SEND, rpc.ch.port, 0, 0);
		while (!*stamp)
			__asm__ volatile("wfi");
		sum += *stamp - t0;
		if (*stamp - t0 < dmin)
			dmin = *stamp - t0;
		if (*stamp - t0 > dmax) {
			dmax = *stamp - t0;
			imax = i;
		}
	}
	printf("bench: event-to-handler-min %lu\n", (unsigned long)dmin);
	printf("bench: event-to-handler-max %lu (round %u)\n", (unsigned long)dmax, imax);
	printf("bench: chan-rounds %u\n", CHAN_ROUNDS);
	printf("bench: event-to-handler %lu\n", (unsigned long)sum);
	/* One request at a time, sleeping for the response. */
	start = bh_counter();
	for (unsigned int i = 0; i < CHAN_ROUNDS; i++) {
		bh_rpc_call(&rpc, buf, 16, &id);
		bh_rpc_kick(&rpc);
		while (bh_rpc_reply(&rpc, &id, buf, sizeof(buf), &len) == BH_RING_EMPTY)
			if (!bh_rpc_arm(&rpc))
				bh_events_wait(&seen);
	}
	printf("bench: ring-round-trip %lu\n", (unsigned long)(bh_counter() - start));
	printf("bench: pipe-messages %u\n", PIPE_MESSAGES);
	printf("bench: pipe-suppressed %lu\n", (unsigned long)pipelined('S'));
	printf("bench: pipe-always %lu\n", (unsigned long)pipelined('A'));
	printf("bench: done\n");
}

void thread(void)
{
	uint64_t entry = bh_entry_counter();

	if (bh_arg("echo"))
		echo();
	if (bh_arg("client")) {
		channel_bench();
		return;
	}

	if (bh_arg("traps")) {
		traps_bench();
		return;
	}
	if (bh_arg("switch-measure"))
		switch_bench();
	if (bh_arg("switch-yield")) {
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
}
