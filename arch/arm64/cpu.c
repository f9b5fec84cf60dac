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

void arch_serror_take(void)
{
	__asm__ volatile("msr daifclr, #4\n\tisb\n\tmsr daifset, #4" ::: "memory");
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

/*
 * DC ZVA zeroes a whole block (DCZID_EL0.BS) at once where EL2 may use it
 * (DZP clear). Each block is cleaned and invalidated to the point of
 * coherency right after it is zeroed, while it is still in the cache: the
 * zeros must be in memory for a guest that starts with its MMU off, and no
 * dirty line of what was there before may be written back over them later.
 */
static void zero_block_zva(uint64_t p, uint64_t blk, uint64_t line)
{
	__asm__ volatile("dc zva, %0" : : "r"(p) : "memory");
	for (uint64_t q = p; q < p + blk; q += line)
		__asm__ volatile("dc civac, %0" : : "r"(q) : "memory");
}

static void zero_block_stores(uint64_t p, uint64_t line)
{
	for (uint64_t q = p; q < p + line; q += 16)
		__asm__ volatile("stp xzr, xzr, [%0]" : : "r"(q) : "memory");
	__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
}

void arch_mem_zero_to_poc(void *addr, uint64_t size)
{
	uint64_t dczid = read_sysreg(dczid_el0), line = dcache_line();
	uint64_t blk = 4UL << (dczid & 0xf);
	uint64_t p = (uint64_t)addr, end = p + size;

	if (dczid & (1UL << 4)) { /* DZP: DC ZVA not permitted */
		for (; p < end; p += line)
			zero_block_stores(p, line);
	} else if (blk == line && !(p & (16 * line - 1)) && !(size & (16 * line - 1))) {
		/* The common case (64-byte blocks and lines), sixteen lines per
		 * iteration, one running address: three instructions a line
		 * (zero, clean, step), the least DC's register-only addressing
		 * allows, and the loop's own two spread over sixteen. */
		__asm__ volatile(".macro zero_line\n\t"
				 "dc zva, %0\n\tdc civac, %0\n\tadd %0, %0, %2\n\t"
				 ".endm\n"
				 "1:\n\t"
				 ".rept 16\n\tzero_line\n\t.endr\n\t"
				 "cmp %0, %1\n\tb.lo 1b\n\t"
				 ".purgem zero_line"
				 : "+r"(p)
				 : "r"(end), "r"(line)
				 : "cc", "memory");
	} else {
		for (; p < end; p += blk)
			zero_block_zva(p, blk, line);
	}
	dsb(sy);
}
