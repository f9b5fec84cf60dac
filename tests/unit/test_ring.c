/*
 * Unit tests for domains/runtime/ring.c: the single-producer single-consumer
 * rings in shared memory (format: core/abi/bulkhead/abi/ring.h).
 *
 * Both sides run in this one process, each with its own struct bh_ring
 * attached to the same region, which stands in for the shared memory. The
 * region is a heap block of exactly the size handed to bh_ring_attach, so
 * that ASan catches any access outside it; a test playing the hostile peer
 * writes the indices or a slot straight into the region.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <bulkhead/abi/ring.h>
#include "ring.h"

/* --- A ring: the region and both sides ------------------------------------------------ */

struct rig {
	uint8_t *mem;
	size_t size;
	struct bh_ring p, c;
};

static struct rig rig;

static volatile struct bh_ring_shared *sh(void)
{
	return (volatile struct bh_ring_shared *)rig.mem;
}

static volatile struct bh_ring_slot *raw_slot(uint32_t idx)
{
	return (volatile struct bh_ring_slot *)(rig.mem + BH_RING_HEADER_SIZE +
						(size_t)(idx & (rig.p.nr_slots - 1)) *
							rig.p.slot_size);
}

/* A zeroed region of exactly size bytes, 64-byte aligned, with the four
 * header words set to start (zero is a fresh ring). */
static uint8_t *region(size_t size, uint32_t start)
{
	void *m = NULL;

	free(rig.mem);
	assert_int_equal(posix_memalign(&m, 64, size), 0);
	memset(m, 0, size);
	rig.mem = m;
	rig.size = size;
	if (size >= BH_RING_HEADER_SIZE) {
		sh()->prod = sh()->cons = start;
		sh()->prod_event = sh()->cons_event = start;
	}
	return m;
}

/* A region for nr slots of slot_size bytes, both sides attached. */
static void rig_up(uint32_t nr, uint32_t slot_size, uint32_t start)
{
	region(BH_RING_HEADER_SIZE + (size_t)nr * slot_size, start);
	assert_int_equal(bh_ring_attach(&rig.p, rig.mem, rig.size, slot_size, BH_RING_PRODUCER),
			 BH_RING_OK);
	assert_int_equal(bh_ring_attach(&rig.c, rig.mem, rig.size, slot_size, BH_RING_CONSUMER),
			 BH_RING_OK);
	assert_int_equal(rig.p.nr_slots, nr);
	assert_int_equal(rig.c.nr_slots, nr);
}

static int teardown(void **state)
{
	(void)state;
	free(rig.mem);
	memset(&rig, 0, sizeof(rig));
	return 0;
}

/* Payload bytes that tell items apart: byte i of item id. */
static void fill(uint8_t *buf, uint32_t id, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(id * 31 + i * 7 + 1);
}

static void put_ok(uint32_t id, uint32_t len)
{
	uint8_t buf[4096];

	assert_true(len <= sizeof(buf));
	fill(buf, id, len);
	assert_int_equal(bh_ring_put(&rig.p, id, buf, len), BH_RING_OK);
}

static void get_expect(uint32_t id, uint32_t len)
{
	uint8_t buf[4096], want[4096];
	uint32_t got_id = ~id, got_len = ~len;

	assert_true(len <= sizeof(buf));
	fill(want, id, len);
	assert_int_equal(bh_ring_get(&rig.c, &got_id, buf, sizeof(buf), &got_len), BH_RING_OK);
	assert_int_equal(got_id, id);
	assert_int_equal(got_len, len);
	assert_memory_equal(buf, want, len);
}

static int get_status(void)
{
	uint8_t buf[4096];
	uint32_t id, len;

	return bh_ring_get(&rig.c, &id, buf, sizeof(buf), &len);
}

/* The side is broken: it says why, and every later operation fails. */
static void expect_broken_consumer(void)
{
	assert_true(rig.c.broken);
	assert_non_null(rig.c.why);
	assert_int_equal(get_status(), BH_RING_CORRUPT);
	assert_false(bh_ring_release(&rig.c));
	assert_true(bh_ring_wait_data(&rig.c)); /* do not sleep on it */
	assert_int_equal(get_status(), BH_RING_CORRUPT);
}

static void expect_broken_producer(void)
{
	uint8_t b[8] = { 0 };

	assert_true(rig.p.broken);
	assert_non_null(rig.p.why);
	assert_int_equal(bh_ring_put(&rig.p, 1, b, sizeof(b)), BH_RING_CORRUPT);
	assert_false(bh_ring_publish(&rig.p));
	assert_int_equal(bh_ring_space(&rig.p), BH_RING_CORRUPT);
	assert_true(bh_ring_wait_space(&rig.p));
	assert_int_equal(bh_ring_put(&rig.p, 1, b, 0), BH_RING_CORRUPT);
}

/* --- Attaching ------------------------------------------------------------------------ */

static void attach_bad_args(void **state)
{
	const uint32_t bad_sizes[] = { 0, 1, 8, 12, 15, 17, 24, 48, 100, 0x80000001u };
	struct bh_ring r;

	(void)state;
	region(BH_RING_HEADER_SIZE + 64 * 64 + 64, 0);
	assert_int_equal(bh_ring_attach(&r, NULL, 4096, 64, BH_RING_PRODUCER), BH_RING_BAD_ARG);
	assert_int_equal(bh_ring_attach(&r, NULL, 4096, 64, BH_RING_CONSUMER), BH_RING_BAD_ARG);
	for (size_t off = 1; off < 64; off += off < 8 ? 1 : 8)
		assert_int_equal(bh_ring_attach(&r, rig.mem + off, 4096, 64, BH_RING_PRODUCER),
				 BH_RING_BAD_ARG);
	assert_int_equal(bh_ring_attach(&r, rig.mem + 64, 4096, 64, BH_RING_PRODUCER), BH_RING_OK);
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
		if (bh_ring_attach(&r, rig.mem, 4096, bad_sizes[i], BH_RING_CONSUMER) !=
		    BH_RING_BAD_ARG)
			fail_msg("slot size %u accepted", bad_sizes[i]);
	/* Too small: under a header and two slots. */
	assert_int_equal(bh_ring_attach(&r, rig.mem, 0, 16, BH_RING_PRODUCER), BH_RING_BAD_ARG);
	assert_int_equal(bh_ring_attach(&r, rig.mem, 127, 16, BH_RING_PRODUCER), BH_RING_BAD_ARG);
	assert_int_equal(bh_ring_attach(&r, rig.mem, 128, 16, BH_RING_PRODUCER), BH_RING_BAD_ARG);
	assert_int_equal(bh_ring_attach(&r, rig.mem, 128 + 16, 16, BH_RING_PRODUCER),
			 BH_RING_BAD_ARG);
	assert_int_equal(bh_ring_attach(&r, rig.mem, 128 + 31, 16, BH_RING_PRODUCER),
			 BH_RING_BAD_ARG);
	assert_int_equal(bh_ring_attach(&r, rig.mem, 128 + 64 * 2 - 1, 64, BH_RING_CONSUMER),
			 BH_RING_BAD_ARG);
	/* A slot larger than the region. */
	assert_int_equal(bh_ring_attach(&r, rig.mem, rig.size, 1u << 31, BH_RING_CONSUMER),
			 BH_RING_BAD_ARG);
	/* Just big enough: two slots. */
	assert_int_equal(bh_ring_attach(&r, rig.mem, 128 + 32, 16, BH_RING_PRODUCER), BH_RING_OK);
	assert_int_equal(r.nr_slots, 2);
	assert_false(r.broken);
}

