/*
 * List-register handling for the virtual GIC (see arch/vgic_hw.h), for
 * both virtualization interfaces: GICv3's ICH_*_EL2 system registers, and
 * GICv2's GICH registers in memory (their address from the device tree).
 */
#include <arch/sysreg.h>
#include <arch/vgic_hw.h>
#include <bulkhead/board.h>
#include <bulkhead/vgic.h>

_Static_assert(ARCH_VGIC_INTID_WORDS == (VGIC_NR_IRQS + 63) / 64,
	       "the list registers' INTID bitmaps cover the virtual GIC's INTIDs");

/* GICv3 ICH_LR<n>_EL2 */
#define LR3_STATE_MASK (3UL << 62)
#define LR3_PENDING (1UL << 62)
#define LR3_GROUP1 (1UL << 60)
#define LR3_EOI (1UL << 41) /* maintenance interrupt when the guest ends it */
#define ICH_HCR_EN (1UL << 0)
#define HCR_UIE (1UL << 1) /* ICH_HCR_EL2 and GICH_HCR alike */

/* GICv2 GICH */
#define GICH_HCR 0x000
#define GICH_VTR 0x004
#define GICH_VMCR 0x008
#define GICH_ELRSR0 0x030
#define GICH_APR 0x0f0
#define GICH_LR(n) (0x100 + 4 * (n))
#define LR2_STATE_MASK (3u << 28)
#define LR2_PENDING (1u << 28)
#define LR2_GROUP1 (1u << 30)
#define LR2_EOI (1u << 19)

static enum { VGIC_HW_NONE, VGIC_HW_V2, VGIC_HW_V3 } hw;
static uint64_t gich;
/* ICC_SRE_EL1 as a fresh vCPU finds it: as the hypervisor set it at boot. */
static uint64_t sre_reset;

/* Read once at boot: every CPU of a board has the same GIC interface. */
static unsigned int nr_lrs_cached, nr_aprs_cached;
static unsigned int nr_lrs_read(void);
static unsigned int nr_aprs_read(void);

void arch_vgic_init(const struct board_gic *g)
{
	if (g->version == GIC_V3 && ((read_sysreg(id_aa64pfr0_el1) >> 24) & 0xf))
		hw = VGIC_HW_V3;
	else if (g->version == GIC_V2 && g->hyp.base && g->vcpu.base && g->vcpu.size >= 0x2000)
		hw = VGIC_HW_V2;
	gich = g->hyp.base;
	if (hw == VGIC_HW_V3) {
		sre_reset = read_sysreg(S3_0_C12_C12_5);
		nr_aprs_cached = nr_aprs_read();
	}
	if (hw != VGIC_HW_NONE)
		nr_lrs_cached = nr_lrs_read();
}

bool arch_vgic_available(void)
{
	return hw != VGIC_HW_NONE;
}

bool arch_vgic_is_v2(void)
{
	return hw == VGIC_HW_V2;
}

static volatile uint32_t *gich_reg(unsigned int off)
{
	return (volatile uint32_t *)(gich + off);
}

static unsigned int nr_lrs_read(void)
{
	unsigned int n = hw == VGIC_HW_V3 ? (unsigned int)(read_sysreg(S3_4_C12_C11_1) & 0x1f) + 1
					  : (*gich_reg(GICH_VTR) & 0x3f) + 1;

	return n > ARCH_VGIC_MAX_LRS ? ARCH_VGIC_MAX_LRS : n;
}

/*
 * GICv3 active-priority registers: one, two or four of each group,
 * depending on the preemption bits the CPU implements (ICH_VTR_EL2.PREbits).
 * All of them are the guest's state; switching only the first would let a
 * priority that one vCPU left active leak into the next.
 */
static unsigned int nr_aprs_read(void)
{
	unsigned int pre = (unsigned int)((read_sysreg(S3_4_C12_C11_1) >> 29) & 7) + 1;

	return pre >= 7 ? 4 : pre == 6 ? 2 : 1;
}

static unsigned int nr_lrs(void)
{
	return nr_lrs_cached;
}

