/*
 * Internal interfaces of the domain runtime.
 */
#ifndef DOMAIN_RUNTIME_H
#define DOMAIN_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

/* Identity map: RAM normal cacheable, everything else device. */
void runtime_mmu_init(uint64_t ram_base, uint64_t ram_size);
/* Turn the MMU on for another vCPU with the tables runtime_mmu_init made. */
void runtime_mmu_enable_secondary(void);
/* Map [base, base + size) as shared memory (normal, not executable) where
 * it is device memory now, in 2 MiB or 1 GiB pieces. */
void runtime_mmu_map_shared(uint64_t base, uint64_t size);

/* This vCPU's index in the partition (MPIDR Aff0). */
unsigned int runtime_vcpu_index(void);

/* Heartbeats and injected faults (service.c): set up from the device
 * tree; a heartbeat when one is due; an injected fault waits; commit it. */
void runtime_services_init(void);
bool runtime_inject_pending(void);
void runtime_inject_take(void);

/* Acknowledge and handle every interrupt pending at the virtual GIC, then
 * return. The IRQ vector's work; the wait loops also call it themselves,
 * with interrupts masked, for what woke them from WFI. */
void runtime_irq(void);

extern char *runtime_heap_start;
extern char *runtime_heap_end;

#endif
