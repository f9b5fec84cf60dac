/*
 * The console: the hypervisor's messages and every partition's lines, on
 * the board's serial line, shared by all CPUs.
 *
 * Everything printed becomes a record in a stream (core/console_stream.c):
 * one for the hypervisor, one per partition, each bounded (oldest dropped
 * first, counted). Who puts the records out depends on the route:
 *
 *   DIRECT   the hypervisor itself, to the UART (no console domain in the
 *            plan, or it stopped for good);
 *   WAITING  the console domain is starting or restarting: the hypervisor
 *            puts out its own messages (the emergency path) and the
 *            partitions' lines wait for the domain;
 *   DOMAIN   the console domain owns the UART: it takes every record
 *            (console_next / console_ack) and puts it out; the hypervisor
 *            only tells it that records wait (console_owner_kick).
 *
 * Records of all streams go out in the order they were made (a global
 * sequence number). A record leaves its stream only once it is out, so a
 * console domain that dies with records in hand gets them again when it
 * comes back.
 *
 * No CPU ever spins on a lock held across UART output: at 115200 baud a
 * line takes 8-9 ms, and a guest that makes the hypervisor log could
 * otherwise hold every other CPU (with interrupts masked) behind its lines.
 * Whoever finds the UART free (uart_busy) puts out records; everyone else
 * returns at once. A CPU puts out at most CONSOLE_DRAIN_BUDGET bytes per
 * call; the rest goes with the next message or the next tick.
 *
 * Lock order: stream_lock is a leaf, held only to copy records in or out,
 * with interrupts masked. The UART is owned, not locked: taken with a try,
 * never waited for; the console domain takes it over the same way
 * (console_next fails while a CPU is writing), so that its output and the
 * hypervisor's never mix inside a line. Before the MMU is on, memory is
 * device memory where exclusive accesses are not guaranteed to work, so
 * until console_enable_locking() output goes straight to the UART (only
 * the boot CPU runs then). After a panic, only the panicking CPU may print:
 * it puts out what is waiting and writes directly; any other CPU that
 * tries to print stops there.
 */
#include <arch/cpu.h>
#include <arch/spinlock.h>
#include <bulkhead/console.h>
#include <bulkhead/console_stream.h>
#include <bulkhead/format.h>
#include <bulkhead/percpu.h>
#include <bulkhead/plan.h>
#include <drivers/uart.h>

#define NO_PANIC_CPU (~0u)
#define CONSOLE_HYP_STREAM 16384u  /* bytes, a power of two */
#define CONSOLE_PART_STREAM 4096u  /* per partition, a power of two */
#define CONSOLE_MSG_MAX STREAM_RECORD_MAX /* longer messages are cut */
#define CONSOLE_DRAIN_BUDGET 2048u
#define HYP_SOURCE PLAN_MAX_PARTITIONS
#define NR_SOURCES (PLAN_MAX_PARTITIONS + 1)

static spinlock_t stream_lock = SPINLOCK_INIT;
static char hyp_buf[CONSOLE_HYP_STREAM];
static char part_buf[PLAN_MAX_PARTITIONS][CONSOLE_PART_STREAM];
static struct console_stream streams[NR_SOURCES];
static const char *source_name[NR_SOURCES];
static uint32_t next_seq;
/* Records waiting in all streams: read without the lock by every tick, so
 * that an idle console costs one load there. */
static uint32_t nr_waiting;
static bool streams_ready;
static enum console_route route = CONSOLE_DIRECT;
static bool uart_busy; /* a CPU is writing to the UART */
static bool console_locking;
static unsigned int panic_cpu = NO_PANIC_CPU;
static const struct uart_driver *console_drv;
static uint64_t console_base;
static void (*owner_kick)(void);

static void uart_write(const char *s, uint32_t len)
{
	if (!console_drv)
		return;
	for (uint32_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			console_drv->putc(console_base, '\r');
		console_drv->putc(console_base, s[i]);
	}
}

