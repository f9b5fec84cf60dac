/*
 * Stage-2 table builder (see arch/stage2.h).
 */
#include <arch/stage2.h>

#define DESC_VALID (1UL << 0)
#define DESC_TABLE (1UL << 1)
#define DESC_MEMATTR_NORMAL (0xfUL << 2) /* outer and inner write-back */
#define DESC_MEMATTR_DEVICE (0x1UL << 2) /* Device-nGnRE */
#define DESC_S2AP_RW (3UL << 6)
#define DESC_S2AP_RO (1UL << 6)
#define DESC_SH_INNER (3UL << 8)
#define DESC_AF (1UL << 10)
#define DESC_XN (2UL << 53) /* XN[1:0] = 0b10: never executable */
#define DESC_ADDR_MASK 0x0000fffffffff000UL

#define L1_SHIFT 30
#define L2_SHIFT 21
#define L3_SHIFT 12
#define SZ_2M (1UL << L2_SHIFT)
#define SZ_4K (1UL << L3_SHIFT)

pt_table_t *s2_create(struct pt_pool *pool)
{
	return pt_pool_take(pool);
}

/* The next-level table under *entry, made if there is none; NULL if the
 * pool is empty (*err = -2) or a block is in the way (*err = -1). */
static pt_table_t *next_table(struct pt_pool *pool, uint64_t *entry, int *err)
{
	pt_table_t *t;

	if (*entry & DESC_VALID) {
		if (!(*entry & DESC_TABLE)) {
			*err = -1; /* never remap silently */
			return 0;
		}
		return (pt_table_t *)(uintptr_t)(*entry & DESC_ADDR_MASK);
	}
	t = pt_pool_take(pool);
	if (!t) {
		*err = -2;
		return 0;
	}
	*entry = ((uint64_t)(uintptr_t)t & DESC_ADDR_MASK) | DESC_VALID | DESC_TABLE;
	return t;
}

int s2_map(struct pt_pool *pool, pt_table_t *root, ipaddr_t ipa_addr, paddr_t pa_addr,
	   uint64_t size, enum s2_attr attr)
{
	uint64_t ipa = ipa_bits(ipa_addr), pa = pa_bits(pa_addr);
	uint64_t leaf = DESC_VALID | DESC_AF;
	uint64_t off = 0;
	int err = 0;

	if ((ipa | pa | size) & (SZ_4K - 1) || size == 0 || ipa + size < ipa ||
	    ipa + size > (1UL << S2_IPA_BITS) || pa + size < pa || pa + size > (1UL << 48))
		return -1;
	if (attr == S2_DEVICE)
		leaf |= DESC_MEMATTR_DEVICE | DESC_XN | DESC_S2AP_RW;
	else
		leaf |= DESC_MEMATTR_NORMAL | DESC_SH_INNER;
	if (attr == S2_RAM || attr == S2_SHARED_RW)
		leaf |= DESC_S2AP_RW;
	else if (attr == S2_SHARED_RO)
		leaf |= DESC_S2AP_RO;
	if (attr == S2_SHARED_RW || attr == S2_SHARED_RO)
		leaf |= DESC_XN;

	while (off < size) {
		uint64_t a = ipa + off, p = pa + off;
		pt_table_t *l2 = next_table(pool, &(*root)[(a >> L1_SHIFT) & (PT_ENTRIES - 1)], &err);
		uint64_t *l2e;
		pt_table_t *l3;
		uint64_t *l3e;

		if (!l2)
			return err;
		l2e = &(*l2)[(a >> L2_SHIFT) & (PT_ENTRIES - 1)];
		/* 2 MiB blocks where both sides are aligned and enough is left;
		 * 4 KiB pages elsewhere (device registers). */
		if (!((a | p) & (SZ_2M - 1)) && size - off >= SZ_2M) {
			if (*l2e & DESC_VALID)
				return -1;
			*l2e = (p & DESC_ADDR_MASK) | leaf;
			off += SZ_2M;
			continue;
		}
		l3 = next_table(pool, l2e, &err);
		if (!l3)
			return err;
		l3e = &(*l3)[(a >> L3_SHIFT) & (PT_ENTRIES - 1)];
		if (*l3e & DESC_VALID)
			return -1;
		*l3e = (p & DESC_ADDR_MASK) | leaf | DESC_TABLE; /* a page: 0b11 at level 3 */
		off += SZ_4K;
	}
	return 0;
}

struct s2_lookup s2_walk(const pt_table_t *root, ipaddr_t ipa_addr)
{
	uint64_t ipa = ipa_bits(ipa_addr);
	struct s2_lookup r = { 0 };
	const pt_table_t *t = root;
	unsigned int shift = L1_SHIFT;
	uint64_t d;

	if (ipa >> S2_IPA_BITS)
		return r;
	for (unsigned int level = 1;; level++, shift -= 9) {
		d = (*t)[(ipa >> shift) & (PT_ENTRIES - 1)];
		if (!(d & DESC_VALID))
			return r;
		if (level == 3) {
			if (!(d & DESC_TABLE))
				return r; /* reserved at level 3 */
			break;
		}
		if (!(d & DESC_TABLE)) {
			if (level == 1)
				return r; /* 1 GiB blocks are never made */
			break;
		}
		t = (const pt_table_t *)(uintptr_t)(d & DESC_ADDR_MASK);
	}
	r.mapped = true;
	r.pa = pa_from((d & DESC_ADDR_MASK & ~((1UL << shift) - 1)) | (ipa & ((1UL << shift) - 1)));
	r.attr = ((d >> 2) & 0xf) == 0xf ? S2_RAM : S2_DEVICE;
	r.writable = (d & DESC_S2AP_RW) == DESC_S2AP_RW;
	r.executable = !(d & DESC_XN);
	return r;
}