static void attach_rounds_slot_count_down(void **state)
{
	static const struct {
		size_t slots_room; /* bytes after the header */
		uint32_t slot_size, nr;
	} cases[] = {
		{ 2 * 16, 16, 2 },	   { 3 * 16, 16, 2 },	    { 4 * 16 - 1, 16, 2 },
		{ 4 * 16, 16, 4 },	   { 7 * 32, 32, 4 },	    { 8 * 32 + 31, 32, 8 },
		{ 15 * 64, 64, 8 },	   { 16 * 64, 64, 16 },     { 1000 * 16, 16, 512 },
		{ 4096 * 3, 4096, 2 },	   { 1023 * 16, 16, 512 },  { 1024 * 16, 16, 1024 },
	};
	struct bh_ring r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		region(BH_RING_HEADER_SIZE + cases[i].slots_room, 0);
		assert_int_equal(bh_ring_attach(&r, rig.mem, rig.size, cases[i].slot_size,
						BH_RING_PRODUCER),
				 BH_RING_OK);
		if (r.nr_slots != cases[i].nr)
			fail_msg("%zu bytes of %u-byte slots: %u slots, expected %u",
				 cases[i].slots_room, cases[i].slot_size, r.nr_slots, cases[i].nr);
		assert_int_equal(r.slot_size, cases[i].slot_size);
		assert_int_equal(bh_ring_payload_max(&r), cases[i].slot_size - 8);
	}
}

/* The slots beyond the rounded-down count are never touched, however often
 * the ring wraps. */
static void slots_past_the_rounded_count_untouched(void **state)
{
	const uint32_t ss = 32;
	size_t tail;

	(void)state;
	region(BH_RING_HEADER_SIZE + 7 * ss, 0);
	memset(rig.mem + BH_RING_HEADER_SIZE, 0x5a, 7 * ss);
	assert_int_equal(bh_ring_attach(&rig.p, rig.mem, rig.size, ss, BH_RING_PRODUCER), 0);
	assert_int_equal(bh_ring_attach(&rig.c, rig.mem, rig.size, ss, BH_RING_CONSUMER), 0);
	assert_int_equal(rig.p.nr_slots, 4);
	for (uint32_t i = 0; i < 50; i++) {
		int n = 0;

		while (n < 10 &&
		       bh_ring_put(&rig.p, i, "abcdefghijklmnopqrstuvwxyz", ss - 8) == BH_RING_OK)
			n++;
		assert_int_equal(n, 4);
		bh_ring_publish(&rig.p);
		while (n > -10 && get_status() == BH_RING_OK)
			n--;
		assert_int_equal(n, 0);
		bh_ring_release(&rig.c);
	}
	tail = BH_RING_HEADER_SIZE + 4 * ss;
	for (size_t i = tail; i < rig.size; i++)
		if (rig.mem[i] != 0x5a)
			fail_msg("byte %zu past the 4 slots written", i - tail);
}

/* Huge regions: the count is capped at 2^30 (indices are 32-bit). attach
 * reads only the header, so the region need not really be that big. */
static void attach_caps_slot_count(void **state)
{
	struct bh_ring r;

	(void)state;
	region(BH_RING_HEADER_SIZE, 0);
	assert_int_equal(bh_ring_attach(&r, rig.mem, BH_RING_HEADER_SIZE + (3ull << 31) * 16, 16,
					BH_RING_PRODUCER),
			 BH_RING_OK);
	assert_int_equal(r.nr_slots, 1u << 30);
}

static void payload_max(void **state)
{
	(void)state;
	rig_up(2, 16, 0);
	assert_int_equal(bh_ring_payload_max(&rig.p), 8);
	assert_int_equal(bh_ring_payload_max(&rig.c), 8);
	rig_up(4, 64, 0);
	assert_int_equal(bh_ring_payload_max(&rig.p), 56);
	rig_up(2, 4096, 0);
	assert_int_equal(bh_ring_payload_max(&rig.c), 4088);
}

/* Attaching to a ring in use picks up where the indices in shared memory
 * are, on both sides. */
static void attach_resumes_from_shared_indices(void **state)
{
	uint8_t pl[24];

	(void)state;
	region(BH_RING_HEADER_SIZE + 8 * 32, 0);
	sh()->prod = 13;
	sh()->cons = 10;
	/* Slots 10, 11, 12 (at 2, 3, 4) hold what an earlier producer wrote. */
	for (uint32_t i = 10; i < 13; i++) {
		volatile struct bh_ring_slot *s =
			(void *)(rig.mem + BH_RING_HEADER_SIZE + (i % 8) * 32);

		s->id = 100 + i;
		s->len = i;
		fill(pl, 100 + i, i);
		memcpy((void *)s->payload, pl, i);
	}
	assert_int_equal(bh_ring_attach(&rig.c, rig.mem, rig.size, 32, BH_RING_CONSUMER), 0);
	assert_int_equal(bh_ring_attach(&rig.p, rig.mem, rig.size, 32, BH_RING_PRODUCER), 0);
	assert_int_equal(bh_ring_space(&rig.p), 8 - 3);
	get_expect(110, 10);
	get_expect(111, 11);
	get_expect(112, 12);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	bh_ring_release(&rig.c);
	assert_int_equal(sh()->cons, 13);

	/* The producer goes on at 13, slot 5. */
	put_ok(7, 5);
	assert_int_equal(raw_slot(13)->id, 7);
	assert_true((uint8_t *)raw_slot(13) == rig.mem + BH_RING_HEADER_SIZE + 5 * 32);
	assert_int_equal(sh()->prod, 13); /* not yet published */
	bh_ring_publish(&rig.p);
	assert_int_equal(sh()->prod, 14);
	get_expect(7, 5);
}