static void uart_puts(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	uart_write(s, n);
}

/* Stream lock held: the only writers, so a plain read-modify-write. */
static void waiting_add(int n)
{
	__atomic_store_n(&nr_waiting, nr_waiting + (uint32_t)n, __ATOMIC_RELEASE);
}

static void streams_init(void)
{
	stream_init(&streams[HYP_SOURCE], hyp_buf, CONSOLE_HYP_STREAM);
	for (unsigned int i = 0; i < PLAN_MAX_PARTITIONS; i++)
		stream_init(&streams[i], part_buf[i], CONSOLE_PART_STREAM);
	source_name[HYP_SOURCE] = "";
	streams_ready = true;
}

void console_add_source(unsigned int id, const char *name)
{
	if (id < PLAN_MAX_PARTITIONS)
		source_name[id] = name;
}

/* Does route r let its writer (the hypervisor, or the console domain for
 * CONSOLE_DOMAIN) put out records of source src? */
static bool eligible(unsigned int src, enum console_route r)
{
	return r != CONSOLE_WAITING || src == HYP_SOURCE;
}

/* The source of the oldest record (lowest sequence number) that route r
 * lets its writer put out, or -1. Stream lock held. */
static int oldest_source(enum console_route r)
{
	int best = -1;
	uint32_t best_seq = 0;

	for (unsigned int i = 0; i < NR_SOURCES; i++) {
		const struct console_stream *s = &streams[i];
		uint32_t seq;

		if (!stream_waiting(s) || !eligible(i, r))
			continue;
		seq = stream_oldest_seq(s);
		if (best < 0 || seq_before(seq, best_seq)) {
			best = (int)i;
			best_seq = seq;
		}
	}
	return best;
}

/* A record as the UART shows it: "[name] text\n" for a partition's line,
 * the text as it is for the hypervisor's, after a note of what was lost. */
static void write_record(unsigned int src, const char *text, uint32_t len, uint32_t dropped)
{
	char note[80];

	if (dropped) {
		if (src == HYP_SOURCE)
			fmt_snprintf(note, sizeof(note), "[console: %u message(s) dropped]\n",
				     dropped);
		else
			fmt_snprintf(note, sizeof(note), "[%s: %u line(s) dropped]\n",
				     source_name[src], dropped);
		uart_puts(note);
	}
	if (src != HYP_SOURCE) {
		uart_puts("[");
		uart_puts(source_name[src] ? source_name[src] : "?");
		uart_puts("] ");
	}
	uart_write(text, len);
	if (src != HYP_SOURCE)
		uart_write("\n", 1);
}

/* Take source src's oldest record out of its stream, with the count of
 * what it lost before it. Stream lock held (or the panic's CPU alone). */
static void take(unsigned int src, char *out, uint32_t *len, uint32_t *dropped)
{
	uint32_t seq;
	int n = stream_peek(&streams[src], &seq, out, CONSOLE_MSG_MAX);

	*len = (uint32_t)n < CONSOLE_MSG_MAX ? (uint32_t)n : CONSOLE_MSG_MAX;
	*dropped = streams[src].dropped;
	streams[src].dropped = 0;
	stream_pop(&streams[src], seq);
	waiting_add(-1);
}

/* Take the oldest record the hypervisor may put out. Stream lock held. */
static int take_direct(char *out, uint32_t *len, uint32_t *dropped)
{
	int src = oldest_source(route);

	if (src >= 0)
		take((unsigned int)src, out, len, dropped);
	return src;
}

static bool direct_waiting(void)
{
	bool any;
	uint64_t flags = spin_lock_irqsave(&stream_lock);

	any = route != CONSOLE_DOMAIN && oldest_source(route) >= 0;
	spin_unlock_irqrestore(&stream_lock, flags);
	return any;
}

