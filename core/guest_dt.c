/*
 * The device tree each partition boots with, written by the hypervisor
 * with libfdt (at boot and at each restart, with the vCPU's FP state not
 * live): its memory, its CPUs, PSCI through HVC, its devices (and, if it
 * has any, the offset from its addresses to the device's, for DMA), and a
 * /hypervisor node with the ABI version and the partition's id and name
 * (docs/abi.md).
 */
#include <libfdt.h>
#include <arch/vgic_hw.h>
#include <bulkhead/format.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/blk.h>
#include <bulkhead/partition.h>
#include <bulkhead/vuart.h>

#define TRY(x)                                                                                     \
	do {                                                                                       \
		if ((x) < 0)                                                                       \
			return -1;                                                                 \
	} while (0)

#define GIC_PHANDLE 1
#define CLK_PHANDLE 2
#define VUART_NODE "/pl011@9000000"
_Static_assert(PLAN_VUART_IPA == 0x09000000, "VUART_NODE names its address");

static int prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
	fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };

	return fdt_property(fdt, name, v, sizeof(v));
}

/* /hypervisor/events (the pending page and its interrupt) and one node
 * per channel under /hypervisor/channels (docs/abi.md). */
static int events_nodes(struct partition *p, void *fdt)
{
	fdt32_t irq[3] = { cpu_to_fdt32(1), cpu_to_fdt32(BH_EVENT_INTID - 16), cpu_to_fdt32(4) };

	TRY(fdt_begin_node(fdt, "events"));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,events"));
	TRY(prop_u64_pair(fdt, "reg", BH_EVENT_PAGE_IPA, 0x1000));
	TRY(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "channels"));
	for (unsigned int i = 0; i < p->events.nr_ports; i++) {
		const struct partition_channel *pc = &p->chans[i];
		const struct plan_channel *ch = pc->chan;
		struct partition *peer = partition_of_events(p->events.port[i].peer);

		TRY(fdt_begin_node(fdt, ch->name));
		TRY(fdt_property_u32(fdt, "port", i));
		TRY(fdt_property_string(fdt, "peer", peer->plan->name));
		if (!ipa_is_null(pc->shared_ipa)) {
			TRY(prop_u64_pair(fdt, "shared-memory", ipa_bits(pc->shared_ipa),
					  ch->shared_size));
			if (ch->writable[pc->end])
				TRY(fdt_property(fdt, "writable", NULL, 0));
		}
		/* Which end this is: rings give the first end the requests. */
		TRY(fdt_property_u32(fdt, "end", pc->end));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));
	return 0;
}

/* The virtual GIC (core/vgic.c: GICv3, or GICv2 on a GICv2 host) and the
 * architected timer, of which the guest uses the virtual one (PPI 11,
 * INTID 27). */
static int gic_and_timer_nodes(const struct partition *p, void *fdt)
{
	const uint32_t ppis[4] = { 13, 14, 11, 10 };
	fdt32_t irqs[12];
	char name[40];

	fmt_snprintf(name, sizeof(name), "interrupt-controller@%lx", VGIC_DIST_IPA);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	if (arch_vgic_is_v2()) {
		fdt64_t reg[4] = { cpu_to_fdt64(VGIC_DIST_IPA), cpu_to_fdt64(VGIC_V2_DIST_SIZE),
				   cpu_to_fdt64(VGIC_V2_CPU_IPA), cpu_to_fdt64(VGIC_V2_CPU_SIZE) };

		TRY(fdt_property_string(fdt, "compatible", "arm,cortex-a15-gic"));
		TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
	} else {
		fdt64_t reg[4] = { cpu_to_fdt64(VGIC_DIST_IPA), cpu_to_fdt64(VGIC_DIST_SIZE),
				   cpu_to_fdt64(VGIC_REDIST_IPA),
				   cpu_to_fdt64(VGIC_REDIST_STRIDE * p->plan->nr_cpus) };

		TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
		TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
		TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
	}
	TRY(fdt_property_u32(fdt, "phandle", GIC_PHANDLE));
	TRY(fdt_end_node(fdt));

	for (unsigned int i = 0; i < 4; i++) {
		irqs[3 * i] = cpu_to_fdt32(1); /* PPI */
		irqs[3 * i + 1] = cpu_to_fdt32(ppis[i]);
		irqs[3 * i + 2] = cpu_to_fdt32(4); /* level, active high */
	}
	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	TRY(fdt_property(fdt, "interrupts", irqs, sizeof(irqs)));
	TRY(fdt_end_node(fdt));
	return 0;
}