static void attach_inconsistent_indices(void **state)
{
	static const struct {
		uint32_t prod, cons;
		bool ok;
	} cases[] = {
		{ 8, 0, true },		      { 9, 0, false },
		{ 0, 1, false },	      { 5, 6, false },
		{ 0x80000000u, 0, false },    { 0xffffffffu, 0, false },
		{ 4, 0xfffffffcu, true },     { 5, 0xfffffffcu, false },
		{ 0xfffffffcu, 4, false },    { 0x12345678u, 0x12345678u, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int role = BH_RING_PRODUCER; role <= BH_RING_CONSUMER; role++) {
			struct bh_ring r;
			int want = cases[i].ok ? BH_RING_OK : BH_RING_CORRUPT;
			int got;

			region(BH_RING_HEADER_SIZE + 8 * 32, 0);
			sh()->prod = cases[i].prod;
			sh()->cons = cases[i].cons;
			got = bh_ring_attach(&r, rig.mem, rig.size, 32, role);
			if (got != want)
				fail_msg("prod 0x%x cons 0x%x, %s: %d, expected %d",
					 cases[i].prod, cases[i].cons,
					 role == BH_RING_PRODUCER ? "producer" : "consumer", got,
					 want);
			assert_int_equal(r.broken, !cases[i].ok);
			if (!cases[i].ok) {
				uint32_t id, len;
				uint8_t b[24];

				assert_non_null(r.why);
				assert_int_equal(role == BH_RING_PRODUCER ?
							 bh_ring_put(&r, 1, b, 4) :
							 bh_ring_get(&r, &id, b, sizeof(b), &len),
						 BH_RING_CORRUPT);
			}
		}
}

static void roles_enforced(void **state)
{
	uint8_t b[16] = { 0 };
	uint32_t id, len;

	(void)state;
	rig_up(4, 32, 0);
	assert_int_equal(bh_ring_put(&rig.c, 1, b, 4), BH_RING_BAD_ARG);
	put_ok(1, 4);
	bh_ring_publish(&rig.p);
	assert_int_equal(bh_ring_get(&rig.p, &id, b, sizeof(b), &len), BH_RING_BAD_ARG);
	get_expect(1, 4);
}

/* --- Empty and full ------------------------------------------------------------------- */

static void get_on_empty(void **state)
{
	(void)state;
	rig_up(8, 32, 0);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	/* Written but not published: still empty for the consumer. */
	put_ok(1, 3);
	put_ok(2, 4);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	assert_int_equal(sh()->prod, 0);
	bh_ring_publish(&rig.p);
	assert_int_equal(sh()->prod, 2);
	get_expect(1, 3);
	/* More written, unpublished: the consumer takes what was published. */
	put_ok(3, 5);
	get_expect(2, 4);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	bh_ring_publish(&rig.p);
	get_expect(3, 5);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	assert_false(rig.c.broken);
}

static void fill_until_full(void **state)
{
	uint8_t b[24] = { 0 };

	(void)state;
	rig_up(8, 32, 0);
	assert_int_equal(bh_ring_space(&rig.p), 8);
	for (uint32_t i = 0; i < 8; i++) {
		put_ok(i, i);
		assert_int_equal(bh_ring_space(&rig.p), (int)(7 - i));
	}
	assert_int_equal(bh_ring_put(&rig.p, 99, b, 1), BH_RING_FULL);
	bh_ring_publish(&rig.p);
	assert_int_equal(bh_ring_put(&rig.p, 99, b, 1), BH_RING_FULL);

	/* Consumed but not released: not free yet. */
	get_expect(0, 0);
	get_expect(1, 1);
	assert_int_equal(bh_ring_put(&rig.p, 99, b, 1), BH_RING_FULL);
	assert_int_equal(bh_ring_space(&rig.p), 0);
	assert_int_equal(sh()->cons, 0);
	bh_ring_release(&rig.c);
	assert_int_equal(sh()->cons, 2);
	assert_int_equal(bh_ring_space(&rig.p), 2);
	put_ok(8, 8);
	put_ok(9, 9);
	assert_int_equal(bh_ring_put(&rig.p, 99, b, 1), BH_RING_FULL);
	assert_int_equal(bh_ring_space(&rig.p), 0);
	bh_ring_publish(&rig.p);
	for (uint32_t i = 2; i < 10; i++)
		get_expect(i, i);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	assert_int_equal(bh_ring_put(&rig.p, 99, b, 1), BH_RING_FULL);
	bh_ring_release(&rig.c);
	assert_int_equal(bh_ring_space(&rig.p), 8);
	assert_false(rig.p.broken);
	assert_false(rig.c.broken);
}

/* The smallest ring: two slots. */
static void two_slot_ring(void **state)
{
	uint8_t b[8] = { 0 };

	(void)state;
	rig_up(2, 16, 0);
	for (uint32_t round = 0; round < 10; round++) {
		put_ok(2 * round, 8);
		put_ok(2 * round + 1, round % 9);
		assert_int_equal(bh_ring_put(&rig.p, 0, b, 0), BH_RING_FULL);
		bh_ring_publish(&rig.p);
		get_expect(2 * round, 8);
		get_expect(2 * round + 1, round % 9);
		assert_int_equal(get_status(), BH_RING_EMPTY);
		bh_ring_release(&rig.c);
	}
}

/* --- Indices across 2^32 -------------------------------------------------------------- */

static void wraparound(void **state)
{
	uint32_t next_put = 0, next_get = 0, x = 12345;
	uint8_t b[24] = { 0 };

	(void)state;
	rig_up(8, 32, 0xfffffff0u);
	assert_int_equal(rig.p.mine, 0xfffffff0u);
	for (uint32_t round = 0; round < 200; round++) {
		uint32_t n_put, n_get;

		x = x * 1103515245 + 12345;
		n_put = (x >> 16) % 9;
		x = x * 1103515245 + 12345;
		n_get = (x >> 16) % 9;
		for (uint32_t i = 0; i < n_put; i++) {
			if (bh_ring_space(&rig.p) == 0) {
				assert_int_equal(bh_ring_put(&rig.p, 0, b, 0), BH_RING_FULL);
				break;
			}
			/* Where the slot lands: prod modulo the ring. */
			put_ok(next_put, next_put % 25);
			assert_int_equal(raw_slot(0xfffffff0u + next_put)->id, next_put);
			next_put++;
		}
		bh_ring_publish(&rig.p);
		assert_int_equal(sh()->prod, 0xfffffff0u + next_put);
		for (uint32_t i = 0; i < n_get; i++) {
			if (next_get == next_put) {
				assert_int_equal(get_status(), BH_RING_EMPTY);
				break;
			}
			get_expect(next_get, next_get % 25);
			next_get++;
		}
		bh_ring_release(&rig.c);
		assert_int_equal(sh()->cons, 0xfffffff0u + next_get);
	}
	assert_true(next_put > 0x20); /* well across 2^32 */
	assert_false(rig.p.broken);
	assert_false(rig.c.broken);
}

/* Full, empty and the notifications at the wrap itself. */
static void wraparound_at_the_boundary(void **state)
{
	uint8_t b[8] = { 0 };

	(void)state;
	rig_up(4, 16, 0xfffffffeu);
	assert_false(bh_ring_wait_data(&rig.c));
	for (uint32_t i = 0; i < 4; i++)
		put_ok(i, i);
	assert_int_equal(bh_ring_put(&rig.p, 9, b, 0), BH_RING_FULL);
	assert_true(bh_ring_publish(&rig.p)); /* 0xfffffffe -> 2 */
	assert_int_equal(sh()->prod, 2);
	assert_false(bh_ring_wait_space(&rig.p));
	get_expect(0, 0);
	get_expect(1, 1);
	get_expect(2, 2);
	assert_true(bh_ring_release(&rig.c)); /* 0xfffffffe -> 1 */
	assert_int_equal(sh()->cons, 1);
	put_ok(4, 4);
	put_ok(5, 5);
	put_ok(6, 6);
	assert_int_equal(bh_ring_put(&rig.p, 9, b, 0), BH_RING_FULL);
	assert_false(bh_ring_publish(&rig.p)); /* consumer did not re-arm */
	get_expect(3, 3);
	get_expect(4, 4);
	get_expect(5, 5);
	get_expect(6, 6);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	assert_false(bh_ring_release(&rig.c));
	assert_int_equal(sh()->cons, 5);
}

/* --- Payload sizes ---------------------------------------------------------------------- */

static void payload_lengths(void **state)
{
	uint8_t big[64], one = 0x77;

	(void)state;
	rig_up(4, 32, 0);
	memset(big, 0xee, sizeof(big));
	put_ok(1, 0);
	put_ok(2, 24);
	assert_int_equal(bh_ring_put(&rig.p, 3, big, 25), BH_RING_TOO_BIG);
	assert_int_equal(bh_ring_put(&rig.p, 3, big, 32), BH_RING_TOO_BIG);
	assert_int_equal(bh_ring_put(&rig.p, 3, big, 0xffffffffu), BH_RING_TOO_BIG);
	assert_int_equal(bh_ring_put(&rig.p, 3, big, 0x80000000u), BH_RING_TOO_BIG);
	/* Nothing was taken by the failed puts. */
	assert_int_equal(rig.p.mine, 2);
	assert_int_equal(bh_ring_space(&rig.p), 2);
	/* Zero length with a non-null pointer that must not be read. */
	assert_int_equal(bh_ring_put(&rig.p, 4, &one, 0), BH_RING_OK);
	bh_ring_publish(&rig.p);
	get_expect(1, 0);
	get_expect(2, 24);
	get_expect(4, 0);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	/* The full-size payload is all there in the slot. */
	assert_int_equal(raw_slot(1)->len, 24);
}

static void consumer_buffer_too_small(void **state)
{
	uint8_t buf[40], want[24];
	uint32_t id = 0xdead, len = 0;

	(void)state;
	rig_up(4, 32, 0);
	put_ok(5, 20);
	put_ok(6, 0);
	bh_ring_publish(&rig.p);
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(bh_ring_get(&rig.c, &id, buf, 19, &len), BH_RING_TOO_BIG);
	assert_int_equal(len, 20); /* how big a buffer it takes */
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xcc);
	assert_int_equal(bh_ring_get(&rig.c, &id, buf, 0, &len), BH_RING_TOO_BIG);
	assert_int_equal(len, 20);
	assert_int_equal(rig.c.mine, 0);
	assert_false(rig.c.broken);
	/* Not consumed: the same slot with a big enough buffer. */
	assert_int_equal(bh_ring_get(&rig.c, &id, buf, 20, &len), BH_RING_OK);
	assert_int_equal(id, 5);
	assert_int_equal(len, 20);
	fill(want, 5, 20);
	assert_memory_equal(buf, want, 20);
	assert_int_equal(buf[20], 0xcc);
	/* A zero-length payload fits a zero-length buffer. */
	assert_int_equal(bh_ring_get(&rig.c, &id, buf + 30, 0, &len), BH_RING_OK);
	assert_int_equal(id, 6);
	assert_int_equal(len, 0);
	assert_int_equal(get_status(), BH_RING_EMPTY);
}

