/*
 * Unit tests for core/plan.c: plan_parse() against the plan fixtures in
 * tests/unit/fixtures/plan-*.dts (compiled by unit.mk into UT_DATA_DIR).
 * plan-base.dtsi is a valid plan; each plan-err-* fixture changes one thing
 * in it, and its test checks the exact message plan_parse writes, since
 * that message is all a user sees when the hypervisor refuses a plan.
 * plan-chan-base.dtsi adds channels to it, and the plan-chan-* fixtures do
 * the same for the channel rules (and the hypervisor window).
 *
 * The paired rule fixtures of tests/plan/rules/ (compiled into rules/) are
 * the boot side of the rule table, bulkhead/plan_rules.h: every rule that
 * plan_parse() shares with tools/mkplan.py has one, refused with that rule
 * and the message the fixture states (tests/plan/test_mkplan.py runs the
 * build side of the same pairs).
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

#include "ut_dtb.h"
#include <libfdt.h>

#include <bulkhead/plan.h>

#ifndef UT_DATA_DIR
#error "UT_DATA_DIR (where unit.mk puts the .dtb files) must be defined"
#endif

/* The machine the base plan is written for: CPUs 0-3. */
#define NR_CPUS 4

/* Big enough for any message plan_parse writes. */
static char err[256];
static struct plan plan;


/* Parse a blob into plan; err is pre-filled so that a success can be checked
 * to leave it alone, and plan with junk so that every field is seen to be
 * written. */
static int parse_blob(const void *blob, unsigned int nr_cpus)
{
	memset(&plan, 0x5a, sizeof(plan));
	strcpy(err, "untouched");
	return plan_parse(blob, nr_cpus, &plan, err, sizeof(err));
}

static int parse(const char *name, unsigned int nr_cpus)
{
	void *blob = load_dtb(name);
	int rc = parse_blob(blob, nr_cpus);

	free(blob);
	return rc;
}

static void parse_ok(const char *name, unsigned int nr_cpus)
{
	if (parse(name, nr_cpus))
		fail_msg("%s: plan_parse failed: %s", name, err);
	assert_string_equal(err, "untouched");
}

static void expect_error(const char *name, unsigned int nr_cpus, const char *message)
{
	assert_int_equal(parse(name, nr_cpus), -1);
	assert_string_equal(err, message);
	assert_int_not_equal(plan.rule, PLAN_RULE_NONE);
}

static void expect_rule(const char *name, enum plan_rule rule, const char *message)
{
	expect_error(name, NR_CPUS, message);
	if (plan.rule != rule)
		fail_msg("%s: refused under rule %s, not %s", name, plan_rule_name(plan.rule),
			 plan_rule_name(rule));
}