/* Its RAM, its vCPUs (started through PSCI over HVC). */
static int memory_and_cpu_nodes(const struct plan_partition *pp, void *fdt)
{
	char name[40];

	fmt_snprintf(name, sizeof(name), "memory@%lx", ipa_bits(pp->mem_base));
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_u64_pair(fdt, "reg", ipa_bits(pp->mem_base), pp->mem_size));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < pp->nr_cpus; i++) {
		fmt_snprintf(name, sizeof(name), "cpu@%u", i);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2", 26));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));
	return 0;
}

/* Devices passed through, at the addresses the board has them. */
static int device_nodes(const struct partition *p, void *fdt, bool vgic)
{
	for (unsigned int i = 0; i < p->nr_devs; i++) {
		const struct board_device *d = &p->devs[i];
		fdt64_t reg[2 * BOARD_DEV_MAX_REGS];
		fdt32_t irqs[3 * BOARD_DEV_MAX_IRQS];

		TRY(fdt_begin_node(fdt, d->name));
		if (d->compatible && d->compatible_len > 0)
			TRY(fdt_property(fdt, "compatible", d->compatible, d->compatible_len));
		for (unsigned int r = 0; r < d->nr_regs; r++) {
			reg[2 * r] = cpu_to_fdt64(d->regs[r].base);
			reg[2 * r + 1] = cpu_to_fdt64(d->regs[r].size);
		}
		TRY(fdt_property(fdt, "reg", reg, (int)(d->nr_regs * 16)));
		for (unsigned int q = 0; q < d->nr_irqs && vgic; q++) {
			irqs[3 * q] = cpu_to_fdt32(0); /* SPI */
			irqs[3 * q + 1] = cpu_to_fdt32(d->irqs[q] - 32);
			irqs[3 * q + 2] = cpu_to_fdt32(d->irq_flags[q]);
		}
		if (d->nr_irqs && vgic)
			TRY(fdt_property(fdt, "interrupts", irqs, (int)(d->nr_irqs * 12)));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

/* A virtual PL011 (core/vuart.c), as Linux's AMBA bus wants it: both
 * compatibles, and its clocks (a fixed 24 MHz one) by name. */
static int uart_nodes(void *fdt)
{
	fdt32_t irq[3] = { cpu_to_fdt32(0), cpu_to_fdt32(PLAN_VUART_INTID - 32), cpu_to_fdt32(4) };
	fdt32_t clocks[2] = { cpu_to_fdt32(CLK_PHANDLE), cpu_to_fdt32(CLK_PHANDLE) };

	TRY(fdt_begin_node(fdt, "apb-pclk"));
	TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
	TRY(fdt_property_u32(fdt, "#clock-cells", 0));
	TRY(fdt_property_u32(fdt, "clock-frequency", 24000000));
	TRY(fdt_property_u32(fdt, "phandle", CLK_PHANDLE));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, VUART_NODE + 1));
	TRY(fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell", 25));
	TRY(prop_u64_pair(fdt, "reg", PLAN_VUART_IPA, VUART_SIZE));
	TRY(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
	TRY(fdt_property(fdt, "clocks", clocks, sizeof(clocks)));
	TRY(fdt_property(fdt, "clock-names", "uartclk\0apb_pclk", 17));
	TRY(fdt_end_node(fdt));
	return 0;
}

/* For a supervisor: /hypervisor/ended, with the doorbell of its queue and
 * the partitions it supervises (docs/abi.md). */
static int ended_node(struct partition *p, void *fdt)
{
	fdt32_t irq[3] = { cpu_to_fdt32(1), cpu_to_fdt32(BH_ENDED_INTID - 16), cpu_to_fdt32(4) };

	if (!p->nr_supervised)
		return 0;
	TRY(fdt_begin_node(fdt, "ended"));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,ended"));
	TRY(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
	for (unsigned int i = 0; i < p->nr_supervised; i++) {
		TRY(fdt_begin_node(fdt, p->supervised[i]->plan->name));
		TRY(fdt_property_u32(fdt, "partition-id", p->supervised[i]->id));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));
	return 0;
}

/* What Bulkhead tells the partition about itself and its channels. */
static int hypervisor_node(struct partition *p, void *fdt)
{
	TRY(fdt_begin_node(fdt, "hypervisor"));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,hypervisor"));
	TRY(fdt_property_u32(fdt, "bulkhead,abi-version", BH_ABI_VERSION));
	TRY(fdt_property_u32(fdt, "bulkhead,partition-id", p->id));
	TRY(fdt_property_string(fdt, "bulkhead,partition-name", p->plan->name));
	TRY(fdt_property_u32(fdt, "bulkhead,restart-count", p->restarts));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	if (p->plan->watchdog_ms)
		TRY(fdt_property_u32(fdt, "bulkhead,watchdog-ms", p->plan->watchdog_ms));
	if (IS_ENABLED(CONFIG_FAULT_INJECTION))
		TRY(fdt_property(fdt, "bulkhead,fault-injection", NULL, 0));
	TRY(events_nodes(p, fdt));
	TRY(ended_node(p, fdt));
	TRY(blk_dt_hypervisor_nodes(p, fdt));
	TRY(fdt_end_node(fdt));
	return 0;
}

int guest_dt_build(struct partition *p, void *fdt, uint64_t size)
{
	bool vgic = arch_vgic_available();

	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,partition"));
	TRY(fdt_property_string(fdt, "model", "Bulkhead partition"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	if (vgic)
		TRY(fdt_property_u32(fdt, "interrupt-parent", GIC_PHANDLE));
	TRY(fdt_begin_node(fdt, "chosen"));
	if (p->plan->args[0] || p->more_args[0]) {
		char args[2 * PLAN_ARGS_LEN + 2];

		fmt_snprintf(args, sizeof(args), "%s%s%s", p->plan->args,
			     p->plan->args[0] && p->more_args[0] ? " " : "", p->more_args);
		TRY(fdt_property_string(fdt, "bootargs", args));
	}
	if (vuart_of(p) && vgic)
		TRY(fdt_property_string(fdt, "stdout-path", VUART_NODE));
	if (p->initrd) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", ipa_bits(p->initrd_ipa)));
		TRY(fdt_property_u64(fdt, "linux,initrd-end",
				     ipa_bits(p->initrd_ipa) + p->initrd_size));
	}
	/* A device passed through reaches memory by host-physical address,
	 * not by the partition's: its driver must add this to its own
	 * addresses (RAM is one piece, so one offset does; modulo 2^64). The
	 * partition learns where its RAM really is, which is no secret worth
	 * keeping from one trusted with DMA anyway (docs/security.md). */
	if (p->nr_devs)
		TRY(fdt_property_u64(fdt, "bulkhead,dma-offset",
				     pa_bits(p->ram) - ipa_bits(p->plan->mem_base)));
	TRY(fdt_end_node(fdt));
	if (vgic)
		TRY(gic_and_timer_nodes(p, fdt));
	TRY(memory_and_cpu_nodes(p->plan, fdt));
	TRY(device_nodes(p, fdt, vgic));
	TRY(blk_dt_root_nodes(p, fdt));
	if (vuart_of(p) && vgic)
		TRY(uart_nodes(fdt));
	TRY(hypervisor_node(p, fdt));
	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
	return 0;
}
