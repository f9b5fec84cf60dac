/*
 * Unit tests for core/lib/string.c, the hypervisor's freestanding string
 * functions. unit.mk compiles that file with every function renamed to
 * bh_<name> (so that it does not replace the host's C library in this
 * process); the results are compared with what C specifies.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

void *bh_memchr(const void *s, int c, size_t n);
int bh_memcmp(const void *a, const void *b, size_t n);
void *bh_memcpy(void *dst, const void *src, size_t n);
void *bh_memmove(void *dst, const void *src, size_t n);
void *bh_memset(void *s, int c, size_t n);
char *bh_strchr(const char *s, int c);
char *bh_strrchr(const char *s, int c);
int bh_strcmp(const char *a, const char *b);
int bh_strncmp(const char *a, const char *b, size_t n);
size_t bh_strlen(const char *s);
size_t bh_strnlen(const char *s, size_t max);
unsigned long bh_strtoul(const char *s, char **end, int base);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void mem_chr(void **state)
{
	static const char s[] = "abc\0abc\xff";

	(void)state;
	assert_ptr_equal(bh_memchr(s, 'a', sizeof(s)), s);
	assert_ptr_equal(bh_memchr(s, 'c', sizeof(s)), s + 2);
	assert_ptr_equal(bh_memchr(s, '\0', sizeof(s)), s + 3);
	/* c is converted to unsigned char: -1 finds 0xff. */
	assert_ptr_equal(bh_memchr(s, -1, sizeof(s)), s + 7);
	assert_ptr_equal(bh_memchr(s, 0x1ff, sizeof(s)), s + 7);
	assert_null(bh_memchr(s, 'z', sizeof(s)));
	assert_null(bh_memchr(s + 1, 'a', 3)); /* bounded by n */
	assert_null(bh_memchr(s, 'a', 0));
}

static void mem_cmp(void **state)
{
	(void)state;
	assert_int_equal(bh_memcmp("abc", "abc", 3), 0);
	assert_int_equal(bh_memcmp("abc", "abd", 0), 0);
	assert_int_equal(bh_memcmp("abc", "abd", 2), 0);
	assert_int_equal(sign(bh_memcmp("abc", "abd", 3)), -1);
	assert_int_equal(sign(bh_memcmp("abd", "abc", 3)), 1);
	/* Bytes compare as unsigned char. */
	assert_int_equal(sign(bh_memcmp("\x80", "\x7f", 1)), 1);
	/* NULs do not stop it. */
	assert_int_equal(sign(bh_memcmp("a\0b", "a\0c", 3)), -1);
}

static void mem_cpy_set(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_ptr_equal(bh_memcpy(buf, "hello", 5), buf);
	assert_memory_equal(buf, "helloXXXXX", 10);
	assert_ptr_equal(bh_memcpy(buf, "zz", 0), buf);
	assert_memory_equal(buf, "helloXXXXX", 10);

	assert_ptr_equal(bh_memset(buf, 0x141, 4), buf); /* converted to unsigned char */
	assert_memory_equal(buf, "AAAAoXXXXX", 10);
	assert_ptr_equal(bh_memset(buf + 2, 0, 0), buf + 2);
	assert_memory_equal(buf, "AAAAoXXXXX", 10);
}

static void mem_move_overlaps(void **state)
{
	char buf[16];

	(void)state;
	/* Forward overlap: destination after source. */
	memcpy(buf, "0123456789", 11);
	assert_ptr_equal(bh_memmove(buf + 2, buf, 6), buf + 2);
	assert_string_equal(buf, "0101234589");
	/* Backward overlap: destination before source. */
	memcpy(buf, "0123456789", 11);
	assert_ptr_equal(bh_memmove(buf, buf + 3, 6), buf);
	assert_string_equal(buf, "3456786789");
	/* Same place, and no overlap. */
	memcpy(buf, "0123456789", 11);
	bh_memmove(buf, buf, 10);
	assert_string_equal(buf, "0123456789");
	bh_memmove(buf + 5, buf, 5);
	assert_string_equal(buf, "0123401234");
}

static void str_chr_rchr(void **state)
{
	static const char s[] = "a/b/c";

	(void)state;
	assert_ptr_equal(bh_strchr(s, '/'), s + 1);
	assert_ptr_equal(bh_strrchr(s, '/'), s + 3);
	assert_null(bh_strchr(s, 'z'));
	assert_null(bh_strrchr(s, 'z'));
	/* The terminator is part of the string. */
	assert_ptr_equal(bh_strchr(s, '\0'), s + 5);
	assert_ptr_equal(bh_strrchr(s, '\0'), s + 5);
	assert_ptr_equal(bh_strchr(s, 'a'), s);
	assert_ptr_equal(bh_strrchr(s, 'a'), s);
	assert_null(bh_strchr("", 'a'));
}

