/*
 * Builder of the EL2 stage-1 identity map (4 KiB granule, 39-bit address
 * space starting at level 1). Pure logic with no system register access, so
 * the host unit tests run it and walk the result.
 */
#ifndef ARCH_PGTABLE_H
#define ARCH_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/mmu.h>

#define PT_ENTRIES 512
#define PT_VA_BITS 39

/* MAIR_EL2 attribute indexes. */
#define PT_ATTR_DEVICE 0 /* Device-nGnRE */
#define PT_ATTR_NORMAL 1 /* Normal, write-back, read/write-allocate */
#define PT_MAIR_VALUE 0x000000000000ff04UL

typedef uint64_t pt_table_t[PT_ENTRIES];

struct pt_pool {
	pt_table_t *tables;
	unsigned int nr;
	unsigned int used;
};

/* A zeroed table from the pool, or 0 when it is used up (boot only: the
 * pool is never given back). */
pt_table_t *pt_pool_take(struct pt_pool *pool);

/*
 * Fill a fresh root table from the pool: the ranges in ram[] (rounded out to
 * 2 MiB) become normal memory, the rest of the 39-bit space device memory
 * that is never executable. Returns the root table, or 0 if the pool is too
 * small or a range lies beyond the 39-bit space.
 */
pt_table_t *pt_build_identity(struct pt_pool *pool, const struct mem_range *ram,
			      unsigned int nr_ram);

/* What the tables say about one address; for tests and diagnostics. */
struct pt_lookup {
	bool mapped;
	uint64_t pa;
	unsigned int level;
	unsigned int attr;
	bool executable;
};
struct pt_lookup pt_walk(const pt_table_t *root, uint64_t va);

#endif
