/*
 * victim: a bystander for tests in which another partition does its worst
 * (the guest-side fuzzer, docs/guest-fuzzer.md). It checks two things
 * that must not change whatever the others do:
 *
 *  - memory: a 256 KiB pattern it wrote and its own code and read-only
 *    data, compared with a checksum taken at start;
 *  - timer cadence: its virtual timer is armed for absolute deadlines
 *    every 10 ms; each interrupt measures how late it came, and the
 *    thread also notices a deadline passing with no interrupt at all.
 *
 * It also takes whatever its channels bring (all its ports unmasked), so
 * that a hostile peer's events reach a running partition; it counts them
 * (ports with events at each wake-up) and does nothing else.
 *
 * Once a second it prints
 *     <name>: tick N, memory intact, cadence ok (median M us, worst W us, L late; ...), E events
 * or "memory CHANGED" / "cadence LATE ..." when a check fails (tests
 * reject those words). Lateness is measured against the schedule, not the
 * previous interrupt, so a lost or delayed interrupt shows until the
 * handler has caught up.
 */
#include <stdio.h>
#include "bulkhead.h"

#define PATTERN_WORDS (256 * 1024 / 8)
#define PERIOD_HZ 100
#define REPORT_EVERY 100 /* interrupts: one line a second */
/*
 * How late interrupts may be. Under QEMU's TCG on a loaded host a vCPU
 * thread loses its host CPU now and then, for up to half a second, which
 * the guest sees as lateness of every tick that fell due meanwhile: with
 * two busy partitions that never trap (domains/spin) beside the victims
 * on a loaded 2-core host, up to a fifth of the ticks in 10 s came more
 * than 2 ms late. The hypervisor's own share (exit, vGIC, list register)
 * is microseconds. So the checks are coarse, made for what the
 * hypervisor could do wrong: no interrupt later than WORST (lost or
 * starved), and at most LATE_SHARE percent of the last LATE_WINDOW (10 s)
 * later than LATE_US (a systematic delay, e.g. injection left to the next
 * hypervisor tick, would make most of them late).
 */
#define WORST_TOLERANCE_US 2000000
#define LATE_US 2000
#define LATE_WINDOW 1000
#define LATE_SHARE 50

extern char _start[], __init_array_start[];

static uint64_t pattern[PATTERN_WORDS];
static uint64_t freq, period;
static volatile uint64_t deadline; /* of the next interrupt */
static volatile uint64_t fired;
static uint64_t events; /* ports with events, at each wake-up */
/* Lateness of the last interrupts (counter ticks), by fired % 128. */
static volatile uint64_t late_ring[128];
/* Which of the last LATE_WINDOW interrupts were later than LATE_US. */
static uint8_t late_bits[LATE_WINDOW];
static unsigned int late_count;

static uint64_t pattern_word(unsigned int i)
{
	return (uint64_t)i * 0x9e3779b97f4a7c15UL ^ 0x71c71badUL;
}

/* Fletcher-style sum of the image's code and read-only data. */
static uint64_t image_sum(void)
{
	const uint32_t *p = (const uint32_t *)_start, *end = (const uint32_t *)__init_array_start;
	uint64_t a = 1, b = 0;

	for (; p < end; p++) {
		a += *p;
		b += a;
	}
	return a ^ (b << 32) ^ (b >> 32);
}

static int memory_intact(uint64_t sum)
{
	for (unsigned int i = 0; i < PATTERN_WORDS; i++)
		if (pattern[i] != pattern_word(i))
			return 0;
	return image_sum() == sum;
}

static void on_timer(unsigned int intid)
{
	uint64_t now = bh_counter();

	(void)intid;
	late_ring[fired % 128] = now > deadline ? now - deadline : 0;
	fired++;
	deadline += period;
	bh_timer_arm_at(deadline);
}

static uint64_t to_us(uint64_t ticks)
{
	return ticks * 1000000 / freq;
}

/* Median and maximum of the REPORT_EVERY interrupts before the n-th (in
 * us), and the count of late ones in the window that ends there. */
