/*
 * Unit tests for core/memcarve.c: the free list that partition RAM is
 * carved from (board RAM minus the hypervisor, the device trees and the
 * reserved ranges), and taking pieces from it.
 *
 * The free list is checked as a set: the non-empty pieces, sorted by base.
 * The order memcarve keeps them in, and whether it keeps emptied pieces in
 * the list, is its own business.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/memcarve.h>

#define SZ_1M 0x100000UL
#define SZ_2M 0x200000UL
#define SZ_16M 0x1000000UL
#define SZ_1G 0x40000000UL

static struct memcarve mc;

static int by_base(const void *a, const void *b)
{
	const struct mem_range *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* The free list must be exactly want[0..n) (sorted by base). */
static void expect_free(const struct mem_range *want, unsigned int n)
{
	struct mem_range got[MEMCARVE_MAX_FREE];
	unsigned int nr = 0;

	assert_true(mc.nr_free <= MEMCARVE_MAX_FREE);
	for (unsigned int i = 0; i < mc.nr_free; i++)
		if (mc.free[i].size)
			got[nr++] = mc.free[i];
	qsort(got, nr, sizeof(got[0]), by_base);
	for (unsigned int i = 0; i < nr && i < n; i++) {
		if (got[i].base != want[i].base || got[i].size != want[i].size)
			fail_msg("free piece %u is 0x%lx+0x%lx, expected 0x%lx+0x%lx", i,
				 (unsigned long)got[i].base, (unsigned long)got[i].size,
				 (unsigned long)want[i].base, (unsigned long)want[i].size);
	}
	if (nr > n)
		fail_msg("%u free pieces, expected %u; the first extra one is 0x%lx+0x%lx", nr, n,
			 (unsigned long)got[n].base, (unsigned long)got[n].size);
	assert_int_equal(nr, n);
}

/* Junk first: memcarve_init must not depend on what was there. */
static int init(const struct mem_range *ram, unsigned int nr_ram, const struct mem_range *excl,
		unsigned int nr_excl)
{
	memset(&mc, 0xa5, sizeof(mc));
	return memcarve_init(&mc, ram, nr_ram, excl, nr_excl);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- Building the free list ---------------------------------------------------------- */

static void ram_without_exclusions(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };

	(void)state;
	assert_int_equal(init(ram, 1, NULL, 0), 0);
	expect_free(ram, 1);
	assert_int_equal(memcarve_largest(&mc), SZ_1G);
}

static void ram_shrinks_inward_to_2m(void **state)
{
	/* Neither end on a 2 MiB boundary: only whole blocks inside count. */
	const struct mem_range ram[] = { { 0x40100000, 0x3b400000 } };
	const struct mem_range want[] = { { 0x40200000, 0x7b400000 - 0x40200000 } };

	(void)state;
	assert_int_equal(init(ram, 1, NULL, 0), 0);
	expect_free(want, 1);
}

static void ram_without_a_whole_block_dropped(void **state)
{
	/* 2 MiB of RAM straddling a block boundary holds no whole block; nor
	 * does 1 MiB. */
	const struct mem_range ram[] = { { 0x40100000, SZ_2M }, { 0x50000000, SZ_1M } };

	(void)state;
	assert_int_equal(init(ram, 2, NULL, 0), 0);
	expect_free(NULL, 0);
	assert_int_equal(memcarve_largest(&mc), 0);
}

static void exclusion_grows_outward_to_2m(void **state)
{
	/* 4 KiB at 0x40300000 costs its whole block [0x40200000, 0x40400000). */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	const struct mem_range excl[] = { { 0x40300000, 0x1000 } };
	const struct mem_range want[] = { { 0x40000000, SZ_2M },
					  { 0x40400000, 0x80000000 - 0x40400000 } };

	(void)state;
	assert_int_equal(init(ram, 1, excl, 1), 0);
	expect_free(want, 2);
}

static void exclusion_straddling_blocks(void **state)
{
	/* 0x401ff000..0x40201000 touches two blocks: both go. */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	const struct mem_range excl[] = { { 0x401ff000, 0x2000 } };
	const struct mem_range want[] = { { 0x40400000, 0x80000000 - 0x40400000 } };

	(void)state;
	assert_int_equal(init(ram, 1, excl, 1), 0);
	expect_free(want, 1);
}

