/*
 * Unit tests for core/mmio.c: the per-partition table of emulated register
 * regions, looked up on every trapped access a guest makes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/mmio.h>

static struct vcpu *const me = (struct vcpu *)0x1234;
static unsigned int calls;
static void *last_opaque;

static bool answer(struct vcpu *v, void *opaque, struct mmio_access *a)
{
	assert_ptr_equal(v, me);
	calls++;
	last_opaque = opaque;
	if (!a->write)
		a->value = 0xabcd;
	return true;
}

static bool refuse(struct vcpu *v, void *opaque, struct mmio_access *a)
{
	(void)v, (void)opaque, (void)a;
	calls++;
	return false;
}

static struct mmio_access access_at(uint64_t ipa, unsigned int size)
{
	return (struct mmio_access){ .ipa = ipa, .size = size };
}

static void register_rules(void **state)
{
	struct mmio_table t = { 0 };

	(void)state;
	assert_int_equal(mmio_register(&t, 0x1000, 0x1000, answer, NULL), 0);
	/* Overlapping, empty, wrapping or handler-less regions are refused. */
	assert_int_equal(mmio_register(&t, 0x1800, 0x1000, answer, NULL), -1);
	assert_int_equal(mmio_register(&t, 0x0, 0x1001, answer, NULL), -1);
	assert_int_equal(mmio_register(&t, 0x3000, 0, answer, NULL), -1);
	assert_int_equal(mmio_register(&t, ~0UL - 0xfff, 0x2000, answer, NULL), -1);
	assert_int_equal(mmio_register(&t, 0x3000, 0x1000, NULL, NULL), -1);
	/* Touching is fine. */
	assert_int_equal(mmio_register(&t, 0x2000, 0x1000, answer, NULL), 0);
	assert_int_equal(t.nr, 2);
}

static void table_full(void **state)
{
	struct mmio_table t = { 0 };

	(void)state;
	for (unsigned int i = 0; i < MMIO_MAX_REGIONS; i++)
		assert_int_equal(mmio_register(&t, 0x10000 * (i + 1), 0x1000, answer, NULL), 0);
	assert_int_equal(mmio_register(&t, 0x1000000, 0x1000, answer, NULL), -1);
}

static void lookup_bounds(void **state)
{
	struct mmio_table t = { 0 };
	int opaque_a, opaque_b;
	struct mmio_access a;

	(void)state;
	calls = 0;
	mmio_register(&t, 0x8000000, 0x10000, answer, &opaque_a);
	mmio_register(&t, 0x80a0000, 0x40000, answer, &opaque_b);
	a = access_at(0x8000000, 4);
	assert_true(mmio_emulate(&t, me, &a));
	assert_int_equal(a.value, 0xabcd);
	assert_ptr_equal(last_opaque, &opaque_a);
	a = access_at(0x80dfff8, 8); /* the last 8 bytes of the second */
	assert_true(mmio_emulate(&t, me, &a));
	assert_ptr_equal(last_opaque, &opaque_b);
	assert_int_equal(calls, 2);
	/* Outside, or running past the end: nobody's. */
	a = access_at(0x8010000, 1);
	assert_false(mmio_emulate(&t, me, &a));
	a = access_at(0x800fffc, 8);
	assert_false(mmio_emulate(&t, me, &a));
	a = access_at(0x7fffffc, 8);
	assert_false(mmio_emulate(&t, me, &a));
	a = access_at(~0UL - 3, 8);
	assert_false(mmio_emulate(&t, me, &a));
	assert_int_equal(calls, 2);
}

static void handler_refusal_is_a_fault(void **state)
{
	struct mmio_table t = { 0 };
	struct mmio_access a = access_at(0x9000000, 4);

	(void)state;
	calls = 0;
	mmio_register(&t, 0x9000000, 0x1000, refuse, NULL);
	assert_false(mmio_emulate(&t, me, &a));
	assert_int_equal(calls, 1);
}

static void empty_table(void **state)
{
	struct mmio_table t = { 0 };
	struct mmio_access a = access_at(0, 1);

	(void)state;
	assert_false(mmio_emulate(&t, me, &a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(register_rules), cmocka_unit_test(table_full),
		cmocka_unit_test(lookup_bounds),  cmocka_unit_test(handler_refusal_is_a_fault),
		cmocka_unit_test(empty_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
