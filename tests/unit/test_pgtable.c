/*
 * Unit tests for arch/arm64/pgtable.c: the EL2 identity map builder, checked
 * by walking the tables it produces.
 *
 * On the host a table's "physical address" in a table descriptor is simply
 * its host pointer, which pt_walk follows back. That works because the pool
 * is a static, 4 KiB-aligned array and x86_64/arm64 user pointers fit the
 * descriptor's 48-bit address field (checked in the group setup).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <arch/pgtable.h>

#define SZ_2M 0x200000UL
#define SZ_1G 0x40000000UL
#define VA_LIMIT (1UL << PT_VA_BITS)

/* Descriptor bits, written out independently of pgtable.c. */
#define D_VALID (1UL << 0)
#define D_TABLE (1UL << 1)
#define D_ATTR_NORMAL ((uint64_t)PT_ATTR_NORMAL << 2)
#define D_SH_INNER (3UL << 8)
#define D_AF (1UL << 10)
#define D_XN (1UL << 54)

#define POOL_TABLES 8

static pt_table_t tables[POOL_TABLES] __attribute__((aligned(4096)));
static struct pt_pool pool;

static int check_pointers_fit(void **state)
{
	(void)state;
	/* The descriptor address field is bits [47:12]. */
	if ((uintptr_t)&tables[POOL_TABLES] >> 48) {
		print_error("table pool at %p does not fit a 48-bit descriptor address\n",
			    (void *)tables);
		return -1;
	}
	return 0;
}

/* A fresh pool of n tables, filled with garbage: pt_build_identity must
 * clear what it takes. */
static void pool_reset(unsigned int n)
{
	memset(tables, 0xa5, sizeof(tables));
	pool.tables = tables;
	pool.nr = n;
	pool.used = 0;
}

static int setup_full_pool(void **state)
{
	(void)state;
	pool_reset(POOL_TABLES);
	return 0;
}

/* Where va lands, as a one-line check with a useful failure line. */
#define EXPECT_MAP(root, va, want_level, want_attr)                                                \
	do {                                                                                       \
		struct pt_lookup l_ = pt_walk((root), (va));                                       \
		assert_true(l_.mapped);                                                            \
		assert_int_equal(l_.pa, (va)); /* identity */                                      \
		assert_int_equal(l_.level, (want_level));                                          \
		assert_int_equal(l_.attr, (want_attr));                                            \
		/* RAM is executable, device memory never. */                                      \
		assert_int_equal(l_.executable, (want_attr) == PT_ATTR_NORMAL);                    \
	} while (0)
#define EXPECT_RAM(root, va, level) EXPECT_MAP(root, va, level, PT_ATTR_NORMAL)
#define EXPECT_DEV(root, va, level) EXPECT_MAP(root, va, level, PT_ATTR_DEVICE)

static void ram_1g_aligned_one_block(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, ram, 1);
	assert_ptr_equal(root, &tables[0]);
	assert_int_equal(pool.used, 1); /* no level-2 table needed */

	/* The exact descriptors: a normal 1 GiB block (inner shareable,
	 * access flag set) and device blocks (execute-never) elsewhere. */
	assert_int_equal((*root)[1], 0x40000000UL | D_VALID | D_AF | D_ATTR_NORMAL | D_SH_INNER);
	assert_int_equal((*root)[0], 0x0UL | D_VALID | D_AF | D_XN);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if (i != 1)
			assert_int_equal((*root)[i], ((uint64_t)i << 30) | D_VALID | D_AF | D_XN);

	EXPECT_RAM(root, 0x40000000UL, 1);
	EXPECT_RAM(root, 0x40080000UL, 1);
	EXPECT_RAM(root, 0x7fffffffUL, 1);
	EXPECT_DEV(root, 0x0UL, 1);
	EXPECT_DEV(root, 0x08000000UL, 1); /* GIC */
	EXPECT_DEV(root, 0x09000000UL, 1); /* PL011 */
	EXPECT_DEV(root, 0x3fffffffUL, 1);
	EXPECT_DEV(root, 0x80000000UL, 1);
	EXPECT_DEV(root, 0x4010000000UL, 1); /* PCIe ECAM, above 4 GiB */
	EXPECT_DEV(root, VA_LIMIT - 1, 1);
}

static void outside_va_space_unmapped(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, ram, 1);
	assert_non_null(root);
	assert_false(pt_walk(root, VA_LIMIT).mapped);
	assert_false(pt_walk(root, VA_LIMIT + 0x40000000UL).mapped);
	assert_false(pt_walk(root, ~0UL).mapped);
}

