/*
 * Unit tests for arch/arm64/stage2.c: the stage-2 (guest-physical to
 * physical) tables each partition runs in, checked by walking them and, in
 * places, by their exact descriptors.
 *
 * As in test_pgtable.c, a table's "physical address" in a table descriptor
 * is simply its host pointer: the pool is a static, 4 KiB-aligned array
 * whose addresses fit the descriptor's 48-bit address field (checked in the
 * group setup).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <arch/stage2.h>

#define SZ_2M 0x200000UL
#define SZ_16M 0x1000000UL
#define SZ_1G 0x40000000UL
#define IPA_LIMIT (1UL << S2_IPA_BITS)

/* Stage-2 descriptor bits (Arm ARM D8.3), written out independently of
 * stage2.c. */
#define D_VALID (1UL << 0)
#define D_TABLE (1UL << 1)
#define D_MEMATTR_NORMAL_WB (0xfUL << 2) /* MemAttr[3:0]: outer/inner write-back */
#define D_MEMATTR_DEVICE_nGnRE (0x1UL << 2)
#define D_S2AP_RW (3UL << 6)
#define D_S2AP_RO (1UL << 6)
#define D_SH_INNER (3UL << 8)
#define D_AF (1UL << 10)
#define D_XN (2UL << 53) /* XN[1:0] = 0b10: not executable at EL1 or EL0 */
#define D_ADDR 0x0000fffffffff000UL

#define D_RAM_BLOCK (D_VALID | D_MEMATTR_NORMAL_WB | D_S2AP_RW | D_SH_INNER | D_AF)
#define D_DEV_BLOCK (D_VALID | D_MEMATTR_DEVICE_nGnRE | D_S2AP_RW | D_AF | D_XN)
/* Shared memory (event pages, channel regions): normal write-back,
 * inner-shareable like RAM (atomics across cores need it), never
 * executable, read-only for an end that may not write. */
#define D_SHARED_RW_BLOCK (D_VALID | D_MEMATTR_NORMAL_WB | D_S2AP_RW | D_SH_INNER | D_AF | D_XN)
#define D_SHARED_RO_BLOCK (D_VALID | D_MEMATTR_NORMAL_WB | D_S2AP_RO | D_SH_INNER | D_AF | D_XN)

#define POOL_TABLES 8

static pt_table_t tables[POOL_TABLES] __attribute__((aligned(4096)));
static struct pt_pool pool;
static pt_table_t *root;

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

/* A fresh pool of n tables, filled with garbage: stage2.c must clear what
 * it takes. */
static void pool_reset(unsigned int n)
{
	memset(tables, 0xa5, sizeof(tables));
	pool.tables = tables;
	pool.nr = n;
	pool.used = 0;
}

/* Each test starts with a full pool and an empty root from it. */
static int setup_root(void **state)
{
	(void)state;
	pool_reset(POOL_TABLES);
	root = s2_create(&pool);
	return root ? 0 : -1;
}

static uint64_t table_desc(const pt_table_t *t)
{
	return (uint64_t)(uintptr_t)t | D_VALID | D_TABLE;
}

/* Where ipa lands: mapped to pa with these permissions. */
#define EXPECT_MAP(ipa, want_pa, want_attr)                                                        \
	do {                                                                                       \
		struct s2_lookup l_ = s2_walk(root, ipa_from((ipa)));                                        \
		assert_true(l_.mapped);                                                            \
		assert_int_equal(l_.pa.bits, (want_pa));                                                \
		assert_int_equal(l_.attr, (want_attr));                                            \
		assert_true(l_.writable);                                                          \
		/* RAM is executable, device memory never. */                                      \
		assert_int_equal(l_.executable, (want_attr) == S2_RAM);                            \
	} while (0)
#define EXPECT_RAM(ipa, pa) EXPECT_MAP(ipa, pa, S2_RAM)
#define EXPECT_DEV(ipa, pa) EXPECT_MAP(ipa, pa, S2_DEVICE)
#define EXPECT_UNMAPPED(ipa) assert_false(s2_walk(root, ipa_from((ipa))).mapped)

static void create_gives_empty_root(void **state)
{
	(void)state;
	/* setup_root took the first table and cleared the garbage. */
	assert_ptr_equal(root, &tables[0]);
	assert_int_equal(pool.used, 1);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		assert_int_equal((*root)[i], 0);
	EXPECT_UNMAPPED(0x0);
	EXPECT_UNMAPPED(0x40000000UL);
	EXPECT_UNMAPPED(IPA_LIMIT - 1);
}