/* Put out up to budget bytes of records if nobody else is writing. */
static void drain(uint32_t budget)
{
	char text[CONSOLE_MSG_MAX];

	while (budget && direct_waiting()) {
		if (__atomic_exchange_n(&uart_busy, true, __ATOMIC_ACQUIRE))
			return; /* the writer sees what we added */
		while (budget) {
			uint32_t len = 0, dropped = 0;
			int src;
			uint64_t flags = spin_lock_irqsave(&stream_lock);

			/* Looked at under the lock and with the UART held: a
			 * console domain taking over waits for us. */
			src = route == CONSOLE_DOMAIN ? -1 : take_direct(text, &len, &dropped);
			spin_unlock_irqrestore(&stream_lock, flags);
			if (src < 0)
				break;
			write_record((unsigned int)src, text, len, dropped);
			budget = budget > len ? budget - len : 0;
		}
		__atomic_store_n(&uart_busy, false, __ATOMIC_RELEASE);
		/* Added after our last look, by a CPU that found us busy? */
	}
}

static void kick_or_drain(void)
{
	if (__atomic_load_n(&route, __ATOMIC_ACQUIRE) == CONSOLE_DOMAIN) {
		if (owner_kick)
			owner_kick();
		return;
	}
	drain(CONSOLE_DRAIN_BUDGET);
}

void console_drain(void)
{
	/* Every tick of every CPU comes here, and usually finds nothing:
	 * look before setting up a drain. */
	if (__atomic_load_n(&nr_waiting, __ATOMIC_ACQUIRE) && console_locking &&
	    __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) == NO_PANIC_CPU &&
	    __atomic_load_n(&route, __ATOMIC_ACQUIRE) != CONSOLE_DOMAIN)
		drain(CONSOLE_DRAIN_BUDGET);
}

void console_enable_locking(void)
{
	if (!streams_ready)
		streams_init();
	console_locking = true;
}

void console_set_uart(const struct uart_driver *drv, uint64_t base)
{
	/* Boot CPU only, before locking starts or with nothing waiting that
	 * the old UART still owes: drain first. */
	if (console_locking)
		drain(UINT32_MAX);
	if (drv && drv->init)
		drv->init(base);
	console_drv = drv;
	console_base = base;
}

static void put(unsigned int src, const char *text, uint32_t len)
{
	uint64_t flags = spin_lock_irqsave(&stream_lock);

	waiting_add(1 - (int)stream_put(&streams[src], next_seq++, text, len));
	spin_unlock_irqrestore(&stream_lock, flags);
	kick_or_drain();
}

void console_put_line(unsigned int id, const char *text, uint32_t len)
{
	if (id >= PLAN_MAX_PARTITIONS)
		return;
	if (!console_locking) { /* not before partitions run; but never lost */
		write_record(id, text, len, 0);
		return;
	}
	put(id, text, len);
}

/* After a panic: what waits goes out (no lock: its holder may be dead). */
static void panic_flush(void)
{
	char text[CONSOLE_MSG_MAX];
	uint32_t len, dropped;
	int src;

	if (!streams_ready)
		return;
	while ((src = oldest_source(CONSOLE_DIRECT)) >= 0) {
		take((unsigned int)src, text, &len, &dropped);
		write_record((unsigned int)src, text, len, dropped);
	}
}

struct msg {
	char text[CONSOLE_MSG_MAX];
	uint32_t len;
};

static void msg_out(char c, void *ctx)
{
	struct msg *m = ctx;

	if (m->len < CONSOLE_MSG_MAX)
		m->text[m->len++] = c;
}