static void exclusions_at_both_ends_trim(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	const struct mem_range excl[] = { { 0x40000000, SZ_16M }, { 0x7ff00000, SZ_1M } };
	const struct mem_range want[] = { { 0x41000000, 0x7fe00000 - 0x41000000 } };

	(void)state;
	assert_int_equal(init(ram, 1, excl, 2), 0);
	expect_free(want, 1);
}

static void exclusion_covers_whole_range(void **state)
{
	/* The first bank goes entirely (the exclusion is larger on both
	 * sides); the second is untouched. */
	const struct mem_range ram[] = { { 0x40000000, SZ_16M }, { 0x80000000, SZ_16M } };
	const struct mem_range excl[] = { { 0x3f000000, 0x3000000 } };
	const struct mem_range want[] = { { 0x80000000, SZ_16M } };

	(void)state;
	assert_int_equal(init(ram, 2, excl, 1), 0);
	expect_free(want, 1);

	/* Exactly the range, and nothing else left: nothing to take. */
	assert_int_equal(init(ram, 1, ram, 1), 0);
	expect_free(NULL, 0);
	assert_int_equal(memcarve_largest(&mc), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_2M)), 0);
}

static void overlapping_exclusions(void **state)
{
	/* [16M, 48M) and [32M, 64M) from the base, and one inside the
	 * first: the union [16M, 64M) goes. */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	const struct mem_range excl[] = { { 0x41000000, 0x2000000 },
					  { 0x42000000, 0x2000000 },
					  { 0x41800000, 0x10000 } };
	const struct mem_range want[] = { { 0x40000000, SZ_16M },
					  { 0x44000000, 0x80000000 - 0x44000000 } };

	(void)state;
	assert_int_equal(init(ram, 1, excl, 3), 0);
	expect_free(want, 2);
}

static void exclusion_across_two_banks(void **state)
{
	/* Adjacent banks; the exclusion takes the top of one and the bottom
	 * of the other. */
	const struct mem_range ram[] = { { 0x40000000, 0x20000000 }, { 0x60000000, 0x20000000 } };
	const struct mem_range excl[] = { { 0x5ff00000, 0x200000 } };
	const struct mem_range want[] = { { 0x40000000, 0x5fe00000 - 0x40000000 },
					  { 0x60200000, 0x80000000 - 0x60200000 } };

	(void)state;
	assert_int_equal(init(ram, 2, excl, 1), 0);
	expect_free(want, 2);
}

static void exclusion_outside_ram_and_empty_exclusion(void **state)
{
	/* Outside RAM: no effect. Size 0: no effect either, even inside RAM
	 * (it does not cost its block). */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	const struct mem_range excl[] = { { 0x09000000, 0x1000 }, { 0x50000000, 0 } };

	(void)state;
	assert_int_equal(init(ram, 1, excl, 2), 0);
	expect_free(ram, 1);
}

static void qemu_virt_layout(void **state)
{
	/* QEMU virt, 1 GiB: the board device tree at the start of RAM, the
	 * hypervisor just above it with the plan inside its image. */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	const struct mem_range excl[] = { { 0x40080000, 0x36000 },
					  { 0x40000000, 0x100000 },
					  { 0x400a2000, 0x10000 } };
	const struct mem_range want[] = { { 0x40200000, 0x80000000 - 0x40200000 } };

	(void)state;
	assert_int_equal(init(ram, 1, excl, 3), 0);
	expect_free(want, 1);
	/* Two 16 MiB partitions, from the top down. */
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_16M)), 0x7f000000);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_16M)), 0x7e000000);
}

static void raspberry_pi_4_layout(void **state)
{
	/* 4 GB Pi 4: two banks, the first page reserved (spin tables). */
	const struct mem_range ram[] = { { 0x0, 0x3b400000 }, { 0x40000000, 0xbc000000 } };
	const struct mem_range excl[] = { { 0x0, 0x1000 } };
	const struct mem_range want[] = { { SZ_2M, 0x3b400000 - SZ_2M },
					  { 0x40000000, 0xbc000000 } };

	(void)state;
	assert_int_equal(init(ram, 2, excl, 1), 0);
	expect_free(want, 2);
	assert_int_equal(memcarve_largest(&mc), 0xbc000000);
}

