/*
 * Running guests at EL1: the EL2 controls that confine them (HCR_EL2,
 * MDCR_EL2, CPTR_EL2, VTCR_EL2) and the reset state of a vCPU.
 */
#include <arch/cpu.h>
#include <arch/stage2.h>
#include <arch/sysreg.h>
#include <arch/vcpu.h>
#include <bulkhead/percpu.h>

#define HCR_VM (1UL << 0)
#define HCR_SWIO (1UL << 1)
#define HCR_FB (1UL << 9)
#define HCR_BSU_IS (1UL << 10)
#define HCR_TWI (1UL << 13)
#define HCR_TSC (1UL << 19)
#define HCR_TIDCP (1UL << 20)
#define HCR_TACR (1UL << 21)
#define HCR_TSW (1UL << 22)

/*
 * What a guest may not do by itself: SMCs (PSCI is emulated), set/way cache
 * maintenance (it would reach other partitions' lines), IMPLEMENTATION
 * DEFINED and auxiliary control registers. Physical interrupts and
 * SErrors come to EL2; broadcast TLB and barrier maintenance stays within
 * the inner shareable domain.
 */
#define HCR_GUEST (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | \
		   HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_RW)

/* Traps for features a CPU may have: set only where it has them (the
 * bits are RES0 otherwise). Errors records (RAS), LORegions, activity
 * monitors, statistical profiling, trace filtering: none is virtualized,
 * so a guest touching them gets UNDEFINED instead of the hardware. */
#define HCR_TLOR (1UL << 35)
#define HCR_TERR (1UL << 36)
#define CPTR_TTA (1UL << 20)
#define CPTR_TAM (1UL << 30)
#define MDCR_TPMS (1UL << 14)
#define MDCR_TTRF (1UL << 19)

#define MDCR_TPMCR (1UL << 5)
#define MDCR_TPM (1UL << 6)
#define MDCR_TDOSA (1UL << 10)
#define MDCR_TDA (1UL << 9)
#define MDCR_TDRA (1UL << 11)

#define SCTLR_EL1_RESET 0x30d00800UL /* RES1 bits, MMU and caches off */
#define SPSR_EL1H_MASKED 0x3c5UL

void vcpu_enter_asm(struct exception_frame *regs, uint64_t stack_top);
void cpu_park_asm(void (*fn)(void), uint64_t stack_top);
extern uint8_t cpu_stacks[CONFIG_NR_CPUS][CONFIG_STACK_SIZE];

static uint64_t stack_top(void)
{
	return (uint64_t)cpu_stacks[this_cpu_id()] + CONFIG_STACK_SIZE;
}

unsigned int arch_s2_ipa_bits(void)
{
	static const unsigned int pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	unsigned int bits = parange < 7 ? pa_bits[parange] : 48;

	return bits < S2_IPA_BITS ? bits : S2_IPA_BITS;
}

/* HCR_EL2 while a guest runs: HCR_GUEST and this CPU's feature traps. */
static uint64_t hcr_guest = HCR_GUEST;

static uint64_t id_field(uint64_t reg, unsigned int shift)
{
	return (reg >> shift) & 0xf;
}

static void feature_traps(uint64_t *mdcr)
{
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), dfr0 = read_sysreg(id_aa64dfr0_el1);
	uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	uint64_t cptr = read_sysreg(cptr_el2) | CPTR_TTA;

	if (id_field(pfr0, 28)) /* RAS */
		hcr_guest |= HCR_TERR;
	if (id_field(mmfr1, 16)) /* LO */
		hcr_guest |= HCR_TLOR;
	if (id_field(pfr0, 44)) /* AMU */
		cptr |= CPTR_TAM;
	if (id_field(dfr0, 32)) /* PMSVer */
		*mdcr |= MDCR_TPMS;
	if (id_field(dfr0, 40)) /* TraceFilt */
		*mdcr |= MDCR_TTRF;
	write_sysreg(cptr_el2, cptr);
}