void console_vprintf(const char *fmt, va_list ap)
{
	unsigned int owner = __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE);
	struct msg m;

	m.len = 0;
	fmt_vformat(msg_out, &m, fmt, ap);
	if (owner != NO_PANIC_CPU) {
		if (owner != this_cpu_id())
			arch_cpu_halt(); /* the panic report is not to be mixed */
		panic_flush();
		uart_write(m.text, m.len);
		return;
	}
	if (!console_locking) {
		uart_write(m.text, m.len);
		return;
	}
	/* Nothing waiting and the UART free: straight out, without going
	 * through the stream (the boot log, mostly). The hypervisor keeps no
	 * history of its own messages. */
	if (!__atomic_load_n(&nr_waiting, __ATOMIC_ACQUIRE) &&
	    __atomic_load_n(&route, __ATOMIC_ACQUIRE) != CONSOLE_DOMAIN &&
	    !__atomic_exchange_n(&uart_busy, true, __ATOMIC_ACQUIRE)) {
		/* Again with the UART held: a record put meanwhile goes first. */
		if (!__atomic_load_n(&nr_waiting, __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&route, __ATOMIC_ACQUIRE) != CONSOLE_DOMAIN) {
			uart_write(m.text, m.len);
			__atomic_store_n(&uart_busy, false, __ATOMIC_RELEASE);
			drain(CONSOLE_DRAIN_BUDGET); /* what others put meanwhile */
			return;
		}
		__atomic_store_n(&uart_busy, false, __ATOMIC_RELEASE);
	}
	put(HYP_SOURCE, m.text, m.len);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void console_panic_takeover(void)
{
	__atomic_store_n(&panic_cpu, this_cpu_id(), __ATOMIC_RELEASE);
}

/* --- The console domain's side (core/console_domain.c) ------------------ */

void console_set_route(enum console_route r, void (*kick)(void))
{
	uint64_t flags = spin_lock_irqsave(&stream_lock);

	owner_kick = kick;
	__atomic_store_n(&route, r, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&stream_lock, flags);
	if (r != CONSOLE_DOMAIN)
		drain(CONSOLE_DRAIN_BUDGET); /* what waited for the domain */
}

enum console_route console_get_route(void)
{
	return __atomic_load_n(&route, __ATOMIC_ACQUIRE);
}

int console_next(struct console_record *r, char *text, uint32_t max)
{
	int src, n = -1;
	uint64_t flags;

	/* A CPU writing to the UART now (its emergency output from before the
	 * domain took over) finishes first: no mixing inside a line. */
	if (__atomic_load_n(&uart_busy, __ATOMIC_ACQUIRE))
		return -2;
	flags = spin_lock_irqsave(&stream_lock);
	if (route == CONSOLE_DOMAIN && (src = oldest_source(CONSOLE_DOMAIN)) >= 0) {
		n = stream_peek(&streams[src], &r->seq, text, max);
		r->source = src == HYP_SOURCE ? CONSOLE_SOURCE_HYPERVISOR : (unsigned int)src;
		r->dropped = streams[src].dropped;
		r->name = source_name[src] ? source_name[src] : "?";
	}
	spin_unlock_irqrestore(&stream_lock, flags);
	return n;
}

bool console_ack(unsigned int source, uint32_t seq, uint32_t dropped_told)
{
	unsigned int src = source == CONSOLE_SOURCE_HYPERVISOR ? HYP_SOURCE : source;
	bool ok = false;
	uint64_t flags;

	if (src >= NR_SOURCES)
		return false;
	flags = spin_lock_irqsave(&stream_lock);
	if (route == CONSOLE_DOMAIN && stream_pop(&streams[src], seq)) {
		waiting_add(-1);
		streams[src].dropped -=
			dropped_told < streams[src].dropped ? dropped_told : streams[src].dropped;
		ok = true;
	}
	spin_unlock_irqrestore(&stream_lock, flags);
	return ok;
}

uint32_t console_last_lines(unsigned int id, unsigned int lines, char *out, uint32_t max)
{
	uint32_t n;
	uint64_t flags;

	if (id >= PLAN_MAX_PARTITIONS || !streams_ready) {
		if (max)
			out[0] = '\0';
		return 0;
	}
	flags = spin_lock_irqsave(&stream_lock);
	n = stream_last(&streams[id], lines, out, max);
	spin_unlock_irqrestore(&stream_lock, flags);
	return n;
}