static void expect_cpus(const struct plan_partition *p, const unsigned int *cpus, unsigned int n)
{
	assert_int_equal(p->nr_cpus, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(p->cpus[i], cpus[i]);
}

/* --- Valid plans ------------------------------------------------------------------- */

static void base_plan_every_field(void **state)
{
	static const unsigned int cpus0[] = { 1 }, cpus1[] = { 0 }, cpus5[] = { 3, 2 };
	const struct plan_partition *p;

	(void)state;
	parse_ok("fixtures/plan-base.dtb", NR_CPUS);
	assert_int_equal(plan.nr, 3);

	p = &plan.parts[0];
	assert_int_equal(p->id, 0);
	assert_string_equal(p->name, "hello0");
	assert_int_equal(p->role, PLAN_ROLE_GUEST);
	expect_cpus(p, cpus0, 1);
	assert_int_equal(ipa_bits(p->mem_base), 0x40000000);
	assert_int_equal(p->mem_size, 0x1000000);
	assert_string_equal(p->image, "hello");
	assert_int_equal(p->policy, PLAN_POLICY_STOP);
	assert_int_equal(p->restart_limit, 0);
	assert_int_equal(p->backoff_ms, 0);
	assert_int_equal(p->priority, 100);

	p = &plan.parts[1];
	assert_int_equal(p->id, 1);
	assert_string_equal(p->name, "net-drv_1");
	assert_int_equal(p->role, PLAN_ROLE_DRIVER);
	expect_cpus(p, cpus1, 1);
	assert_int_equal(ipa_bits(p->mem_base), 0x80000000);
	assert_int_equal(p->mem_size, 0x400000);
	assert_string_equal(p->image, "netdrv");
	assert_int_equal(p->policy, PLAN_POLICY_RESTART_ON_FAULT);
	assert_int_equal(p->restart_limit, 3);
	assert_int_equal(p->backoff_ms, 250);
	assert_int_equal(p->priority, 0);

	/* In tree order, whatever the ids: the third node has id 5. Its RAM
	 * needs both 32-bit halves of each 64-bit property, and its CPUs keep
	 * the order they are listed in. */
	p = &plan.parts[2];
	assert_int_equal(p->id, 5);
	assert_string_equal(p->name, "Big5");
	assert_int_equal(p->role, PLAN_ROLE_GUEST);
	expect_cpus(p, cpus5, 2);
	assert_int_equal(ipa_bits(p->mem_base), 0x412200000UL);
	assert_int_equal(p->mem_size, 0x100400000UL);
	assert_string_equal(p->image, "hostile");
	assert_int_equal(p->policy, PLAN_POLICY_RESTART_ALWAYS);
	assert_int_equal(p->restart_limit, 1000);
	assert_int_equal(p->backoff_ms, 60000);
	assert_int_equal(p->priority, 255);
}

static void eight_partitions_accepted(void **state)
{
	(void)state;
	parse_ok("fixtures/plan-eight.dtb", NR_CPUS);
	assert_int_equal(plan.nr, PLAN_MAX_PARTITIONS);
	/* Tree order: the three base nodes, then those the .dts adds. */
	assert_string_equal(plan.parts[3].name, "drv2");
	assert_int_equal(plan.parts[7].id, 7);
	assert_string_equal(plan.parts[7].name, "drv7");
	assert_int_equal(plan.parts[7].priority, 7);
}

static void limits_reached_not_crossed(void **state)
{
	static const unsigned int cpus[] = { 7, 6, 5, 4, 3, 2, 1, 0 };
	const struct plan_partition *p = &plan.parts[1];

	(void)state;
	parse_ok("fixtures/plan-limits.dtb", 8);
	assert_string_equal(p->name, "abcdefghijklmnopqrstuvwxyz-_789");
	assert_int_equal(strlen(p->name), PLAN_NAME_LEN - 1);
	assert_string_equal(p->image, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234");
	assert_int_equal(strlen(p->image), PLAN_NAME_LEN - 1);
	expect_cpus(p, cpus, PLAN_MAX_CPUS);
	assert_int_equal(ipa_bits(p->mem_base) + p->mem_size, PLAN_IPA_LIMIT);
}

static void driver_may_share_a_guest_cpu(void **state)
{
	static const unsigned int cpus[] = { 1, 3 };

	(void)state;
	/* CPU 1 is guest hello0's and CPU 3 guest Big5's: a driver domain
	 * shares them (it runs by priority), so this is no error. */
	parse_ok("fixtures/plan-driver-shares-cpu.dtb", NR_CPUS);
	assert_int_equal(plan.parts[1].role, PLAN_ROLE_DRIVER);
	expect_cpus(&plan.parts[1], cpus, 2);
}

static void policy_names(void **state)
{
	(void)state;
	assert_string_equal(plan_policy_name(PLAN_POLICY_STOP), "stop");
	assert_string_equal(plan_policy_name(PLAN_POLICY_RESTART_ON_FAULT), "restart-on-fault");
	assert_string_equal(plan_policy_name(PLAN_POLICY_RESTART_ALWAYS), "restart-always");
	/* Anything else reads as the safe default. */
	assert_string_equal(plan_policy_name((enum plan_policy)7), "stop");
}

/* --- The blob and its root ----------------------------------------------------------- */

static void not_a_dtb(void **state)
{
	unsigned char junk[256];
	uint32_t x = 4242;

	(void)state;
	/* Deterministic pseudo-random bytes (a linear congruential
	 * generator), not starting with the FDT magic d00dfeed. */
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	assert_false(junk[0] == 0xd0 && junk[1] == 0x0d);

	assert_int_equal(parse_blob(junk, NR_CPUS), -1);
	assert_string_equal(err, "not a device tree blob: FDT_ERR_BADMAGIC");
	/* The output is cleared even on failure. */
	assert_int_equal(plan.nr, 0);
}

static void board_tree_is_not_a_plan(void **state)
{
	(void)state;
	/* A well-formed device tree, but a board's (test_board_dt's
	 * fixture), as if the wrong file were given as the plan. */
	expect_error("fixtures/minimal.dtb", NR_CPUS, "/: compatible is not \"bulkhead,plan\"");
}

#define ERROR_TEST(fn, fixture, message)                                                           \
	static void fn(void **state)                                                               \
	{                                                                                          \
		(void)state;                                                                       \
		expect_error("fixtures/plan-err-" fixture ".dtb", NR_CPUS, message);               \
	}

ERROR_TEST(error_wrong_compatible, "not-compatible", "/: compatible is not \"bulkhead,plan\"")
ERROR_TEST(error_no_compatible, "no-compatible", "/: compatible is not \"bulkhead,plan\"")
ERROR_TEST(error_wrong_version, "version-2", "/: bulkhead,plan-version must be 1")
ERROR_TEST(error_no_version, "no-version", "/: bulkhead,plan-version must be 1")
ERROR_TEST(error_version_not_32bit, "version-64", "/: bulkhead,plan-version must be 1")
ERROR_TEST(error_no_partitions_node, "no-partitions", "no /partitions node")
ERROR_TEST(error_nine_partitions, "nine", "/partitions: more than 8 partitions")

/* --- One partition property each, on partition@1 ------------------------------------ */

/* Until partition-name is read, the partition is called "?". */
#define REG_MSG "partition@1 (\"?\"): reg: missing, or not a partition id below 8"
ERROR_TEST(error_reg_missing, "reg-missing", REG_MSG)
ERROR_TEST(error_reg_id_8, "reg-8", REG_MSG)
ERROR_TEST(error_reg_not_32bit, "reg-64", REG_MSG)

#define NAME_MSG                                                                                   \
	"partition@1 (\"?\"): partition-name: missing, longer than 31, or not letters, "           \
	"digits, '-' and '_'"
ERROR_TEST(error_name_missing, "name-missing", NAME_MSG)
ERROR_TEST(error_name_empty, "name-empty", NAME_MSG)
ERROR_TEST(error_name_too_long, "name-long", NAME_MSG)
ERROR_TEST(error_name_bad_character, "name-chars", NAME_MSG)
/* "net\0drv\0": an embedded NUL, so not one string. */
ERROR_TEST(error_name_string_list, "name-two-strings", NAME_MSG)

#define P1 "partition@1 (\"net-drv_1\"): "
#define ROLE_MSG P1 "role: must be \"guest\", \"driver\", \"console\" or \"control\""
ERROR_TEST(error_role_unknown, "role-bad", ROLE_MSG)
ERROR_TEST(error_role_missing, "role-missing", ROLE_MSG)

#define CPUS_MSG P1 "cpus: must list 1 to 8 CPU indices"
ERROR_TEST(error_cpus_missing, "cpus-missing", CPUS_MSG)
ERROR_TEST(error_cpus_empty, "cpus-empty", CPUS_MSG)
ERROR_TEST(error_cpus_nine, "cpus-nine", CPUS_MSG)
ERROR_TEST(error_cpu_not_online, "cpus-offline", P1 "cpus: CPU 4 is not online (CPUs 0-3 are)")
ERROR_TEST(error_cpu_listed_twice, "cpus-twice", P1 "cpus: CPU 2 is listed twice")

#define MEM64_MSG P1 "memory-base/memory-size: missing or not 64-bit"
ERROR_TEST(error_memory_base_missing, "base-missing", MEM64_MSG)
ERROR_TEST(error_memory_size_missing, "size-missing", MEM64_MSG)
ERROR_TEST(error_memory_base_32bit, "base-32", MEM64_MSG)
ERROR_TEST(error_memory_size_32bit, "size-32", MEM64_MSG)

ERROR_TEST(error_memory_size_zero, "size-zero",
	   P1 "memory: base 0x80000000 and size 0x0 must be non-zero multiples of 2 MiB")
ERROR_TEST(error_memory_size_not_2m_multiple, "size-1m",
	   P1 "memory: base 0x80000000 and size 0x100000 must be non-zero multiples of 2 MiB")
ERROR_TEST(error_memory_base_unaligned, "base-unaligned",
	   P1 "memory: base 0x80100000 and size 0x400000 must be non-zero multiples of 2 MiB")

#define IPA_MSG P1 "memory: must lie below 512 GiB of guest-physical space"
ERROR_TEST(error_memory_base_beyond_512g, "base-beyond", IPA_MSG)
ERROR_TEST(error_memory_end_beyond_512g, "size-beyond", IPA_MSG)
/* base + size wraps to 0x200000: a naive "base + size > limit" would pass. */
ERROR_TEST(error_memory_wraps_around, "memory-wraps", IPA_MSG)

#define IMAGE_MSG P1 "image: missing or longer than 31"
ERROR_TEST(error_image_missing, "image-missing", IMAGE_MSG)
ERROR_TEST(error_image_too_long, "image-long", IMAGE_MSG)

#define POLICY_MSG P1 "fault-policy: must be \"stop\", \"restart-on-fault\" or \"restart-always\""
ERROR_TEST(error_policy_unknown, "policy-bad", POLICY_MSG)
ERROR_TEST(error_policy_missing, "policy-missing", POLICY_MSG)

#define RESTART_MSG P1 "restart-limit/restart-backoff-ms/priority: missing or not 32-bit"
ERROR_TEST(error_restart_limit_missing, "limit-missing", RESTART_MSG)
ERROR_TEST(error_backoff_missing, "backoff-missing", RESTART_MSG)
ERROR_TEST(error_priority_missing, "priority-missing", RESTART_MSG)

#define RANGE_MSG P1 "restart-backoff-ms/priority: out of range (60000 ms, 255)"
ERROR_TEST(error_backoff_over_60000, "backoff-range", RANGE_MSG)
ERROR_TEST(error_priority_over_255, "priority-range", RANGE_MSG)

/* --- Between partitions ---------------------------------------------------------------- */

/* The node is partition@5, but the message names partitions by their id
 * ("reg"), which here is the duplicated 1. */
ERROR_TEST(error_duplicate_id, "duplicate-id", "partition@1 (\"Big5\"): reg: id 1 is used twice")
ERROR_TEST(error_duplicate_name, "duplicate-name",
	   "partition@5 (\"hello0\"): partition-name: also the name of partition@0")
ERROR_TEST(error_guests_share_cpu, "guests-share-cpu",
	   "partition@5 (\"Big5\"): cpus: CPU 1 is already given to guest partition@0 "
	   "(\"hello0\")")

static void fewer_cpus_online(void **state)
{
	(void)state;
	/* The base plan on a 3-CPU machine: Big5's CPU 3 is missing. */
	expect_error("fixtures/plan-base.dtb", 3,
		     "partition@5 (\"Big5\"): cpus: CPU 3 is not online (CPUs 0-2 are)");
}

static void error_message_truncated(void **state)
{
	const char *full = P1 "cpus: CPU 4 is not online (CPUs 0-3 are)";
	void *blob = load_dtb("fixtures/plan-err-cpus-offline.dtb");

	(void)state;
	/* The message is written in two steps (the partition, then the
	 * problem); heap buffers of exactly errlen bytes let ASan catch either
	 * step writing past the end. */
	for (size_t len = 1; len <= strlen(full) + 1; len++) {
		char *small = malloc(len);

		assert_non_null(small);
		assert_int_equal(plan_parse(blob, NR_CPUS, &plan, small, len), -1);
		assert_int_equal(strlen(small), len - 1);
		assert_memory_equal(small, full, len - 1);
		free(small);
	}
	free(blob);
}

/*
 * Regression: libfdt's subnode iterators report a damaged structure block
 * as "no more nodes", so a plan corrupted after some partition was once
 * accepted with only the partitions before the damage. plan_parse() now
 * checks the whole blob first. Here partition@5's FDT_BEGIN_NODE tag is
 * overwritten with a value that is no tag.
 */
static void corrupt_partitions_structure_refused(void **state)
{
	void *blob = load_dtb("fixtures/plan-base.dtb");
	int node = fdt_path_offset(blob, "/partitions/partition@5");
	fdt32_t *tag;
	int rc;

	(void)state;
	assert_true(node >= 0);
	tag = fdt_offset_ptr_w(blob, node, sizeof(*tag));
	assert_non_null(tag);
	assert_int_equal(fdt32_to_cpu(*tag), FDT_BEGIN_NODE);
	*tag = cpu_to_fdt32(0xa);

	rc = parse_blob(blob, NR_CPUS);
	free(blob);
	if (rc == 0)
		fail_msg("corrupt plan accepted with %u of its 3 partitions", plan.nr);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "FDT_ERR_BADSTRUCTURE"));
}