void arch_guest_cpu_init(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	uint64_t ps = parange > 5 ? 5 : parange;
	uint64_t hpmn = (read_sysreg(pmcr_el0) >> 11) & 0x1f;
	uint64_t mdcr = hpmn | MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA;

	/* IPA size from the CPU's PARange, at most 39 bits (one level-1
	 * table); start at level 1, write-back walks, inner shareable, 4 KiB
	 * granule, output size from the CPU, RES1 bit 31. */
	write_sysreg(vtcr_el2, (64 - arch_s2_ipa_bits()) | (1UL << 6) | (1UL << 8) | (1UL << 10) |
				       (3UL << 12) | (ps << 16) | (1UL << 31));
	/* Debug and PMU registers trap (and are refused); the counters the
	 * guest may not touch stay the hypervisor's. */
	feature_traps(&mdcr);
	write_sysreg(mdcr_el2, mdcr);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	isb();
}

void arch_vcpu_reset(struct arch_vcpu *a, uint64_t entry, uint64_t x0, unsigned int vmid,
		     paddr_t s2_root, unsigned int vcpu_index)
{
	for (unsigned int i = 0; i < 31; i++)
		a->regs.x[i] = 0;
	a->regs.x[0] = x0;
	a->regs.elr = entry;
	a->regs.spsr = SPSR_EL1H_MASKED;
	a->vttbr = ((uint64_t)vmid << 48) | pa_bits(s2_root);
	/* Affinity 0 = vCPU index; bit 31 is RES1. */
	a->vmpidr = (1UL << 31) | vcpu_index;
	a->fresh = true;
	arch_vgic_reset(&a->vgic);
}

static void el1_reset(void)
{
	write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
	write_sysreg(tcr_el1, 0);
	write_sysreg(mair_el1, 0);
	write_sysreg(ttbr0_el1, 0);
	write_sysreg(ttbr1_el1, 0);
	write_sysreg(vbar_el1, 0);
	write_sysreg(cpacr_el1, 0);
	write_sysreg(cntkctl_el1, 0);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(contextidr_el1, 0);
	write_sysreg(tpidr_el1, 0);
	write_sysreg(tpidr_el0, 0);
	write_sysreg(tpidrro_el0, 0);
	write_sysreg(sp_el1, 0);
	write_sysreg(sp_el0, 0);
	/* Nothing of a previous vCPU on this core may show through. */
	write_sysreg(elr_el1, 0);
	write_sysreg(spsr_el1, 0);
	write_sysreg(esr_el1, 0);
	write_sysreg(far_el1, 0);
	write_sysreg(par_el1, 0);
	write_sysreg(afsr0_el1, 0);
	write_sysreg(afsr1_el1, 0);
	write_sysreg(amair_el1, 0);
	write_sysreg(csselr_el1, 0);
	write_sysreg(cntv_cval_el0, 0);
}

static void el1_save(struct arch_el1_state *s)
{
	s->sctlr = read_sysreg(sctlr_el1);
	s->tcr = read_sysreg(tcr_el1);
	s->ttbr0 = read_sysreg(ttbr0_el1);
	s->ttbr1 = read_sysreg(ttbr1_el1);
	s->mair = read_sysreg(mair_el1);
	s->amair = read_sysreg(amair_el1);
	s->vbar = read_sysreg(vbar_el1);
	s->contextidr = read_sysreg(contextidr_el1);
	s->tpidr_el0 = read_sysreg(tpidr_el0);
	s->tpidr_el1 = read_sysreg(tpidr_el1);
	s->tpidrro_el0 = read_sysreg(tpidrro_el0);
	s->sp_el0 = read_sysreg(sp_el0);
	s->sp_el1 = read_sysreg(sp_el1);
	s->elr = read_sysreg(elr_el1);
	s->spsr = read_sysreg(spsr_el1);
	s->esr = read_sysreg(esr_el1);
	s->far = read_sysreg(far_el1);
	s->afsr0 = read_sysreg(afsr0_el1);
	s->afsr1 = read_sysreg(afsr1_el1);
	s->par = read_sysreg(par_el1);
	s->cpacr = read_sysreg(cpacr_el1);
	s->cntkctl = read_sysreg(cntkctl_el1);
	s->csselr = read_sysreg(csselr_el1);
	s->cntv_ctl = read_sysreg(cntv_ctl_el0);
	s->cntv_cval = read_sysreg(cntv_cval_el0);
	/* The timer keeps running for the guest, but must not fire into the
	 * vCPU that runs next. */
	write_sysreg(cntv_ctl_el0, 0);
}

