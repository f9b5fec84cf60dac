/*
 * A partition's console output. Guest text is untrusted: it is copied out
 * of guest memory at once, control characters (terminal escapes included)
 * become '?', and each complete line goes to the partition's console
 * stream (core/console.c), to be put out with the partition's name in
 * front so that partitions cannot pass for each other or for the
 * hypervisor. A line that stays partial for PARTIAL_LINE_MS (a shell's
 * prompt) goes out as it is, from the tick of a CPU running the partition.
 *
 * Locks: the partition's console lock, alone; log lines are written after
 * it is released.
 */
#include <arch/cpu.h>
#include <bulkhead/console.h>
#include <bulkhead/log.h>
#include <bulkhead/partition.h>

/* A partial line (a prompt, an echo of what is typed) goes out on its own
 * once it has waited this long for the rest. */
#define PARTIAL_LINE_MS 50

/* What one partition can make the hypervisor log: a burst of lines per
 * second, then a count of what was held back. */
#define GUEST_LOG_BURST 10
#define GUEST_LOG_PERIOD_MS 1000

static void flush(struct partition *p)
{
	if (!p->line_len)
		return;
	console_put_line(p->id, p->line, p->line_len);
	p->line_len = 0;
}

/* len 0: just flush what is pending. */
void partition_console_write(struct partition *p, const char *s, uint64_t len)
{
	uint64_t flags = spin_lock_irqsave(&p->console_lock);

	if (len == 0)
		flush(p);
	for (uint64_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n') {
			flush(p);
			continue;
		}
		if (c == '\r')
			continue; /* a terminal's line end is "\r\n": the newline does */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			c = '?';
		if (!p->line_len)
			p->line_since = arch_counter_now();
		p->line[p->line_len++] = c;
		if (p->line_len == PARTITION_LINE_MAX - 1)
			flush(p);
	}
	spin_unlock_irqrestore(&p->console_lock, flags);
}

void partition_console_tick(struct partition *p)
{
	uint64_t flags;

	/* Read without the lock first: this is every tick of a busy CPU. */
	if (!__atomic_load_n(&p->line_len, __ATOMIC_RELAXED) ||
	    arch_counter_now() - p->line_since < arch_counter_freq() / 1000 * PARTIAL_LINE_MS)
		return;
	flags = spin_lock_irqsave(&p->console_lock);
	if (p->line_len && arch_counter_now() - p->line_since >= arch_counter_freq() / 1000 * PARTIAL_LINE_MS)
		flush(p);
	spin_unlock_irqrestore(&p->console_lock, flags);
}

static void report_suppressed(struct partition *p, uint32_t suppressed)
{
	if (suppressed)
		log_warn("partition %u \"%s\": %u similar message(s) suppressed", p->id,
			 p->plan->name, suppressed);
}

void partition_log_end(struct partition *p)
{
	uint32_t suppressed;
	uint64_t flags = spin_lock_irqsave(&p->console_lock);

	suppressed = p->log_limit.suppressed;
	p->log_limit.suppressed = 0;
	spin_unlock_irqrestore(&p->console_lock, flags);
	report_suppressed(p, suppressed);
}

bool partition_log_allowed(struct partition *p)
{
	uint64_t period = arch_counter_freq() / 1000 * GUEST_LOG_PERIOD_MS;
	uint32_t suppressed;
	bool ok;
	uint64_t flags = spin_lock_irqsave(&p->console_lock);

	ok = ratelimit_allow(&p->log_limit, arch_counter_now(), period, GUEST_LOG_BURST,
			     &suppressed);
	spin_unlock_irqrestore(&p->console_lock, flags);
	report_suppressed(p, suppressed);
	return ok;
}