/* --- Channels ------------------------------------------------------------------------ */

static void expect_channel(const struct plan_channel *c, unsigned int id, const char *name,
			   unsigned int end0, unsigned int port0, unsigned int end1, unsigned int port1)
{
	assert_int_equal(c->id, id);
	assert_string_equal(c->name, name);
	assert_int_equal(c->end[0], end0);
	assert_int_equal(c->port[0], port0);
	assert_int_equal(c->end[1], end1);
	assert_int_equal(c->port[1], port1);
}

static void expect_shared(const struct plan_channel *c, uint64_t size, bool writable0,
			  bool writable1, uint64_t ipa0, uint64_t ipa1)
{
	assert_int_equal(c->shared_size, size);
	assert_int_equal(c->writable[0], writable0);
	assert_int_equal(c->writable[1], writable1);
	assert_int_equal(ipa_bits(c->shared_ipa[0]), ipa0);
	assert_int_equal(ipa_bits(c->shared_ipa[1]), ipa1);
}

static void channels_every_field(void **state)
{
	(void)state;
	parse_ok("fixtures/plan-chan-base.dtb", NR_CPUS);
	/* The partitions are those of the base plan. */
	assert_int_equal(plan.nr, 3);
	assert_string_equal(plan.parts[0].name, "hello0");
	assert_string_equal(plan.parts[1].name, "net-drv_1");
	assert_int_equal(plan.parts[2].id, 5);
	assert_int_equal(plan.nr_channels, 3);

	/* Ends are indices into plan.parts (partition@5 is index 2); each
	 * partition's ports are numbered 0, 1, ... in plan order. */
	expect_channel(&plan.channels[0], 0, "net-rx", 1, 0, 0, 0);
	/* 64 KiB written by the first end; automatic at the first end, and
	 * at hello0 ending exactly at its RAM base. */
	expect_shared(&plan.channels[0], 0x10000, true, false, 0, 0x3fff0000);

	/* Events only: no region, no writers, no addresses. */
	expect_channel(&plan.channels[1], 1, "ctl", 0, 1, 2, 0);
	expect_shared(&plan.channels[1], 0, false, false, 0, 0);

	/* The id is not the index; 64 MiB written by the second end only,
	 * ending exactly at the hypervisor window at Big5 and starting
	 * exactly at the end of the virtual GIC at net-drv_1; both 64-bit
	 * cells of each address matter. */
	expect_channel(&plan.channels[2], 7, "Big_log-2", 2, 1, 1, 1);
	expect_shared(&plan.channels[2], PLAN_SHARED_MAX, false, true, 0xffc000000UL, 0x8200000);
}