static void el1_restore(const struct arch_el1_state *s)
{
	write_sysreg(sctlr_el1, s->sctlr);
	write_sysreg(tcr_el1, s->tcr);
	write_sysreg(ttbr0_el1, s->ttbr0);
	write_sysreg(ttbr1_el1, s->ttbr1);
	write_sysreg(mair_el1, s->mair);
	write_sysreg(amair_el1, s->amair);
	write_sysreg(vbar_el1, s->vbar);
	write_sysreg(contextidr_el1, s->contextidr);
	write_sysreg(tpidr_el0, s->tpidr_el0);
	write_sysreg(tpidr_el1, s->tpidr_el1);
	write_sysreg(tpidrro_el0, s->tpidrro_el0);
	write_sysreg(sp_el0, s->sp_el0);
	write_sysreg(sp_el1, s->sp_el1);
	write_sysreg(elr_el1, s->elr);
	write_sysreg(spsr_el1, s->spsr);
	write_sysreg(esr_el1, s->esr);
	write_sysreg(far_el1, s->far);
	write_sysreg(afsr0_el1, s->afsr0);
	write_sysreg(afsr1_el1, s->afsr1);
	write_sysreg(par_el1, s->par);
	write_sysreg(cpacr_el1, s->cpacr);
	write_sysreg(cntkctl_el1, s->cntkctl);
	write_sysreg(csselr_el1, s->csselr);
	write_sysreg(cntv_cval_el0, s->cntv_cval);
	write_sysreg(cntv_ctl_el0, s->cntv_ctl);
}

void fp_save_asm(struct arch_fp_state *fp);
void fp_restore_asm(const struct arch_fp_state *fp);

void arch_vcpu_save(struct arch_vcpu *a, const struct exception_frame *f)
{
	a->regs = *f;
	el1_save(&a->el1);
	fp_save_asm(&a->fp);
	if (arch_vgic_available())
		arch_vgic_save(&a->vgic);
}

void arch_vcpu_enter(struct arch_vcpu *a, bool trap_wfi)
{
	arch_irq_disable();
	write_sysreg(vttbr_el2, a->vttbr);
	write_sysreg(vmpidr_el2, a->vmpidr);
	write_sysreg(hcr_el2, hcr_guest | (trap_wfi ? HCR_TWI : 0));
	write_sysreg(cntvoff_el2, 0);
	if (a->fresh) {
		/* The EL1 state a guest finds after reset, whatever ran here
		 * before; and nothing of this VMID's previous run in the TLBs
		 * or of a previous image in the instruction cache. */
		static const struct arch_fp_state zero_fp;

		el1_reset();
		fp_restore_asm(&zero_fp);
		isb();
		__asm__ volatile("tlbi vmalls12e1is\n\tdsb ish\n\tic ialluis\n\tdsb ish\n\tisb" ::
					 : "memory");
		a->fresh = false;
	} else {
		el1_restore(&a->el1);
		fp_restore_asm(&a->fp);
		isb();
	}
	vcpu_enter_asm(&a->regs, stack_top());
	__builtin_unreachable();
}

void arch_cpu_park(void (*fn)(void))
{
	write_sysreg(hcr_el2, HCR_BOOT);
	isb();
	cpu_park_asm(fn, stack_top());
	__builtin_unreachable();
}

void arch_dcache_clean_invalidate(const void *addr, uint64_t size)
{
	uint64_t line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uint64_t end = (uint64_t)addr + size;

	for (uint64_t p = (uint64_t)addr & ~(line - 1); p < end; p += line)
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

void arch_icache_invalidate_all(void)
{
	__asm__ volatile("ic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}
