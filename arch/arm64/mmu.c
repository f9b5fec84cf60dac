/*
 * Turns on the EL2 MMU with an identity map. Called twice on the boot CPU:
 * first with the MMU off and only the image and device tree known to be RAM
 * (enough to parse the device tree with caches on), then with the RAM the
 * device tree describes. Secondary CPUs reuse the final tables.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/pgtable.h>
#include <arch/sysreg.h>

/* Root + up to 2 second-level tables for the bootstrap map, and room for a
 * final map (root + 16 partly-filled gigabytes of RAM). */
#define PT_POOL_TABLES 20

static pt_table_t pt_tables[PT_POOL_TABLES] __attribute__((aligned(4096)));
static struct pt_pool pt_pool = { pt_tables, PT_POOL_TABLES, 0 };

/* Read by head.S's secondary path with the MMU off: mair, tcr, ttbr. */
uint64_t mmu_boot_params[3] __attribute__((aligned(64)));

void mmu_switch(uint64_t mair, uint64_t tcr, uint64_t ttbr);

extern char _text[], _end[];

static uint64_t tcr_value(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	uint64_t ps = parange > 5 ? 5 : parange;

	return (64 - PT_VA_BITS) /* T0SZ */ | (1UL << 8) /* IRGN0 WBWA */ |
	       (1UL << 10) /* ORGN0 WBWA */ | (3UL << 12) /* inner shareable */ |
	       (0UL << 14) /* 4 KiB granule */ | (ps << 16) | (1UL << 23) | (1UL << 31);
}

int arch_mmu_init(const struct mem_range *ram, unsigned int nr_ram)
{
	unsigned int mark = pt_pool.used;
	pt_table_t *root;

	/* The live tables stay intact while the new ones are built after them
	 * in the pool, which is sized for both maps. */
	/* The first time, the MMU is off and the image (relocated pointers,
	 * cleared .bss, these tables, the stacks) was written straight to
	 * memory: drop any stale cache lines the loader left for it, so that
	 * neither our loads nor the table walker see old data once caches
	 * are on. Only clean lines can exist: the loader must clean the image. */
	if (!(read_sysreg(sctlr_el2) & SCTLR_M))
		arch_dcache_invalidate(_text, (uint64_t)(_end - _text));
	root = pt_build_identity(&pt_pool, ram, nr_ram);
	if (!root) {
		pt_pool.used = mark;
		return -1;
	}

	mmu_boot_params[0] = PT_MAIR_VALUE;
	mmu_boot_params[1] = tcr_value();
	mmu_boot_params[2] = (uint64_t)root;
	/* Secondaries read these with their MMU off: make them visible in
	 * memory, not only in this CPU's cache. */
	arch_dcache_clean(pt_tables, sizeof(pt_tables));
	arch_dcache_clean(mmu_boot_params, sizeof(mmu_boot_params));
	mmu_switch(mmu_boot_params[0], mmu_boot_params[1], mmu_boot_params[2]);
	return 0;
}