static void no_channels(void **state)
{
	(void)state;
	/* No /channels node at all (parse_blob fills plan with junk first). */
	parse_ok("fixtures/plan-base.dtb", NR_CPUS);
	assert_int_equal(plan.nr, 3);
	assert_int_equal(plan.nr_channels, 0);
	/* An empty one. */
	parse_ok("fixtures/plan-chan-empty.dtb", NR_CPUS);
	assert_int_equal(plan.nr, 3);
	assert_int_equal(plan.nr_channels, 0);
}

static void ram_right_around_the_window_accepted(void **state)
{
	(void)state;
	parse_ok("fixtures/plan-chan-ram-around-window.dtb", NR_CPUS);
	assert_int_equal(ipa_bits(plan.parts[1].mem_base) + plan.parts[1].mem_size, 0x1000000000UL);
	assert_int_equal(ipa_bits(plan.parts[2].mem_base), 0x1040000000UL);
	assert_int_equal(plan.nr_channels, 3);
}

static void sixteen_channels_accepted(void **state)
{
	/* The fixture's channels go round hello0 (0) -> net-drv_1 (1),
	 * net-drv_1 -> Big5 (2), Big5 -> hello0. */
	static const unsigned int ends[3][2] = { { 0, 1 }, { 1, 2 }, { 2, 0 } };
	unsigned int next_port[3] = { 0 };

	(void)state;
	parse_ok("fixtures/plan-chan-sixteen.dtb", NR_CPUS);
	assert_int_equal(plan.nr_channels, PLAN_MAX_CHANNELS);
	for (unsigned int i = 0; i < PLAN_MAX_CHANNELS; i++) {
		const struct plan_channel *c = &plan.channels[i];
		unsigned int a = ends[i % 3][0], b = ends[i % 3][1];
		char name[PLAN_NAME_LEN];

		snprintf(name, sizeof(name), "c%u", i);
		expect_channel(c, i, i == 15 ? "abcdefghijklmnopqrstuvwxyz-_789" : name, a,
			       next_port[a], b, next_port[b]);
		next_port[a]++;
		next_port[b]++;
		expect_shared(c, 0, false, false, 0, 0);
	}
	/* hello0 and net-drv_1 have 11 ports each, Big5 10. */
	assert_int_equal(next_port[0], 11);
	assert_int_equal(next_port[1], 11);
	assert_int_equal(next_port[2], 10);
}