static void ram_not_1g_aligned_uses_level2(void **state)
{
	/* QEMU-like RAM that ends inside a gigabyte: 0x40000000..0x7b400000. */
	const struct mem_range ram[] = { { 0x40000000, 0x3b400000 } };
	pt_table_t *root;
	uint64_t l1;

	(void)state;
	root = pt_build_identity(&pool, ram, 1);
	assert_ptr_equal(root, &tables[0]);
	assert_int_equal(pool.used, 2);

	/* Gigabyte 1 points to the second table of the pool. */
	l1 = (*root)[1];
	assert_int_equal(l1 & 3, D_VALID | D_TABLE);
	assert_int_equal(l1 & 0x0000fffffffff000UL, (uint64_t)(uintptr_t)&tables[1]);
	/* Its first entry: a normal 2 MiB block. */
	assert_int_equal(tables[1][0], 0x40000000UL | D_VALID | D_AF | D_ATTR_NORMAL | D_SH_INNER);

	EXPECT_RAM(root, 0x40000000UL, 2);
	EXPECT_RAM(root, 0x5a5a5a5aUL, 2);
	EXPECT_RAM(root, 0x7b3fffffUL, 2);
	EXPECT_DEV(root, 0x7b400000UL, 2);
	EXPECT_DEV(root, 0x7fe00000UL, 2);
	EXPECT_DEV(root, 0x7fffffffUL, 2);
	/* The neighbouring gigabytes stay whole device blocks. */
	EXPECT_DEV(root, 0x3fffffffUL, 1);
	EXPECT_DEV(root, 0x80000000UL, 1);
}

static void rounding_outward_to_2m(void **state)
{
	/* Neither end on a 2 MiB boundary: 0x40100000..0x7b500000 becomes
	 * 0x40000000..0x7b600000. */
	const struct mem_range ram[] = { { 0x40100000, 0x3b400000 } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, ram, 1);
	assert_non_null(root);
	EXPECT_RAM(root, 0x40000000UL, 2);
	EXPECT_RAM(root, 0x400fffffUL, 2);
	EXPECT_RAM(root, 0x7b5fffffUL, 2);
	EXPECT_DEV(root, 0x7b600000UL, 2);
	EXPECT_DEV(root, 0x3fffffffUL, 1);
}

static void tiny_range_maps_its_2m_block(void **state)
{
	const struct mem_range ram[] = { { 0x48000800, 0x100 } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, ram, 1);
	assert_non_null(root);
	assert_int_equal(pool.used, 2);
	EXPECT_DEV(root, 0x47ffffffUL, 2);
	EXPECT_RAM(root, 0x48000000UL, 2);
	EXPECT_RAM(root, 0x481fffffUL, 2);
	EXPECT_DEV(root, 0x48200000UL, 2);
}

static void two_ranges_raspberry_pi_4(void **state)
{
	/* A 4 GB Raspberry Pi 4: RAM below the VideoCore's carve-out, then from
	 * 1 GiB up to the peripherals at 0xfc000000. */
	const struct mem_range ram[] = { { 0x0, 0x3b400000 }, { 0x40000000, 0xbc000000 } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, ram, 2);
	assert_non_null(root);
	/* Root, and level-2 tables for the two partial gigabytes (0 and 3). */
	assert_int_equal(pool.used, 3);

	EXPECT_RAM(root, 0x0UL, 2);
	EXPECT_RAM(root, 0x3b3fffffUL, 2);
	EXPECT_DEV(root, 0x3b400000UL, 2);
	EXPECT_DEV(root, 0x3fffffffUL, 2);
	EXPECT_RAM(root, 0x40000000UL, 1);
	EXPECT_RAM(root, 0x80000000UL, 1);
	EXPECT_RAM(root, 0xbfffffffUL, 1);
	EXPECT_RAM(root, 0xc0000000UL, 2);
	EXPECT_RAM(root, 0xfbffffffUL, 2);
	EXPECT_DEV(root, 0xfc000000UL, 2);
	EXPECT_DEV(root, 0xfe201000UL, 2); /* the PL011 */
	EXPECT_DEV(root, 0xff841000UL, 2); /* the GIC-400 */
	EXPECT_DEV(root, 0x100000000UL, 1);
}

static void two_ranges_in_different_gigabytes(void **state)
{
	/* A second bank far above the first (unsorted on purpose). */
	const struct mem_range ram[] = { { 0x880000000UL, 0x80000000 }, { 0x80000000, SZ_1G } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, ram, 2);
	assert_non_null(root);
	assert_int_equal(pool.used, 1);
	EXPECT_DEV(root, 0x7fffffffUL, 1);
	EXPECT_RAM(root, 0x80000000UL, 1);
	EXPECT_DEV(root, 0xc0000000UL, 1);
	EXPECT_DEV(root, 0x87fffffffUL, 1);
	EXPECT_RAM(root, 0x880000000UL, 1);
	EXPECT_RAM(root, 0x8ffffffffUL, 1);
	EXPECT_DEV(root, 0x900000000UL, 1);
}

