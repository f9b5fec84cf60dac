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
 * (its console, the interrupt controller). The rules are checked in
 * core/passthrough_check.c, which the host unit tests also run.
 */
#include <libfdt.h>
#include <string.h>
#include <arch/stage2.h>
#include <arch/vgic_hw.h>
#include <bulkhead/board.h>
#include <bulkhead/format.h>
#include <bulkhead/irq.h>
#include <bulkhead/log.h>
#include <bulkhead/passthrough_check.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <bulkhead/vgic.h>

/* Which partition owns each shared interrupt. Written at boot only. */
static struct partition *spi_owner[VGIC_NR_IRQS];
/* Every device granted so far, for the checks of the next partition. */
static struct pt_grants grants;

_Static_assert(PT_MAX_IRQS == VGIC_NR_IRQS, "passthrough_check.h's INTID limit");

/* A plan that grants a device's whole pages is told what else it grants. */
static void log_whole_page(const struct partition *p, const void *fdt, unsigned int i)
{
	const struct plan_partition *pp = p->plan;
	int nb = passthrough_neighbour(fdt, p->devs, pp->nr_devices, i, -1);
	unsigned int more = 0;
	char first[PLAN_DEVICE_LEN];

	if (nb < 0)
		return;
	if (fdt_get_path(fdt, nb, first, sizeof(first)))
		memcpy(first, "?", 2);
	while ((nb = passthrough_neighbour(fdt, p->devs, pp->nr_devices, i, nb)) >= 0)
		more++;
	if (more)
		log_info("partition %u \"%s\": device \"%s\" granted with its whole 4 KiB "
			 "pages (devices-whole-page): \"%s\" and %u more devices in them too",
			 p->id, pp->name, pp->devices[i], first, more);
	else
		log_info("partition %u \"%s\": device \"%s\" granted with its whole 4 KiB "
			 "pages (devices-whole-page): \"%s\" in them too",
			 p->id, pp->name, pp->devices[i], first);
}

int passthrough_build(struct partition *p, char *err, size_t errlen)
{
	const struct plan_partition *pp = p->plan;
	const void *fdt = (const void *)board.dtb_base;
	enum plan_rule rule;

	p->nr_devs = 0;
	if (passthrough_check(fdt, &board, pp, p->devs, &grants, &rule, err, errlen))
		return -1;
	for (unsigned int i = 0; i < pp->nr_devices; i++) {
		const struct board_device *d = &p->devs[i];

		for (unsigned int r = 0; r < d->nr_regs; r++) {
			uint64_t base = d->regs[r].base & ~(PT_PAGE - 1);
			uint64_t end =
				(d->regs[r].base + d->regs[r].size + PT_PAGE - 1) & ~(PT_PAGE - 1);
			paddr_t pa = pa_from(base);

			/* The guest finds the device where the board has it. */
			if (s2_map(&p->s2_pool, p->s2_root, ipa_identity(pa), pa, end - base,
				   S2_DEVICE)) {
				fmt_snprintf(err, errlen,
					     "device \"%s\": cannot map 0x%lx (overlap, "
					     "or the stage-2 table pool is full)",
					     pp->devices[i], base);
				return -1;
			}
		}
		for (unsigned int q = 0; q < d->nr_irqs; q++)
			spi_owner[d->irqs[q]] = p;
		if (pp->whole_page[i])
			log_whole_page(p, fdt, i);
		p->nr_devs++;
	}
	return 0;
}

const struct board_device *passthrough_overlap(const struct partition *p, uint64_t base,
					       uint64_t size, unsigned int intid)
{
	for (unsigned int i = 0; i < p->nr_devs; i++) {
		const struct board_device *d = &p->devs[i];

		for (unsigned int r = 0; r < d->nr_regs; r++)
			if (d->regs[r].base < base + size && base < d->regs[r].base + d->regs[r].size)
				return d;
		for (unsigned int q = 0; q < d->nr_irqs; q++)
			if (d->irqs[q] == intid)
				return d;
	}
	return NULL;
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