/* --- Notification suppression ----------------------------------------------------------- */

static void need_notify_rule(void **state)
{
	static const struct {
		uint32_t event, new_idx, old_idx;
		bool want;
	} cases[] = {
		{ 5, 6, 5, true },			 /* event == old */
		{ 7, 8, 5, true },			 /* event == new - 1 */
		{ 8, 8, 5, false },			 /* event == new */
		{ 4, 8, 5, false },			 /* event == old - 1 */
		{ 9, 8, 5, false },			 /* event ahead */
		{ 5, 5, 5, false },			 /* nothing moved */
		{ 0, 0, 0, false },
		{ 0xffffffffu, 2, 0xfffffffeu, true },	 /* across 2^32 */
		{ 0, 2, 0xfffffffeu, true },
		{ 1, 2, 0xfffffffeu, true },
		{ 0xfffffffeu, 2, 0xfffffffeu, true },
		{ 2, 2, 0xfffffffeu, false },
		{ 0xfffffffdu, 2, 0xfffffffeu, false },
		{ 0xffffffffu, 0, 0xffffffffu, true },
		{ 0, 0, 0xffffffffu, false },
		{ 0xffffffffu, 0xffffffffu, 0xfffffffeu, false },
		{ 0x80000000u, 0x80000001u, 1, true },	 /* a long way */
		{ 0, 0x80000001u, 1, false },
		{ 0x80000001u, 0x80000001u, 1, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (bh_ring_need_notify(cases[i].event, cases[i].new_idx, cases[i].old_idx) !=
		    cases[i].want)
			fail_msg("event 0x%x, 0x%x -> 0x%x: expected %s", cases[i].event,
				 cases[i].old_idx, cases[i].new_idx,
				 cases[i].want ? "notify" : "no notify");
}

static void data_notifications(void **state)
{
	(void)state;
	rig_up(8, 32, 0);
	assert_false(bh_ring_wait_data(&rig.c)); /* empty: sleep */
	put_ok(1, 1);
	assert_true(bh_ring_publish(&rig.p)); /* wake it */
	put_ok(2, 2);
	assert_false(bh_ring_publish(&rig.p)); /* it has not re-armed */
	assert_false(bh_ring_publish(&rig.p)); /* nothing new */
	put_ok(3, 3);
	put_ok(4, 4);
	assert_false(bh_ring_publish(&rig.p));

	/* Re-arming with data there: do not sleep, and no wake-up follows. */
	assert_true(bh_ring_wait_data(&rig.c));
	put_ok(5, 5);
	assert_false(bh_ring_publish(&rig.p));
	get_expect(1, 1);
	get_expect(2, 2);
	assert_true(bh_ring_wait_data(&rig.c));
	get_expect(3, 3);
	get_expect(4, 4);
	get_expect(5, 5);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	bh_ring_release(&rig.c);

	/* Drained and re-armed: the next publish wakes it, once, however many
	 * slots it publishes. */
	assert_false(bh_ring_wait_data(&rig.c));
	assert_false(bh_ring_publish(&rig.p)); /* nothing new */
	put_ok(6, 6);
	put_ok(7, 7);
	put_ok(8, 8);
	assert_true(bh_ring_publish(&rig.p));
	put_ok(9, 9);
	assert_false(bh_ring_publish(&rig.p));

	/* Armed, then a put not yet published: wait_data still says sleep (the
	 * consumer cannot see it), and the publish wakes it. */
	for (uint32_t i = 6; i < 10; i++)
		get_expect(i, i);
	bh_ring_release(&rig.c);
	assert_false(bh_ring_wait_data(&rig.c));
	put_ok(10, 10);
	assert_false(bh_ring_wait_data(&rig.c));
	assert_true(bh_ring_publish(&rig.p));
	/* wait_data sees data published since the last get said empty. */
	get_expect(10, 10);
	assert_int_equal(get_status(), BH_RING_EMPTY);
	put_ok(11, 11);
	assert_false(bh_ring_publish(&rig.p));
	assert_true(bh_ring_wait_data(&rig.c));
	get_expect(11, 11);
}

static void space_notifications(void **state)
{
	uint8_t b[8] = { 0 };

	(void)state;
	rig_up(4, 32, 0);
	for (uint32_t i = 0; i < 4; i++)
		put_ok(i, i);
	bh_ring_publish(&rig.p);
	assert_int_equal(bh_ring_put(&rig.p, 9, b, 1), BH_RING_FULL);
	assert_false(bh_ring_wait_space(&rig.p)); /* full: sleep */
	get_expect(0, 0);
	assert_true(bh_ring_release(&rig.c)); /* wake the producer */
	get_expect(1, 1);
	assert_false(bh_ring_release(&rig.c)); /* it has not re-armed */
	assert_false(bh_ring_release(&rig.c)); /* nothing new */

	/* Space already there: do not sleep, and no wake-up follows. */
	assert_true(bh_ring_wait_space(&rig.p));
	get_expect(2, 2);
	assert_false(bh_ring_release(&rig.c));

	/* Full again, re-armed: the next release wakes it, once, however many
	 * slots it frees. */
	put_ok(4, 4);
	put_ok(5, 5);
	put_ok(6, 6);
	bh_ring_publish(&rig.p);
	assert_int_equal(bh_ring_put(&rig.p, 9, b, 1), BH_RING_FULL);
	assert_false(bh_ring_wait_space(&rig.p));
	assert_false(bh_ring_wait_space(&rig.p)); /* still full */
	get_expect(3, 3);
	get_expect(4, 4);
	get_expect(5, 5);
	assert_true(bh_ring_release(&rig.c));
	get_expect(6, 6);
	assert_false(bh_ring_release(&rig.c));

	/* Full, then the consumer frees slots before the producer arms: the
	 * producer must not sleep. */
	for (uint32_t i = 7; i < 11; i++)
		put_ok(i, i);
	bh_ring_publish(&rig.p);
	assert_int_equal(bh_ring_put(&rig.p, 9, b, 1), BH_RING_FULL);
	get_expect(7, 7);
	bh_ring_release(&rig.c);
	assert_true(bh_ring_wait_space(&rig.p));
	put_ok(11, 11);
	assert_int_equal(bh_ring_put(&rig.p, 9, b, 1), BH_RING_FULL);
}

/* --- A hostile producer, seen by the consumer ---------------------------------------- */

static void hostile_prod_backwards(void **state)
{
	(void)state;
	rig_up(8, 32, 0);
	for (uint32_t i = 0; i < 3; i++)
		put_ok(i, i);
	bh_ring_publish(&rig.p);
	for (uint32_t i = 0; i < 3; i++)
		get_expect(i, i);
	sh()->prod = 2;
	assert_int_equal(get_status(), BH_RING_CORRUPT);
	expect_broken_consumer();
	/* Even if it puts the index back. */
	sh()->prod = 3;
	assert_int_equal(get_status(), BH_RING_CORRUPT);
}

/* Backwards but still ahead of what the consumer took: seen when it re-reads. */
static void hostile_prod_backwards_behind_seen(void **state)
{
	(void)state;
	rig_up(8, 32, 0);
	for (uint32_t i = 0; i < 4; i++)
		put_ok(i, i);
	bh_ring_publish(&rig.p);
	get_expect(0, 0); /* the consumer saw prod = 4 */
	sh()->prod = 2;
	assert_true(bh_ring_wait_data(&rig.c)); /* re-reads: do not sleep */
	expect_broken_consumer();
}

static void hostile_prod_too_far_ahead(void **state)
{
	static const uint32_t ahead[] = { 9, 10, 16, 0x7fffffffu, 0x80000000u, 0xffffffffu };

	(void)state;
	for (size_t i = 0; i < sizeof(ahead) / sizeof(ahead[0]); i++) {
		rig_up(8, 32, 0xfffffffcu);
		put_ok(1, 1);
		bh_ring_publish(&rig.p);
		get_expect(1, 1);
		bh_ring_release(&rig.c);
		/* The consumer is at 0xfffffffd. */
		sh()->prod = 0xfffffffdu + ahead[i];
		if (get_status() != BH_RING_CORRUPT)
			fail_msg("producer %u ahead not seen", ahead[i]);
		expect_broken_consumer();
	}
	/* Exactly a ring ahead is a full ring. */
	rig_up(8, 32, 0xfffffffcu);
	for (uint32_t i = 0; i < 8; i++)
		put_ok(i, i);
	bh_ring_publish(&rig.p);
	assert_int_equal(sh()->prod, 4);
	for (uint32_t i = 0; i < 8; i++)
		get_expect(i, i);
	assert_false(rig.c.broken);
}

/* The same seen by wait_data (which re-reads the index too). */
static void hostile_prod_ahead_seen_by_wait_data(void **state)
{
	(void)state;
	rig_up(8, 32, 0);
	sh()->prod = 9;
	assert_true(bh_ring_wait_data(&rig.c));
	expect_broken_consumer();
}

static void hostile_slot_length(void **state)
{
	static const uint32_t lens[] = { 25, 26, 32, 33, 0x80000000u, 0xffffffffu };
	uint8_t buf[256];
	uint32_t id = 0x1111, len = 0x2222;

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		rig_up(4, 32, 0);
		put_ok(1, 4);
		put_ok(2, 4);
		bh_ring_publish(&rig.p);
		get_expect(1, 4);
		raw_slot(1)->len = lens[i];
		memset(buf, 0xcc, sizeof(buf));
		/* A buffer big enough for the lie, to see nothing is copied. */
		assert_int_equal(bh_ring_get(&rig.c, &id, buf, sizeof(buf), &len),
				 BH_RING_CORRUPT);
		for (size_t j = 0; j < sizeof(buf); j++)
			if (buf[j] != 0xcc)
				fail_msg("length 0x%x: byte %zu of the buffer written", lens[i], j);
		assert_int_equal(rig.c.mine, 1);
		expect_broken_consumer();
		/* Putting the length right does not mend the ring. */
		raw_slot(1)->len = 4;
		assert_int_equal(get_status(), BH_RING_CORRUPT);
	}
	/* The largest honest length is fine. */
	rig_up(4, 32, 0);
	put_ok(1, 4);
	bh_ring_publish(&rig.p);
	raw_slot(0)->len = 24;
	assert_int_equal(bh_ring_get(&rig.c, &id, buf, sizeof(buf), &len), BH_RING_OK);
	assert_int_equal(len, 24);
}

/* A length that fits the slot but not the buffer is TOO_BIG (the peer may
 * have lied, but within the slot), and the length said is the slot's. */
static void hostile_length_within_slot_too_big_for_buffer(void **state)
{
	uint8_t buf[8];
	uint32_t id, len = 0;

	(void)state;
	rig_up(4, 32, 0);
	put_ok(1, 4);
	bh_ring_publish(&rig.p);
	raw_slot(0)->len = 20;
	assert_int_equal(bh_ring_get(&rig.c, &id, buf, sizeof(buf), &len), BH_RING_TOO_BIG);
	assert_int_equal(len, 20);
	assert_false(rig.c.broken);
}

/* --- A hostile consumer, seen by the producer ----------------------------------------- */

static void hostile_cons_backwards(void **state)
{
	uint8_t b[8] = { 0 };

	(void)state;
	rig_up(8, 32, 0);
	for (uint32_t i = 0; i < 8; i++)
		put_ok(i, i);
	bh_ring_publish(&rig.p);
	get_expect(0, 0);
	get_expect(1, 1);
	get_expect(2, 2);
	bh_ring_release(&rig.c);
	assert_int_equal(bh_ring_space(&rig.p), 3); /* the producer saw cons = 3 */
	sh()->cons = 2;
	assert_int_equal(bh_ring_space(&rig.p), BH_RING_CORRUPT);
	expect_broken_producer();

	/* The same found by a put on a ring that looks full. */
	rig_up(8, 32, 0);
	for (uint32_t i = 0; i < 8; i++)
		put_ok(i, i);
	bh_ring_publish(&rig.p);
	get_expect(0, 0);
	bh_ring_release(&rig.c);
	put_ok(8, 8); /* saw cons = 1 */
	sh()->cons = 0;
	assert_int_equal(bh_ring_put(&rig.p, 9, b, 1), BH_RING_CORRUPT);
	assert_int_equal(raw_slot(9)->id, 1); /* slot 9 (= 1) not overwritten */
	expect_broken_producer();

	/* And by wait_space. */
	rig_up(8, 32, 0);
	for (uint32_t i = 0; i < 8; i++)
		put_ok(i, i);
	sh()->cons = 0xffffffffu;
	assert_true(bh_ring_wait_space(&rig.p));
	expect_broken_producer();
}

static void hostile_cons_past_prod(void **state)
{
	static const uint32_t past[] = { 1, 2, 8, 0x7fffffffu, 0x80000000u };
	uint8_t b[8] = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
		rig_up(8, 32, 0xfffffff8u);
		for (uint32_t j = 0; j < 8; j++)
			put_ok(j, j);
		bh_ring_publish(&rig.p); /* prod = 0 */
		sh()->cons = 0 + past[i];
		if (bh_ring_put(&rig.p, 9, b, 1) != BH_RING_CORRUPT)
			fail_msg("consumer %u past the producer not seen by put", past[i]);
		assert_int_equal(raw_slot(0)->id, 0); /* nothing overwritten */
		expect_broken_producer();

		rig_up(8, 32, 0xfffffff8u);
		put_ok(0, 0);
		bh_ring_publish(&rig.p);
		sh()->cons = 0xfffffff9u + past[i];
		if (bh_ring_space(&rig.p) != BH_RING_CORRUPT)
			fail_msg("consumer %u past the producer not seen by space", past[i]);
		expect_broken_producer();
	}
}

