/*
 * control: the control domain's command line (docs/console.md), on its
 * virtual PL011: the user reaches it by moving the console's input focus
 * to it (Ctrl-A three times). It asks the hypervisor about partitions and
 * steers the ones its plan lets it (bulkhead/abi/console.h):
 *
 *   list                  every partition: role, state, CPUs, memory,
 *                         restarts, uptime, last fault
 *   stop|start|restart N  partition N
 *   log N [LINES]         the last lines partition N printed
 *   inject N KIND         a fault (debug builds, "fault-injector" plans)
 *   help
 *
 * Lines appear on the console whole, so a command shows as it was typed
 * once Enter is pressed ("bulkhead> list"), then its output. Everything
 * it knows comes from the hypervisor each time: restarted, it has lost
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/abi/blk.h>
#include <bulkhead/abi/console.h>
#include "bulkhead.h"
#include "pl011.h"

#define LINE_MAX 80
#define MAX_IDS 8
#define LOG_LINES 10

static struct pl011 uart;
static char line[LINE_MAX];
static unsigned int line_len;
static char log_buf[4096];

static const char *const role_names[] = { "guest", "driver", "console", "control" };
static const char *const state_names[] = { "running", "stopped", "restarting", "starting" };
static const char *const fault_kinds[BH_FAULT_KINDS + 1] = {
	"any", "data-abort", "undefined", "hang", "corrupt-ring", "foreign-answer", "overlong",
};

static int info(unsigned int id, struct bh_partition_info *pi)
{
	return (int)bh_hvc(BH_HC_CTRL_INFO, id, (uintptr_t)pi, 0).status;
}

/* A partition's id by name, or -1 (said so). */
static int find(const char *name)
{
	struct bh_partition_info pi;

	for (unsigned int id = 0; id < MAX_IDS; id++)
		if (info(id, &pi) == BH_OK && !strcmp(pi.name, name))
			return (int)id;
	printf("no partition \"%s\" (see list)\n", name);
	return -1;
}

static void cpu_list(uint64_t cpus, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned int c = 0; c < 64 && n + 4 < len; c++)
		if (cpus & (1ull << c))
			n += (size_t)snprintf(out + n, len - n, "%s%u", n ? "," : "", c);
}

static void uptime(uint64_t ms, char *out, size_t len)
{
	if (ms < 60000)
		snprintf(out, len, "%lu.%lu s", (unsigned long)(ms / 1000),
			 (unsigned long)(ms % 1000 / 100));
	else if (ms < 3600000)
		snprintf(out, len, "%lu min %lu s", (unsigned long)(ms / 60000),
			 (unsigned long)(ms % 60000 / 1000));
	else
		snprintf(out, len, "%lu h %lu min", (unsigned long)(ms / 3600000),
			 (unsigned long)(ms % 3600000 / 60000));
}

static void list(void)
{
	struct bh_partition_info pi;

	printf("%-3s %-10s %-8s %-11s %-6s %7s %8s %-12s %s\n", "ID", "NAME", "ROLE", "STATE",
	       "CPUS", "MEMORY", "RESTARTS", "UPTIME", "LAST FAULT");
	for (unsigned int id = 0; id < MAX_IDS; id++) {
		char cpus[24], up[24], mem[16];

		if (info(id, &pi) != BH_OK)
			continue;
		cpu_list(pi.cpus, cpus, sizeof(cpus));
		if (pi.state == BH_PART_RUNNING)
			uptime(pi.uptime_ms, up, sizeof(up));
		else
			strcpy(up, "-");
		snprintf(mem, sizeof(mem), "%lu MiB", (unsigned long)(pi.mem_size >> 20));
		printf("%-3u %-10s %-8s %-11s %-6s %7s %8u %-12s %s%s\n", id, pi.name,
		       pi.role < 4 ? role_names[pi.role] : "?",
		       pi.state < 4 ? state_names[pi.state] : "?", cpus, mem, pi.restarts, up,
		       pi.last_fault[0] ? pi.last_fault : "-",
		       pi.flags & BH_INFO_CONTROLLED ? "" : " (not controlled)");
	}
}

static void steer(const char *what, uint32_t call, const char *name)
{
	int id = name ? find(name) : -1;
	int64_t rc;

	if (!name) {
		printf("usage: %s NAME\n", what);
		return;
	}
	if (id < 0)
		return;
	rc = bh_hvc(call, (unsigned int)id, 0, 0).status;
	if (rc == BH_OK)
		printf("%s %s: done\n", what, name);
	else if (rc == BH_E_DENIED)
		printf("%s %s: refused: the plan does not let this domain control it\n", what,
		       name);
	else if (rc == BH_E_INVALID)
		printf("%s %s: not possible in its state (see list)\n", what, name);
	else
		printf("%s %s: error %ld\n", what, name, (long)rc);
}

