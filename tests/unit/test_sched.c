/*
 * Unit tests for core/sched_pick.c: which vCPU of a CPU's run queue runs
 * next, and whether the running one gives way to a waiting one.
 *
 * The vCPUs and partitions are plain structs filled in here: sched_pick.c
 * only reads a vCPU's state, blocked flag and partition, and the
 * partition's state and plan priority (higher runs first).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/sched.h>

#define NR 6

static struct plan_partition plans[NR];
static struct partition parts[NR];
static struct vcpu vcpus[NR];
static struct vcpu *runq[NR];

/* Each vCPU in a partition of its own, all READY in RUNNING partitions at
 * priority 1: every test sets up what differs. */
static int setup(void **state)
{
	(void)state;
	memset(plans, 0, sizeof(plans));
	memset(parts, 0, sizeof(parts));
	memset(vcpus, 0, sizeof(vcpus));
	for (unsigned int i = 0; i < NR; i++) {
		plans[i].id = i;
		plans[i].priority = 1;
		parts[i].plan = &plans[i];
		parts[i].id = i;
		parts[i].state = PART_RUNNING;
		vcpus[i].part = &parts[i];
		vcpus[i].state = VCPU_READY;
		runq[i] = &vcpus[i];
	}
	return 0;
}

static void set_prio(unsigned int i, unsigned int prio)
{
	plans[i].priority = prio;
}

static void set_off(unsigned int i)
{
	vcpus[i].state = VCPU_OFF;
}

/* runq[] index of the pick, -1 for none; the pick must come from runq. */
static int pick(unsigned int nr, unsigned int rr_next, const struct vcpu *except)
{
	struct vcpu *v = sched_pick(runq, nr, rr_next, except);

	if (!v)
		return -1;
	for (unsigned int i = 0; i < nr; i++)
		if (runq[i] == v)
			return (int)i;
	fail_msg("sched_pick returned %p, not in the run queue", (void *)v);
	return -2;
}

/* --- sched_runnable --------------------------------------------------------------------- */

static void runnable_ready_in_running_partition(void **state)
{
	(void)state;
	assert_true(sched_runnable(&vcpus[0]));
}

static void not_runnable_unless_ready(void **state)
{
	(void)state;
	vcpus[0].state = VCPU_OFF;
	assert_false(sched_runnable(&vcpus[0]));
	/* RUNNING is already on a CPU: not to be picked again. */
	vcpus[0].state = VCPU_RUNNING;
	assert_false(sched_runnable(&vcpus[0]));
}

static void not_runnable_while_blocked(void **state)
{
	(void)state;
	vcpus[0].blocked = true;
	assert_false(sched_runnable(&vcpus[0]));
	vcpus[0].blocked = false;
	assert_true(sched_runnable(&vcpus[0]));
}

static void not_runnable_unless_partition_running(void **state)
{
	(void)state;
	parts[0].state = PART_STOPPED;
	assert_false(sched_runnable(&vcpus[0]));
	parts[0].state = PART_RESTART_WAIT;
	assert_false(sched_runnable(&vcpus[0]));
	/* Another vCPU of the same partition is held too. */
	vcpus[1].part = &parts[0];
	assert_false(sched_runnable(&vcpus[1]));
	parts[0].state = PART_RUNNING;
	assert_true(sched_runnable(&vcpus[1]));
}

/* --- sched_pick ------------------------------------------------------------------------- */

static void pick_highest_priority(void **state)
{
	(void)state;
	set_prio(0, 1);
	set_prio(1, 5);
	set_prio(2, 3);
	set_prio(3, 9); /* the best, but blocked */
	vcpus[3].blocked = true;
	/* Wherever the round-robin starts, including past the end. */
	for (unsigned int rr = 0; rr <= 4; rr++)
		assert_int_equal(pick(4, rr, NULL), 1);
	/* Unblocked, it wins. */
	vcpus[3].blocked = false;
	for (unsigned int rr = 0; rr <= 4; rr++)
		assert_int_equal(pick(4, rr, NULL), 3);
}

