/*
 * Unit tests for core/lib/format.c: fmt_snprintf (and fmt_vformat) against
 * what C's printf would print for the subset the hypervisor supports.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include <bulkhead/format.h>

/*
 * fmt_snprintf without its printf format attribute, for formats that GCC's
 * -Wformat rightly rejects (unknown conversions, '0' with %c, a trailing
 * '%', ...) but that the engine must still handle without harm.
 */
static size_t raw_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

/* Format into a roomy buffer and compare both the text and the count. A
 * macro, so that cmocka reports the line of the failing check. */
#define EXPECT_WITH(fn, want, ...)                                                                 \
	do {                                                                                       \
		char out_[128];                                                                    \
		size_t n_ = fn(out_, sizeof(out_), __VA_ARGS__);                                   \
		assert_string_equal(out_, (want));                                                 \
		assert_int_equal(n_, strlen(want));                                                \
	} while (0)
#define EXPECT(want, ...) EXPECT_WITH(fmt_snprintf, want, __VA_ARGS__)
#define EXPECT_RAW(want, ...) EXPECT_WITH(raw_snprintf, want, __VA_ARGS__)

static void plain_text(void **state)
{
	(void)state;
	EXPECT("", "%s", "");
	EXPECT("hello, world", "hello, world");
	EXPECT("a\tb\n", "a\tb\n");
}

static void signed_decimal(void **state)
{
	(void)state;
	EXPECT("0", "%d", 0);
	EXPECT("42", "%d", 42);
	EXPECT("-42", "%d", -42);
	EXPECT("2147483647", "%d", INT_MAX);
	EXPECT("-2147483648", "%d", INT_MIN);
	EXPECT("-7", "%i", -7);
	EXPECT("123", "%i", 123);
}

static void unsigned_decimal(void **state)
{
	(void)state;
	EXPECT("0", "%u", 0u);
	EXPECT("4294967295", "%u", UINT_MAX);
	/* -1 passed for %u is read as unsigned int. */
	EXPECT_RAW("4294967295", "%u", -1);
}

static void hexadecimal(void **state)
{
	(void)state;
	EXPECT("0", "%x", 0u);
	EXPECT("deadbeef", "%x", 0xdeadbeefu);
	EXPECT("DEADBEEF", "%X", 0xdeadbeefu);
	EXPECT("ffffffff", "%x", UINT_MAX);
	EXPECT("a", "%x", 10u);
	EXPECT("123456789abcdef", "%lx", 0x0123456789abcdefUL); /* no leading zero */
	EXPECT("fedcba9876543210", "%lx", 0xfedcba9876543210UL);
	EXPECT("FEDCBA9876543210", "%llX", 0xfedcba9876543210ULL);
}

static void pointer(void **state)
{
	(void)state;
	EXPECT("0x1234", "%p", (void *)0x1234);
	EXPECT("0xffff800012345678", "%p", (void *)0xffff800012345678UL);
	/* Not glibc's "(nil)": the hypervisor prints NULL as a number. */
	EXPECT("0x0", "%p", (void *)0);
}

static void string_and_char(void **state)
{
	(void)state;
	EXPECT("abc", "%s", "abc");
	EXPECT("[]", "[%s]", "");
	EXPECT_RAW("(null)", "%s", (const char *)NULL);
	EXPECT("x", "%c", 'x');
	EXPECT("a-b", "a%cb", '-');
	EXPECT("100%", "100%%");
	EXPECT("%%", "%%%%");
	EXPECT("cpu 3: mpidr 0x80000003 at EL2h", "cpu %u: mpidr 0x%lx at %s", 3u, 0x80000003UL,
	       "EL2h");
}

static void char_nul_is_counted(void **state)
{
	char buf[8];
	size_t n;

	(void)state;
	/* %c of '\0' writes a NUL byte inside the output and counts it. */
	n = fmt_snprintf(buf, sizeof(buf), "a%cb", 0);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "a\0b", 4);
}