/* --- Taking -------------------------------------------------------------------------- */

static void take_from_top_of_highest_piece(void **state)
{
	/* Listed high bank first, so "highest" cannot be "first" or "last". */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G },
					 { 0x880000000UL, 0x80000000 },
					 { 0x0, 0x20000000 } };
	const struct mem_range want[] = { { 0x0, 0x20000000 },
					  { 0x40000000, SZ_1G },
					  { 0x880000000UL, 0x80000000 - 2 * SZ_16M } };

	(void)state;
	assert_int_equal(init(ram, 3, NULL, 0), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_16M)), 0x8ff000000UL);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_16M)), 0x8fe000000UL);
	expect_free(want, 3);
}

static void take_skips_pieces_too_small(void **state)
{
	/* The highest piece has 16 MiB: a 32 MiB request comes from the top
	 * of the next one down, and the small piece stays whole. */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G }, { 0x100000000UL, SZ_16M } };
	const struct mem_range want[] = { { 0x40000000, SZ_1G - 0x2000000 },
					  { 0x100000000UL, SZ_16M } };

	(void)state;
	assert_int_equal(init(ram, 2, NULL, 0), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, 0x2000000)), 0x7e000000);
	expect_free(want, 2);
	/* 16 MiB does fit the high piece. */
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_16M)), 0x100000000UL);
}

static void take_whole_piece_then_nothing(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, SZ_16M } };

	(void)state;
	assert_int_equal(init(ram, 1, NULL, 0), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_16M)), 0x40000000);
	assert_int_equal(memcarve_largest(&mc), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_2M)), 0);
}

static void take_fitting_nowhere_returns_0(void **state)
{
	/* 48 MiB free in all, but no single piece of 32 MiB. */
	const struct mem_range ram[] = { { 0x40000000, SZ_16M },
					 { 0x50000000, SZ_16M },
					 { 0x60000000, SZ_16M } };

	(void)state;
	assert_int_equal(init(ram, 3, NULL, 0), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, 0x2000000)), 0);
	/* And the failure took nothing. */
	expect_free(ram, 3);
}

static void take_bad_sizes_return_0(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };

	(void)state;
	assert_int_equal(init(ram, 1, NULL, 0), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, 0)), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_1M)), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, 3 * SZ_1M)), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_16M + 0x1000)), 0);
	expect_free(ram, 1);
}

static void largest_piece(void **state)
{
	const struct mem_range ram[] = { { 0x40000000, SZ_16M },
					 { 0x80000000, 0x4000000 },
					 { 0x100000000UL, 0x2000000 } };

	(void)state;
	assert_int_equal(init(ram, 3, NULL, 0), 0);
	assert_int_equal(memcarve_largest(&mc), 0x4000000);
	/* Take 48 MiB of the 64 MiB piece: the 32 MiB one is now largest. */
	assert_int_equal(pa_bits(memcarve_take(&mc, 0x3000000)), 0x81000000);
	assert_int_equal(memcarve_largest(&mc), 0x2000000);

	/* No RAM at all. */
	assert_int_equal(init(NULL, 0, NULL, 0), 0);
	assert_int_equal(memcarve_largest(&mc), 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_2M)), 0);
}

/* --- The free list's size ------------------------------------------------------------ */

