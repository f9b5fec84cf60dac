/*
 * The rules for the devices a plan passes through, kept apart from the
 * stage-2 mapping (core/passthrough.c) so that they also run on the host:
 * tests/unit/test_passthrough.c checks them against QEMU's and the
 * Raspberry Pi 4's device trees, and tools/mkplan.py applies the same rules
 * at build time when it has the board's tree (docs/plan.md).
 */
#ifndef BULKHEAD_PASSTHROUGH_CHECK_H
#define BULKHEAD_PASSTHROUGH_CHECK_H

#include <stdint.h>
#include <bulkhead/board.h>
#include <bulkhead/plan.h>

/* Stage 2 maps device registers in pages of this size. */
#define PT_PAGE 0x1000UL
#define PT_MAX_GRANTS (PLAN_MAX_PARTITIONS * PLAN_MAX_DEVICES)
#define PT_MAX_IRQS 256 /* the virtual GIC's INTIDs (VGIC_NR_IRQS) */

/* One device given to one partition, with its registers' pages. */
struct pt_grant {
	int node;
	unsigned int part; /* the owner's plan id */
	const char *part_name;
	struct mem_range pages[BOARD_DEV_MAX_REGS];
	unsigned int nr_pages;
};

/* Every grant checked so far: the partitions before, in plan order. Start
 * zeroed. */
struct pt_grants {
	struct pt_grant grant[PT_MAX_GRANTS];
	unsigned int nr;
	unsigned int irq_owner[PT_MAX_IRQS]; /* the owner's plan id + 1; 0: free */
};

/*
 * Check the devices the plan grants partition pp against the board (its
 * tree fdt, and b for the registers the hypervisor uses and the memory)
 * and against the grants before it in g; look them up into devs[] (one per
 * pp->devices entry) and add them to g. Returns 0, or -1 with the message
 * in err and the rule broken in *rule, e.g.
 *   device "/virtio_mmio@a000000": its page 0xa000000 also holds
 *   "/virtio_mmio@a000200", not granted to this partition (grant it too,
 *   or devices-whole-page)
 * (short: the boot's message buffer holds 159 characters).
 */
int passthrough_check(const void *fdt, const struct board_info *b, const struct plan_partition *pp,
		      struct board_device *devs, struct pt_grants *g, enum plan_rule *rule,
		      char *err, size_t errlen);

/*
 * The next node after `after` (-1: the first) other than devs[0..nr) and
 * their subtrees with registers in the 4 KiB pages of devs[i]: a device
 * that granting devs[i] would expose. Returns its offset, or -1.
 */
int passthrough_neighbour(const void *fdt, const struct board_device *devs, unsigned int nr,
			  unsigned int i, int after);

#endif
