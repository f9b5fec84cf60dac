/*
 * console: the console driver domain (docs/console.md). It owns the
 * board's console UART, passed through to it by the hypervisor, and
 *
 *   - puts out the records the hypervisor keeps for it: every partition's
 *     lines, tagged "[name] " (in the partition's colour, if the build
 *     says so), and the hypervisor's own messages;
 *   - gives what is typed to the hypervisor, which passes it to the
 *     partition with the input focus.
 *
 * A record is put out and acknowledged with interrupts masked, and an
 * injected fault is only committed between dispatches: a record is out
 * exactly once even when this domain is killed over and over. All its
 * state is in the hypervisor's streams: restarted, it just attaches again
 * and goes on with the oldest record waiting.
 */
#include <stdio.h>
#include <string.h>
#include <bulkhead/abi/console.h>
#include "bulkhead.h"
#include "pl011.h"

/* Records put out before the UART's input gets a look. */
#define RECORDS_PER_ROUND 32
/* A retry (the hypervisor was writing, or the focus had no room). */
#define RETRY_US 200

static struct pl011 uart;
static unsigned int uart_intid;
static bool colour;
static struct {
	struct bh_console_record r;
	char text[BH_CONSOLE_TEXT_MAX];
} rec __attribute__((aligned(8)));
/* Typed characters the focused partition had no room for yet. */
static char typed[BH_CONSOLE_INPUT_MAX];
static unsigned int nr_typed;
static unsigned long records_out;
/* With the word "bench" (make bench, domains/conbench): the time it takes
 * to put out the lines between "cbench: start" and "cbench: end", and the
 * moment each key is taken off the UART. */
static bool bench;
static int bench_source = -1;
static uint64_t bench_started, bench_chars;

static void puts_uart(const char *s)
{
	pl011_write(&uart, s, (unsigned int)strlen(s));
}

/* A colour per partition: red, green, yellow, blue, magenta, cyan. */
static void put_record(const struct bh_console_record *r, unsigned int len)
{
	char note[96];
	bool partition = r->source != BH_CONSOLE_SOURCE_HYPERVISOR;

	if (r->dropped) {
		if (partition)
			snprintf(note, sizeof(note), "[%s: %u line(s) dropped]\n", r->name,
				 (unsigned int)r->dropped);
		else
			snprintf(note, sizeof(note), "[console: %u message(s) dropped]\n",
				 (unsigned int)r->dropped);
		puts_uart(note);
	}
	if (!partition) {
		pl011_write(&uart, r->text, len);
		return;
	}
	if (colour) {
		snprintf(note, sizeof(note), "\033[%um", 31 + r->source % 6);
		puts_uart(note);
	}
	puts_uart("[");
	puts_uart(r->name);
	puts_uart("] ");
	pl011_write(&uart, r->text, len);
	if (colour)
		puts_uart("\033[0m");
	puts_uart("\n");
}

static void bench_record(const struct bh_console_record *r, unsigned int len)
{
	if (r->source == BH_CONSOLE_SOURCE_HYPERVISOR)
		return;
	if (len == 13 && !memcmp(r->text, "cbench: start", 13)) {
		bench_source = r->source;
		bench_started = 0;
		bench_chars = 0;
		return;
	}
	if (r->source != bench_source)
		return;
	if (len == 11 && !memcmp(r->text, "cbench: end", 11)) {
		printf("console: bench-throughput %lu chars %lu ticks\n",
		       (unsigned long)bench_chars, (unsigned long)(bh_counter() - bench_started));
		bench_source = -1;
		return;
	}
	if (!bench_started)
		bench_started = bh_counter();
	bench_chars += strlen(r->name) + 3 + len + 1 + (colour ? 9 : 0);
}

static void retry_soon(void)
{
	bh_timer_arm(bh_counter_freq() / 1000000 * RETRY_US + 1);
}

/* Put out up to RECORDS_PER_ROUND records; how many went out. */
static unsigned int drain(void)
{
	unsigned int n;

	for (n = 0; n < RECORDS_PER_ROUND; n++) {
		struct bh_result res = bh_hvc(BH_HC_CONSOLE_NEXT, (uintptr_t)&rec, sizeof(rec), 0);

		if (res.status == BH_E_AGAIN) {
			retry_soon();
			break;
		}
		if (res.status != BH_OK)
			break;
		/* Out and acknowledged with nothing in between: an interrupt
		 * here could only delay, a fault here would repeat a line. */
		__asm__ volatile("msr daifset, #2" ::: "memory");
		put_record(&rec.r, (unsigned int)res.r1);
		if (bench)
			bench_record(&rec.r, (unsigned int)res.r1);
		bh_hvc(BH_HC_CONSOLE_ACK, rec.r.source, rec.r.seq, rec.r.dropped);
		__asm__ volatile("msr daifclr, #2" ::: "memory");
		records_out++;
	}
	return n;
}

/* What was typed: to the hypervisor, as much as the focus takes. */
static void take_input(void)
{
	int c;

	while (nr_typed < sizeof(typed) && (c = pl011_getc(&uart)) >= 0) {
		typed[nr_typed++] = (char)c;
		if (bench)
			printf("console: bench-key-in %lu\n", (unsigned long)bh_counter());
	}
	pl011_rx_ack(&uart);
	if (!nr_typed)
		return;
	struct bh_result res = bh_hvc(BH_HC_CONSOLE_INPUT, (uintptr_t)typed, nr_typed, 0);
	unsigned int taken = res.status == BH_OK ? (unsigned int)res.r1 : nr_typed;

	memmove(typed, typed + taken, nr_typed - taken);
	nr_typed -= taken;
	if (nr_typed)
		retry_soon(); /* the UART holds the rest meanwhile */
}

void init(void)
{
	struct bh_device dev;
	struct bh_result res;

	if (bh_device_find("arm,pl011", &dev) || !dev.intid) {
		printf("console: no PL011 passed through to this partition\n");
		bh_stop();
	}
	pl011_open(&uart, dev.base);
	uart_intid = dev.intid;
	if (bh_irq_claim(uart_intid) || bh_irq_claim(BH_CONSOLE_INTID) ||
	    bh_irq_claim(BH_IRQ_VTIMER)) {
		printf("console: no virtual interrupt controller\n");
		bh_stop();
	}
	res = bh_hvc(BH_HC_CONSOLE_ATTACH, 0, 0, 0);
	if (res.status != BH_OK) {
		printf("console: the hypervisor refused to attach (%ld)\n", (long)res.status);
		bh_stop();
	}
	colour = res.r1 & BH_CONSOLE_COLOUR;
	bench = bh_arg("bench");
	if (!bh_restart_count())
		printf("console: on the PL011 at 0x%lx, interrupt %u\n", (unsigned long)dev.base,
		       uart_intid);
	while (drain() == RECORDS_PER_ROUND)
		take_input();
	take_input();
}

void irq(unsigned int intid)
{
	if (intid == BH_IRQ_VTIMER)
		bh_timer_stop();
	/* Whatever woke it: input first (it is small), then output. */
	take_input();
	while (drain() == RECORDS_PER_ROUND)
		take_input();
}