static void str_cmp(void **state)
{
	(void)state;
	assert_int_equal(bh_strcmp("", ""), 0);
	assert_int_equal(bh_strcmp("abc", "abc"), 0);
	assert_int_equal(sign(bh_strcmp("abc", "abd")), -1);
	assert_int_equal(sign(bh_strcmp("abd", "abc")), 1);
	assert_int_equal(sign(bh_strcmp("ab", "abc")), -1);
	assert_int_equal(sign(bh_strcmp("abc", "ab")), 1);
	assert_int_equal(sign(bh_strcmp("\xe9", "e")), 1); /* unsigned char */

	assert_int_equal(bh_strncmp("abcdef", "abcxyz", 3), 0);
	assert_int_equal(sign(bh_strncmp("abcdef", "abcxyz", 4)), -1);
	assert_int_equal(bh_strncmp("abc", "abd", 0), 0);
	/* Stops at the NUL: nothing past it is compared. */
	assert_int_equal(bh_strncmp("ab\0x", "ab\0y", 4), 0);
	assert_int_equal(sign(bh_strncmp("ab", "abc", 3)), -1);
	assert_int_equal(sign(bh_strncmp("\x80", "\x7f", 1)), 1);
}

static void str_len(void **state)
{
	(void)state;
	assert_int_equal(bh_strlen(""), 0);
	assert_int_equal(bh_strlen("hello"), 5);
	assert_int_equal(bh_strnlen("hello", 10), 5);
	assert_int_equal(bh_strnlen("hello", 5), 5);
	assert_int_equal(bh_strnlen("hello", 3), 3);
	assert_int_equal(bh_strnlen("hello", 0), 0);
}

static void str_nlen_reads_no_further(void **state)
{
	/* A buffer with no NUL: strnlen must stop at max (ASan checks). */
	char *buf = malloc(4);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "abcd", 4);
	assert_int_equal(bh_strnlen(buf, 4), 4);
	free(buf);
}

/* strtoul's value and how many characters it consumed. */
#define EXPECT_UL(str, base, want_value, want_used)                                                \
	do {                                                                                       \
		const char *s_ = (str);                                                            \
		char *end_ = NULL;                                                                 \
		assert_int_equal(bh_strtoul(s_, &end_, (base)), (want_value));                     \
		assert_int_equal(end_ - s_, (want_used));                                          \
	} while (0)

static void str_toul(void **state)
{
	(void)state;
	EXPECT_UL("0", 10, 0, 1);
	EXPECT_UL("123", 10, 123, 3);
	EXPECT_UL("123abc", 10, 123, 3);
	EXPECT_UL("ff", 16, 255, 2);
	EXPECT_UL("FFz", 16, 255, 2);
	EXPECT_UL("0x1f", 16, 31, 4);
	EXPECT_UL("0X1F", 16, 31, 4);
	EXPECT_UL("777", 8, 511, 3);
	EXPECT_UL("789", 8, 7, 1);
	EXPECT_UL("1011", 2, 11, 4);
	EXPECT_UL("zz", 36, 36 * 35 + 35, 2);
	/* base 0: the prefix decides. */
	EXPECT_UL("0x10", 0, 16, 4);
	EXPECT_UL("010", 0, 8, 3);
	EXPECT_UL("10", 0, 10, 2);
	EXPECT_UL("0", 0, 0, 1);
	/* "0x" without a hex digit is the number 0 followed by 'x'. */
	EXPECT_UL("0x", 16, 0, 1);
	EXPECT_UL("0xg", 0, 0, 1);
	/* Leading white space and '+'. */
	EXPECT_UL("  \t\n42 ", 10, 42, 6);
	EXPECT_UL("+7", 10, 7, 2);
	EXPECT_UL("18446744073709551615", 10, ULONG_MAX, 20);
	/* A NULL end pointer is allowed. */
	assert_int_equal(bh_strtoul("99", NULL, 10), 99);
	/* No digits at all, no prefix: nothing consumed. */
	EXPECT_UL("", 10, 0, 0);
	EXPECT_UL("xyz", 10, 0, 0);
}

/* With no digits, *end is the original string ("no conversion"), not the
 * position after the skipped white space and sign. */
static void str_toul_no_digits_end(void **state)
{
	(void)state;
	EXPECT_UL("  xyz", 10, 0, 0);
	EXPECT_UL("+", 10, 0, 0);
	EXPECT_UL(" +z", 16, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mem_chr),	cmocka_unit_test(mem_cmp),
		cmocka_unit_test(mem_cpy_set),	cmocka_unit_test(mem_move_overlaps),
		cmocka_unit_test(str_chr_rchr), cmocka_unit_test(str_cmp),
		cmocka_unit_test(str_len),	cmocka_unit_test(str_nlen_reads_no_further),
		cmocka_unit_test(str_toul),	cmocka_unit_test(str_toul_no_digits_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