static void pick_higher_priority_before_equals_in_rotation(void **state)
{
	(void)state;
	/* 0-2 equal, 3 above them: the rotation order does not matter. */
	set_prio(3, 2);
	assert_int_equal(pick(4, 0, NULL), 3);
	assert_int_equal(pick(4, 3, NULL), 3);
	/* Two at the top, others below: the rotation picks among the two. */
	set_prio(1, 2);
	assert_int_equal(pick(4, 0, NULL), 1);
	assert_int_equal(pick(4, 1, NULL), 1);
	assert_int_equal(pick(4, 2, NULL), 3);
	assert_int_equal(pick(4, 3, NULL), 3);
	assert_int_equal(pick(4, 4, NULL), 1); /* rr_next == nr: from 0 */
}

static void pick_round_robin_among_equals(void **state)
{
	(void)state;
	for (unsigned int rr = 0; rr < 3; rr++)
		assert_int_equal(pick(3, rr, NULL), (int)rr);
	/* rr_next is the index after the last pick, so it reaches nr. */
	assert_int_equal(pick(3, 3, NULL), 0);
	assert_int_equal(pick(3, 5, NULL), 2);
}

/* As sched_run() uses it: rr_next becomes the picked index + 1. */
static void pick_rotation_over_many_picks(void **state)
{
	static const int want[] = { 0, 1, 2, 4, 0, 1, 2, 4 };
	unsigned int rr = 0;

	(void)state;
	set_prio(5, 0); /* lower: never picked */
	set_off(3);
	for (unsigned int n = 0; n < sizeof(want) / sizeof(want[0]); n++) {
		int i = pick(NR, rr, NULL);

		if (i != want[n])
			fail_msg("pick %u: vCPU %d, expected %d", n, i, want[n]);
		rr = (unsigned int)i + 1;
	}
}

static void pick_skips_unrunnable_from_rr_next(void **state)
{
	(void)state;
	/* rr_next points at one that cannot run: the next that can. */
	set_off(2);
	assert_int_equal(pick(4, 2, NULL), 3);
	/* And wraps around to the start. */
	set_off(3);
	assert_int_equal(pick(4, 2, NULL), 0);
	vcpus[0].blocked = true;
	assert_int_equal(pick(4, 2, NULL), 1);
}

static void pick_except(void **state)
{
	(void)state;
	/* The running vCPU (except) is passed over: the next equal. */
	assert_int_equal(pick(3, 1, &vcpus[1]), 2);
	assert_int_equal(pick(3, 2, &vcpus[2]), 0);
	/* Even when it is the only one of the top priority. */
	set_prio(1, 7);
	assert_int_equal(pick(3, 1, &vcpus[1]), 2);
	assert_int_equal(pick(3, 0, &vcpus[1]), 0);
	/* The only runnable one excepted: none. */
	set_off(0);
	set_off(2);
	assert_int_equal(pick(3, 0, &vcpus[1]), -1);
	assert_int_equal(pick(3, 0, NULL), 1);
	/* An except not in the queue changes nothing. */
	assert_int_equal(pick(3, 0, &vcpus[5]), 1);
}

static void pick_none_runnable(void **state)
{
	(void)state;
	vcpus[0].state = VCPU_RUNNING;
	vcpus[1].state = VCPU_OFF;
	vcpus[2].blocked = true;
	parts[3].state = PART_STOPPED;
	parts[4].state = PART_RESTART_WAIT;
	set_off(5);
	for (unsigned int rr = 0; rr < NR; rr++)
		assert_int_equal(pick(NR, rr, NULL), -1);
}

static void pick_empty_queue(void **state)
{
	(void)state;
	/* No vCPUs pinned: nothing, and no division by nr (UBSan would
	 * catch one) whatever rr_next says. */
	assert_null(sched_pick(runq, 0, 0, NULL));
	assert_null(sched_pick(runq, 0, 3, NULL));
	assert_null(sched_pick(NULL, 0, 0, NULL));
}

static void pick_one(void **state)
{
	(void)state;
	assert_int_equal(pick(1, 0, NULL), 0);
	assert_int_equal(pick(1, 1, NULL), 0);
	assert_int_equal(pick(1, 0, &vcpus[0]), -1);
}

/* Several vCPUs of one partition share its priority and state. */
static void pick_vcpus_of_one_partition(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 3; i++)
		vcpus[i].part = &parts[0];
	set_prio(0, 4);
	set_prio(3, 3);
	assert_int_equal(pick(4, 1, NULL), 1);
	assert_int_equal(pick(4, 3, NULL), 0);
	parts[0].state = PART_STOPPED;
	assert_int_equal(pick(4, 1, NULL), 3);
}

