/*
 * CPU-level arch services for core code: identity, per-CPU pointer,
 * interrupt masking, idling, the generic counter, cache maintenance.
 */
#include <arch/cpu.h>
#include <arch/sysreg.h>

/* Boot stacks of every CPU; head.S points sp at the top of its slice. */
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
	__asm__ volatile("msr daifclr, #2" ::: "memory");
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

void arch_dcache_clean(const void *addr, uint64_t size)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uint64_t line = 4UL << ((ctr >> 16) & 0xf);
	uint64_t p = (uint64_t)addr & ~(line - 1);
	uint64_t end = (uint64_t)addr + size;

	for (; p < end; p += line)
		__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(sy);
}
