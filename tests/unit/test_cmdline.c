/*
 * Unit tests for core/lib/cmdline.c: cmdline_get() on the hypervisor's
 * /chosen/bootargs.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/cmdline.h>

#define KEY "bulkhead.selftest"

/* Look key up with a generous buffer; val is pre-filled with a marker so
 * that "not found" can also be checked to leave it alone. */
static bool get(const char *cmdline, const char *key, char val[64])
{
	memset(val, 0, 64);
	strcpy(val, "untouched");
	return cmdline_get(cmdline, key, val, 64);
}

#define EXPECT_VALUE(cmdline, key, want)                                                           \
	do {                                                                                       \
		char v_[64];                                                                       \
		assert_true(get((cmdline), (key), v_));                                            \
		assert_string_equal(v_, (want));                                                   \
	} while (0)

#define EXPECT_ABSENT(cmdline, key)                                                                \
	do {                                                                                       \
		char v_[64];                                                                       \
		assert_false(get((cmdline), (key), v_));                                           \
		assert_string_equal(v_, "untouched");                                              \
	} while (0)

static void null_and_empty_cmdline(void **state)
{
	(void)state;
	EXPECT_ABSENT(NULL, KEY);
	EXPECT_ABSENT("", KEY);
	EXPECT_ABSENT(" ", KEY);
	EXPECT_ABSENT("     ", KEY);
}

static void missing_key(void **state)
{
	(void)state;
	EXPECT_ABSENT("console=ttyAMA0 quiet", KEY);
	EXPECT_ABSENT("console=ttyAMA0", "console2");
	/* The key as a value, or inside another word, is not the key. */
	EXPECT_ABSENT("x=" KEY "=panic", KEY);
	EXPECT_ABSENT("no" KEY "=panic", KEY);
}

static void key_value(void **state)
{
	(void)state;
	EXPECT_VALUE(KEY "=panic", KEY, "panic");
	EXPECT_VALUE("console=ttyAMA0 " KEY "=abort-el2 quiet", KEY, "abort-el2");
	EXPECT_VALUE("console=ttyAMA0 quiet", "console", "ttyAMA0");
	/* Only the first '=' separates: the rest belongs to the value. */
	EXPECT_VALUE("root=PARTUUID=1234-02 rw", "root", "PARTUUID=1234-02");
	/* An empty value is found, and empty. */
	EXPECT_VALUE("a=1 " KEY "= b=2", KEY, "");
}

static void bare_key(void **state)
{
	(void)state;
	EXPECT_VALUE("quiet", "quiet", "");
	EXPECT_VALUE("console=ttyAMA0 quiet loglevel=8", "quiet", "");
	EXPECT_VALUE(KEY, KEY, "");
}

static void last_one_wins(void **state)
{
	(void)state;
	EXPECT_VALUE("a=1 a=2 a=3", "a", "3");
	EXPECT_VALUE(KEY "=first x=y " KEY "=second", KEY, "second");
	/* A later bare key resets the value to ""... */
	EXPECT_VALUE("a=1 a", "a", "");
	/* ...and a later key=value after a bare key wins too. */
	EXPECT_VALUE("a a=5", "a", "5");
}

static void prefix_of_another_word(void **state)
{
	(void)state;
	/* The key must end at '=' or at the end of the word. */
	EXPECT_ABSENT(KEY "x=1", KEY);
	EXPECT_ABSENT(KEY ".extra=1", KEY);
	EXPECT_ABSENT(KEY "x", KEY);
	/* A key longer than the word. */
	EXPECT_ABSENT("bulk=1 bulkhead", KEY);
	/* With both present, only the exact one counts. */
	EXPECT_VALUE(KEY "x=1 " KEY "=2 " KEY "y=3", KEY, "2");
	EXPECT_VALUE("ab=1 a=2 abc=3", "a", "2");
}

static void spaces(void **state)
{
	(void)state;
	EXPECT_VALUE("   " KEY "=v", KEY, "v");
	EXPECT_VALUE(KEY "=v   ", KEY, "v");
	EXPECT_VALUE("  a=1    " KEY "=v     b=2  ", KEY, "v");
	EXPECT_VALUE("  quiet  ", "quiet", "");
	EXPECT_VALUE("a=1     b=2", "b", "2");
}

static void truncation(void **state)
{
	char big[16];

	(void)state;
	/* Each value buffer is a heap block of exactly len bytes, so ASan
	 * reports any write past it. */
	for (size_t len = 1; len <= 12; len++) {
		char *val = malloc(len);
		size_t want = len - 1 < 8 ? len - 1 : 8;

		assert_non_null(val);
		assert_true(cmdline_get("x=y " KEY "=abcdefgh z", KEY, val, len));
		assert_int_equal(strlen(val), want);
		assert_memory_equal(val, "abcdefgh", want);
		free(val);
	}

	/* len 0: found, and val is not touched at all. */
	memset(big, 'X', sizeof(big));
	assert_true(cmdline_get(KEY "=abc", KEY, big, 0));
	assert_int_equal(big[0], 'X');
	/* Absent: not touched either. */
	assert_false(cmdline_get("a=b", KEY, big, sizeof(big)));
	assert_int_equal(big[0], 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(null_and_empty_cmdline),
		cmocka_unit_test(missing_key),
		cmocka_unit_test(key_value),
		cmocka_unit_test(bare_key),
		cmocka_unit_test(last_one_wins),
		cmocka_unit_test(prefix_of_another_word),
		cmocka_unit_test(spaces),
		cmocka_unit_test(truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