#define LR_CASE(n)                                                                                 \
	case n:                                                                                    \
		return read_sysreg(S3_4_C12_C12_##n)
#define LR_CASE_HI(n, r)                                                                           \
	case n:                                                                                    \
		return read_sysreg(S3_4_C12_C13_##r)

static uint64_t read_lr(unsigned int n)
{
	if (hw == VGIC_HW_V2)
		return *gich_reg(GICH_LR(n));
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
	if (hw == VGIC_HW_V2) {
		*gich_reg(GICH_LR(n)) = (uint32_t)v;
		return;
	}
	switch (n) {
		LRW_CASE(0); LRW_CASE(1); LRW_CASE(2); LRW_CASE(3);
		LRW_CASE(4); LRW_CASE(5); LRW_CASE(6); LRW_CASE(7);
		LRW_CASE_HI(8, 0); LRW_CASE_HI(9, 1); LRW_CASE_HI(10, 2); LRW_CASE_HI(11, 3);
		LRW_CASE_HI(12, 4); LRW_CASE_HI(13, 5); LRW_CASE_HI(14, 6); LRW_CASE_HI(15, 7);
	}
}

static bool lr_live(uint64_t lr)
{
	return hw == VGIC_HW_V2 ? (lr & LR2_STATE_MASK) != 0 : (lr & LR3_STATE_MASK) != 0;
}

static bool lr_active_only(uint64_t lr)
{
	return hw == VGIC_HW_V2 ? (lr & LR2_STATE_MASK) == LR2_STATE_MASK - LR2_PENDING
				: (lr & LR3_STATE_MASK) == LR3_STATE_MASK - LR3_PENDING;
}

static uint64_t lr_make(unsigned int intid, uint8_t prio, bool group1, bool eoi)
{
	if (hw == VGIC_HW_V2)
		return LR2_PENDING | (group1 ? LR2_GROUP1 : 0) | ((uint32_t)(prio >> 3) << 23) |
		       (eoi ? LR2_EOI : 0) | intid;
	return LR3_PENDING | (group1 ? LR3_GROUP1 : 0) | ((uint64_t)prio << 48) |
	       (eoi ? LR3_EOI : 0) | intid;
}

void arch_vgic_reset(struct arch_vgic_cpu *c)
{
	for (unsigned int i = 0; i < ARCH_VGIC_MAX_LRS; i++) {
		c->lr[i] = 0;
		c->lr_intid[i] = -1;
	}
	c->vmcr = 0;
	for (unsigned int i = 0; i < 4; i++)
		c->ap0r[i] = c->ap1r[i] = 0;
	c->sre = sre_reset;
	c->lr_used = 0;
	for (unsigned int w = 0; w < ARCH_VGIC_INTID_WORDS; w++)
		c->in_lr[w] = c->retired[w] = 0;
	c->retired_words = 0;
	c->underflow = false;
}

/* The interface's control word while the vCPU runs: enabled, and asking
 * for the underflow maintenance interrupt when interrupts wait. */
static void write_hcr(bool underflow)
{
	if (hw == VGIC_HW_V2)
		*gich_reg(GICH_HCR) = 1 | (underflow ? (uint32_t)HCR_UIE : 0);
	else
		write_sysreg(S3_4_C12_C11_0, ICH_HCR_EN | (underflow ? HCR_UIE : 0));
}

static unsigned int nr_aprs(void)
{
	return nr_aprs_cached;
}

#define APR_W(n)                                                                                   \
	case n:                                                                                    \
		write_sysreg(S3_4_C12_C8_##n, c->ap0r[n]);                                         \
		write_sysreg(S3_4_C12_C9_##n, c->ap1r[n]);                                         \
		break
#define APR_R(n)                                                                                   \
	case n:                                                                                    \
		c->ap0r[n] = read_sysreg(S3_4_C12_C8_##n);                                         \
		c->ap1r[n] = read_sysreg(S3_4_C12_C9_##n);                                         \
		break

static void write_aprs(const struct arch_vgic_cpu *c)
{
	unsigned int n = nr_aprs();

	for (unsigned int i = 0; i < n; i++)
		switch (i) {
			APR_W(0); APR_W(1); APR_W(2); APR_W(3);
		}
}

static void read_aprs(struct arch_vgic_cpu *c)
{
	unsigned int n = nr_aprs();

	for (unsigned int i = 0; i < n; i++)
		switch (i) {
			APR_R(0); APR_R(1); APR_R(2); APR_R(3);
		}
}

void arch_vgic_restore(const struct arch_vgic_cpu *c)
{
	unsigned int n = nr_lrs();

	for (unsigned int i = 0; i < n; i++)
		write_lr(i, c->lr[i]);
	if (hw == VGIC_HW_V2) {
		*gich_reg(GICH_VMCR) = (uint32_t)c->vmcr;
		*gich_reg(GICH_APR) = (uint32_t)c->ap0r[0];
		write_hcr(c->underflow);
		return;
	}
	write_sysreg(S3_4_C12_C11_7, c->vmcr); /* ICH_VMCR_EL2 */
	write_aprs(c);
	write_sysreg(S3_0_C12_C12_5, c->sre); /* ICC_SRE_EL1 */
	write_hcr(c->underflow);
	isb();
}

bool arch_vgic_lr_pending(void)
{
	unsigned int n = nr_lrs();

	for (unsigned int i = 0; i < n; i++) {
		uint64_t lr = read_lr(i);

		if (hw == VGIC_HW_V2 ? (lr & LR2_PENDING) : (lr & LR3_PENDING))
			return true;
	}
	return false;
}

void arch_vgic_save(struct arch_vgic_cpu *c)
{
	unsigned int n = nr_lrs();

	for (unsigned int i = 0; i < n; i++)
		c->lr[i] = read_lr(i);
	if (hw == VGIC_HW_V2) {
		c->vmcr = *gich_reg(GICH_VMCR);
		c->ap0r[0] = *gich_reg(GICH_APR);
		*gich_reg(GICH_HCR) = 0;
		return;
	}
	c->vmcr = read_sysreg(S3_4_C12_C11_7);
	read_aprs(c);
	c->sre = read_sysreg(S3_0_C12_C12_5);
	write_sysreg(S3_4_C12_C11_0, 0);
	isb();
}

void arch_vgic_disable(void)
{
	if (hw == VGIC_HW_V2)
		*gich_reg(GICH_HCR) = 0;
	else if (hw == VGIC_HW_V3)
		write_sysreg(S3_4_C12_C11_0, 0);
	isb();
}

void arch_vgic_clear(void)
{
	static const struct arch_vgic_cpu empty;
	unsigned int n = nr_lrs();

	if (hw == VGIC_HW_NONE)
		return;
	arch_vgic_disable();
	for (unsigned int i = 0; i < n; i++)
		write_lr(i, 0);
	if (hw == VGIC_HW_V2)
		*gich_reg(GICH_APR) = 0;
	else
		write_aprs(&empty);
	isb();
}

/* A bit per list register that holds nothing: state invalid, and no EOI
 * notice outstanding (an LR with its EOI bit stays "not empty" until
 * retired, so those are read one by one). */
static uint64_t empty_lrs(void)
{
	if (hw == VGIC_HW_V2)
		return *gich_reg(GICH_ELRSR0);
	return read_sysreg(S3_4_C12_C11_5); /* ICH_ELRSR_EL2 */
}

/* Anything pending for vcpu that is not in a list register yet? Read
 * without the lock: a hint, and the next flush sees what it misses. */
static bool more_pending(const struct arch_vgic_cpu *c, const struct vgic *g, unsigned int vcpu,
			 unsigned int words)
{
	uint64_t any = __atomic_load_n(&g->cpu[vcpu].pending[0], __ATOMIC_RELAXED) & ~c->in_lr[0];

	/* Words past the first (vgic_pending_words): only with a device's
	 * high INTID, and only asked when the first has nothing. */
	for (unsigned int w = 1; !any && w < words; w++)
		any |= __atomic_load_n(&g->cpu[vcpu].pending[w], __ATOMIC_RELAXED) & ~c->in_lr[w];
	return any != 0;
}

/* LR i no longer holds its interrupt: forget it (a device's is reported
 * as retired, so that its physical interrupt is unmasked). */
static inline void lr_retire(struct arch_vgic_cpu *c, const struct vgic *g, unsigned int i)
{
	unsigned int intid = (unsigned int)c->lr_intid[i];

	c->in_lr[intid / 64] &= ~(1UL << (intid % 64));
	if (vgic_is_hw(g, intid)) {
		c->retired[intid / 64] |= 1UL << (intid % 64);
		c->retired_words |= 1UL << (intid / 64);
	}
	c->lr_intid[i] = -1;
	c->lr_used &= ~(1u << i);
}

/*
 * The LRs in `busy` hold an interrupt that ELRSR does not call empty:
 * still pending or active, or a device's ended one whose EOI notice is
 * outstanding. Read each. Out of line: the usual flush finds none.
 */
static __attribute__((noinline)) void flush_busy(struct arch_vgic_cpu *c, struct vgic *g,
						  unsigned int vcpu, uint32_t busy)
{
	for (; busy; busy &= busy - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(busy);
		unsigned int intid = (unsigned int)c->lr_intid[i];
		uint64_t lr = read_lr(i);

		if (lr_live(lr)) {
			/* Active in the guest and pending again (an event sent
			 * while its handler runs): make the LR pending and
			 * active, or it would wait for the LR to free and the
			 * next trap. */
			if (lr_active_only(lr) && !vgic_is_hw(g, intid) &&
			    vgic_take_pending(g, vcpu, intid))
				write_lr(i, lr | (hw == VGIC_HW_V2 ? LR2_PENDING : LR3_PENDING));
			continue;
		}
		lr_retire(c, g, i);
		write_lr(i, 0); /* clears its EOI maintenance status */
	}
}

/*
 * The LRs are visited through bit masks (the ones in use, the empty ones)
 * rather than one by one: this runs for every interrupt delivered, and
 * usually one LR changes.
 */
void arch_vgic_flush(struct arch_vgic_cpu *c, struct vgic *g, unsigned int vcpu)
{
	uint32_t done = c->lr_used & (uint32_t)empty_lrs();
	uint32_t busy = c->lr_used & ~done;
	uint32_t bits, free;
	unsigned int words;
	bool underflow;

	/* Retire what the guest has finished with. An LR that ELRSR calls
	 * empty is invalid and owes no EOI notice: nothing in it needs
	 * clearing, and the fill below overwrites it if it needs it. */
	for (bits = done; bits; bits &= bits - 1)
		lr_retire(c, g, (unsigned int)__builtin_ctz(bits));
	if (busy)
		flush_busy(c, g, vcpu, busy);
	/* Fill free LRs, lowest first, best interrupt first, until nothing
	 * deliverable is left. */
	free = ~c->lr_used & ((1u << nr_lrs()) - 1);
	words = vgic_pending_words(&g->cpu[vcpu]);
	for (; free && more_pending(c, g, vcpu, words); free &= free - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(free);
		uint8_t prio;
		int intid = vgic_next_pending(g, vcpu, c->in_lr, &prio);

		if (intid < 0)
			break;
		write_lr(i, lr_make((unsigned int)intid, prio,
				    vgic_group1(g, vcpu, (unsigned int)intid),
				    vgic_is_hw(g, (unsigned int)intid)));
		c->lr_intid[i] = (int16_t)intid;
		c->lr_used |= 1u << i;
		c->in_lr[intid / 64] |= 1UL << (intid % 64);
	}
	/* Still more than the LRs hold (a guest with many sources, Linux):
	 * be told as they empty rather than at the next exit or tick
	 * (tests/qemu/vgic-burst). The control word is written only when
	 * that changes. */
	underflow = !free && more_pending(c, g, vcpu, vgic_pending_words(&g->cpu[vcpu]));
	if (underflow != c->underflow) {
		c->underflow = underflow;
		write_hcr(underflow);
	}
	isb();
}

void arch_vtimer_mask(void)
{
	write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | CNT_CTL_IMASK);
	isb();
}
