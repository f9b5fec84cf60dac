/*
 * CPU-level arch services for core code: identity, per-CPU pointer,
 * interrupt masking, idling, the generic counter, cache maintenance.
 */
#include <arch/cpu.h>
#include <arch/sysreg.h>

/* Boot stacks of every CPU; head.S points sp at the top of its slice. */
_Static_assert(CONFIG_STACK_SIZE % 16 == 0, "CONFIG_STACK_SIZE must be a multiple of 16");

uint8_t cpu_stacks[CONFIG_NR_CPUS][CONFIG_STACK_SIZE] __attribute__((aligned(16)));

extern char secondary_entry[];

uint64_t arch_cpu_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

struct percpu *arch_this_cpu(void)
{
	return (struct percpu *)read_sysreg(tpidr_el2);
}

void arch_set_this_cpu(struct percpu *pc)
{
	write_sysreg(tpidr_el2, (uint64_t)pc);
}

void arch_irq_enable(void)
{
	/* SErrors too: an asynchronous abort must reach the panic dump. */
	__asm__ volatile("msr daifclr, #6" ::: "memory");
}

uint64_t arch_irq_save(void)
{
	uint64_t flags = read_sysreg(daif);

	__asm__ volatile("msr daifset, #2" ::: "memory");
	return flags;
}

void arch_irq_restore(uint64_t flags)
{
	write_sysreg(daif, flags);
}

void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

void arch_cpu_idle(void)
{
	dsb(sy);
	wfi();
}

void arch_cpu_halt(void)
{
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	for (;;)
		wfi();
}

uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

uint64_t arch_counter_now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

uint64_t arch_secondary_entry_pa(void)
{
	/* The hypervisor's map is an identity map, so VA == PA. */
	return (uint64_t)secondary_entry;
}

static uint64_t dcache_line(void)
{
	return 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

void arch_dcache_clean(const void *addr, uint64_t size)
{
	uint64_t line = dcache_line();
	uint64_t end = (uint64_t)addr + size;

	for (uint64_t p = (uint64_t)addr & ~(line - 1); p < end; p += line)
		__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

void arch_dcache_invalidate(const void *addr, uint64_t size)
{
	uint64_t line = dcache_line();
	uint64_t end = (uint64_t)addr + size;

	for (uint64_t p = (uint64_t)addr & ~(line - 1); p < end; p += line)
		__asm__ volatile("dc ivac, %0" : : "r"(p) : "memory");
	dsb(sy);
}