static void map_ram(void **state)
{
	(void)state;
	/* 16 MiB of guest RAM at 1 GiB, backed by RAM at 34 GiB. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x880000000UL), SZ_16M, S2_RAM), 0);
	assert_int_equal(pool.used, 2);

	/* The exact descriptors: gigabyte 1 points to the pool's second
	 * table, whose first eight entries are 2 MiB normal-memory blocks. */
	assert_int_equal((*root)[1], table_desc(&tables[1]));
	assert_int_equal((*root)[0], 0);
	assert_int_equal((*root)[2], 0);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(tables[1][i], (0x880000000UL + i * SZ_2M) | D_RAM_BLOCK);
	for (unsigned int i = 8; i < PT_ENTRIES; i++)
		assert_int_equal(tables[1][i], 0);

	EXPECT_RAM(0x40000000UL, 0x880000000UL);
	EXPECT_RAM(0x40123456UL, 0x880123456UL); /* the offset in the block is kept */
	EXPECT_RAM(0x40ffffffUL, 0x880ffffffUL);
	EXPECT_UNMAPPED(0x41000000UL);
	EXPECT_UNMAPPED(0x3fffffffUL);
}

static void map_device_and_ram(void **state)
{
	(void)state;
	/* A UART and a GIC region in gigabyte 0, RAM in gigabyte 1. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x09000000UL), pa_from(0x09000000UL), SZ_2M, S2_DEVICE), 0);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x08000000UL), pa_from(0x2c000000UL), SZ_2M, S2_DEVICE), 0);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x60000000UL), SZ_16M, S2_RAM), 0);
	/* The two device blocks share gigabyte 0's table. */
	assert_int_equal(pool.used, 3);
	assert_int_equal(tables[1][0x09000000UL / SZ_2M], 0x09000000UL | D_DEV_BLOCK);

	EXPECT_DEV(0x09000000UL, 0x09000000UL);
	EXPECT_DEV(0x09000abcUL, 0x09000abcUL);
	EXPECT_DEV(0x081fffffUL, 0x2c1fffffUL);
	EXPECT_UNMAPPED(0x08200000UL);
	EXPECT_RAM(0x40000000UL, 0x60000000UL);
}

static void misaligned_rejected(void **state)
{
	(void)state;
	/* Each of ipa, pa and size off a 4 KiB boundary in turn. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000800UL), pa_from(0x80000000UL), SZ_2M, S2_RAM), -1);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x80000004UL), SZ_2M, S2_RAM), -1);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x80000000UL), 0x1800, S2_DEVICE), -1);
	/* Refused before anything is touched. */
	assert_int_equal(pool.used, 1);
	EXPECT_UNMAPPED(0x40000000UL);
}

/* Device registers come in 4 KiB pages: level-3 tables, never executable,
 * and a page or block is never mapped twice. */
static void pages_where_blocks_do_not_fit(void **state)
{
	struct s2_lookup l;

	(void)state;
	assert_int_equal(s2_map(&pool, root, ipa_from(0x09010000UL), pa_from(0x09010000UL), 0x1000, S2_DEVICE), 0);
	assert_int_equal(pool.used, 3); /* root, level 2, level 3 */
	l = s2_walk(root, ipa_from(0x09010ffcUL));
	assert_true(l.mapped);
	assert_int_equal(l.pa.bits, 0x09010ffcUL);
	assert_int_equal(l.attr, S2_DEVICE);
	assert_false(l.executable);
	EXPECT_UNMAPPED(0x09011000UL);
	EXPECT_UNMAPPED(0x0900f000UL);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x09010000UL), pa_from(0x0a000000UL), 0x1000, S2_DEVICE), -1);
	/* RAM off a 2 MiB boundary: 4 KiB pages, then blocks once aligned. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x401ff000UL), pa_from(0x801ff000UL), 0x201000, S2_RAM), 0);
	l = s2_walk(root, ipa_from(0x401ff008UL));
	assert_true(l.mapped);
	assert_int_equal(l.pa.bits, 0x801ff008UL);
	assert_int_equal(l.attr, S2_RAM);
	l = s2_walk(root, ipa_from(0x403fff00UL));
	assert_true(l.mapped);
	assert_int_equal(l.pa.bits, 0x803fff00UL);
	EXPECT_UNMAPPED(0x40400000UL);
	/* A page where a block is: refused. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40300000UL), pa_from(0x90000000UL), 0x1000, S2_RAM), -1);
}

static void size_zero_rejected(void **state)
{
	(void)state;
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x80000000UL), 0, S2_RAM), -1);
	assert_int_equal(pool.used, 1);
}

static void beyond_ipa_space_rejected(void **state)
{
	(void)state;
	/* Starting at 2^39, or crossing it. */
	assert_int_equal(s2_map(&pool, root, ipa_from(IPA_LIMIT), pa_from(0x80000000UL), SZ_2M, S2_RAM), -1);
	assert_int_equal(s2_map(&pool, root, ipa_from(IPA_LIMIT - SZ_2M), pa_from(0x80000000UL), 2 * SZ_2M, S2_RAM),
			 -1);
	/* ipa + size wraps around 2^64 (to 2 MiB, which is "below 2^39"). */
	assert_int_equal(s2_map(&pool, root, ipa_from(0xffffffffffe00000UL), pa_from(0x80000000UL), 2 * SZ_2M, S2_RAM),
			 -1);
	/* pa + size wraps. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0xffffffffffe00000UL), 2 * SZ_2M, S2_RAM),
			 -1);
	assert_int_equal(pool.used, 1);

	/* Ending exactly at 2^39 is fine: the last block of the space. */
	assert_int_equal(s2_map(&pool, root, ipa_from(IPA_LIMIT - SZ_2M), pa_from(0x80000000UL), SZ_2M, S2_RAM), 0);
	assert_int_equal((*root)[PT_ENTRIES - 1], table_desc(&tables[1]));
	EXPECT_RAM(IPA_LIMIT - 1, 0x801fffffUL);
	EXPECT_UNMAPPED(IPA_LIMIT);
}