#define CHAN_ERROR_TEST(fn, fixture, message)                                                      \
	static void fn(void **state)                                                               \
	{                                                                                          \
		(void)state;                                                                       \
		expect_error("fixtures/plan-chan-err-" fixture ".dtb", NR_CPUS, message);          \
	}

#define CH0 "channel channel@0 (\"net-rx\"): "
#define CH7 "channel channel@7 (\"Big_log-2\"): "

CHAN_ERROR_TEST(chan_error_seventeen, "seventeen", "/channels: more than 16 channels")

/* Until channel-name is read, the channel is called "?". */
#define CHAN_REG_MSG "channel channel@0 (\"?\"): reg: missing, or not a channel id below 16"
CHAN_ERROR_TEST(chan_error_reg_16, "reg-16", CHAN_REG_MSG)
CHAN_ERROR_TEST(chan_error_reg_missing, "reg-missing", CHAN_REG_MSG)

#define CHAN_NAME_MSG                                                                              \
	"channel channel@0 (\"?\"): channel-name: missing, longer than 31, or not letters, "       \
	"digits, '-' and '_'"
CHAN_ERROR_TEST(chan_error_name_chars, "name-chars", CHAN_NAME_MSG)
CHAN_ERROR_TEST(chan_error_name_long, "name-long", CHAN_NAME_MSG)
CHAN_ERROR_TEST(chan_error_name_missing, "name-missing", CHAN_NAME_MSG)

CHAN_ERROR_TEST(chan_error_end_unknown, "end-unknown", CH0 "ends: no partition@3 in the plan")
CHAN_ERROR_TEST(chan_error_end_same, "end-same",
		CH0 "ends: both ends are partition@1; a channel joins two partitions")
CHAN_ERROR_TEST(chan_error_ends_one, "ends-one", CH0 "ends: must be two partition ids")

