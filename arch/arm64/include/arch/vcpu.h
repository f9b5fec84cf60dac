/*
 * The arch part of a virtual CPU and the calls that run one. Core code
 * embeds struct arch_vcpu in struct vcpu and never touches its registers.
 */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/exception.h>

struct arch_vcpu {
	/* Guest x0-x30, PC (elr) and PSTATE (spsr) when it is next entered. */
	struct exception_frame regs;
	uint64_t vttbr;
	uint64_t vmpidr;
};

/* Once per physical CPU before it runs any guest: stage-2 and trap set-up. */
void arch_guest_cpu_init(void);

/* Reset to the state the boot protocol promises: EL1h, MMU off, interrupts
 * masked, PC = entry, x0 = x0. */
void arch_vcpu_reset(struct arch_vcpu *a, uint64_t entry, uint64_t x0, unsigned int vmid,
		     uint64_t s2_root, unsigned int vcpu_index);

/* Enter the guest with freshly reset EL1 state: stage-2 TLB entries of its
 * VMID and the instruction cache are invalidated first (the image may be
 * new). Runs on a clean stack; never returns. */
__attribute__((noreturn)) void arch_vcpu_enter_fresh(struct arch_vcpu *a);

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