static void length_modifiers(void **state)
{
	(void)state;
	EXPECT("9223372036854775807", "%ld", LONG_MAX);
	EXPECT("18446744073709551615", "%lu", ULONG_MAX);
	EXPECT("-9223372036854775807", "%lld", -LLONG_MAX);
	EXPECT("18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT("18446744073709551615", "%zu", SIZE_MAX);
	EXPECT("ffffffffffffffff", "%zx", SIZE_MAX);
	EXPECT("-5", "%zd", (ssize_t)-5);
	EXPECT("-1", "%lli", -1LL);
	/* h and hh narrow what was passed as an int, like printf. */
	EXPECT_RAW("4464", "%hd", 70000); /* 70000 = 0x11170 -> 0x1170 */
	EXPECT_RAW("-1", "%hd", 0xffff);
	EXPECT_RAW("9029", "%hu", 0x12345); /* -> 0x2345 */
	EXPECT_RAW("1234", "%hx", 0xffff1234);
	EXPECT_RAW("-56", "%hhd", 200);
	EXPECT_RAW("255", "%hhu", 0x1ff);
	EXPECT_RAW("ab", "%hhx", 0x12ab);
	EXPECT_RAW("-128", "%hhi", 128);
}

static void int64_min(void **state)
{
	(void)state;
	/* The magnitude of INT64_MIN does not fit an int64_t. */
	EXPECT("-9223372036854775808", "%ld", (long)INT64_MIN);
	EXPECT("-9223372036854775808", "%lld", LLONG_MIN);
	EXPECT("[-9223372036854775808   ]", "[%-23ld]", (long)INT64_MIN);
	EXPECT("-00009223372036854775808", "%024ld", (long)INT64_MIN);
}

static void width_and_flags(void **state)
{
	(void)state;
	EXPECT("   42", "%5d", 42);
	EXPECT("42   |", "%-5d|", 42);
	EXPECT("00042", "%05d", 42);
	EXPECT("  -42", "%5d", -42);
	EXPECT("-0042", "%05d", -42);
	EXPECT("-42  |", "%-5d|", -42);
	EXPECT("12345", "%2d", 12345); /* width never truncates */
	EXPECT("12345", "%5d", 12345);
	EXPECT("0000beef", "%08x", 0xbeefu);
	EXPECT("    BEEF", "%8X", 0xbeefu);
	EXPECT("      ab", "%8s", "ab");
	EXPECT("ab      |", "%-8s|", "ab");
	EXPECT("   x", "%4c", 'x');
	EXPECT("x   |", "%-4c|", 'x');
	EXPECT("    0x1234", "%10p", (void *)0x1234);
	EXPECT("0x1234    |", "%-10p|", (void *)0x1234);
	EXPECT("0000000000000000000000000000000000000007", "%040u", 7u);
	/* '-' wins over '0', as in C. */
	EXPECT_RAW("beef    |", "%-08x|", 0xbeefu);
	EXPECT_RAW("beef    |", "%0-8x|", 0xbeefu);
	/* '0' is ignored for strings; for %p the zeros go after "0x". */
	EXPECT_RAW("      ab", "%08s", "ab");
	EXPECT_RAW("0x00001234", "%010p", (void *)0x1234);
	/* Widths combine with length modifiers. */
	EXPECT("0000000000000001", "%016lx", 1UL);
	EXPECT("     -3", "%7zd", (ssize_t)-3);
}

static void truncation(void **state)
{
	char buf[16];
	size_t n;

	(void)state;
	/* Only len bytes may be touched: the rest of buf stays 'X'. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 8, "%s", "0123456789");
	assert_int_equal(n, 7);
	assert_string_equal(buf, "0123456");
	assert_memory_equal(buf + 8, "XXXXXXXX", 8);

	/* Truncation in the middle of a number, and of padding. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 4, "%d", 123456);
	assert_int_equal(n, 3);
	assert_string_equal(buf, "123");
	assert_int_equal(buf[4], 'X');
	n = fmt_snprintf(buf, 4, "%8d", 1);
	assert_int_equal(n, 3);
	assert_string_equal(buf, "   ");

	/* Exactly fitting: len = text + NUL. */
	n = fmt_snprintf(buf, 6, "%s", "hello");
	assert_int_equal(n, 5);
	assert_string_equal(buf, "hello");
}

static void truncation_len_one_and_zero(void **state)
{
	char buf[4];
	size_t n;

	(void)state;
	/* len 1: room for the NUL only. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 1, "abc%d", 5);
	assert_int_equal(n, 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');

	/* len 0: nothing is written, not even the NUL... */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 0, "abc");
	assert_int_equal(n, 0);
	assert_memory_equal(buf, "XXXX", 4);

	/* ...so a NULL buffer is fine, as with C's snprintf. */
	n = fmt_snprintf(NULL, 0, "%s %d", "abc", 42);
	assert_int_equal(n, 0);
}

