/*
 * The console: formatted output to the current UART, shared by all CPUs.
 *
 * A message is formatted on the caller's stack and copied whole into one
 * log buffer, so messages never interleave; whoever finds the UART free
 * drains the buffer to it, and everyone else returns at once. No CPU ever
 * spins on a lock held across UART output: at 115200 baud a line takes
 * 8-9 ms, and a guest that makes the hypervisor log could otherwise hold
 * every other CPU (with interrupts masked) behind its lines. A CPU drains at
 * most CONSOLE_DRAIN_BUDGET bytes per call; the rest goes out with the next
 * message or the next tick (console_drain()). When the buffer is full a
 * message is dropped and counted, and a line saying how many were dropped
 * comes out first once there is room.
 *
 * Lock order: buf_lock is a leaf, held only to copy in or out of the buffer,
 * with interrupts masked. The UART itself is owned, not locked: taken with a
 * try, never waited for. Before the MMU is on, memory is device memory
 * where exclusive accesses are not guaranteed to work, so until
 * console_enable_locking() output goes straight to the UART (only the boot
 * CPU runs then). After a panic, only the panicking CPU may print: it
 * drains what is buffered and writes directly; any other CPU that tries to
 * print stops there.
 */
#include <arch/cpu.h>
#include <arch/spinlock.h>
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/percpu.h>
#include <drivers/uart.h>

#define NO_PANIC_CPU (~0u)
#define CONSOLE_BUF_SIZE 16384u /* a power of two */
#define CONSOLE_MSG_MAX 512u	/* longer messages are cut */
#define CONSOLE_DRAIN_BUDGET 2048u
#define CONSOLE_CHUNK 64u

static spinlock_t buf_lock = SPINLOCK_INIT;
static char buf[CONSOLE_BUF_SIZE];
static uint32_t buf_head, buf_tail; /* free-running; head - tail bytes held */
static uint32_t dropped;	    /* messages lost to a full buffer */
static bool uart_busy;		    /* a CPU is draining */
static bool console_locking;
static unsigned int panic_cpu = NO_PANIC_CPU;
static const struct uart_driver *console_drv;
static uint64_t console_base;

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

static void buf_put(const char *s, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		buf[(buf_head + i) & (CONSOLE_BUF_SIZE - 1)] = s[i];
	buf_head += len;
}

/* Append one whole message, or count it as dropped. */
static void enqueue(const char *msg, uint32_t len)
{
	uint64_t flags = spin_lock_irqsave(&buf_lock);

	if (dropped) {
		char note[64];
		uint32_t n = (uint32_t)fmt_snprintf(note, sizeof(note),
						    "[console: %u message(s) dropped]\n", dropped);

		if (CONSOLE_BUF_SIZE - (buf_head - buf_tail) >= n + len) {
			buf_put(note, n);
			dropped = 0;
		}
	}
	if (!dropped && CONSOLE_BUF_SIZE - (buf_head - buf_tail) >= len)
		buf_put(msg, len);
	else if (dropped != UINT32_MAX)
		dropped++;
	spin_unlock_irqrestore(&buf_lock, flags);
}

/* Take up to CONSOLE_CHUNK bytes out of the buffer; returns how many. */
static uint32_t dequeue(char *out)
{
	uint32_t n;
	uint64_t flags = spin_lock_irqsave(&buf_lock);

	n = buf_head - buf_tail;
	if (n > CONSOLE_CHUNK)
		n = CONSOLE_CHUNK;
	for (uint32_t i = 0; i < n; i++)
		out[i] = buf[(buf_tail + i) & (CONSOLE_BUF_SIZE - 1)];
	buf_tail += n;
	spin_unlock_irqrestore(&buf_lock, flags);
	return n;
}

static bool buffer_empty(void)
{
	return __atomic_load_n(&buf_head, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&buf_tail, __ATOMIC_ACQUIRE);
}

/* Drain up to budget bytes if nobody else is draining. */
static void drain(uint32_t budget)
{
	char chunk[CONSOLE_CHUNK];

	while (!buffer_empty() && budget) {
		uint32_t n;

		if (__atomic_exchange_n(&uart_busy, true, __ATOMIC_ACQUIRE))
			return; /* the owner sees what we added */
		while (budget && (n = dequeue(chunk)) != 0) {
			uart_write(chunk, n);
			budget = budget > n ? budget - n : 0;
		}
		__atomic_store_n(&uart_busy, false, __ATOMIC_RELEASE);
		/* Added after our last look, by a CPU that found us busy? */
	}
}

void console_drain(void)
{
	/* Every tick of every CPU comes here, and usually finds nothing:
	 * look before setting up a drain. */
	if (console_locking && !buffer_empty() &&
	    __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) == NO_PANIC_CPU)
		drain(CONSOLE_DRAIN_BUDGET);
}

void console_enable_locking(void)
{
	console_locking = true;
}

void console_set_uart(const struct uart_driver *drv, uint64_t base)
{
	/* Boot CPU only, before locking starts or with nothing buffered that
	 * the old UART still owes: drain first. */
	if (console_locking)
		drain(UINT32_MAX);
	if (drv && drv->init)
		drv->init(base);
	console_drv = drv;
	console_base = base;
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
		char chunk[CONSOLE_CHUNK];
		uint32_t n;

		if (owner != this_cpu_id())
			arch_cpu_halt(); /* the panic report is not to be mixed */
		/* The buffer's lock may have died with its holder: read it
		 * without; this CPU alone prints now. */
		while (buf_head != buf_tail) {
			for (n = 0; n < CONSOLE_CHUNK && buf_head != buf_tail; n++)
				chunk[n] = buf[buf_tail++ & (CONSOLE_BUF_SIZE - 1)];
			uart_write(chunk, n);
		}
		uart_write(m.text, m.len);
		return;
	}
	if (!console_locking) {
		uart_write(m.text, m.len);
		return;
	}
	/* The UART free and nothing queued (or dropped) before us: straight
	 * out, without going through the buffer (the boot log, mostly). */
	if (buffer_empty() && !__atomic_load_n(&dropped, __ATOMIC_RELAXED) &&
	    !__atomic_exchange_n(&uart_busy, true, __ATOMIC_ACQUIRE)) {
		if (buffer_empty() && !__atomic_load_n(&dropped, __ATOMIC_RELAXED)) {
			uart_write(m.text, m.len);
			__atomic_store_n(&uart_busy, false, __ATOMIC_RELEASE);
			drain(CONSOLE_DRAIN_BUDGET); /* what others queued meanwhile */
			return;
		}
		__atomic_store_n(&uart_busy, false, __ATOMIC_RELEASE);
	}
	enqueue(m.text, m.len);
	drain(CONSOLE_DRAIN_BUDGET);
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
