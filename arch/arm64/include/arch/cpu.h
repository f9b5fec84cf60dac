/*
 * The arch interface that core code uses for CPU-level facts and control.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct percpu;

/* Affinity fields of this CPU's MPIDR (bit 31 and MT/U bits stripped). */
uint64_t arch_cpu_mpidr(void);
/* The affinity fields of an MPIDR value (a PSCI target, a device tree's
 * CPU "reg"): Aff3, Aff2, Aff1, Aff0. */
static inline uint64_t arch_mpidr_affinity(uint64_t mpidr)
{
	return mpidr & 0xff00ffffffUL;
}
/*
 * These few are inline: they are one or two instructions, and they are on
 * every trap (the per-CPU block) and around every lock (masking), where a
 * call would cost more than the work.
 */

/* The per-CPU block of the running CPU (kept in TPIDR_EL2). */
static inline struct percpu *arch_this_cpu(void)
{
	uint64_t pc;

	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(pc));
	return (struct percpu *)pc;
}

static inline void arch_set_this_cpu(struct percpu *pc)
{
	__asm__ volatile("msr tpidr_el2, %0" : : "r"(pc) : "memory");
}

/*
 * Interrupts only: SErrors stay masked at EL2 everywhere but in the windows
 * of arch_serror_window(). Taken anywhere else they could land while a lock
 * is held or after the CPU's current vCPU changed, and be charged to the
 * wrong partition or deadlock the logging that reports them.
 */
static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

/* Mask interrupts, returning the previous mask for arch_irq_restore(). */
static inline uint64_t arch_irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_irq_restore(uint64_t flags)
{
	__asm__ volatile("msr daif, %0" : : "r"(flags) : "memory");
}
/* Unmask SErrors for an instant: a pending one is taken (at EL2). */
void arch_serror_take(void);
/*
 * SErrors are masked at EL2 except here: complete outstanding accesses and
 * take a pending SError at once. Called with nothing locked: on every exit
 * from a guest (so that its SErrors are charged to it) and in the idle loop.
 */
static inline void arch_serror_window(void)
{
	uint64_t isr;

	/* Without RAS there is no ESB: a full barrier completes every access
	 * made so far (a guest's device writes among them), so that an SError
	 * they cause is pending now. */
	__asm__ volatile("dsb sy\n\tmrs %0, isr_el1" : "=r"(isr) : : "memory");
	if (__builtin_expect(isr & (1UL << 8), 0)) /* ISR_EL1.A */
		arch_serror_take();
}
/* Execute an undefined instruction (the EL2 exception self-test). */
static inline void arch_undefined_instruction(void)
{
	__asm__ volatile("udf #0x42");
}

/* A spin-wait's pause (the yield hint). */
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}
/* Sleep until an interrupt (or event) arrives. */
void arch_cpu_idle(void);
/* Stop this CPU for good, interrupts masked. */
__attribute__((noreturn)) void arch_cpu_halt(void);

/* Generic counter: frequency in Hz and the current count. */
uint64_t arch_counter_freq(void);
uint64_t arch_counter_now(void);

/* Physical address of the secondary CPU entry point, for PSCI CPU_ON. */
uint64_t arch_secondary_entry_pa(void);

/* Release a CPU waiting in a firmware spin table: write the hypervisor's
 * spin-table entry to release_addr (RAM, 8 bytes) so that the CPU with this
 * MPIDR starts there as CPU idx. Returns at once; the caller waits for the
 * CPU to report online. */
void arch_spin_table_release(unsigned int idx, uint64_t mpidr, uint64_t release_addr);

/* Clean data cache lines covering [addr, addr + size) to the point of
 * coherency, so that a CPU running with its MMU off sees the data. */
void arch_dcache_clean(const void *addr, uint64_t size);
/* Zero [addr, addr + size) all the way to memory (nothing of it left in
 * the caches), fast: DC ZVA where allowed. addr and size: 4 KiB multiples. */
void arch_mem_zero_to_poc(void *addr, uint64_t size);
/* Discard cache lines covering the range (MMU off only: data written with
 * the MMU off is in memory, and any cached copy is stale). */
void arch_dcache_invalidate(const void *addr, uint64_t size);

#endif
