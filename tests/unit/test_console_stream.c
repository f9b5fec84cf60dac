/*
 * Unit tests for core/console_stream.c (records in a bounded ring) and
 * core/console_focus.c (the input focus and its Ctrl-A key).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/console_focus.h>
#include <bulkhead/console_stream.h>

static char buf[256];
static struct console_stream s;

static int setup(void **state)
{
	(void)state;
	stream_init(&s, buf, sizeof(buf));
	return 0;
}

static void put_str(uint32_t seq, const char *t)
{
	stream_put(&s, seq, t, (uint32_t)strlen(t));
}

static void peek_pop_in_order(void **state)
{
	char out[32];
	uint32_t seq;

	(void)state;
	put_str(7, "one");
	put_str(9, "two");
	assert_true(stream_waiting(&s));
	assert_int_equal(stream_oldest_seq(&s), 7);
	assert_int_equal(stream_peek(&s, &seq, out, sizeof(out)), 3);
	assert_int_equal(seq, 7);
	assert_memory_equal(out, "one", 3);
	assert_false(stream_pop(&s, 9)); /* not the oldest: nothing changes */
	assert_true(stream_pop(&s, 7));
	assert_int_equal(stream_peek(&s, &seq, out, 2), 3); /* cut to the buffer */
	assert_int_equal(seq, 9);
	assert_memory_equal(out, "tw", 2);
	assert_true(stream_pop(&s, 9));
	assert_false(stream_waiting(&s));
	assert_int_equal(stream_peek(&s, &seq, out, sizeof(out)), -1);
}

static void full_drops_history_first_then_counts(void **state)
{
	char line[40], out[32];
	uint32_t seq, unsent = 0;

	(void)state;
	memset(line, 'x', sizeof(line));
	/* 46 bytes a record: five fit in 256. */
	for (uint32_t i = 0; i < 5; i++)
		unsent += stream_put(&s, i, line, sizeof(line));
	assert_int_equal(unsent, 0);
	assert_true(stream_pop(&s, 0));
	assert_true(stream_pop(&s, 1));
	/* The two that went out make room first, uncounted... */
	unsent += stream_put(&s, 5, line, sizeof(line));
	unsent += stream_put(&s, 6, line, sizeof(line));
	assert_int_equal(unsent, 0);
	assert_int_equal(s.dropped, 0);
	/* ...then the oldest waiting go, counted. */
	unsent += stream_put(&s, 7, line, sizeof(line));
	unsent += stream_put(&s, 8, line, sizeof(line));
	assert_int_equal(unsent, 2);
	assert_int_equal(s.dropped, 2);
	stream_peek(&s, &seq, out, sizeof(out));
	assert_int_equal(seq, 4);
}

static void last_lines_oldest_first(void **state)
{
	char out[64];

	(void)state;
	put_str(1, "a");
	put_str(2, "bb");
	stream_pop(&s, 1); /* gone out: still history */
	put_str(3, "ccc");
	assert_int_equal(stream_last(&s, 2, out, sizeof(out)), 7);
	assert_string_equal(out, "bb\nccc\n");
	assert_int_equal(stream_last(&s, 10, out, sizeof(out)), 9);
	assert_string_equal(out, "a\nbb\nccc\n");
	/* What does not fit leaves out the oldest. */
	assert_int_equal(stream_last(&s, 10, out, 6), 4);
	assert_string_equal(out, "ccc\n");
}

static void wraps_around(void **state)
{
	char out[32];
	uint32_t seq;

	(void)state;
	for (uint32_t i = 0; i < 100; i++) {
		char t[8] = "n00";

		t[1] = (char)('0' + i / 10);
		t[2] = (char)('0' + i % 10);
		put_str(i, t);
		assert_int_equal(stream_peek(&s, &seq, out, sizeof(out)), 3);
		assert_int_equal(seq, i);
		assert_memory_equal(out, t, 3);
		assert_true(stream_pop(&s, i));
	}
}

/* --- The focus --------------------------------------------------------- */

static char given[4][64];
static unsigned int given_len[4], room_left[4], moved_to = 99;

static unsigned int room(unsigned int id, void *ctx)
{
	(void)ctx;
	return room_left[id];
}

static void give(unsigned int id, const char *t, unsigned int n, void *ctx)
{
	(void)ctx;
	memcpy(given[id] + given_len[id], t, n);
	given_len[id] += n;
	room_left[id] -= n;
}

static void moved(unsigned int id, void *ctx)
{
	(void)ctx;
	moved_to = id;
}

static const struct focus_ops ops = { room, give, moved };

static int focus_setup(void **state)
{
	(void)state;
	memset(given, 0, sizeof(given));
	memset(given_len, 0, sizeof(given_len));
	for (unsigned int i = 0; i < 4; i++)
		room_left[i] = 32;
	moved_to = 99;
	return 0;
}

static void focus_cycles_and_passes_stray_ctrl_a(void **state)
{
	struct console_focus f = { .targets = { 3, 1 }, .nr = 2 };

	(void)state;
	assert_int_equal(focus_current(&f), 3);
	assert_int_equal(focus_feed(&f, "ab\x01\x01" "c", 5, &ops, NULL), 5);
	assert_int_equal(given_len[3], 5);
	assert_memory_equal(given[3], "ab\x01\x01" "c", 5);
	assert_int_equal(focus_feed(&f, "\x01\x01\x01xy", 5, &ops, NULL), 5);
	assert_int_equal(moved_to, 1);
	assert_int_equal(focus_current(&f), 1);
	assert_memory_equal(given[1], "xy", 2);
	assert_int_equal(given_len[3], 5); /* nothing more for the other */
	/* Split across calls, and around again. */
	assert_int_equal(focus_feed(&f, "\x01", 1, &ops, NULL), 1);
	assert_int_equal(focus_feed(&f, "\x01\x01", 2, &ops, NULL), 2);
	assert_int_equal(focus_current(&f), 3);
}

static void focus_full_fifo_takes_fewer(void **state)
{
	struct console_focus f = { .targets = { 0 }, .nr = 1 };

	(void)state;
	room_left[0] = 2;
	assert_int_equal(focus_feed(&f, "abcd", 4, &ops, NULL), 2);
	room_left[0] = 2;
	/* A held Ctrl-A needs room with the key after it. */
	assert_int_equal(focus_feed(&f, "\x01", 1, &ops, NULL), 1);
	room_left[0] = 1;
	assert_int_equal(focus_feed(&f, "z", 1, &ops, NULL), 0);
	room_left[0] = 2;
	assert_int_equal(focus_feed(&f, "z", 1, &ops, NULL), 1);
	assert_memory_equal(given[0], "ab\x01z", 4);
}

static void focus_without_targets_drops(void **state)
{
	struct console_focus f = { .nr = 0 };

	(void)state;
	assert_int_equal(focus_current(&f), -1);
	assert_int_equal(focus_feed(&f, "abc\x01\x01\x01", 6, &ops, NULL), 6);
	assert_int_equal(moved_to, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(peek_pop_in_order, setup),
		cmocka_unit_test_setup(full_drops_history_first_then_counts, setup),
		cmocka_unit_test_setup(last_lines_oldest_first, setup),
		cmocka_unit_test_setup(wraps_around, setup),
		cmocka_unit_test_setup(focus_cycles_and_passes_stray_ctrl_a, focus_setup),
		cmocka_unit_test_setup(focus_full_fifo_takes_fewer, focus_setup),
		cmocka_unit_test_setup(focus_without_targets_drops, focus_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