/* Found on the second channel of the pair, named by its node. */
CHAN_ERROR_TEST(chan_error_duplicate_name, "duplicate-name",
		"channel channel@7 (\"net-rx\"): channel-name: used twice")
CHAN_ERROR_TEST(chan_error_duplicate_reg, "duplicate-reg", CH7 "reg: id 0 is used twice")

#define SIZE_MSG "shared-size: must be a 64-bit multiple of 4 KiB, at most 64 MiB"
CHAN_ERROR_TEST(chan_error_size_unaligned, "size-unaligned", CH0 SIZE_MSG)
CHAN_ERROR_TEST(chan_error_size_zero, "size-zero", CH0 SIZE_MSG)
CHAN_ERROR_TEST(chan_error_size_over_64m, "size-big", CH7 SIZE_MSG)
CHAN_ERROR_TEST(chan_error_size_32bit, "size-32", CH0 SIZE_MSG)

#define WRITABLE_MSG CH0 "shared-writable: must be two flags (0 or 1), one per end"
CHAN_ERROR_TEST(chan_error_writable_one_flag, "writable-one", WRITABLE_MSG)
CHAN_ERROR_TEST(chan_error_writable_2, "writable-2", WRITABLE_MSG)
CHAN_ERROR_TEST(chan_error_writable_missing, "writable-missing", WRITABLE_MSG)

#define ADDRESS_MSG CH0 "shared-address: must be two 64-bit addresses (0: automatic)"
CHAN_ERROR_TEST(chan_error_address_one, "address-one", ADDRESS_MSG)
CHAN_ERROR_TEST(chan_error_address_missing, "address-missing", ADDRESS_MSG)

CHAN_ERROR_TEST(chan_error_address_unaligned, "address-unaligned",
		CH0 "shared-address: 0x3fff0800 for partition@0 is not 4 KiB aligned")
CHAN_ERROR_TEST(chan_error_address_in_ram, "address-ram",
		CH0 "shared-address: 0x3fff1000 for partition@0 overlaps the partition's RAM")
/* Each end is checked against its own partition's RAM. */
CHAN_ERROR_TEST(chan_error_address_in_ram_first_end, "address-ram-first-end",
		CH0 "shared-address: 0x803f0000 for partition@1 overlaps the partition's RAM")
CHAN_ERROR_TEST(chan_error_address_over_vgic, "address-vgic",
		CH0 "shared-address: 0x81f1000 for partition@0 overlaps the virtual GIC")
CHAN_ERROR_TEST(chan_error_address_around_vgic, "address-vgic-inside",
		CH7 "shared-address: 0x5000000 for partition@1 overlaps the virtual GIC")
CHAN_ERROR_TEST(chan_error_address_in_window, "address-window",
		CH0 "shared-address: 0x1000200000 for partition@0 lies in the hypervisor window "
		    "(use 0 to be placed there)")
CHAN_ERROR_TEST(chan_error_address_into_window, "address-window-edge",
		CH7 "shared-address: 0xffc001000 for partition@5 lies in the hypervisor window "
		    "(use 0 to be placed there)")
CHAN_ERROR_TEST(chan_error_address_beyond_512g, "address-beyond",
		CH0 "shared-address: 0x7ffffff000 for partition@0 does not lie below 512 GiB")

#define WINDOW_MSG                                                                                 \
	P1 "memory: overlaps the hypervisor window at 0x1000000000-0x103fffffff (event page, "     \
	   "shared regions)"
CHAN_ERROR_TEST(chan_error_ram_in_window, "ram-in-window", WINDOW_MSG)
CHAN_ERROR_TEST(chan_error_ram_window_end, "ram-window-end", WINDOW_MSG)

static void chan_error_message_truncated(void **state)
{
	const char *full = CH0 "shared-address: 0x3fff1000 for partition@0 overlaps the "
			       "partition's RAM";
	void *blob = load_dtb("fixtures/plan-chan-err-address-ram.dtb");

	(void)state;
	/* As error_message_truncated, for a channel's two-step message. */
	for (size_t len = 1; len <= strlen(full) + 1; len++) {
		char *small = malloc(len);

		assert_non_null(small);
		assert_int_equal(plan_parse(blob, NR_CPUS, &plan, small, len), -1);
		assert_int_equal(strlen(small), len - 1);
		assert_memory_equal(small, full, len - 1);
		free(small);
	}
	free(blob);
}

/* --- The rule table and its paired fixtures ------------------------------------------ */

static const struct {
	enum plan_rule rule;
	const char *name, *where;
} rules[] = {
#define RULE_ROW(id, name, where) { PLAN_RULE_##id, name, #where },
	PLAN_RULES(RULE_ROW)
#undef RULE_ROW
};

