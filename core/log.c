/*
 * Log lines: "[seconds.micros] cpuN: message", one console lock hold per line.
 */
#include <arch/cpu.h>
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/log.h>
#include <bulkhead/percpu.h>

void log_printf(int level, const char *fmt, ...)
{
	static const char *const tags[] = { "error: ", "warning: ", "", "debug: " };
	char line[256];
	uint64_t freq = arch_counter_freq(), now = arch_counter_now();
	uint64_t secs = freq ? now / freq : 0;
	uint64_t micros = freq ? (now % freq) * 1000000 / freq : 0;
	size_t n;
	va_list ap;

	n = fmt_snprintf(line, sizeof(line), "[%5lu.%06lu] cpu%u: %s", secs, micros, this_cpu_id(),
			 tags[level & 3]);
	va_start(ap, fmt);
	fmt_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	console_printf("%s\n", line);
}
