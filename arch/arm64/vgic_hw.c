/*
 * GICv3 list-register handling for the virtual GIC (see arch/vgic_hw.h).
 */
#include <arch/sysreg.h>
#include <arch/vgic_hw.h>
#include <bulkhead/vgic.h>

#define LR_STATE_MASK (3UL << 62)
#define LR_PENDING (1UL << 62)
#define LR_GROUP1 (1UL << 60)
#define LR_EOI (1UL << 41) /* maintenance interrupt when the guest ends it */
#define ICH_HCR_EN (1UL << 0)

static unsigned int nr_lrs(void)
{
	unsigned int n = (unsigned int)(read_sysreg(S3_4_C12_C11_1) & 0x1f) + 1; /* ICH_VTR_EL2 */

	return n > ARCH_VGIC_MAX_LRS ? ARCH_VGIC_MAX_LRS : n;
}

#define LR_CASE(n)                                                                                 \
	case n:                                                                                    \
		return read_sysreg(S3_4_C12_C12_##n)
#define LR_CASE_HI(n, r)                                                                           \
	case n:                                                                                    \
		return read_sysreg(S3_4_C12_C13_##r)

static uint64_t read_lr(unsigned int n)
{
	switch (n) {
		LR_CASE(0); LR_CASE(1); LR_CASE(2); LR_CASE(3);
		LR_CASE(4); LR_CASE(5); LR_CASE(6); LR_CASE(7);
		LR_CASE_HI(8, 0); LR_CASE_HI(9, 1); LR_CASE_HI(10, 2); LR_CASE_HI(11, 3);
		LR_CASE_HI(12, 4); LR_CASE_HI(13, 5); LR_CASE_HI(14, 6); LR_CASE_HI(15, 7);
	}
	return 0;
}

#define LRW_CASE(n)                                                                                \
	case n:                                                                                    \
		write_sysreg(S3_4_C12_C12_##n, v);                                                 \
		return
#define LRW_CASE_HI(n, r)                                                                          \
	case n:                                                                                    \
		write_sysreg(S3_4_C12_C13_##r, v);                                                 \
		return

static void write_lr(unsigned int n, uint64_t v)
{
	switch (n) {
		LRW_CASE(0); LRW_CASE(1); LRW_CASE(2); LRW_CASE(3);
		LRW_CASE(4); LRW_CASE(5); LRW_CASE(6); LRW_CASE(7);
		LRW_CASE_HI(8, 0); LRW_CASE_HI(9, 1); LRW_CASE_HI(10, 2); LRW_CASE_HI(11, 3);
		LRW_CASE_HI(12, 4); LRW_CASE_HI(13, 5); LRW_CASE_HI(14, 6); LRW_CASE_HI(15, 7);
	}
}

bool arch_vgic_available(void)
{
	/* ID_AA64PFR0_EL1.GIC: the system-register interface, which a GICv3
	 * with virtualization gives. */
	return ((read_sysreg(id_aa64pfr0_el1) >> 24) & 0xf) != 0;
}

void arch_vgic_reset(struct arch_vgic_cpu *c)
{
	for (unsigned int i = 0; i < ARCH_VGIC_MAX_LRS; i++) {
		c->lr[i] = 0;
		c->lr_intid[i] = -1;
	}
	c->vmcr = 0;
	c->ap0r0 = 0;
	c->ap1r0 = 0;
	c->in_lr[0] = c->in_lr[1] = 0;
	c->retired[0] = c->retired[1] = 0;
}

void arch_vgic_restore(const struct arch_vgic_cpu *c)
{
	unsigned int n = nr_lrs();

	for (unsigned int i = 0; i < n; i++)
		write_lr(i, c->lr[i]);
	write_sysreg(S3_4_C12_C11_7, c->vmcr);  /* ICH_VMCR_EL2 */
	write_sysreg(S3_4_C12_C8_0, c->ap0r0);  /* ICH_AP0R0_EL2 */
	write_sysreg(S3_4_C12_C9_0, c->ap1r0);  /* ICH_AP1R0_EL2 */
	write_sysreg(S3_4_C12_C11_0, ICH_HCR_EN); /* ICH_HCR_EL2 */
	isb();
}

void arch_vgic_save(struct arch_vgic_cpu *c)
{
	unsigned int n = nr_lrs();

	for (unsigned int i = 0; i < n; i++)
		c->lr[i] = read_lr(i);
	c->vmcr = read_sysreg(S3_4_C12_C11_7);
	c->ap0r0 = read_sysreg(S3_4_C12_C8_0);
	c->ap1r0 = read_sysreg(S3_4_C12_C9_0);
	write_sysreg(S3_4_C12_C11_0, 0);
	isb();
}

void arch_vgic_flush(struct arch_vgic_cpu *c, struct vgic *g, unsigned int vcpu)
{
	unsigned int n = nr_lrs();

	/* Retire what the guest has finished with (the LR went invalid). */
	for (unsigned int i = 0; i < n; i++) {
		int intid = c->lr_intid[i];

		if (intid < 0 || (read_lr(i) & LR_STATE_MASK))
			continue; /* free, or still pending or active in the guest */
		c->in_lr[intid / 64] &= ~(1UL << (intid % 64));
		if (vgic_is_hw(g, (unsigned int)intid))
			c->retired[intid / 64] |= 1UL << (intid % 64);
		c->lr_intid[i] = -1;
		write_lr(i, 0); /* also clears its EOI maintenance status */
	}
	/* Fill free LRs, best first, until nothing deliverable is left. */
	for (unsigned int i = 0; i < n; i++) {
		uint8_t prio;
		int intid;

		if (c->lr_intid[i] >= 0)
			continue;
		intid = vgic_next_pending(g, vcpu, c->in_lr, &prio);
		if (intid < 0)
			break;
		write_lr(i, LR_PENDING | LR_GROUP1 | ((uint64_t)prio << 48) | (uint64_t)intid |
				    (vgic_is_hw(g, (unsigned int)intid) ? LR_EOI : 0));
		c->lr_intid[i] = (int16_t)intid;
		c->in_lr[intid / 64] |= 1UL << (intid % 64);
	}
	isb();
}

void arch_vtimer_mask(void)
{
	write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | CNT_CTL_IMASK);
	isb();
}
