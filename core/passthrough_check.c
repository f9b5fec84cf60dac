/*
 * The rules for devices passed through, apart from the mapping so that they
 * run on the host too (bulkhead/passthrough_check.h). Stage 2 maps whole
 * 4 KiB pages, so a device's registers are rounded out to pages, and
 * everything else in those pages goes with them: another partition's
 * device, the hypervisor's own, or a device the plan never mentions (QEMU's
 * virtio transports sit eight to a page; the Raspberry Pi 4's AUX page
 * holds the mini UART, SPI1 and SPI2). Each is refused, the last unless the
 * plan says it grants the whole page.
 */
#include <libfdt.h>
#include <string.h>
#include <bulkhead/format.h>
#include <bulkhead/passthrough_check.h>
#include <bulkhead/range.h>

#define FAIL(r, ...) (*rule = PLAN_RULE_##r, fmt_snprintf(err, errlen, __VA_ARGS__), -1)

static uint64_t page_base(const struct mem_range *r)
{
	return r->base & ~(PT_PAGE - 1);
}

static uint64_t page_size(const struct mem_range *r)
{
	return ((r->base + r->size + PT_PAGE - 1) & ~(PT_PAGE - 1)) - page_base(r);
}

/* Registers the hypervisor itself uses. */
static bool hypervisors(const struct board_info *b, uint64_t base, uint64_t size)
{
	const struct board_gic *g = &b->gic;

	if (b->uart.found && ranges_overlap(base, size, b->uart.regs.base, b->uart.regs.size))
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

/* Is d the board's console UART, registers and nothing more? */
static bool is_console_uart(const struct board_info *b, const struct board_device *d)
{
	return b->uart.found && d->nr_regs == 1 && d->regs[0].base == b->uart.regs.base &&
	       d->regs[0].size == b->uart.regs.size;
}

int passthrough_neighbour(const void *fdt, const struct board_device *devs, unsigned int nr,
			  unsigned int i, int after)
{
	int skip[PLAN_MAX_DEVICES], best = -1;

	for (unsigned int k = 0; k < nr && k < PLAN_MAX_DEVICES; k++)
		skip[k] = devs[k].node;
	for (unsigned int r = 0; r < devs[i].nr_regs; r++) {
		int n = board_dt_node_at(fdt, page_base(&devs[i].regs[r]),
					 page_size(&devs[i].regs[r]), skip,
					 nr < PLAN_MAX_DEVICES ? nr : PLAN_MAX_DEVICES, after);

		if (n >= 0 && (best < 0 || n < best))
			best = n;
	}
	return best;
}

/* The registers of device d (named path) of partition pp, page by page. */
static int check_pages(const void *fdt, const struct board_info *b, const struct plan_partition *pp,
		       const struct board_device *devs, unsigned int i, struct pt_grant *mine,
		       const struct pt_grants *g, enum plan_rule *rule, char *err, size_t errlen)
{
	const struct board_device *d = &devs[i];
	const char *path = pp->devices[i];
	int skip[PLAN_MAX_DEVICES];

	for (unsigned int r = 0; r < d->nr_regs; r++) {
		uint64_t base = page_base(&d->regs[r]), size = page_size(&d->regs[r]);

		/* The console domain alone may have the console UART, which the
		 * hypervisor then uses only while that domain is down. */
		if (hypervisors(b, base, size) &&
		    !(pp->role == PLAN_ROLE_CONSOLE && is_console_uart(b, d)))
			return FAIL(DEVICE_HYP, "device \"%s\" is the hypervisor's own", path);
		for (unsigned int m = 0; m < b->nr_mem; m++)
			if (ranges_overlap(base, size, b->mem[m].base, b->mem[m].size))
				return FAIL(DEVICE_MEMORY, "\"%s\" is memory, not a device", path);
		for (unsigned int k = 0; k < g->nr; k++)
			for (unsigned int q = 0; q < g->grant[k].nr_pages; q++)
				if (g->grant[k].part != pp->id &&
				    ranges_overlap(base, size, g->grant[k].pages[q].base,
						   g->grant[k].pages[q].size))
					return FAIL(PAGE_SHARED,
						    "device \"%s\" shares a 4 KiB page with a "
						    "device of partition %u",
						    path, g->grant[k].part);
		/* In the guest it sits where it is on the board (ipa_identity):
		 * not where the partition has its RAM or its vGIC. */
		if (ranges_overlap(ipa_bits(ipa_identity(pa_from(base))), size,
				   ipa_bits(pp->mem_base), pp->mem_size) ||
		    ranges_overlap(ipa_bits(ipa_identity(pa_from(base))), size, PLAN_VGIC_IPA,
				   PLAN_VGIC_SIZE))
			return FAIL(DEVICE_COLLIDES,
				    "device \"%s\" at 0x%lx collides with the partition's RAM or "
				    "GIC addresses",
				    path, (unsigned long)base);
		mine->pages[mine->nr_pages++] = (struct mem_range){ base, size };
	}
	if (pp->whole_page[i])
		return 0;
	for (unsigned int k = 0; k < pp->nr_devices; k++)
		skip[k] = devs[k].node;
	for (unsigned int r = 0; r < d->nr_regs; r++) {
		int nb = board_dt_node_at(fdt, page_base(&d->regs[r]), page_size(&d->regs[r]), skip,
					  pp->nr_devices, -1);
		char other[PLAN_DEVICE_LEN];

		if (nb < 0)
			continue;
		if (fdt_get_path(fdt, nb, other, sizeof(other)))
			memcpy(other, "?", 2);
		return FAIL(PAGE_NEIGHBOUR,
			    "device \"%s\": its page 0x%lx also holds \"%s\", not granted to this "
			    "partition (grant it too, or devices-whole-page)",
			    path, (unsigned long)page_base(&d->regs[r]), other);
	}
	return 0;
}

int passthrough_check(const void *fdt, const struct board_info *b, const struct plan_partition *pp,
		      struct board_device *devs, struct pt_grants *g, enum plan_rule *rule,
		      char *err, size_t errlen)
{
	/* Every device first: the neighbour rule needs all of them. */
	for (unsigned int i = 0; i < pp->nr_devices; i++)
		if (board_dt_device(fdt, b, pp->devices[i], &devs[i], err, errlen)) {
			/* board_dt_device() finds the registers before the
			 * interrupts: with registers, the interrupts failed. */
			*rule = devs[i].nr_regs ? PLAN_RULE_DEVICE_IRQ : PLAN_RULE_DEVICE_EXISTS;
			return -1;
		}
	for (unsigned int i = 0; i < pp->nr_devices; i++) {
		const struct board_device *d = &devs[i];
		const char *path = pp->devices[i];
		struct pt_grant *mine = &g->grant[g->nr];

		for (unsigned int k = 0; k < g->nr; k++)
			if (g->grant[k].node == d->node)
				return FAIL(
					DEVICE_TWICE,
					"device \"%s\" is already given to partition %u (\"%s\")",
					path, g->grant[k].part, g->grant[k].part_name);
		if (g->nr == PT_MAX_GRANTS)
			return FAIL(DEVICES, "device \"%s\": more than %d devices in the plan",
				    path, PT_MAX_GRANTS);
		memset(mine, 0, sizeof(*mine));
		if (check_pages(fdt, b, pp, devs, i, mine, g, rule, err, errlen))
			return -1;
		for (unsigned int q = 0; q < d->nr_irqs; q++) {
			unsigned int intid = d->irqs[q];

			if (intid >= PT_MAX_IRQS)
				return FAIL(DEVICE_IRQ,
					    "device \"%s\": interrupt %u is beyond the virtual "
					    "GIC's %d",
					    path, intid, PT_MAX_IRQS);
			/* A line shared by devices (the Pi's EMMC and EMMC2)
			 * goes to one partition, with all of them. */
			if (g->irq_owner[intid] && g->irq_owner[intid] != pp->id + 1)
				return FAIL(DEVICE_IRQ,
					    "device \"%s\": interrupt %u is already partition %u's",
					    path, intid, g->irq_owner[intid] - 1);
			g->irq_owner[intid] = pp->id + 1;
		}
		mine->node = d->node;
		mine->part = pp->id;
		mine->part_name = pp->name;
		g->nr++;
	}
	return 0;
}
