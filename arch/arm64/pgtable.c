/*
 * EL2 identity-map builder. Block descriptors only: 1 GiB blocks where a
 * gigabyte is all RAM or all device space, 2 MiB blocks where it is mixed.
 * Nothing finer is needed for the hypervisor's own map, and it keeps the
 * table pool small and static.
 */
#include <arch/pgtable.h>

#define DESC_VALID (1UL << 0)
#define DESC_TABLE (1UL << 1) /* with VALID: next-level table */
#define DESC_ATTR(i) ((uint64_t)(i) << 2)
#define DESC_SH_INNER (3UL << 8)
#define DESC_AF (1UL << 10)
#define DESC_XN (1UL << 54) /* EL2 (non-VHE) has one execute-never bit */
#define DESC_ADDR_MASK 0x0000fffffffff000UL

#define L1_SHIFT 30
#define L2_SHIFT 21
#define SZ_2M (1UL << L2_SHIFT)
#define SZ_1G (1UL << L1_SHIFT)

static uint64_t block_desc(uint64_t pa, bool normal)
{
	uint64_t d = pa | DESC_VALID | DESC_AF;

	if (normal)
		d |= DESC_ATTR(PT_ATTR_NORMAL) | DESC_SH_INNER;
	else
		d |= DESC_ATTR(PT_ATTR_DEVICE) | DESC_XN;
	return d;
}

/*
 * How much of [base, base + size) the (2 MiB-rounded) RAM ranges cover:
 * 0 none, 1 part, 2 all. "All" only when a single range contains the whole
 * span: a span covered by several ranges answers "part" and is mapped at the
 * next level down, which is always right, where adding up lengths would
 * count overlapping ranges twice.
 */
static int ram_cover(const struct mem_range *ram, unsigned int nr_ram, uint64_t base, uint64_t size)
{
	int cover = 0;

	for (unsigned int i = 0; i < nr_ram; i++) {
		uint64_t lo = ram[i].base & ~(SZ_2M - 1);
		uint64_t hi = (ram[i].base + ram[i].size + SZ_2M - 1) & ~(SZ_2M - 1);

		if (hi <= base || lo >= base + size)
			continue;
		if (lo <= base && hi >= base + size)
			return 2;
		cover = 1;
	}
	return cover;
}

pt_table_t *pt_pool_take(struct pt_pool *pool)
{
	pt_table_t *t;

	if (pool->used >= pool->nr)
		return 0;
	t = &pool->tables[pool->used++];
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		(*t)[i] = 0;
	return t;
}

pt_table_t *pt_build_identity(struct pt_pool *pool, const struct mem_range *ram,
			      unsigned int nr_ram)
{
	pt_table_t *root;

	for (unsigned int i = 0; i < nr_ram; i++) {
		if (ram[i].size == 0 || ram[i].base + ram[i].size < ram[i].base ||
		    ram[i].base + ram[i].size > (1UL << PT_VA_BITS))
			return 0;
	}
	root = pt_pool_take(pool);
	if (!root)
		return 0;

	for (uint64_t i = 0; i < PT_ENTRIES; i++) {
		uint64_t gb = i << L1_SHIFT;
		int cover = ram_cover(ram, nr_ram, gb, SZ_1G);
		pt_table_t *l2;

		if (cover != 1) {
			(*root)[i] = block_desc(gb, cover == 2);
			continue;
		}
		l2 = pt_pool_take(pool);
		if (!l2)
			return 0;
		for (uint64_t j = 0; j < PT_ENTRIES; j++) {
			uint64_t mb = gb + (j << L2_SHIFT);

			(*l2)[j] = block_desc(mb, ram_cover(ram, nr_ram, mb, SZ_2M) != 0);
		}
		(*root)[i] = ((uint64_t)(uintptr_t)l2 & DESC_ADDR_MASK) | DESC_VALID | DESC_TABLE;
	}
	return root;
}

struct pt_lookup pt_walk(const pt_table_t *root, uint64_t va)
{
	struct pt_lookup r = { 0 };
	const pt_table_t *t = root;
	unsigned int shift = L1_SHIFT;

	if (va >> PT_VA_BITS)
		return r;
	for (unsigned int level = 1; level <= 2; level++, shift -= 9) {
		uint64_t d = (*t)[(va >> shift) & (PT_ENTRIES - 1)];

		if (!(d & DESC_VALID))
			return r;
		if (d & DESC_TABLE) {
			if (level == 2)
				return r; /* pages are never used */
			t = (const pt_table_t *)(uintptr_t)(d & DESC_ADDR_MASK);
			continue;
		}
		r.mapped = true;
		r.level = level;
		r.pa = (d & DESC_ADDR_MASK & ~((1UL << shift) - 1)) | (va & ((1UL << shift) - 1));
		r.attr = (unsigned int)((d >> 2) & 7);
		r.executable = !(d & DESC_XN);
		return r;
	}
	return r;
}