/* --- Findings: the index checks are looser than the ABI ------------------------------ */

/*
 * A producer more than nr_slots ahead of the consumer's *released* index
 * (sh->cons), while the consumer holds slots it took but has not released:
 * no honest producer gets there, and bh_ring_attach calls the same shared
 * state corrupt. (Found by this test: the check once used the consumer's
 * taken index instead.)
 */
static void hostile_prod_more_than_a_ring_ahead_of_released(void **state)
{
	struct bh_ring fresh;

	(void)state;
	rig_up(8, 32, 0);
	for (uint32_t i = 0; i < 8; i++)
		put_ok(i, i);
	bh_ring_publish(&rig.p);
	get_expect(0, 0);
	get_expect(1, 1); /* taken, not released: sh->cons = 0, mine = 2 */
	sh()->prod = 9;	  /* 9 > 0 + 8: no honest producer gets here */
	assert_int_equal(bh_ring_attach(&fresh, rig.mem, rig.size, 32, BH_RING_CONSUMER),
			 BH_RING_CORRUPT);
	for (uint32_t i = 2; i < 8; i++)
		get_expect(i, i);
	/* prod 9 is now read: 9 - sh->cons (0) = 9 > 8 slots. */
	assert_int_equal(get_status(), BH_RING_CORRUPT);
	assert_true(rig.c.broken);
}

