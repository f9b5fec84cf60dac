/*
 * Unit tests for core/lib/compat.c: compat_match() between a device tree
 * "compatible" property (NUL-separated strings, length from the blob) and a
 * driver's NULL-terminated list.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/compat.h>

/* As QEMU's PL011 node has it; sizeof counts the final NUL, like the
 * length fdt_getprop() returns. */
static const char pl011_prop[] = "arm,pl011\0arm,primecell";

static const char *const drv_pl011[] = { "arm,pl011", NULL };
static const char *const drv_primecell[] = { "arm,primecell", NULL };
static const char *const drv_gic[] = { "arm,gic-400", "arm,cortex-a15-gic", NULL };
static const char *const drv_mini_then_pl011[] = { "brcm,bcm2835-aux-uart", "arm,pl011", NULL };
static const char *const drv_none[] = { NULL };

/* The property in a heap block of exactly len bytes: ASan then reports any
 * read past the length compat_match was given. */
static bool match_exact(const char *prop, int len, const char *const *drv)
{
	char *copy = malloc(len > 0 ? (size_t)len : 1);
	bool r;

	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, prop, (size_t)len);
	r = compat_match(copy, len, drv);
	free(copy);
	return r;
}

static void first_string_matches(void **state)
{
	(void)state;
	assert_int_equal(sizeof(pl011_prop), 24);
	assert_true(match_exact(pl011_prop, sizeof(pl011_prop), drv_pl011));
}

static void later_string_matches(void **state)
{
	(void)state;
	assert_true(match_exact(pl011_prop, sizeof(pl011_prop), drv_primecell));
	assert_true(match_exact("arm,cortex-a15-gic", sizeof("arm,cortex-a15-gic"), drv_gic));
}

static void later_driver_entry_matches(void **state)
{
	(void)state;
	assert_true(match_exact(pl011_prop, sizeof(pl011_prop), drv_mini_then_pl011));
}

static void no_match(void **state)
{
	static const char *const drv_other[] = { "arm,sbsa-uart", "ns16550a", NULL };

	(void)state;
	assert_false(match_exact(pl011_prop, sizeof(pl011_prop), drv_other));
	assert_false(match_exact(pl011_prop, sizeof(pl011_prop), drv_gic));
	assert_false(match_exact(pl011_prop, sizeof(pl011_prop), drv_none));
}

static void whole_strings_only(void **state)
{
	static const char *const drv_prefix[] = { "arm,pl01", NULL };
	static const char *const drv_longer[] = { "arm,pl0111", NULL };
	static const char *const drv_joined[] = { "arm,pl011arm,primecell", NULL };

	(void)state;
	assert_false(match_exact(pl011_prop, sizeof(pl011_prop), drv_prefix));
	assert_false(match_exact(pl011_prop, sizeof(pl011_prop), drv_longer));
	assert_false(match_exact(pl011_prop, sizeof(pl011_prop), drv_joined));
}

static void length_bounds_the_list(void **state)
{
	(void)state;
	/* Only the first string (and its NUL) is inside len. */
	assert_true(match_exact(pl011_prop, 10, drv_pl011));
	assert_false(match_exact(pl011_prop, 10, drv_primecell));
	/* A list whose last string has no NUL inside len still matches... */
	assert_true(match_exact(pl011_prop, 9, drv_pl011));
	assert_true(match_exact(pl011_prop, sizeof(pl011_prop) - 1, drv_primecell));
	/* ...but a string cut short by len does not. */
	assert_false(match_exact(pl011_prop, 5, drv_pl011));
	assert_false(match_exact(pl011_prop, sizeof(pl011_prop) - 2, drv_primecell));
}

static void empty_or_negative_length(void **state)
{
	(void)state;
	assert_false(match_exact(pl011_prop, 0, drv_pl011));
	assert_false(compat_match(pl011_prop, -1, drv_pl011));
	assert_false(compat_match(pl011_prop, -100, drv_pl011));
}

static void zero_padded_buffer(void **state)
{
	/* How the board code hands it over: a fixed buffer, zero-padded after
	 * the list, with the buffer's size as the length. */
	char buf[64] = { 0 };

	(void)state;
	memcpy(buf, pl011_prop, sizeof(pl011_prop));
	assert_true(compat_match(buf, (int)sizeof(buf), drv_primecell));
	assert_false(compat_match(buf, (int)sizeof(buf), drv_gic));
}

static void empty_strings_in_list(void **state)
{
	static const char prop[] = "\0\0arm,pl011";

	(void)state;
	assert_true(match_exact(prop, sizeof(prop), drv_pl011));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_string_matches),
		cmocka_unit_test(later_string_matches),
		cmocka_unit_test(later_driver_entry_matches),
		cmocka_unit_test(no_match),
		cmocka_unit_test(whole_strings_only),
		cmocka_unit_test(length_bounds_the_list),
		cmocka_unit_test(empty_or_negative_length),
		cmocka_unit_test(zero_padded_buffer),
		cmocka_unit_test(empty_strings_in_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