static void adjacent_ranges_fill_a_gigabyte(void **state)
{
	/* Two halves that exactly tile a gigabyte. Only a single range
	 * covering a whole gigabyte earns a 1 GiB block (so overlaps can never
	 * be counted twice); tiling ranges are mapped with 2 MiB blocks, all
	 * of them normal memory. */
	const struct mem_range ram[] = { { 0x40000000, 0x20000000 }, { 0x60000000, 0x20000000 } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, ram, 2);
	assert_non_null(root);
	assert_int_equal(pool.used, 2);
	EXPECT_RAM(root, 0x40000000UL, 2);
	EXPECT_RAM(root, 0x5fffffffUL, 2);
	EXPECT_RAM(root, 0x60000000UL, 2);
	EXPECT_RAM(root, 0x7fffffffUL, 2);
	EXPECT_DEV(root, 0x80000000UL, 1);
}

static void overlapping_ranges_partial_overlap(void **state)
{
	/* Overlapping ranges whose union is the whole gigabyte, but whose
	 * summed sizes are not 1 GiB: mapped through a level-2 table. */
	const struct mem_range ram[] = { { 0x40000000, 0x30000000 }, { 0x60000000, 0x20000000 } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, ram, 2);
	assert_non_null(root);
	EXPECT_RAM(root, 0x40000000UL, 2);
	EXPECT_RAM(root, 0x6fffffffUL, 2);
	EXPECT_RAM(root, 0x7fffffffUL, 2);
}

/* Regression: overlapping RAM ranges whose sizes add up to 1 GiB once made
 * the whole gigabyte normal, executable memory, non-RAM part included. */
static void overlapping_ranges_not_overcounted(void **state)
{
	/* The same 512 MiB bank listed twice (e.g. by two memory nodes). */
	const struct mem_range dup[] = { { 0x40000000, 0x20000000 }, { 0x40000000, 0x20000000 } };
	/* A bank and a sub-range of it: 768 MiB + 256 MiB. */
	const struct mem_range nested[] = { { 0x40000000, 0x30000000 },
					    { 0x50000000, 0x10000000 } };
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, dup, 2);
	assert_non_null(root);
	EXPECT_RAM(root, 0x40000000UL, 2);
	EXPECT_RAM(root, 0x5fffffffUL, 2);
	EXPECT_DEV(root, 0x60000000UL, 2); /* not RAM */

	root = pt_build_identity(&pool, nested, 2);
	assert_non_null(root);
	EXPECT_RAM(root, 0x6fffffffUL, 2);
	EXPECT_DEV(root, 0x70000000UL, 2); /* not RAM */
}

static void empty_ram_list(void **state)
{
	pt_table_t *root;

	(void)state;
	root = pt_build_identity(&pool, NULL, 0);
	assert_ptr_equal(root, &tables[0]);
	assert_int_equal(pool.used, 1);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		EXPECT_DEV(root, (uint64_t)i << 30, 1);
	EXPECT_DEV(root, 0x40000000UL, 1);
}

static void pool_too_small(void **state)
{
	const struct mem_range partial[] = { { 0x40000000, 0x3b400000 } };
	const struct mem_range two_partial[] = { { 0x0, 0x3b400000 }, { 0x40000000, 0xbc000000 } };

	(void)state;
	/* No table at all. */
	pool_reset(0);
	assert_null(pt_build_identity(&pool, NULL, 0));

	/* Root only, but a level-2 table is needed. */
	pool_reset(1);
	assert_null(pt_build_identity(&pool, partial, 1));

	/* Two needed level-2 tables, room for one. */
	pool_reset(2);
	assert_null(pt_build_identity(&pool, two_partial, 2));

	/* Exactly enough is enough. */
	pool_reset(2);
	assert_non_null(pt_build_identity(&pool, partial, 1));
	pool_reset(3);
	assert_non_null(pt_build_identity(&pool, two_partial, 2));
	assert_int_equal(pool.used, 3);
}

static void range_beyond_39_bits(void **state)
{
	const struct mem_range beyond[] = { { 0x40000000, SZ_1G }, { VA_LIMIT, SZ_1G } };
	const struct mem_range straddling[] = { { VA_LIMIT - SZ_1G, 2 * SZ_1G } };
	const struct mem_range wrapping[] = { { 0xffffffffffe00000UL, 0x400000 } };
	const struct mem_range last_gb[] = { { VA_LIMIT - SZ_1G, SZ_1G } };
	pt_table_t *root;

	(void)state;
	assert_null(pt_build_identity(&pool, beyond, 2));
	assert_null(pt_build_identity(&pool, straddling, 1));
	assert_null(pt_build_identity(&pool, wrapping, 1));

	/* Ending exactly at 2^39 is fine. */
	root = pt_build_identity(&pool, last_gb, 1);
	assert_non_null(root);
	EXPECT_RAM(root, VA_LIMIT - SZ_1G, 1);
	EXPECT_RAM(root, VA_LIMIT - 1, 1);
	EXPECT_DEV(root, VA_LIMIT - SZ_1G - 1, 1);
}