static void rule_names(void **state)
{
	(void)state;
	assert_int_equal(sizeof(rules) / sizeof(rules[0]), PLAN_NR_RULES - 1);
	for (unsigned int i = 0; i < PLAN_NR_RULES - 1; i++) {
		assert_int_equal(rules[i].rule, i + 1);
		assert_string_equal(plan_rule_name(rules[i].rule), rules[i].name);
		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(rules[i].name, rules[j].name);
	}
	assert_string_equal(plan_rule_name(PLAN_RULE_MEM_VGIC), "memory-vgic");
	assert_string_equal(plan_rule_name(PLAN_RULE_NONE), "none");
	assert_string_equal(plan_rule_name(PLAN_NR_RULES), "unknown");
}

/* The expected message a rule fixture carries in its root. */
static const char *fixture_expect(const void *blob)
{
	int len;
	const char *s = fdt_getprop(blob, 0, "bulkhead,test-expect", &len);

	assert_non_null(s);
	return s;
}

static void rule_pairs_boot_side(void **state)
{
	unsigned int both = 0, device = 0;

	(void)state;
	for (unsigned int i = 0; i < PLAN_NR_RULES - 1; i++) {
		char name[96];
		void *blob;
		int rc;

		if (strcmp(rules[i].where, "BOTH") && strcmp(rules[i].where, "DEVICE"))
			continue;
		snprintf(name, sizeof(name), "rules/%s.dtb", rules[i].name);
		blob = load_dtb(name);
		rc = parse_blob(blob, NR_CPUS);
		if (!strcmp(rules[i].where, "DEVICE")) {
			/* A valid plan: the devices are checked against the
			 * board's tree (test_passthrough). */
			if (rc)
				fail_msg("%s: %s", name, err);
			device++;
		} else {
			if (rc == 0)
				fail_msg("%s: accepted", name);
			if (strcmp(err, fixture_expect(blob)))
				fail_msg("%s:\n  expected %s\n  got      %s", name,
					 fixture_expect(blob), err);
			if (plan.rule != rules[i].rule)
				fail_msg("%s: refused under rule %s", name,
					 plan_rule_name(plan.rule));
			both++;
		}
		free(blob);
	}
	/* Not vacuous. */
	assert_true(both >= 20);
	assert_true(device >= 5);
}

/* --- Found by plans written from outside the project (issue 10) -------------------- */

/* RAM over the vGIC hid the partition's interrupt controller: accepted at
 * build time and at boot. */
static void ram_over_vgic_refused(void **state)
{
	const char *msg = P1 "memory: overlaps the virtual GIC at 0x8000000-0x81fffff (the "
			     "partition's interrupt controller)";

	(void)state;
	expect_rule("fixtures/plan-err-memory-vgic-inside.dtb", PLAN_RULE_MEM_VGIC, msg);
	expect_rule("fixtures/plan-err-memory-vgic-last.dtb", PLAN_RULE_MEM_VGIC, msg);
	/* Right below it and right after it. */
	parse_ok("fixtures/plan-ram-around-vgic.dtb", NR_CPUS);
	assert_int_equal(ipa_bits(plan.parts[0].mem_base) + plan.parts[0].mem_size, PLAN_VGIC_IPA);
	assert_int_equal(ipa_bits(plan.parts[1].mem_base), PLAN_VGIC_IPA + PLAN_VGIC_SIZE);
}

/* Two channels' explicit regions over each other at one partition passed
 * plan_parse() (channels_build refused them later); now the plan does. */
static void channel_regions_apart(void **state)
{
	(void)state;
	parse_ok("fixtures/plan-chan-address-adjacent.dtb", NR_CPUS);
	assert_int_equal(ipa_bits(plan.channels[0].shared_ipa[0]) + plan.channels[0].shared_size,
			 ipa_bits(plan.channels[2].shared_ipa[1]));
	assert_int_equal(ipa_bits(plan.channels[0].shared_ipa[1]), ipa_bits(plan.channels[2].shared_ipa[0]));
}

