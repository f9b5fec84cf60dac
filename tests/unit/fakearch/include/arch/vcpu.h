/* Fake arch: a vCPU is what it was last reset to and how often entered. */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/exception.h>
#include <arch/vgic_hw.h>
#include <bulkhead/addr.h>

struct arch_vcpu {
	struct exception_frame regs;
	unsigned int vmid;
	paddr_t s2_root;
	unsigned int index;
	bool fresh;
	struct arch_vgic_cpu vgic;
};

unsigned int arch_s2_ipa_bits(void);
/* The fake: fake_guest_pc. */
uint64_t arch_guest_pc(void);
void arch_guest_cpu_init(void);
void arch_vcpu_reset(struct arch_vcpu *a, uint64_t entry, uint64_t x0, unsigned int vmid,
		     paddr_t s2_root, unsigned int vcpu_index);
__attribute__((noreturn)) void arch_vcpu_enter(struct arch_vcpu *a, bool trap_wfi);
void arch_vcpu_save(struct arch_vcpu *a, const struct exception_frame *f);
__attribute__((noreturn)) void arch_cpu_park(void (*fn)(void));
void arch_dcache_clean_invalidate(const void *addr, uint64_t size);
void arch_icache_invalidate_all(void);

#endif