/*
 * A consumer index past the *published* producer index, though within what
 * the producer has written: no honest consumer consumes a slot it cannot
 * see. Accepting it would let the producer overwrite its own unpublished
 * slot. (Found by this test: the check once used the written index.)
 */
static void hostile_cons_past_published_prod(void **state)
{
	struct bh_ring fresh;

	(void)state;
	rig_up(8, 32, 0);
	for (uint32_t i = 0; i < 8; i++)
		put_ok(i, i); /* written, none published: sh->prod = 0 */
	sh()->cons = 1;
	assert_int_equal(bh_ring_attach(&fresh, rig.mem, rig.size, 32, BH_RING_PRODUCER),
			 BH_RING_CORRUPT);
	assert_int_equal(bh_ring_space(&rig.p), BH_RING_CORRUPT);
	assert_true(rig.p.broken);
}

/* --- Randomized: one ring against a model FIFO ---------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * n) >> 32);
}

#define MODEL_MAX_SLOTS 16
#define MODEL_MAX_PAYLOAD 56
#define MODEL_Q (2 * MODEL_MAX_SLOTS) /* items in [released, written) fit */

struct model_item {
	uint32_t id, len;
	uint8_t data[MODEL_MAX_PAYLOAD];
};

/* What a side must get from the next notifying operation of its peer. */
enum arm { ARM_NONE, ARM_MUST, ARM_MAY };

