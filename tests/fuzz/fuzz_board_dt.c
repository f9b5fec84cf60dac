/*
 * Fuzz harness for core/board_dt.c: board_dt_parse() on arbitrary and
 * mutated device trees (the corpus starts from the unit tests' fixtures and
 * QEMU's own trees), then board_dt_device() on the tree's first nodes, by
 * path and by name, as a plan's "devices" would name them.
 *
 * Whatever the blob: no read outside it (it sits in a heap block of its
 * own size), 0 with a board description whose every count and string is
 * within bounds, or -1 with a message that a short buffer cuts (never
 * overruns).
 */
#include "fuzz.h"

#include <libfdt.h>
#include <bulkhead/board.h>

#define ERR_LEN 256
/* Device look-ups per input: each one scans the tree. */
#define MAX_DEVICES 12

static struct board_info board_info;

static void check_board(const struct board_info *b)
{
	const struct board_gic *g = &b->gic;

	FZ_CHECK(fz_terminated(b->model, sizeof(b->model)), "model");
	FZ_CHECK(fz_terminated(b->bootargs, sizeof(b->bootargs)), "bootargs");
	FZ_CHECK(b->nr_mem >= 1 && b->nr_mem <= BOARD_MAX_MEM, "nr_mem %u", b->nr_mem);
	for (unsigned int i = 0; i < b->nr_mem; i++)
		FZ_CHECK(b->mem[i].size != 0, "memory range %u empty", i);
	FZ_CHECK(b->nr_reserved <= BOARD_MAX_RESERVED, "nr_reserved %u", b->nr_reserved);
	FZ_CHECK(b->nr_cpus >= 1 && b->nr_cpus <= BOARD_MAX_CPUS, "nr_cpus %u", b->nr_cpus);
	for (unsigned int i = 0; i < b->nr_cpus; i++)
		FZ_CHECK(b->cpus[i].method == CPU_ENABLE_NONE ||
				 b->cpus[i].method == CPU_ENABLE_PSCI ||
				 b->cpus[i].method == CPU_ENABLE_SPIN_TABLE,
			 "cpu %u method %d", i, b->cpus[i].method);
	FZ_CHECK(b->psci == PSCI_CONDUIT_NONE || b->psci == PSCI_CONDUIT_SMC ||
			 b->psci == PSCI_CONDUIT_HVC,
		 "psci %d", b->psci);
	FZ_CHECK(g->version == GIC_V2 || g->version == GIC_V3, "GIC version %d", g->version);
	FZ_CHECK(fz_terminated(g->compatible, sizeof(g->compatible)) && g->compatible[0],
		 "GIC compatible");
	FZ_CHECK(g->interrupt_cells == 3 || g->interrupt_cells == 4, "#interrupt-cells %d",
		 g->interrupt_cells);
	if (g->version == GIC_V3)
		FZ_CHECK(g->nr_redist >= 1 && g->nr_redist <= BOARD_MAX_REDIST, "nr_redist %u",
			 g->nr_redist);
	else
		FZ_CHECK(g->nr_redist == 0, "GICv2 with redistributors");
	FZ_CHECK(g->maint_intid == 0 || (g->maint_intid >= 16 && g->maint_intid < 32),
		 "maintenance INTID %u", g->maint_intid);
	FZ_CHECK(b->timer.phys_intid >= 16 && b->timer.phys_intid < 32 &&
			 b->timer.virt_intid >= 16 && b->timer.virt_intid < 32 &&
			 b->timer.hyp_intid >= 16 && b->timer.hyp_intid < 32,
		 "timer INTIDs %u %u %u", b->timer.phys_intid, b->timer.virt_intid,
		 b->timer.hyp_intid);
	FZ_CHECK(fz_terminated(b->uart.path, sizeof(b->uart.path)), "UART path");
	FZ_CHECK(fz_terminated(b->uart.compatible, sizeof(b->uart.compatible)), "UART compatible");
}