static void free_list_full_but_not_overflowing(void **state)
{
	struct mem_range ram[MEMCARVE_MAX_FREE], excl[MEMCARVE_MAX_FREE - 1];

	(void)state;
	/* 32 banks: exactly full. */
	for (unsigned int i = 0; i < MEMCARVE_MAX_FREE; i++)
		ram[i] = (struct mem_range){ 0x40000000 + i * SZ_16M, SZ_2M };
	assert_int_equal(init(ram, MEMCARVE_MAX_FREE, NULL, 0), 0);
	expect_free(ram, MEMCARVE_MAX_FREE);

	/* One bank of 63 blocks with a hole in every odd one: 31 splits,
	 * 32 pieces of one block each. */
	for (unsigned int i = 0; i < MEMCARVE_MAX_FREE - 1; i++)
		excl[i] = (struct mem_range){ 0x40000000 + (2 * i + 1) * SZ_2M, 0x1000 };
	ram[0] = (struct mem_range){ 0x40000000, (2 * MEMCARVE_MAX_FREE - 1) * SZ_2M };
	assert_int_equal(init(ram, 1, excl, MEMCARVE_MAX_FREE - 1), 0);
	assert_int_equal(memcarve_largest(&mc), SZ_2M);
	assert_int_equal(pa_bits(memcarve_take(&mc, 2 * SZ_2M)), 0);
}

static void free_list_overflow_from_ram(void **state)
{
	struct mem_range ram[MEMCARVE_MAX_FREE + 1];

	(void)state;
	for (unsigned int i = 0; i < MEMCARVE_MAX_FREE + 1; i++)
		ram[i] = (struct mem_range){ 0x40000000 + i * SZ_16M, SZ_2M };
	assert_int_equal(init(ram, MEMCARVE_MAX_FREE + 1, NULL, 0), -1);
	/* Banks too small to hold a block take no slot. */
	ram[MEMCARVE_MAX_FREE].size = SZ_1M;
	assert_int_equal(init(ram, MEMCARVE_MAX_FREE + 1, NULL, 0), 0);
}

static void free_list_overflow_from_splits(void **state)
{
	struct mem_range ram[1], excl[MEMCARVE_MAX_FREE];

	(void)state;
	/* 32 holes in one bank: 33 pieces. (What the list holds after the
	 * failure is not checked: the exclusion that overflowed, and those
	 * after it, are not applied.) */
	for (unsigned int i = 0; i < MEMCARVE_MAX_FREE; i++)
		excl[i] = (struct mem_range){ 0x40000000 + (2 * i + 1) * SZ_2M, 0x1000 };
	ram[0] = (struct mem_range){ 0x40000000, (2 * MEMCARVE_MAX_FREE + 1) * SZ_2M };
	assert_int_equal(init(ram, 1, excl, MEMCARVE_MAX_FREE), -1);
	assert_true(mc.nr_free <= MEMCARVE_MAX_FREE);
}

/* --- Ranges that wrap around the address space --------------------------------------- */

static void ram_wrapping_around_ignored(void **state)
{
	/* base + size overflows: not a range at all. */
	const struct mem_range ram[] = { { 0xffffffff00000000UL, 0x200000000UL },
					 { 0x40000000, SZ_16M } };
	const struct mem_range want[] = { { 0x40000000, SZ_16M } };

	(void)state;
	assert_int_equal(init(ram, 2, NULL, 0), 0);
	expect_free(want, 1);
}

static void exclusion_wrapping_around_removes_all_above(void **state)
{
	/* An exclusion from 0x60000000 whose end wraps: everything above its
	 * base goes, rather than nothing (which a wrapped end would mean). */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G }, { 0x880000000UL, SZ_1G } };
	const struct mem_range excl[] = { { 0x60000000, 0xffffffffa0001000UL } };
	const struct mem_range want[] = { { 0x40000000, 0x20000000 } };

	(void)state;
	assert_int_equal(init(ram, 2, excl, 1), 0);
	expect_free(want, 1);
}

static void exclusion_near_top_rounding_up_overflows(void **state)
{
	/* Its end does not wrap, but rounding it up to 2 MiB does: whatever
	 * memcarve makes of it, RAM far below is left alone. */
	const struct mem_range ram[] = { { 0x40000000, SZ_1G } };
	const struct mem_range excl[] = { { 0xffffffffffff0000UL, 0x1000 } };

	(void)state;
	assert_int_equal(init(ram, 1, excl, 1), 0);
	expect_free(ram, 1);
}

/*
 * Regression: rounding a RAM base in the last 2 MiB below 2^64 up to 2 MiB
 * once wrapped to 0 and made nearly the whole address space "free". Such a
 * range holds no whole 2 MiB block, so it gives nothing.
 */