static void remapping_rejected(void **state)
{
	(void)state;
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x80000000UL), 2 * SZ_2M, S2_RAM), 0);
	/* The same block again, a range starting on it, and the device
	 * attribute over it: never silently replaced. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x90000000UL), SZ_2M, S2_RAM), -1);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40200000UL), pa_from(0x90000000UL), 2 * SZ_2M, S2_RAM), -1);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x80000000UL), SZ_2M, S2_DEVICE), -1);
	/* The first mapping is what it was. */
	EXPECT_RAM(0x40000000UL, 0x80000000UL);
	EXPECT_RAM(0x403fffffUL, 0x803fffffUL);

	/* The block next to it is free to map. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40400000UL), pa_from(0x90000000UL), SZ_2M, S2_RAM), 0);
	EXPECT_RAM(0x40400000UL, 0x90000000UL);
}

static void pool_exhausted(void **state)
{
	(void)state;
	/* No table at all: no root. */
	pool_reset(0);
	assert_null(s2_create(&pool));

	/* Only the root: the first level-2 table is missing. */
	pool_reset(1);
	root = s2_create(&pool);
	assert_non_null(root);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x80000000UL), SZ_2M, S2_RAM), -2);

	/* Root and one level-2 table, for a range that needs two. */
	pool_reset(2);
	root = s2_create(&pool);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x7fe00000UL), pa_from(0x80000000UL), 2 * SZ_2M, S2_RAM), -2);
	assert_int_equal(pool.used, 2);

	/* Exactly enough is enough. */
	pool_reset(3);
	root = s2_create(&pool);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x7fe00000UL), pa_from(0x80000000UL), 2 * SZ_2M, S2_RAM), 0);
	assert_int_equal(pool.used, 3);
}

static void range_across_gigabytes_uses_two_tables(void **state)
{
	(void)state;
	/* 4 MiB straddling the 2 GiB boundary. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x7fe00000UL), pa_from(0x100000000UL), 2 * SZ_2M, S2_RAM), 0);
	assert_int_equal(pool.used, 3);
	assert_int_equal((*root)[1], table_desc(&tables[1]));
	assert_int_equal((*root)[2], table_desc(&tables[2]));
	/* The last entry of one table, the first of the next. */
	assert_int_equal(tables[1][PT_ENTRIES - 1], 0x100000000UL | D_RAM_BLOCK);
	assert_int_equal(tables[2][0], 0x100200000UL | D_RAM_BLOCK);

	EXPECT_UNMAPPED(0x7fdfffffUL);
	EXPECT_RAM(0x7fe00000UL, 0x100000000UL);
	EXPECT_RAM(0x7fffffffUL, 0x1001fffffUL);
	EXPECT_RAM(0x80000000UL, 0x100200000UL);
	EXPECT_RAM(0x801fffffUL, 0x1003fffffUL);
	EXPECT_UNMAPPED(0x80200000UL);
}

