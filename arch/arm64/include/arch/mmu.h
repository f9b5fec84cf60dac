/*
 * The hypervisor's own stage-1 translation at EL2: an identity map in which
 * RAM is normal write-back memory and everything else is device memory.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stdint.h>

struct mem_range {
	uint64_t base;
	uint64_t size;
};

/*
 * Build the EL2 identity map (normal memory for each range in ram[], device
 * memory for the rest of the address space) and switch to it. Safe to call
 * first with the MMU off and again later with a finer RAM list.
 * Returns 0, or a negative value if the ranges do not fit the table pool.
 */
int arch_mmu_init(const struct mem_range *ram, unsigned int nr_ram);
/* Turn the MMU on for a secondary CPU with the boot CPU's tables. */
void arch_mmu_enable_secondary(void);

#endif