static void devices_whole_page(void **state)
{
	const char *msg = P1 "devices-whole-page: must be one flag (0 or 1) per entry of devices";

	(void)state;
	parse_ok("fixtures/plan-devices-whole-page.dtb", NR_CPUS);
	assert_int_equal(plan.parts[1].nr_devices, 2);
	assert_false(plan.parts[1].whole_page[0]);
	assert_true(plan.parts[1].whole_page[1]);
	/* Absent: no device is. */
	assert_false(plan.parts[0].whole_page[0]);
	expect_rule("fixtures/plan-err-whole-page-2.dtb", PLAN_RULE_WHOLE_PAGE, msg);
	expect_rule("fixtures/plan-err-whole-page-count.dtb", PLAN_RULE_WHOLE_PAGE, msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base_plan_every_field),
		cmocka_unit_test(eight_partitions_accepted),
		cmocka_unit_test(limits_reached_not_crossed),
		cmocka_unit_test(driver_may_share_a_guest_cpu),
		cmocka_unit_test(policy_names),
		cmocka_unit_test(not_a_dtb),
		cmocka_unit_test(board_tree_is_not_a_plan),
		cmocka_unit_test(error_wrong_compatible),
		cmocka_unit_test(error_no_compatible),
		cmocka_unit_test(error_wrong_version),
		cmocka_unit_test(error_no_version),
		cmocka_unit_test(error_version_not_32bit),
		cmocka_unit_test(error_no_partitions_node),
		cmocka_unit_test(error_nine_partitions),
		cmocka_unit_test(error_reg_missing),
		cmocka_unit_test(error_reg_id_8),
		cmocka_unit_test(error_reg_not_32bit),
		cmocka_unit_test(error_name_missing),
		cmocka_unit_test(error_name_empty),
		cmocka_unit_test(error_name_too_long),
		cmocka_unit_test(error_name_bad_character),
		cmocka_unit_test(error_name_string_list),
		cmocka_unit_test(error_role_unknown),
		cmocka_unit_test(error_role_missing),
		cmocka_unit_test(error_cpus_missing),
		cmocka_unit_test(error_cpus_empty),
		cmocka_unit_test(error_cpus_nine),
		cmocka_unit_test(error_cpu_not_online),
		cmocka_unit_test(error_cpu_listed_twice),
		cmocka_unit_test(error_memory_base_missing),
		cmocka_unit_test(error_memory_size_missing),
		cmocka_unit_test(error_memory_base_32bit),
		cmocka_unit_test(error_memory_size_32bit),
		cmocka_unit_test(error_memory_size_zero),
		cmocka_unit_test(error_memory_size_not_2m_multiple),
		cmocka_unit_test(error_memory_base_unaligned),
		cmocka_unit_test(error_memory_base_beyond_512g),
		cmocka_unit_test(error_memory_end_beyond_512g),
		cmocka_unit_test(error_memory_wraps_around),
		cmocka_unit_test(error_image_missing),
		cmocka_unit_test(error_image_too_long),
		cmocka_unit_test(error_policy_unknown),
		cmocka_unit_test(error_policy_missing),
		cmocka_unit_test(error_restart_limit_missing),
		cmocka_unit_test(error_backoff_missing),
		cmocka_unit_test(error_priority_missing),
		cmocka_unit_test(error_backoff_over_60000),
		cmocka_unit_test(error_priority_over_255),
		cmocka_unit_test(error_duplicate_id),
		cmocka_unit_test(error_duplicate_name),
		cmocka_unit_test(error_guests_share_cpu),
		cmocka_unit_test(fewer_cpus_online),
		cmocka_unit_test(error_message_truncated),
		cmocka_unit_test(corrupt_partitions_structure_refused),
		cmocka_unit_test(channels_every_field),
		cmocka_unit_test(no_channels),
		cmocka_unit_test(ram_right_around_the_window_accepted),
		cmocka_unit_test(sixteen_channels_accepted),
		cmocka_unit_test(chan_error_seventeen),
		cmocka_unit_test(chan_error_reg_16),
		cmocka_unit_test(chan_error_reg_missing),
		cmocka_unit_test(chan_error_name_chars),
		cmocka_unit_test(chan_error_name_long),
		cmocka_unit_test(chan_error_name_missing),
		cmocka_unit_test(chan_error_end_unknown),
		cmocka_unit_test(chan_error_end_same),
		cmocka_unit_test(chan_error_ends_one),
		cmocka_unit_test(chan_error_duplicate_name),
		cmocka_unit_test(chan_error_duplicate_reg),
		cmocka_unit_test(chan_error_size_unaligned),
		cmocka_unit_test(chan_error_size_zero),
		cmocka_unit_test(chan_error_size_over_64m),
		cmocka_unit_test(chan_error_size_32bit),
		cmocka_unit_test(chan_error_writable_one_flag),
		cmocka_unit_test(chan_error_writable_2),
		cmocka_unit_test(chan_error_writable_missing),
		cmocka_unit_test(chan_error_address_one),
		cmocka_unit_test(chan_error_address_missing),
		cmocka_unit_test(chan_error_address_unaligned),
		cmocka_unit_test(chan_error_address_in_ram),
		cmocka_unit_test(chan_error_address_in_ram_first_end),
		cmocka_unit_test(chan_error_address_over_vgic),
		cmocka_unit_test(chan_error_address_around_vgic),
		cmocka_unit_test(chan_error_address_in_window),
		cmocka_unit_test(chan_error_address_into_window),
		cmocka_unit_test(chan_error_address_beyond_512g),
		cmocka_unit_test(chan_error_ram_in_window),
		cmocka_unit_test(chan_error_ram_window_end),
		cmocka_unit_test(chan_error_message_truncated),
		cmocka_unit_test(rule_names),
		cmocka_unit_test(rule_pairs_boot_side),
		cmocka_unit_test(ram_over_vgic_refused),
		cmocka_unit_test(channel_regions_apart),
		cmocka_unit_test(devices_whole_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
