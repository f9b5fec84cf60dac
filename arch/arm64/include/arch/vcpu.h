/*
 * The arch part of a virtual CPU and the calls that run one. Core code
 * embeds struct arch_vcpu in struct vcpu and never touches its registers.
 */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/exception.h>
#include <arch/vgic_hw.h>
#include <bulkhead/addr.h>

/* The guest's EL1 system registers, saved while another vCPU has the CPU. */
struct arch_el1_state {
	uint64_t sctlr, tcr, ttbr0, ttbr1, mair, amair, vbar, contextidr;
	uint64_t tpidr_el0, tpidr_el1, tpidrro_el0, sp_el0, sp_el1, elr, spsr;
	uint64_t esr, far, afsr0, afsr1, par, cpacr, cntkctl, csselr;
	uint64_t cntv_ctl, cntv_cval;
};

struct arch_fp_state {
	uint64_t q[64]; /* q0-q31, low and high halves */
	uint64_t fpsr, fpcr;
} __attribute__((aligned(16)));

struct arch_vcpu {
	/* Guest x0-x30, PC (elr) and PSTATE (spsr) when it is next entered. */
	struct exception_frame regs;
	uint64_t vttbr;
	uint64_t vmpidr;
	/* Fresh after a reset: EL1 starts from reset values, not el1/fp. */
	bool fresh;
	struct arch_el1_state el1;
	struct arch_fp_state fp;
	struct arch_vgic_cpu vgic;
};

/* The PC of the guest that trapped, or was interrupted, on this CPU. */
uint64_t arch_guest_pc(void);

/* Guest-physical address bits: the CPU's PARange, at most 39. */
unsigned int arch_s2_ipa_bits(void);

/* Once per physical CPU before it runs any guest: stage-2 and trap set-up. */
void arch_guest_cpu_init(void);

/* Reset to the state the boot protocol promises: EL1h, MMU off, interrupts
 * masked, PC = entry, x0 = x0. */
void arch_vcpu_reset(struct arch_vcpu *a, uint64_t entry, uint64_t x0, unsigned int vmid,
		     paddr_t s2_root, unsigned int vcpu_index);

/*
 * Enter the guest on a clean stack; never returns. A fresh vCPU starts
 * from reset EL1 state, with its VMID's stage-2 TLB entries and the
 * instruction cache invalidated first (the image may be new); any other
 * resumes from what arch_vcpu_save() kept. trap_wfi: the CPU is shared,
 * so WFI comes to the hypervisor (to let another vCPU run).
 */
__attribute__((noreturn)) void arch_vcpu_enter(struct arch_vcpu *a, bool trap_wfi);

/* Keep the state of the vCPU that trapped with frame f (the running one)
 * so that it can be entered again later, possibly after another vCPU. */
void arch_vcpu_save(struct arch_vcpu *a, const struct exception_frame *f);

/* Drop whatever this CPU was doing (e.g. a trap of a stopped guest) and
 * continue in fn on a clean stack. */
__attribute__((noreturn)) void arch_cpu_park(void (*fn)(void));

/* Cache maintenance for loading images into guest memory. */
void arch_dcache_clean_invalidate(const void *addr, uint64_t size);
void arch_icache_invalidate_all(void);

/* Guest trap registers: the function ID / arguments / results of a call. */
static inline uint64_t *arch_regs_x(struct exception_frame *f)
{
	return f->x;
}

#endif