struct model {
	uint32_t nr, max;
	uint32_t written, published, taken, released; /* free-running, as the ring */
	struct model_item q[MODEL_Q];                 /* by index % MODEL_Q */
	enum arm data_arm, space_arm;
	uint32_t next_id;
	unsigned long n_ops, n_put, n_full, n_get, n_empty, n_too_big, n_notify;
};

static void model_check_indices(const struct model *m)
{
	assert_int_equal(sh()->prod, m->published);
	assert_int_equal(sh()->cons, m->released);
	assert_false(rig.p.broken);
	assert_false(rig.c.broken);
}

static void model_put(struct model *m)
{
	struct model_item it;
	uint32_t r = rnd_below(16);
	int want, got;

	/* Mostly fitting lengths, the edges often, now and then too big. */
	it.len = r == 0 ? 0 : r == 1 ? m->max : r == 2 ? m->max + 1 + rnd_below(8) :
							   rnd_below(m->max + 1);
	it.id = m->next_id;
	for (uint32_t i = 0; i < it.len && i < MODEL_MAX_PAYLOAD; i += 8) {
		uint64_t v = rnd();

		memcpy(it.data + i, &v, it.len - i < 8 ? it.len - i : 8);
	}
	if (it.len > m->max)
		want = BH_RING_TOO_BIG;
	else if (m->written - m->released == m->nr)
		want = BH_RING_FULL;
	else
		want = BH_RING_OK;
	got = bh_ring_put(&rig.p, it.id, it.data, it.len);
	if (got != want)
		fail_msg("op %lu: put (len %u) with %u written, %u released: %d, expected %d",
			 m->n_ops, it.len, m->written, m->released, got, want);
	if (got == BH_RING_OK) {
		m->q[m->written % MODEL_Q] = it;
		m->written++;
		m->next_id++;
		m->n_put++;
	} else if (got == BH_RING_FULL) {
		m->n_full++;
	} else {
		m->n_too_big++;
	}
}

static void model_publish(struct model *m)
{
	bool moved = m->published != m->written, got = bh_ring_publish(&rig.p);

	if (!moved) {
		assert_false(got);
		return;
	}
	if (m->data_arm != ARM_MAY && got != (m->data_arm == ARM_MUST))
		fail_msg("op %lu: publish %u -> %u notified: %d, expected %d", m->n_ops,
			 m->published, m->written, got, m->data_arm == ARM_MUST);
	m->n_notify += got;
	m->data_arm = ARM_NONE;
	m->published = m->written;
}

static void model_get(struct model *m)
{
	uint8_t buf[MODEL_MAX_PAYLOAD + 8];
	uint32_t buflen = rnd_below(8) ? m->max : rnd_below(m->max + 1);
	uint32_t id = 0xdeadbeef, len = 0xdeadbeef;
	const struct model_item *it = &m->q[m->taken % MODEL_Q];
	int want, got;

	memset(buf, 0xa5, sizeof(buf));
	if (m->taken == m->published)
		want = BH_RING_EMPTY;
	else if (it->len > buflen)
		want = BH_RING_TOO_BIG;
	else
		want = BH_RING_OK;
	got = bh_ring_get(&rig.c, &id, buf, buflen, &len);
	if (got != want)
		fail_msg("op %lu: get with %u taken, %u published: %d, expected %d", m->n_ops,
			 m->taken, m->published, got, want);
	if (got == BH_RING_EMPTY) {
		m->n_empty++;
		return;
	}
	if (len != it->len)
		fail_msg("op %lu: item %u has length %u, expected %u", m->n_ops, it->id, len,
			 it->len);
	if (got == BH_RING_TOO_BIG) {
		m->n_too_big++;
		return;
	}
	if (id != it->id)
		fail_msg("op %lu: got item %u, expected %u", m->n_ops, id, it->id);
	if (memcmp(buf, it->data, len) != 0)
		fail_msg("op %lu: item %u (length %u) has the wrong bytes", m->n_ops, id, len);
	for (uint32_t i = len; i < sizeof(buf); i++)
		if (buf[i] != 0xa5)
			fail_msg("op %lu: item %u (length %u) wrote byte %u of the buffer",
				 m->n_ops, id, len, i);
	m->taken++;
	m->n_get++;
}

static void model_release(struct model *m)
{
	bool moved = m->released != m->taken, got = bh_ring_release(&rig.c);

	if (!moved) {
		assert_false(got);
		return;
	}
	if (m->space_arm != ARM_MAY && got != (m->space_arm == ARM_MUST))
		fail_msg("op %lu: release %u -> %u notified: %d, expected %d", m->n_ops,
			 m->released, m->taken, got, m->space_arm == ARM_MUST);
	m->n_notify += got;
	m->space_arm = ARM_NONE;
	m->released = m->taken;
}

static void model_wait_data(struct model *m)
{
	bool want = m->published != m->taken, got = bh_ring_wait_data(&rig.c);

	if (got != want)
		fail_msg("op %lu: wait_data with %u taken, %u published: %d", m->n_ops, m->taken,
			 m->published, got);
	/* Armed at the consumer's index: the publish that passes it notifies;
	 * if that is already behind, none does. */
	m->data_arm = got ? ARM_NONE : ARM_MUST;
}

