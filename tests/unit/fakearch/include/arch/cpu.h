/* Fake arch (tests/unit/fakearch/README.md): the CPU-level interface. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct percpu;

uint64_t arch_cpu_mpidr(void);
struct percpu *arch_this_cpu(void);
void arch_set_this_cpu(struct percpu *pc);
void arch_irq_enable(void);
void arch_irq_disable(void);
uint64_t arch_irq_save(void);
void arch_irq_restore(uint64_t flags);
void arch_serror_take(void);
void arch_serror_window(void);
void arch_cpu_idle(void);
void arch_cpu_relax(void);
uint64_t arch_mpidr_affinity(uint64_t mpidr);
__attribute__((noreturn)) void arch_cpu_halt(void);
uint64_t arch_counter_freq(void);
uint64_t arch_counter_now(void);
uint64_t arch_secondary_entry_pa(void);
void arch_spin_table_release(unsigned int idx, uint64_t mpidr, uint64_t release_addr);
void arch_dcache_clean(const void *addr, uint64_t size);
void arch_mem_zero_to_poc(void *addr, uint64_t size);
void arch_dcache_invalidate(const void *addr, uint64_t size);

#endif