static void zero_size_range_rejected(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, SZ_1G }, { 0x80000000, 0 } };

	(void)state;
	/* The board code drops empty ranges; the builder refuses them. */
	assert_null(pt_build_identity(&pool, ram, 2));
}

static void second_build_keeps_first(void **state)
{
	/* arch_mmu_init builds the final map after the live bootstrap map in
	 * the same pool: the first tables must stay intact. */
	const struct mem_range boot[] = { { 0x40000000, 0x400000 } };
	const struct mem_range final[] = { { 0x40000000, 0x3b400000 } };
	pt_table_t *first, *second;

	(void)state;
	first = pt_build_identity(&pool, boot, 1);
	assert_ptr_equal(first, &tables[0]);
	assert_int_equal(pool.used, 2);
	second = pt_build_identity(&pool, final, 1);
	assert_ptr_equal(second, &tables[2]);
	assert_int_equal(pool.used, 4);

	EXPECT_RAM(first, 0x40200000UL, 2);
	EXPECT_DEV(first, 0x40400000UL, 2);
	EXPECT_RAM(second, 0x40400000UL, 2);
	EXPECT_DEV(second, 0x7b400000UL, 2);
}

static void walk_offsets_within_blocks(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, 0x3b400000 } };
	pt_table_t *root;
	struct pt_lookup l;

	(void)state;
	root = pt_build_identity(&pool, ram, 1);
	assert_non_null(root);
	/* The offset inside the block is kept, at both levels. */
	l = pt_walk(root, 0x401234abUL);
	assert_int_equal(l.pa, 0x401234abUL);
	l = pt_walk(root, 0x1234567890UL);
	assert_int_equal(l.pa, 0x1234567890UL);
	assert_int_equal(l.level, 1);
}

static void walk_stops_at_invalid_and_page_descriptors(void **state)
{
	/* Hand-made tables: pt_walk must not trust what it finds. */
	pt_table_t *root = &tables[0], *l2 = &tables[1];
	struct pt_lookup l;

	(void)state;
	memset(tables, 0, 2 * sizeof(pt_table_t));
	(*root)[1] = ((uint64_t)(uintptr_t)l2) | D_VALID | D_TABLE;
	(*l2)[0] = 0x40000000UL | D_VALID | D_TABLE; /* a page table: never used */
	(*l2)[1] = 0x40200000UL | D_VALID | D_AF | D_ATTR_NORMAL;

	l = pt_walk(root, 0x0); /* invalid level-1 entry */
	assert_false(l.mapped);
	l = pt_walk(root, 0x40000000UL); /* level-2 table descriptor */
	assert_false(l.mapped);
	l = pt_walk(root, 0x40400000UL); /* invalid level-2 entry */
	assert_false(l.mapped);
	l = pt_walk(root, 0x40200010UL);
	assert_true(l.mapped);
	assert_int_equal(l.level, 2);
	assert_int_equal(l.pa, 0x40200010UL);
	assert_int_equal(l.attr, PT_ATTR_NORMAL);
	assert_true(l.executable);
}

#define PT_TEST(f) cmocka_unit_test_setup(f, setup_full_pool)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PT_TEST(ram_1g_aligned_one_block),
		PT_TEST(outside_va_space_unmapped),
		PT_TEST(ram_not_1g_aligned_uses_level2),
		PT_TEST(rounding_outward_to_2m),
		PT_TEST(tiny_range_maps_its_2m_block),
		PT_TEST(two_ranges_raspberry_pi_4),
		PT_TEST(two_ranges_in_different_gigabytes),
		PT_TEST(adjacent_ranges_fill_a_gigabyte),
		PT_TEST(overlapping_ranges_partial_overlap),
		PT_TEST(overlapping_ranges_not_overcounted),
		PT_TEST(empty_ram_list),
		PT_TEST(pool_too_small),
		PT_TEST(range_beyond_39_bits),
		PT_TEST(zero_size_range_rejected),
		PT_TEST(second_build_keeps_first),
		PT_TEST(walk_offsets_within_blocks),
		PT_TEST(walk_stops_at_invalid_and_page_descriptors),
	};

	return cmocka_run_group_tests(tests, check_pointers_fit, NULL);
}