static void model_wait_space(struct model *m)
{
	bool want = m->written - m->released < m->nr, got = bh_ring_wait_space(&rig.p);

	if (got != want)
		fail_msg("op %lu: wait_space with %u written, %u released: %d", m->n_ops,
			 m->written, m->released, got);
	/* Armed at the consumer index the producer last saw: if that is not
	 * stale, the next release notifies, if it is, none does; which, the
	 * model does not know when there was space. Asleep, it must be woken. */
	m->space_arm = got ? ARM_MAY : ARM_MUST;
}

static void model_space(struct model *m)
{
	int got = bh_ring_space(&rig.p);

	assert_int_equal(got, (int)(m->nr - (m->written - m->released)));
}

static void model_run(uint32_t nr, uint32_t slot_size, uint32_t start, unsigned long ops,
		      struct model *m)
{
	/* Weights: put, publish, get, release, wait_data, wait_space, space */
	unsigned int w[7] = { 0 };

	rig_up(nr, slot_size, start);
	memset(m, 0, sizeof(*m));
	m->nr = nr;
	m->max = slot_size - BH_RING_SLOT_HEADER;
	assert_true(m->max <= MODEL_MAX_PAYLOAD && nr <= MODEL_MAX_SLOTS);
	m->written = m->published = m->taken = m->released = start;
	/* A fresh ring has both event indices at the indices: both armed. */
	m->data_arm = m->space_arm = ARM_MUST;
	for (m->n_ops = 0; m->n_ops < ops; m->n_ops++) {
		uint32_t r, sum = 0;

		/* Every few thousand operations, a new mix: the ring drifts
		 * full, empty, or sits in between. */
		if (m->n_ops % 4096 == 0) {
			w[0] = 1 + rnd_below(40);
			w[1] = 1 + rnd_below(20);
			w[2] = 1 + rnd_below(40);
			w[3] = 1 + rnd_below(20);
			w[4] = rnd_below(6);
			w[5] = rnd_below(6);
			w[6] = rnd_below(3);
		}
		for (int i = 0; i < 7; i++)
			sum += w[i];
		r = rnd_below(sum);
		if (r < w[0])
			model_put(m);
		else if ((r -= w[0]) < w[1])
			model_publish(m);
		else if ((r -= w[1]) < w[2])
			model_get(m);
		else if ((r -= w[2]) < w[3])
			model_release(m);
		else if ((r -= w[3]) < w[4])
			model_wait_data(m);
		else if ((r -= w[4]) < w[5])
			model_wait_space(m);
		else
			model_space(m);
		if (m->n_ops % 1024 == 0)
			model_check_indices(m);
	}
	model_check_indices(m);
}

static void randomized_against_model(void **state)
{
	static const struct {
		uint32_t nr, slot_size, start, cross; /* an index the run must pass */
		unsigned long ops;
	} runs[] = {
		{ 8, 32, 0, 0x10000, 4000000 },
		{ 16, 64, 0xfffe0000u, 0, 3000000 },
		{ 2, 16, 0xfffff000u, 0, 1000000 },
		{ 4, 16, 0x7ffff000u, 0x80000000u, 1000000 },
	};
	const uint64_t seed = 0x5eed0b0c4ead2025ull;
	struct model m;
	unsigned long total = 0, puts = 0, fulls = 0, gets = 0, empties = 0, notifies = 0;
	clock_t t0 = clock();

	(void)state;
	rng_state = seed;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		model_run(runs[i].nr, runs[i].slot_size, runs[i].start, runs[i].ops, &m);
		total += m.n_ops;
		puts += m.n_put;
		fulls += m.n_full;
		gets += m.n_get;
		empties += m.n_empty;
		notifies += m.n_notify;
		print_message("  %u x %u bytes from 0x%x: %lu ops, %lu put, %lu full, %lu got, "
			      "%lu empty, %lu too big, %lu notifications\n",
			      runs[i].nr, runs[i].slot_size, runs[i].start, m.n_ops, m.n_put,
			      m.n_full, m.n_get, m.n_empty, m.n_too_big, m.n_notify);
		/* The run covered what it is for. */
		assert_true(m.n_full > 1000 && m.n_empty > 1000 && m.n_too_big > 1000);
		assert_true(m.n_put > runs[i].ops / 50);
		assert_true(m.written - runs[i].start > runs[i].cross - runs[i].start);
	}
	print_message("ring model: %lu operations (seed 0x%llx): %lu put, %lu full, %lu got, "
		      "%lu empty, %lu notifications, %.2f s\n",
		      total, (unsigned long long)seed, puts, fulls, gets, empties, notifies,
		      (double)(clock() - t0) / CLOCKS_PER_SEC);
	assert_true(total >= 2000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(attach_bad_args, teardown),
		cmocka_unit_test_teardown(attach_rounds_slot_count_down, teardown),
		cmocka_unit_test_teardown(slots_past_the_rounded_count_untouched, teardown),
		cmocka_unit_test_teardown(attach_caps_slot_count, teardown),
		cmocka_unit_test_teardown(payload_max, teardown),
		cmocka_unit_test_teardown(attach_resumes_from_shared_indices, teardown),
		cmocka_unit_test_teardown(attach_inconsistent_indices, teardown),
		cmocka_unit_test_teardown(roles_enforced, teardown),
		cmocka_unit_test_teardown(get_on_empty, teardown),
		cmocka_unit_test_teardown(fill_until_full, teardown),
		cmocka_unit_test_teardown(two_slot_ring, teardown),
		cmocka_unit_test_teardown(wraparound, teardown),
		cmocka_unit_test_teardown(wraparound_at_the_boundary, teardown),
		cmocka_unit_test_teardown(payload_lengths, teardown),
		cmocka_unit_test_teardown(consumer_buffer_too_small, teardown),
		cmocka_unit_test_teardown(need_notify_rule, teardown),
		cmocka_unit_test_teardown(data_notifications, teardown),
		cmocka_unit_test_teardown(space_notifications, teardown),
		cmocka_unit_test_teardown(hostile_prod_backwards, teardown),
		cmocka_unit_test_teardown(hostile_prod_backwards_behind_seen, teardown),
		cmocka_unit_test_teardown(hostile_prod_too_far_ahead, teardown),
		cmocka_unit_test_teardown(hostile_prod_ahead_seen_by_wait_data, teardown),
		cmocka_unit_test_teardown(hostile_slot_length, teardown),
		cmocka_unit_test_teardown(hostile_length_within_slot_too_big_for_buffer, teardown),
		cmocka_unit_test_teardown(hostile_cons_backwards, teardown),
		cmocka_unit_test_teardown(hostile_cons_past_prod, teardown),
		cmocka_unit_test_teardown(hostile_prod_more_than_a_ring_ahead_of_released, teardown),
		cmocka_unit_test_teardown(hostile_cons_past_published_prod, teardown),
		cmocka_unit_test_teardown(randomized_against_model, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