static void lateness(uint64_t n, uint64_t *median, uint64_t *worst)
{
	uint64_t v[REPORT_EVERY];

	__asm__ volatile("msr daifset, #2" ::: "memory");
	for (unsigned int i = 0; i < REPORT_EVERY; i++)
		v[i] = late_ring[(n - 1 - i) % 128];
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	for (unsigned int i = 0; i < REPORT_EVERY; i++) {
		unsigned int slot = (unsigned int)((n - 1 - i) % LATE_WINDOW);
		uint8_t late = to_us(v[i]) > LATE_US;

		late_count += late;
		late_count -= late_bits[slot];
		late_bits[slot] = late;
	}
	for (unsigned int i = 1; i < REPORT_EVERY; i++) /* insertion sort: 100 values */
		for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*median = to_us(v[REPORT_EVERY / 2]);
	*worst = to_us(v[REPORT_EVERY - 1]);
}

void thread(void)
{
	uint64_t sum, reported = 0, seen = 0, overall = 0;
	int missed_reported = 0;

	freq = bh_counter_freq();
	period = freq / PERIOD_HZ;
	for (unsigned int i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = pattern_word(i);
	sum = image_sum();
	/* The runtime's main() set up the virtual GIC and events. */
	if (bh_irq_enable(BH_IRQ_VTIMER, on_timer)) {
		printf("%s: no virtual interrupt controller\n", bh_partition_name());
		return;
	}
	for (unsigned int port = 0; bh_event_unmask(port) == BH_OK; port++)
		;
	printf("%s: victim up (partition %u), timer every %u ms; late: over %u us, at most %u%% "
	       "of %u, none over %u us\n",
	       bh_partition_name(), bh_partition_id(), 1000 / PERIOD_HZ, LATE_US, LATE_SHARE,
	       LATE_WINDOW, WORST_TOLERANCE_US);
	deadline = bh_counter() + period;
	bh_timer_arm_at(deadline);
	bh_irq_unmask();
	for (;;) {
		uint64_t n, now, due, median, worst;
		const char *memory;

		/* The timer, the hypervisor's tick or an event ends the WFI. */
		__asm__ volatile("wfi");
		/* Events: taken here, counted, dropped. */
		events += (uint64_t)__builtin_popcountll(bh_events_take());
		/* A consistent view: the handler moves both. */
		__asm__ volatile("msr daifset, #2" ::: "memory");
		n = fired;
		due = deadline;
		now = bh_counter();
		__asm__ volatile("msr daifclr, #2" ::: "memory");
		if (n != seen) {
			seen = n;
			missed_reported = 0;
		} else if (!missed_reported && now > due && to_us(now - due) > WORST_TOLERANCE_US) {
			/* No interrupt at all: the handler cannot report that. */
			printf("%s: cadence LATE by %lu us (no timer interrupt yet)\n",
			       bh_partition_name(), (unsigned long)to_us(now - due));
			missed_reported = 1;
		}
		if (n < reported + REPORT_EVERY)
			continue;
		reported += REPORT_EVERY;
		lateness(reported, &median, &worst);
		if (worst > overall)
			overall = worst;
		memory = memory_intact(sum) ? "intact" : "CHANGED";
		if (late_count * 100 > LATE_SHARE * LATE_WINDOW || worst > WORST_TOLERANCE_US)
			printf("%s: tick %lu, memory %s, cadence LATE (%u of the last %u over "
			       "%u us; median %lu us, worst %lu us)\n",
			       bh_partition_name(), (unsigned long)reported, memory, late_count,
			       LATE_WINDOW, LATE_US, (unsigned long)median, (unsigned long)worst);
		else
			printf("%s: tick %lu, memory %s, cadence ok (median %lu us, worst %lu "
			       "us, %u late; %lu overall), %lu events\n",
			       bh_partition_name(), (unsigned long)reported, memory,
			       (unsigned long)median, (unsigned long)worst, late_count,
			       (unsigned long)overall, (unsigned long)events);
	}
}
