/*
 * A partition's console output. Guest text is untrusted: it is copied out
 * of guest memory at once, control characters (terminal escapes included)
 * become '?', and each complete line is printed with the partition's name
 * in front so that partitions cannot pass for each other or for the
 * hypervisor.
 */
#include <arch/cpu.h>
#include <bulkhead/console.h>
#include <bulkhead/partition.h>

static void flush(struct partition *p)
{
	if (!p->line_len)
		return;
	p->line[p->line_len] = '\0';
	console_printf("[%s] %s\n", p->plan->name, p->line);
	p->line_len = 0;
}

/* len 0: just flush what is pending. */
void partition_console_write(struct partition *p, const char *s, uint64_t len)
{
	uint64_t flags = arch_irq_save();

	spin_lock(&p->console_lock);
	if (len == 0)
		flush(p);
	for (uint64_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n') {
			flush(p);
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			c = '?';
		p->line[p->line_len++] = c;
		if (p->line_len == PARTITION_LINE_MAX - 1)
			flush(p);
	}
	spin_unlock(&p->console_lock);
	arch_irq_restore(flags);
}