static void whole_gigabyte_fills_one_table(void **state)
{
	(void)state;
	assert_int_equal(s2_map(&pool, root, ipa_from(SZ_1G), pa_from(0x200000000UL), SZ_1G, S2_RAM), 0);
	assert_int_equal(pool.used, 2);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		assert_int_equal(tables[1][i], (0x200000000UL + i * SZ_2M) | D_RAM_BLOCK);
	EXPECT_RAM(2 * SZ_1G - 1, 0x200000000UL + SZ_1G - 1);
	EXPECT_UNMAPPED(2 * SZ_1G);
}

static void partitions_are_separate(void **state)
{
	pt_table_t *a = root, *b;

	(void)state;
	/* Two partitions' roots from one pool, the same IPA in each. */
	b = s2_create(&pool);
	assert_non_null(b);
	assert_int_equal(s2_map(&pool, a, ipa_from(0x40000000UL), pa_from(0x80000000UL), SZ_16M, S2_RAM), 0);
	assert_int_equal(s2_map(&pool, b, ipa_from(0x40000000UL), pa_from(0x81000000UL), SZ_16M, S2_RAM), 0);
	assert_int_equal(s2_walk(a, ipa_from(0x40000000UL)).pa.bits, 0x80000000UL);
	assert_int_equal(s2_walk(b, ipa_from(0x40000000UL)).pa.bits, 0x81000000UL);
	/* The device block mapped into b only is not in a. */
	assert_int_equal(s2_map(&pool, b, ipa_from(0x09000000UL), pa_from(0x09000000UL), SZ_2M, S2_DEVICE), 0);
	assert_true(s2_walk(b, ipa_from(0x09000000UL)).mapped);
	assert_false(s2_walk(a, ipa_from(0x09000000UL)).mapped);
}

static void unmapped_addresses(void **state)
{
	(void)state;
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40200000UL), pa_from(0x80000000UL), SZ_2M, S2_RAM), 0);
	EXPECT_UNMAPPED(0x0);			   /* no level-2 table for gigabyte 0 */
	EXPECT_UNMAPPED(0x401fffffUL);		   /* the block below, same table */
	EXPECT_UNMAPPED(0x40400000UL);		   /* the block above */
	EXPECT_UNMAPPED(0x7fffffffUL);		   /* the last block of that table */
	EXPECT_UNMAPPED(IPA_LIMIT);		   /* past the IPA space... */
	EXPECT_UNMAPPED(IPA_LIMIT + 0x40200000UL); /* ...even where it would alias */
	EXPECT_UNMAPPED(~0UL);
	/* An unmapped walk says nothing else. */
	assert_int_equal(s2_walk(root, ipa_from(0x0)).pa.bits, 0);
	assert_false(s2_walk(root, ipa_from(0x0)).writable);
	assert_false(s2_walk(root, ipa_from(0x0)).executable);
}

static void walk_stops_at_unexpected_descriptors(void **state)
{
	/* Hand-made tables: s2_walk must not trust what it finds. */
	pt_table_t *l2 = &tables[1], *l3 = &tables[2];
	struct s2_lookup l;

	(void)state;
	memset(l2, 0, sizeof(*l2));
	memset(l3, 0, sizeof(*l3));
	(*root)[0] = 0x0UL | D_RAM_BLOCK; /* a level-1 (1 GiB) block: never made */
	(*root)[1] = table_desc(l2);
	(*l2)[0] = table_desc(l3); /* a page table with a reserved entry and holes */
	(*l3)[0] = 0x70000000UL | D_VALID | D_S2AP_RW | D_AF; /* 0b01 at level 3: reserved */
	(*l2)[1] = 0x40200000UL | D_VALID | D_S2AP_RW | D_AF | D_MEMATTR_NORMAL_WB;
	/* Read-only device memory, executable (XN clear): what the walk
	 * reports is read from the descriptor, not assumed. */
	(*l2)[2] = 0x09000000UL | D_VALID | (1UL << 6) | D_AF | D_MEMATTR_DEVICE_nGnRE;

	EXPECT_UNMAPPED(0x0);
	EXPECT_UNMAPPED(0x40000000UL);
	l = s2_walk(root, ipa_from(0x40200010UL));
	assert_true(l.mapped);
	assert_int_equal(l.pa.bits, 0x40200010UL);
	assert_int_equal(l.attr, S2_RAM);
	assert_true(l.writable);
	assert_true(l.executable);
	l = s2_walk(root, ipa_from(0x40400020UL));
	assert_true(l.mapped);
	assert_int_equal(l.pa.bits, 0x09000020UL);
	assert_int_equal(l.attr, S2_DEVICE);
	assert_false(l.writable);
	assert_true(l.executable);
}

