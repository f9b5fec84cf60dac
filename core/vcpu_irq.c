/*
 * Interrupts of vCPUs: making one pending in the partition's virtual GIC and
 * getting it delivered (list registers on the vCPU's own CPU, a wake-up for
 * another), SGIs between a partition's vCPUs, device interrupts the guest
 * has ended, and the virtual timer.
 */
#include <arch/vgic_hw.h>
#include <bulkhead/partition.h>
#include <bulkhead/vuart.h>
#include <bulkhead/sched.h>

void vcpu_inject(struct partition *p, unsigned int vcpu, unsigned int intid)
{
	int target = vgic_inject(&p->vgic, vcpu, intid);

	if (target >= 0)
		sched_wake(&p->vcpus[target]);
}

void vcpu_kick_pending(struct partition *p)
{
	uint32_t targets = __atomic_exchange_n(&p->vgic.kick, 0, __ATOMIC_ACQ_REL);

	for (unsigned int i = 0; i < p->plan->nr_cpus; i++)
		if (targets & (1u << i))
			sched_wake(&p->vcpus[i]);
}

void vcpu_send_sgi(struct vcpu *v, const struct sgi_request *req)
{
	struct partition *p = v->part;
	uint32_t targets = vgic_send_sgi(&p->vgic, v->index, req);

	for (unsigned int i = 0; i < p->plan->nr_cpus; i++)
		if (targets & (1u << i))
			sched_wake(&p->vcpus[i]);
}

/* Device interrupts the guest ended (their list registers carried an EOI
 * notice): unmask the physical one, or re-raise the virtual UART's if
 * still asserted. Out of line: the common flush finds none. */
static __attribute__((noinline)) void retire_ended(struct vcpu *v)
{
	struct arch_vgic_cpu *c = &v->arch.vgic;

	c->retired_words = 0;
	for (unsigned int w = 0; w < ARCH_VGIC_INTID_WORDS; w++)
		while (c->retired[w]) {
			unsigned int bit = (unsigned int)__builtin_ctzll(c->retired[w]);

			c->retired[w] &= c->retired[w] - 1;
			if (64 * w + bit == PLAN_VUART_INTID && vuart_of(v->part))
				vuart_eoi(vuart_of(v->part));
			else
				passthrough_eoi(64 * w + bit);
		}
}

static inline void process_retired(struct vcpu *v)
{
	if (v->arch.vgic.retired_words)
		retire_ended(v);
}

void vcpu_flush_interrupts(void)
{
	struct vcpu *v = vcpu_current();
	const struct vgic_cpu *gc;
	uint64_t any = 0;

	if (!v || !arch_vgic_available())
		return;
	gc = &v->part->vgic.cpu[v->index];
	/* Words past the first (a device's high INTID) are rare: looked at
	 * only when the first has nothing. */
	any = gc->pending[0];
	if (!any)
		for (unsigned int i = 1, n = vgic_pending_words(gc); i < n; i++)
			any |= gc->pending[i];
	if (any) {
		arch_vgic_flush(&v->arch.vgic, &v->part->vgic, v->index);
		process_retired(v);
	}
}

void vcpu_release_device_irqs(struct partition_locked locked, struct vcpu *v)
{
	(void)locked; /* proof that CPU_ON cannot reset v meanwhile */
	/* A device interrupt still in this vCPU's list registers would stay
	 * masked at the GIC for good: give it back. */
	if (!arch_vgic_available())
		return;
	for (unsigned int i = 0; i < ARCH_VGIC_MAX_LRS; i++) {
		int intid = v->arch.vgic.lr_intid[i];

		if (intid >= 0 && vgic_is_hw(&v->part->vgic, (unsigned int)intid))
			passthrough_eoi((unsigned int)intid);
	}
}

void vcpu_maintenance(void)
{
	struct vcpu *v = vcpu_current();

	if (!arch_vgic_available())
		return;
	if (!v) {
		/* Nobody to act for: whatever raised it (an LR left with its
		 * EOI bit) must stop asserting it, or it is taken forever. */
		arch_vgic_disable();
		return;
	}
	arch_vgic_flush(&v->arch.vgic, &v->part->vgic, v->index);
	process_retired(v);
}

void vcpu_vtimer_fired(void)
{
	struct vcpu *v = vcpu_current();

	/* The guest's timer condition stays true until it rearms: mask it so
	 * that it does not fire again at once, and give the guest its
	 * interrupt. */
	arch_vtimer_mask();
	if (v && arch_vgic_available())
		vgic_inject(&v->part->vgic, v->index, VGIC_PPI_VTIMER);
}
