/*
 * Devices passed through to a partition: their registers mapped into its
 * stage 2 (at the same addresses), their shared interrupts delivered to it
 * through its virtual GIC. A level-triggered interrupt is masked at the
 * physical GIC from the moment it is taken until the guest signals the end
 * of its handling (EOI, seen through a maintenance interrupt), so a device
 * the guest has not yet quietened cannot storm the CPU.
 *
 * Ownership is exclusive: a device, its registers or its interrupts belong
 * to one partition, and never to a partition if the hypervisor uses them
 * (its console, the interrupt controller).
 */
#include <string.h>
#include <arch/stage2.h>
#include <arch/vgic_hw.h>
#include <bulkhead/board.h>
#include <bulkhead/format.h>
#include <bulkhead/irq.h>
#include <bulkhead/log.h>
#include <bulkhead/partition.h>
#include <bulkhead/range.h>
#include <bulkhead/percpu.h>
#include <bulkhead/vgic.h>

#define PAGE 0x1000UL

/* Which partition owns each shared interrupt. Written at boot only. */
static struct partition *spi_owner[VGIC_NR_IRQS];
static int device_owner_node[PLAN_MAX_PARTITIONS * PLAN_MAX_DEVICES];
static struct partition *device_owner[PLAN_MAX_PARTITIONS * PLAN_MAX_DEVICES];
static unsigned int nr_owned;
/* Every page range handed out: two devices in one page cannot go to two
 * partitions (each would reach the other's registers). */
#define MAX_OWNED_RANGES (PLAN_MAX_PARTITIONS * PLAN_MAX_DEVICES * BOARD_DEV_MAX_REGS)
static struct mem_range owned_range[MAX_OWNED_RANGES];
static struct partition *owned_range_owner[MAX_OWNED_RANGES];
static unsigned int nr_owned_ranges;


/* Registers the hypervisor itself uses. */
static bool hypervisors(uint64_t base, uint64_t size)
{
	const struct board_gic *g = &board.gic;

	if (board.uart.found && ranges_overlap(base, size, board.uart.regs.base, board.uart.regs.size))
		return true;
	if (ranges_overlap(base, size, g->dist.base, g->dist.size) ||
	    ranges_overlap(base, size, g->cpuif.base, g->cpuif.size) ||
	    ranges_overlap(base, size, g->hyp.base, g->hyp.size) ||
	    ranges_overlap(base, size, g->vcpu.base, g->vcpu.size))
		return true;
	for (unsigned int i = 0; i < g->nr_redist; i++)
		if (ranges_overlap(base, size, g->redist[i].base, g->redist[i].size))
			return true;
	return false;
}

int passthrough_build(struct partition *p, char *err, size_t errlen)
{
	const struct plan_partition *pp = p->plan;
	const void *fdt = (const void *)board.dtb_base;

	p->nr_devs = 0;
	for (unsigned int i = 0; i < pp->nr_devices; i++) {
		struct board_device *d = &p->devs[i];
		const char *path = pp->devices[i];

		if (board_dt_device(fdt, &board, path, d, err, errlen))
			return -1;
		for (unsigned int k = 0; k < nr_owned; k++)
			if (device_owner_node[k] == d->node) {
				fmt_snprintf(err, errlen, "device \"%s\" is already given to "
							  "partition %u (\"%s\")",
					     path, device_owner[k]->id, device_owner[k]->plan->name);
				return -1;
			}
		for (unsigned int r = 0; r < d->nr_regs; r++) {
			uint64_t base = d->regs[r].base & ~(PAGE - 1);
			uint64_t end = (d->regs[r].base + d->regs[r].size + PAGE - 1) & ~(PAGE - 1);

			if (hypervisors(base, end - base)) {
				fmt_snprintf(err, errlen, "device \"%s\" is the hypervisor's own", path);
				return -1;
			}
			for (unsigned int m = 0; m < board.nr_mem; m++)
				if (ranges_overlap(base, end - base, board.mem[m].base, board.mem[m].size)) {
					fmt_snprintf(err, errlen, "\"%s\" is memory, not a device",
						     path);
					return -1;
				}
			for (unsigned int k = 0; k < nr_owned_ranges; k++)
				if (owned_range_owner[k] != p &&
				    ranges_overlap(base, end - base, owned_range[k].base,
					     owned_range[k].size)) {
					fmt_snprintf(err, errlen, "device \"%s\" shares a 4 KiB page "
								  "with a device of partition %u",
						     path, owned_range_owner[k]->id);
					return -1;
				}
			if (nr_owned_ranges < MAX_OWNED_RANGES) {
				owned_range[nr_owned_ranges].base = base;
				owned_range[nr_owned_ranges].size = end - base;
				owned_range_owner[nr_owned_ranges++] = p;
			}
			if (ranges_overlap(base, end - base, pp->mem_base, pp->mem_size) ||
			    ranges_overlap(base, end - base, VGIC_DIST_IPA, VGIC_DIST_SIZE) ||
			    ranges_overlap(base, end - base, VGIC_REDIST_IPA,
				     VGIC_REDIST_STRIDE * pp->nr_cpus)) {
				fmt_snprintf(err, errlen, "device \"%s\" at 0x%lx collides with the "
							  "partition's RAM or GIC addresses",
					     path, base);
				return -1;
			}
			if (s2_map(&p->s2_pool, p->s2_root, base, base, end - base, S2_DEVICE)) {
				fmt_snprintf(err, errlen, "device \"%s\": cannot map 0x%lx (overlap, "
							  "or the stage-2 table pool is full)",
					     path, base);
				return -1;
			}
		}
		for (unsigned int q = 0; q < d->nr_irqs; q++) {
			unsigned int intid = d->irqs[q];

			if (intid >= VGIC_NR_IRQS) {
				fmt_snprintf(err, errlen, "device \"%s\": interrupt %u is beyond the "
							  "virtual GIC's %d",
					     path, intid, VGIC_NR_IRQS);
				return -1;
			}
			if (spi_owner[intid]) {
				fmt_snprintf(err, errlen, "device \"%s\": interrupt %u is already "
							  "partition %u's",
					     path, intid, spi_owner[intid]->id);
				return -1;
			}
			spi_owner[intid] = p;
		}
		device_owner_node[nr_owned] = d->node;
		device_owner[nr_owned++] = p;
		p->nr_devs++;
	}
	return 0;
}

void passthrough_start(struct partition *p)
{
	for (unsigned int i = 0; i < p->nr_devs; i++)
		for (unsigned int q = 0; q < p->devs[i].nr_irqs; q++) {
			unsigned int intid = p->devs[i].irqs[q];

			vgic_set_hw(&p->vgic, intid);
			irq_spi_route(intid, p->vcpus[0].cpu);
			irq_spi_enable(intid, true);
		}
}

void passthrough_irq(unsigned int intid)
{
	struct partition *p = intid < VGIC_NR_IRQS ? spi_owner[intid] : 0;

	if (!p) {
		log_warn("unexpected interrupt %u", intid);
		irq_spi_enable(intid, false);
		return;
	}
	/* Masked until the guest is done with it: see the file comment. */
	irq_spi_enable(intid, false);
	if (p->state == PART_RUNNING)
		vcpu_inject(p, 0, intid);
}

void passthrough_eoi(unsigned int intid)
{
	if (intid < VGIC_NR_IRQS && spi_owner[intid])
		irq_spi_enable(intid, true);
}