/* What s2_walk reports for shared memory: mapped, normal memory (which
 * the walk reports as S2_RAM), writable or not, never executable. */
static void expect_shared(uint64_t ipa, uint64_t pa, bool writable)
{
	struct s2_lookup l = s2_walk(root, ipa_from(ipa));

	assert_true(l.mapped);
	assert_int_equal(l.pa.bits, pa);
	assert_int_equal(l.attr, S2_RAM);
	assert_int_equal(l.writable, writable);
	assert_false(l.executable);
}

static void map_shared_rw_and_ro(void **state)
{
	pt_table_t *saved = root, *other;

	(void)state;
	/* A 2 MiB region both ends may write, in the hypervisor window at
	 * 64 GiB: one block. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x1000200000UL), pa_from(0x90000000UL), SZ_2M, S2_SHARED_RW),
			 0);
	assert_int_equal(pool.used, 2);
	assert_int_equal((*root)[64], table_desc(&tables[1]));
	assert_int_equal(tables[1][1], 0x90000000UL | D_SHARED_RW_BLOCK);
	expect_shared(0x1000200000UL, 0x90000000UL, true);
	expect_shared(0x10003ffff8UL, 0x901ffff8UL, true);
	EXPECT_UNMAPPED(0x1000400000UL);

	/* The same memory read-only at the other end (another root), 2 MiB
	 * blocks then a 4 KiB page. */
	other = s2_create(&pool);
	assert_non_null(other);
	assert_int_equal(s2_map(&pool, other, ipa_from(0x20000000UL), pa_from(0x90000000UL), SZ_2M + 0x1000,
				S2_SHARED_RO),
			 0);
	assert_int_equal(tables[3][0x20000000UL / SZ_2M], 0x90000000UL | D_SHARED_RO_BLOCK);
	root = other;
	expect_shared(0x20000000UL, 0x90000000UL, false);
	expect_shared(0x201fffffUL, 0x901fffffUL, false);
	expect_shared(0x20200abcUL, 0x90200abcUL, false); /* the page */
	EXPECT_UNMAPPED(0x20201000UL);
	root = saved;

	/* A single page of each (the event page): level 3, same attributes. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x1000000000UL), pa_from(0xa0000000UL), 0x1000, S2_SHARED_RW),
			 0);
	expect_shared(0x1000000008UL, 0xa0000008UL, true);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x1000001000UL), pa_from(0xa0001000UL), 0x1000, S2_SHARED_RO),
			 0);
	expect_shared(0x1000001ff8UL, 0xa0001ff8UL, false);
	EXPECT_UNMAPPED(0x1000002000UL);

	/* RAM next to it is still executable and writable. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x80000000UL), SZ_2M, S2_RAM), 0);
	EXPECT_RAM(0x40000000UL, 0x80000000UL);
	/* And shared memory is never mapped over what is there. */
	assert_int_equal(s2_map(&pool, root, ipa_from(0x40000000UL), pa_from(0x90000000UL), SZ_2M, S2_SHARED_RW), -1);
	assert_int_equal(s2_map(&pool, root, ipa_from(0x1000000000UL), pa_from(0x90000000UL), 0x1000, S2_SHARED_RO),
			 -1);
	EXPECT_RAM(0x40000000UL, 0x80000000UL);
	expect_shared(0x1000000000UL, 0xa0000000UL, true);
}

#define S2_TEST(f) cmocka_unit_test_setup(f, setup_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
		S2_TEST(create_gives_empty_root),
		S2_TEST(map_ram),
		S2_TEST(map_device_and_ram),
		S2_TEST(misaligned_rejected),
		S2_TEST(pages_where_blocks_do_not_fit),
		S2_TEST(size_zero_rejected),
		S2_TEST(beyond_ipa_space_rejected),
		S2_TEST(remapping_rejected),
		S2_TEST(pool_exhausted),
		S2_TEST(range_across_gigabytes_uses_two_tables),
		S2_TEST(whole_gigabyte_fills_one_table),
		S2_TEST(partitions_are_separate),
		S2_TEST(unmapped_addresses),
		S2_TEST(walk_stops_at_unexpected_descriptors),
		S2_TEST(map_shared_rw_and_ro),
	};

	return cmocka_run_group_tests(tests, check_pointers_fit, NULL);
}