static void show_log(const char *name, const char *count)
{
	int id = name ? find(name) : -1;
	unsigned long lines = count ? strtoul(count, NULL, 10) : LOG_LINES;
	struct bh_result r;
	char *s;

	if (!name) {
		printf("usage: log NAME [LINES]\n");
		return;
	}
	if (id < 0)
		return;
	r = bh_hvc4(BH_HC_CTRL_LOG, (unsigned int)id, (uintptr_t)log_buf, sizeof(log_buf),
		    lines ? lines : LOG_LINES);
	if (r.status != BH_OK) {
		printf("log %s: error %ld\n", name, (long)r.status);
		return;
	}
	printf("last lines of %s:\n", name);
	for (s = log_buf; *s;) {
		char *nl = strchr(s, '\n');

		if (nl)
			*nl = '\0';
		printf("  | %s\n", s);
		if (!nl)
			break;
		s = nl + 1;
	}
}

static void inject(const char *name, const char *kind)
{
	int id = name ? find(name) : -1;
	unsigned int k = 0;
	int64_t rc;

	if (!name || !kind) {
		printf("usage: inject NAME KIND (KIND: any, data-abort, undefined, hang, "
		       "corrupt-ring, foreign-answer, overlong)\n");
		return;
	}
	while (k <= BH_FAULT_KINDS && strcmp(fault_kinds[k], kind))
		k++;
	if (k > BH_FAULT_KINDS) {
		printf("inject: unknown kind \"%s\"\n", kind);
		return;
	}
	if (id < 0)
		return;
	rc = bh_hvc(BH_HC_INJECT, (unsigned int)id, k, 0).status;
	if (rc == BH_OK)
		printf("inject %s %s: done\n", name, kind);
	else if (rc == BH_E_DENIED)
		printf("inject: refused (a build without fault injection, or a plan that does "
		       "not make this domain a fault-injector)\n");
	else
		printf("inject %s %s: error %ld\n", name, kind, (long)rc);
}

static void help(void)
{
	printf("commands:\n"
	       "  list                  every partition and its state\n"
	       "  stop NAME             stop it (until start)\n"
	       "  start NAME            start a stopped partition afresh\n"
	       "  restart NAME          restart it now\n"
	       "  log NAME [LINES]      its last lines (default %d)\n"
	       "  inject NAME KIND      make it commit a fault (debug builds)\n"
	       "  help                  this\n"
	       "Ctrl-A three times moves the console's input to the next partition.\n",
	       LOG_LINES);
}

static void run(char *cmd)
{
	char *words[4] = { 0 };
	unsigned int n = 0;

	for (char *w = strtok(cmd, " \t"); w && n < 4; w = strtok(NULL, " \t"))
		words[n++] = w;
	if (!n)
		return;
	if (!strcmp(words[0], "list"))
		list();
	else if (!strcmp(words[0], "stop"))
		steer("stop", BH_HC_CTRL_STOP, words[1]);
	else if (!strcmp(words[0], "start"))
		steer("start", BH_HC_CTRL_START, words[1]);
	else if (!strcmp(words[0], "restart"))
		steer("restart", BH_HC_CTRL_RESTART, words[1]);
	else if (!strcmp(words[0], "log"))
		show_log(words[1], words[2]);
	else if (!strcmp(words[0], "inject"))
		inject(words[1], words[2]);
	else if (!strcmp(words[0], "help"))
		help();
	else
		printf("unknown command \"%s\"; try help\n", words[0]);
}

static void typed(char c)
{
	if (c == '\r' || c == '\n') {
		line[line_len] = '\0';
		printf("bulkhead> %s\n", line);
		run(line);
		line_len = 0;
	} else if (c == 0x7f || c == '\b') {
		if (line_len)
			line_len--;
	} else if (c >= 0x20 && c < 0x7f && line_len < LINE_MAX - 1) {
		line[line_len++] = c;
	}
}

void init(void)
{
	struct bh_device dev;

	if (bh_device_find("arm,pl011", &dev) || !dev.intid || bh_irq_claim(dev.intid)) {
		printf("control: no virtual UART (the plan's virtual-uart) to read commands from\n");
		bh_stop();
	}
	pl011_open(&uart, dev.base);
	if (!bh_restart_count())
		printf("control: ready; type help (Ctrl-A three times brings the input here)\n");
	else
		printf("control: ready again (run %u)\n", bh_restart_count());
}

void irq(unsigned int intid)
{
	int c;

	(void)intid;
	while ((c = pl011_getc(&uart)) >= 0)
		typed((char)c);
	pl011_rx_ack(&uart);
}
