/*
 * Stage-2 table builder (see arch/stage2.h).
 */
#include <arch/stage2.h>

#define DESC_VALID (1UL << 0)
#define DESC_TABLE (1UL << 1)
#define DESC_MEMATTR_NORMAL (0xfUL << 2) /* outer and inner write-back */
#define DESC_MEMATTR_DEVICE (0x1UL << 2) /* Device-nGnRE */
#define DESC_S2AP_RW (3UL << 6)
#define DESC_SH_INNER (3UL << 8)
#define DESC_AF (1UL << 10)
#define DESC_XN (2UL << 53) /* XN[1:0] = 0b10: never executable */
#define DESC_ADDR_MASK 0x0000fffffffff000UL

#define L1_SHIFT 30
#define L2_SHIFT 21
#define SZ_2M (1UL << L2_SHIFT)

static pt_table_t *take(struct pt_pool *pool)
{
	pt_table_t *t;

	if (pool->used >= pool->nr)
		return 0;
	t = &pool->tables[pool->used++];
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		(*t)[i] = 0;
	return t;
}

pt_table_t *s2_create(struct pt_pool *pool)
{
	return take(pool);
}

int s2_map(struct pt_pool *pool, pt_table_t *root, uint64_t ipa, uint64_t pa, uint64_t size,
	   enum s2_attr attr)
{
	uint64_t leaf = DESC_VALID | DESC_S2AP_RW | DESC_AF;

	if ((ipa | pa | size) & (SZ_2M - 1) || size == 0 || ipa + size < ipa ||
	    ipa + size > (1UL << S2_IPA_BITS) || pa + size < pa)
		return -1;
	if (attr == S2_RAM)
		leaf |= DESC_MEMATTR_NORMAL | DESC_SH_INNER;
	else
		leaf |= DESC_MEMATTR_DEVICE | DESC_XN;

	for (uint64_t off = 0; off < size; off += SZ_2M) {
		uint64_t *l1e = &(*root)[((ipa + off) >> L1_SHIFT) & (PT_ENTRIES - 1)];
		pt_table_t *l2;
		uint64_t *l2e;

		if (!(*l1e & DESC_VALID)) {
			l2 = take(pool);
			if (!l2)
				return -2;
			*l1e = ((uint64_t)(uintptr_t)l2 & DESC_ADDR_MASK) | DESC_VALID | DESC_TABLE;
		}
		l2 = (pt_table_t *)(uintptr_t)(*l1e & DESC_ADDR_MASK);
		l2e = &(*l2)[((ipa + off) >> L2_SHIFT) & (PT_ENTRIES - 1)];
		if (*l2e & DESC_VALID)
			return -1; /* never remap silently */
		*l2e = ((pa + off) & DESC_ADDR_MASK) | leaf;
	}
	return 0;
}

struct s2_lookup s2_walk(const pt_table_t *root, uint64_t ipa)
{
	struct s2_lookup r = { 0 };
	uint64_t d;
	const pt_table_t *l2;

	if (ipa >> S2_IPA_BITS)
		return r;
	d = (*root)[(ipa >> L1_SHIFT) & (PT_ENTRIES - 1)];
	if (!(d & DESC_VALID) || !(d & DESC_TABLE))
		return r;
	l2 = (const pt_table_t *)(uintptr_t)(d & DESC_ADDR_MASK);
	d = (*l2)[(ipa >> L2_SHIFT) & (PT_ENTRIES - 1)];
	if (!(d & DESC_VALID) || (d & DESC_TABLE))
		return r;
	r.mapped = true;
	r.pa = (d & DESC_ADDR_MASK & ~(SZ_2M - 1)) | (ipa & (SZ_2M - 1));
	r.attr = ((d >> 2) & 0xf) == 0xf ? S2_RAM : S2_DEVICE;
	r.writable = (d & DESC_S2AP_RW) == DESC_S2AP_RW;
	r.executable = !(d & DESC_XN);
	return r;
}
