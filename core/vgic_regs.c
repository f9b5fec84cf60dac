/*
 * The virtual GIC's register windows in a partition's MMIO table: the
 * distributor, and on GICv3 one redistributor per vCPU. The register
 * emulation itself is core/vgic.c; this joins it to the trap path.
 */
#include <arch/vgic_hw.h>
#include <bulkhead/mmio.h>
#include <bulkhead/partition.h>
#include <bulkhead/vgic.h>

static bool vgic_access(struct vcpu *v, void *opaque, struct mmio_access *a)
{
	struct vgic *g = opaque;
	uint64_t val = a->value;

	if (!vgic_mmio(g, v->index, a->ipa, a->size, a->write, &val))
		return false;
	if (!a->write)
		a->value = val;
	else if (g->kick) /* it made something pending for other vCPUs */
		vcpu_kick_pending(v->part);
	return true;
}

int vgic_regs_register(struct partition *p)
{
	struct vgic *g = &p->vgic;

	if (!arch_vgic_available())
		return 0;
	if (arch_vgic_is_v2())
		return mmio_register(&p->mmio, VGIC_DIST_IPA, VGIC_V2_DIST_SIZE, vgic_access, g);
	if (mmio_register(&p->mmio, VGIC_DIST_IPA, VGIC_DIST_SIZE, vgic_access, g))
		return -1;
	return mmio_register(&p->mmio, VGIC_REDIST_IPA, VGIC_REDIST_STRIDE * p->plan->nr_cpus,
			     vgic_access, g);
}
