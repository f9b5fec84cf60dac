/*
 * Unit tests for core/lib/ratelimit.c: a burst per period, then nothing
 * until the next period, and a count of what was held back reported once.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <bulkhead/ratelimit.h>

#define PERIOD 1000

static void burst_then_refused(void **state)
{
	struct ratelimit r = { 0 };
	uint32_t sup;

	(void)state;
	for (int i = 0; i < 10; i++) {
		assert_true(ratelimit_allow(&r, 5, PERIOD, 10, &sup));
		assert_int_equal(sup, 0);
	}
	for (int i = 0; i < 1000; i++)
		assert_false(ratelimit_allow(&r, 6 + (uint64_t)i % 900, PERIOD, 10, &sup));
}

static void next_period_reports_suppressed_once(void **state)
{
	struct ratelimit r = { 0 };
	uint32_t sup;

	(void)state;
	assert_true(ratelimit_allow(&r, 0, PERIOD, 1, &sup));
	for (int i = 0; i < 7; i++)
		assert_false(ratelimit_allow(&r, 10, PERIOD, 1, &sup));
	assert_true(ratelimit_allow(&r, PERIOD, PERIOD, 1, &sup));
	assert_int_equal(sup, 7);
	assert_false(ratelimit_allow(&r, PERIOD + 1, PERIOD, 1, &sup));
	assert_true(ratelimit_allow(&r, 5 * PERIOD, PERIOD, 1, &sup));
	assert_int_equal(sup, 1);
}

static void zero_burst_refuses_all(void **state)
{
	struct ratelimit r = { 0 };
	uint32_t sup;

	(void)state;
	for (uint64_t t = 0; t < 10 * PERIOD; t += PERIOD / 2)
		assert_false(ratelimit_allow(&r, t, PERIOD, 0, &sup));
}

static void suppressed_count_saturates(void **state)
{
	struct ratelimit r = { .period_end = ~0UL, .left = 0, .suppressed = UINT32_MAX - 1 };
	uint32_t sup;

	(void)state;
	assert_false(ratelimit_allow(&r, 0, PERIOD, 1, &sup));
	assert_false(ratelimit_allow(&r, 0, PERIOD, 1, &sup));
	assert_int_equal(r.suppressed, UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_then_refused),
		cmocka_unit_test(next_period_reports_suppressed_once),
		cmocka_unit_test(zero_burst_refuses_all),
		cmocka_unit_test(suppressed_count_saturates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
