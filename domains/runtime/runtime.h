/*
 * Internal interfaces of the domain runtime.
 */
#ifndef DOMAIN_RUNTIME_H
#define DOMAIN_RUNTIME_H

#include <stdint.h>

/* Identity map: RAM normal cacheable, everything else device. */
void runtime_mmu_init(uint64_t ram_base, uint64_t ram_size);
/* Turn the MMU on for another vCPU with the tables runtime_mmu_init made. */
void runtime_mmu_enable_secondary(void);

extern char *runtime_heap_start;
extern char *runtime_heap_end;

#endif