static void ram_near_top_gives_nothing(void **state)
{
	const struct mem_range ram[] = { { 0xffffffffffff0000UL, 0x8000 } };

	(void)state;
	assert_int_equal(init(ram, 1, NULL, 0), 0);
	expect_free(NULL, 0);
	assert_int_equal(pa_bits(memcarve_take(&mc, SZ_16M)), 0);
}

/*
 * Regression: overlapping RAM ranges (the same bank in two memory nodes, or
 * a bank and part of it) were once free twice, so two partitions could get
 * the same physical RAM. These two tests show the two shapes of it.
 */
static void duplicate_ram_bank_handed_out_once(void **state)
{
	/* The same 512 MiB bank listed twice: 512 MiB may be taken once. */
	const struct mem_range ram[] = { { 0x40000000, 0x20000000 }, { 0x40000000, 0x20000000 } };
	uint64_t a, b;

	(void)state;
	assert_int_equal(init(ram, 2, NULL, 0), 0);
	a = pa_bits(memcarve_take(&mc, 0x20000000));
	assert_int_equal(a, 0x40000000);
	b = pa_bits(memcarve_take(&mc, 0x20000000));
	if (b)
		fail_msg("512 MiB of RAM handed out twice: at 0x%lx and 0x%lx", (unsigned long)a,
			 (unsigned long)b);
}

static void nested_ram_range_handed_out_once(void **state)
{
	/* A 768 MiB bank and a 256 MiB sub-range of it: three 256 MiB
	 * partitions fit, side by side, and not a fourth. */
	const struct mem_range ram[] = { { 0x40000000, 0x30000000 }, { 0x50000000, 0x10000000 } };
	uint64_t got[3];

	(void)state;
	assert_int_equal(init(ram, 2, NULL, 0), 0);
	for (unsigned int i = 0; i < 3; i++) {
		got[i] = pa_bits(memcarve_take(&mc, 0x10000000));
		assert_true(got[i] >= 0x40000000 && got[i] <= 0x60000000);
		for (unsigned int j = 0; j < i; j++)
			if (got[i] == got[j])
				fail_msg("256 MiB at 0x%lx handed out twice (takes %u and %u)",
					 (unsigned long)got[i], j, i);
	}
	assert_int_equal(pa_bits(memcarve_take(&mc, 0x10000000)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ram_without_exclusions),
		cmocka_unit_test(ram_shrinks_inward_to_2m),
		cmocka_unit_test(ram_without_a_whole_block_dropped),
		cmocka_unit_test(exclusion_grows_outward_to_2m),
		cmocka_unit_test(exclusion_straddling_blocks),
		cmocka_unit_test(exclusions_at_both_ends_trim),
		cmocka_unit_test(exclusion_covers_whole_range),
		cmocka_unit_test(overlapping_exclusions),
		cmocka_unit_test(exclusion_across_two_banks),
		cmocka_unit_test(exclusion_outside_ram_and_empty_exclusion),
		cmocka_unit_test(qemu_virt_layout),
		cmocka_unit_test(raspberry_pi_4_layout),
		cmocka_unit_test(take_from_top_of_highest_piece),
		cmocka_unit_test(take_skips_pieces_too_small),
		cmocka_unit_test(take_whole_piece_then_nothing),
		cmocka_unit_test(take_fitting_nowhere_returns_0),
		cmocka_unit_test(take_bad_sizes_return_0),
		cmocka_unit_test(largest_piece),
		cmocka_unit_test(free_list_full_but_not_overflowing),
		cmocka_unit_test(free_list_overflow_from_ram),
		cmocka_unit_test(free_list_overflow_from_splits),
		cmocka_unit_test(ram_wrapping_around_ignored),
		cmocka_unit_test(exclusion_wrapping_around_removes_all_above),
		cmocka_unit_test(exclusion_near_top_rounding_up_overflows),
		cmocka_unit_test(ram_near_top_gives_nothing),
		cmocka_unit_test(duplicate_ram_bank_handed_out_once),
		cmocka_unit_test(nested_ram_range_handed_out_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