static void truncation_exact_heap_buffers(void **state)
{
	static const char full[] = "ESR 0x96000045 at -12 [ok]";

	(void)state;
	/* Every length from 1 to past the end, in a heap buffer of exactly
	 * that size: ASan reports any write past it. */
	for (size_t len = 1; len <= sizeof(full) + 2; len++) {
		char *buf = malloc(len);
		size_t want = len - 1 < strlen(full) ? len - 1 : strlen(full);
		size_t n;

		assert_non_null(buf);
		n = fmt_snprintf(buf, len, "ESR 0x%x at %d [%s]", 0x96000045u, -12, "ok");
		assert_int_equal(n, want);
		assert_int_equal(strlen(buf), want);
		assert_memory_equal(buf, full, want);
		free(buf);
	}
}

static void unknown_conversion_verbatim(void **state)
{
	(void)state;
	EXPECT_RAW("%q", "%q");
	EXPECT_RAW("a%wb", "a%wb");
	/* An unknown conversion consumes no argument. */
	EXPECT_RAW("%q 7", "%q %d", 7);
	EXPECT_RAW("%f then x", "%f then %c", 'x');
}

static void trailing_lone_percent(void **state)
{
	(void)state;
	EXPECT_RAW("%", "%");
	EXPECT_RAW("100%", "100%");
	/* Flags, width or length before the end: still no read past the NUL. */
	EXPECT_RAW("abc%", "abc%-");
	EXPECT_RAW("abc%", "abc%08");
	EXPECT_RAW("abc%", "abc%l");
}

/* fmt_vformat reports everything produced, whatever the sink keeps. */
struct count_sink {
	size_t calls;
	char last;
};

static void count_out(char c, void *ctx)
{
	struct count_sink *s = ctx;

	s->calls++;
	s->last = c;
}

static size_t vformat_count(struct count_sink *s, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vformat(count_out, s, fmt, ap);
	va_end(ap);
	return n;
}

static void vformat_counts_every_char(void **state)
{
	struct count_sink s = { 0, 0 };
	size_t n;

	(void)state;
	n = vformat_count(&s, "%s:%5d%%%q%", "name", -3);
	/* "name" ":" "   -3" "%" "%q" "%" */
	assert_int_equal(n, 4 + 1 + 5 + 1 + 2 + 1);
	assert_int_equal(s.calls, n);
	assert_int_equal(s.last, '%');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text),
		cmocka_unit_test(signed_decimal),
		cmocka_unit_test(unsigned_decimal),
		cmocka_unit_test(hexadecimal),
		cmocka_unit_test(pointer),
		cmocka_unit_test(string_and_char),
		cmocka_unit_test(char_nul_is_counted),
		cmocka_unit_test(length_modifiers),
		cmocka_unit_test(int64_min),
		cmocka_unit_test(width_and_flags),
		cmocka_unit_test(truncation),
		cmocka_unit_test(truncation_len_one_and_zero),
		cmocka_unit_test(truncation_exact_heap_buffers),
		cmocka_unit_test(unknown_conversion_verbatim),
		cmocka_unit_test(trailing_lone_percent),
		cmocka_unit_test(vformat_counts_every_char),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