/* --- sched_should_give_way ------------------------------------------------------------ */

static void give_way_to_nobody(void **state)
{
	(void)state;
	assert_false(sched_should_give_way(&vcpus[0], NULL));
}

static void give_way_not_to_lower(void **state)
{
	(void)state;
	set_prio(0, 5);
	set_prio(1, 4);
	assert_false(sched_should_give_way(&vcpus[0], &vcpus[1]));
	set_prio(1, 0);
	assert_false(sched_should_give_way(&vcpus[0], &vcpus[1]));
}

static void give_way_to_equal_or_higher(void **state)
{
	(void)state;
	set_prio(0, 5);
	set_prio(1, 5);
	assert_true(sched_should_give_way(&vcpus[0], &vcpus[1]));
	set_prio(1, 6);
	assert_true(sched_should_give_way(&vcpus[0], &vcpus[1]));
	/* The top of the unsigned range compares as the highest. */
	set_prio(1, ~0u);
	assert_true(sched_should_give_way(&vcpus[0], &vcpus[1]));
	assert_false(sched_should_give_way(&vcpus[1], &vcpus[0]));
}

/* Wake-ups (issue 10, finding 5): a vCPU that signals a vCPU of its own
 * partition parked on a core another partition runs on must not pull that
 * core into the hypervisor each time. */
static void wake_target_in_guest(void **state)
{
	(void)state;
	vcpus[0].state = VCPU_RUNNING;
	/* Whatever runs there by the time we look: it must see its interrupt. */
	assert_true(sched_wake_worthwhile(&vcpus[0], &vcpus[0]));
	assert_true(sched_wake_worthwhile(&vcpus[0], NULL));
}

static void wake_idle_cpu(void **state)
{
	(void)state;
	assert_true(sched_wake_worthwhile(&vcpus[0], NULL));
	vcpus[0].blocked = true; /* blocked in WFI: the wake unblocks it first */
	assert_true(sched_wake_worthwhile(&vcpus[0], NULL));
}

static void wake_not_behind_equal_or_higher(void **state)
{
	(void)state;
	set_prio(0, 5);
	set_prio(1, 5);
	assert_false(sched_wake_worthwhile(&vcpus[0], &vcpus[1]));
	set_prio(1, 9);
	assert_false(sched_wake_worthwhile(&vcpus[0], &vcpus[1]));
}

static void wake_preempts_lower(void **state)
{
	(void)state;
	set_prio(0, 6);
	set_prio(1, 5);
	assert_true(sched_wake_worthwhile(&vcpus[0], &vcpus[1]));
}

static void wake_not_off_or_ended(void **state)
{
	(void)state;
	set_off(0);
	assert_false(sched_wake_worthwhile(&vcpus[0], NULL));
	vcpus[0].state = VCPU_READY;
	parts[0].state = PART_RESTART_WAIT;
	assert_false(sched_wake_worthwhile(&vcpus[0], NULL));
	parts[0].state = PART_STOPPED;
	assert_false(sched_wake_worthwhile(&vcpus[0], NULL));
}

#define SCHED_TEST(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SCHED_TEST(runnable_ready_in_running_partition),
		SCHED_TEST(not_runnable_unless_ready),
		SCHED_TEST(not_runnable_while_blocked),
		SCHED_TEST(not_runnable_unless_partition_running),
		SCHED_TEST(pick_highest_priority),
		SCHED_TEST(pick_higher_priority_before_equals_in_rotation),
		SCHED_TEST(pick_round_robin_among_equals),
		SCHED_TEST(pick_rotation_over_many_picks),
		SCHED_TEST(pick_skips_unrunnable_from_rr_next),
		SCHED_TEST(pick_except),
		SCHED_TEST(pick_none_runnable),
		SCHED_TEST(pick_empty_queue),
		SCHED_TEST(pick_one),
		SCHED_TEST(pick_vcpus_of_one_partition),
		SCHED_TEST(give_way_to_nobody),
		SCHED_TEST(give_way_not_to_lower),
		SCHED_TEST(give_way_to_equal_or_higher),
		SCHED_TEST(wake_target_in_guest),
		SCHED_TEST(wake_idle_cpu),
		SCHED_TEST(wake_not_behind_equal_or_higher),
		SCHED_TEST(wake_preempts_lower),
		SCHED_TEST(wake_not_off_or_ended),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