static void check_device(const void *blob, size_t len, const char *path, const struct board_info *b)
{
	static struct board_device d;
	char *err = malloc(ERR_LEN);

	if (!err)
		abort();
	memset(&d, 0x5a, sizeof(d));
	memset(err, 'U', ERR_LEN - 1);
	err[ERR_LEN - 1] = '\0';
	if (board_dt_device(blob, b, path, &d, err, ERR_LEN)) {
		FZ_CHECK(err[0] && err[0] != 'U', "device %s: no message", path);
		FZ_CHECK(fz_terminated(err, ERR_LEN), "device %s: unterminated message", path);
		free(err);
		return;
	}
	FZ_CHECK(d.node >= 0, "device %s: node %d", path, d.node);
	FZ_CHECK(fz_terminated(d.name, sizeof(d.name)), "device %s: name", path);
	FZ_CHECK(d.nr_regs >= 1 && d.nr_regs <= BOARD_DEV_MAX_REGS, "device %s: nr_regs %u", path,
		 d.nr_regs);
	FZ_CHECK(d.nr_irqs <= BOARD_DEV_MAX_IRQS, "device %s: nr_irqs %u", path, d.nr_irqs);
	for (unsigned int i = 0; i < d.nr_irqs; i++)
		FZ_CHECK(d.irqs[i] >= 32 && d.irqs[i] < 1020, "device %s: INTID %u", path,
			 d.irqs[i]);
	/* The compatible list points into the blob, and ends inside it. */
	if (d.compatible) {
		const char *start = blob;

		FZ_CHECK(d.compatible >= start && d.compatible_len >= 0 &&
				 (size_t)(d.compatible - start) + (size_t)d.compatible_len <= len,
			 "device %s: compatible outside the blob", path);
	}
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, short_len = 1 + size % 48;
	void *blob = fz_dtb(data, size, &len);
	char *err = malloc(ERR_LEN), *short_err = malloc(short_len);
	/* The path of the node at each depth, built while walking (libfdt's
	 * fdt_get_path() writes before its buffer on some broken trees). */
	char path[160];
	size_t end[16];
	int node, nlen, depth = -1, n = 0;

	if (!err || !short_err)
		abort();
	memset(err, 'U', ERR_LEN - 1);
	err[ERR_LEN - 1] = '\0';
	if (board_dt_parse(blob, &board_info, err, ERR_LEN)) {
		FZ_CHECK(err[0] && err[0] != 'U', "no message");
		FZ_CHECK(fz_terminated(err, ERR_LEN), "unterminated message");
		FZ_CHECK(board_dt_parse(blob, &board_info, short_err, short_len) == -1,
			 "not repeatable");
		FZ_CHECK(!strncmp(short_err, err, short_len - 1), "short message \"%s\" vs \"%s\"",
			 short_err, err);
		goto out;
	}
	check_board(&board_info);

	for (unsigned int i = 0; i < 16; i++)
		end[i] = SIZE_MAX;
	/* Devices: the console the tree names, and the first nodes by path
	 * and by bare name. */
	if (board_info.uart.path[0])
		check_device(blob, len, board_info.uart.path, &board_info);
	for (node = fdt_next_node(blob, -1, &depth); node >= 0 && n < MAX_DEVICES;
	     node = fdt_next_node(blob, node, &depth), n++) {
		const char *name = fdt_get_name(blob, node, &nlen);

		if (depth < 0 || depth >= 16)
			continue;
		if (depth == 0) {
			end[0] = 0;
			check_device(blob, len, "/", &board_info);
			continue;
		}
		/* Not under a path we could spell: nor is anything below. */
		end[depth] = SIZE_MAX;
		if (!name || nlen < 0 || end[depth - 1] == SIZE_MAX ||
		    end[depth - 1] + 1 + (size_t)nlen >= sizeof(path))
			continue;
		path[end[depth - 1]] = '/';
		memcpy(path + end[depth - 1] + 1, name, (size_t)nlen);
		end[depth] = end[depth - 1] + 1 + (size_t)nlen;
		path[end[depth]] = '\0';
		check_device(blob, len, path, &board_info);
		if (*name)
			check_device(blob, len, name, &board_info);
	}
out:
	free(short_err);
	free(err);
	free(blob);
	return 0;
}
