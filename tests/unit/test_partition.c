/*
 * Unit tests, on the fake arch (tests/unit/fakearch), for the partition
 * lifecycle (first start, fault, restart with back-off, limit, resets the
 * guest asks for), the wipe before every start, CPU_ON and CPU_OFF, the
 * scheduler's choices and wake-ups, vCPU interrupts and hypercall
 * dispatch: the real core files, with the arch faked.
 *
 * Two partitions are built by hand (no plan parsing): "alpha" with two
 * vCPUs on CPUs 1 and 2, "beta" with one vCPU on CPU 1 (sharing it with
 * alpha's vCPU 0) at a higher priority unless a test says otherwise.
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

#include <arch/psci.h>
#include <arch/stage2.h>
#include <bulkhead/board.h>
#include <bulkhead/console.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/abi/console.h>
#include <bulkhead/console_domain.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
#include <drivers/uart.h>
#include "fake_core.h"
#include "fakearch.h"

#define RAM_SIZE (8UL << 20)
#define RAM_BASE 0x40000000UL
#define NR_PARTS 2

static uint8_t ram[NR_PARTS][RAM_SIZE] __attribute__((aligned(4096)));
static struct plan_partition plans[NR_PARTS];
static struct partition parts[NR_PARTS];
static pt_table_t s2[NR_PARTS][2];
static union {
	struct bh_event_page page;
	uint8_t bytes[4096];
} pages[NR_PARTS] __attribute__((aligned(4096)));
static const uint8_t image[] = "pristine image";
static struct partition *const alpha = &parts[0], *const beta = &parts[1];

/* --- Stand-ins for what these tests do not cover (fake_core.c has the rest) ------------- */

static unsigned int dt_builds;
static bool dt_fails;

int guest_dt_build(struct partition *p, void *buf, uint64_t size)
{
	dt_builds++;
	if (dt_fails)
		return -1;
	memcpy(buf, "dtb", 4);
	return 0;
}

#define wakes fake_wakes
#define passthrough_starts fake_passthrough_starts
#define out fake_out

/* --- Set-up --------------------------------------------------------------------------------- */

static void build(struct partition *p, unsigned int id, const char *name, unsigned int nr_cpus,
		  const unsigned int *cpus, unsigned int priority)
{
	struct plan_partition *pp = &plans[id];

	memset(pp, 0, sizeof(*pp));
	pp->id = id;
	snprintf(pp->name, sizeof(pp->name), "%s", name);
	pp->nr_cpus = nr_cpus;
	memcpy(pp->cpus, cpus, nr_cpus * sizeof(*cpus));
	pp->mem_base = ipa_from(RAM_BASE);
	pp->mem_size = RAM_SIZE;
	pp->policy = PLAN_POLICY_RESTART_ON_FAULT;
	pp->restart_limit = 2;
	pp->backoff_ms = 20;
	pp->priority = priority;
	fake_partition_build(p, pp, ram[id], s2[id], &pages[id].page, image, sizeof(image));
}

static int setup(void **state)
{
	static const unsigned int alpha_cpus[] = { 1, 2 }, beta_cpus[] = { 1 };

	(void)state;
	fake_core_reset();
	dt_builds = 0;
	dt_fails = false;
	build(alpha, 0, "alpha", 2, alpha_cpus, 100);
	build(beta, 1, "beta", 1, beta_cpus, 50);
	beta->state = PART_STOPPED; /* tests that want it running say so */
	return 0;
}

/* CPU cpu runs its idle loop's look for work once: starts what is due,
 * enters the best vCPU. Returns the vCPU entered, or NULL. */
static struct vcpu *idle_once(unsigned int cpu)
{
	enum fake_exit how;

	fake_cpu = cpu;
	fake_entered = NULL;
	fake_irqs_masked = true; /* the idle loop looks with interrupts masked */
	how = FAKE_RUN(sched_run());
	fake_irqs_masked = false;
	if (how != FAKE_ENTERED)
		return NULL;
	return (struct vcpu *)((char *)fake_entered - offsetof(struct vcpu, arch));
}

/* A trap from the guest that v runs: interrupts masked, v current. */
static void in_trap(struct vcpu *v)
{
	fake_cpu = v->cpu;
	fake_irqs_masked = true;
	assert_ptr_equal(percpu[v->cpu].current, v);
}

static bool ram_zero_from(const struct partition *p, uint64_t from)
{
	for (uint64_t i = from; i < RAM_SIZE - PARTITION_DTB_SIZE; i++)
		if (ram[p->id][i])
			return false;
	return true;
}

static void start_alpha(void)
{
	assert_ptr_equal(idle_once(1), &alpha->vcpus[0]);
	assert_int_equal(alpha->state, PART_RUNNING);
}

/* --- First start ------------------------------------------------------------------------------ */

static void first_start_wipes_all_ram(void **state)
{
	(void)state;
	memset(ram[0], 0xa5, RAM_SIZE); /* what a boot loader left */
	start_alpha();
	assert_int_equal(fake_wiped_bytes, RAM_SIZE);
	assert_memory_equal(ram[0], image, sizeof(image));
	assert_true(ram_zero_from(alpha, sizeof(image)));
	assert_memory_equal(ram[0] + RAM_SIZE - PARTITION_DTB_SIZE, "dtb", 4);
	assert_int_equal(passthrough_starts, 1);
	/* vCPU 0 starts at the image with x0 = its device tree; vCPU 1 waits
	 * for CPU_ON. */
	assert_int_equal(alpha->vcpus[0].arch.regs.elr, RAM_BASE);
	assert_int_equal(alpha->vcpus[0].arch.regs.x[0], ipa_bits(alpha->dtb_ipa));
	assert_int_equal(alpha->vcpus[1].state, VCPU_OFF);
	assert_null(strstr(out, "restarted")); /* a first start is no restart */
}

static void wipe_gives_way_to_higher_priority(void **state)
{
	(void)state;
	/* beta (priority 50) runs on CPU 1; alpha (100) waits there for its
	 * start. With beta at 200, the wipe stops after a step for it. */
	plans[1].priority = 200;
	beta->state = PART_RUNNING;
	beta->vcpus[0].state = VCPU_READY;
	assert_ptr_equal(idle_once(1), &beta->vcpus[0]);
	assert_int_equal(alpha->wiped, 2UL << 20);
	assert_int_equal(alpha->state, PART_RESTART_WAIT);
	/* beta waits in WFI: the wipe goes on, and alpha starts. */
	in_trap(&beta->vcpus[0]);
	assert_int_equal(FAKE_RUN(sched_wfi(&beta->vcpus[0])), FAKE_PARKED);
	assert_ptr_equal(idle_once(1), &alpha->vcpus[0]);
	assert_int_equal(fake_wiped_bytes, RAM_SIZE);
}

static void wipe_not_interrupted_by_lower_priority(void **state)
{
	(void)state;
	beta->state = PART_RUNNING;
	beta->vcpus[0].state = VCPU_READY; /* priority 50 < alpha's 100 */
	start_alpha();
	assert_int_equal(fake_wipes, 4); /* four 2 MiB steps in one go */
}

static void device_tree_failure_stops(void **state)
{
	(void)state;
	dt_fails = true;
	assert_null(idle_once(2)); /* CPU 2 is not vCPU 0's: nothing to do */
	assert_null(idle_once(1));
	assert_int_equal(alpha->state, PART_STOPPED);
	assert_non_null(strstr(out, "cannot rebuild its device tree; stopped"));
}

/* --- Faults, restarts, back-off, limit ------------------------------------------------------ */

static enum fake_exit fault(struct vcpu *v)
{
	in_trap(v);
	return FAKE_RUN(partition_fault(v, "test fault", 0x40000100));
}

static void fault_restarts_after_backoff(void **state)
{
	(void)state;
	start_alpha();
	memset(ram[0] + 4096, 0x5a, 4096); /* what the run leaves */
	assert_int_equal(fault(&alpha->vcpus[0]), FAKE_PARKED);
	assert_int_equal(alpha->state, PART_RESTART_WAIT);
	assert_int_equal(alpha->restarts, 1);
	assert_non_null(strstr(out, "fault; restarting in 20 ms"));
	assert_null(percpu[1].current);
	assert_int_equal(fake_vgic_clears, 1); /* its LRs emptied as it left */
	/* Not before its time. */
	fake_counter += FAKE_MS(19);
	assert_null(idle_once(1));
	fake_counter += FAKE_MS(1);
	assert_ptr_equal(idle_once(1), &alpha->vcpus[0]);
	assert_true(ram_zero_from(alpha, sizeof(image)));
	assert_non_null(strstr(out, "restarted (1 so far)"));
}

static void backoff_doubles_until_limit(void **state)
{
	(void)state;
	start_alpha();
	assert_int_equal(fault(&alpha->vcpus[0]), FAKE_PARKED);
	fake_counter += FAKE_MS(20);
	assert_non_null(idle_once(1));
	assert_int_equal(fault(&alpha->vcpus[0]), FAKE_PARKED);
	assert_non_null(strstr(out, "restarting in 40 ms"));
	fake_counter += FAKE_MS(40);
	assert_non_null(idle_once(1));
	assert_int_equal(fault(&alpha->vcpus[0]), FAKE_PARKED);
	assert_int_equal(alpha->state, PART_STOPPED);
	assert_non_null(strstr(out, "restart limit (2) reached, stopped"));
	fake_counter += FAKE_MS(1000);
	assert_null(idle_once(1));
}

static void stop_policy_stops(void **state)
{
	(void)state;
	plans[0].policy = PLAN_POLICY_STOP;
	start_alpha();
	assert_int_equal(fault(&alpha->vcpus[0]), FAKE_PARKED);
	assert_int_equal(alpha->state, PART_STOPPED);
	assert_non_null(strstr(out, "fault; stopped"));
}

static void fault_on_one_vcpu_ends_all(void **state)
{
	(void)state;
	start_alpha();
	/* vCPU 1 on CPU 2 through CPU_ON, then in the guest. */
	in_trap(&alpha->vcpus[0]);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 1, RAM_BASE + 0x100, 7), PSCI_SUCCESS);
	assert_int_equal(wakes[2], 1);
	assert_ptr_equal(idle_once(2), &alpha->vcpus[1]);
	assert_int_equal(alpha->vcpus[1].arch.regs.x[0], 7);
	/* vCPU 0 faults: CPU 2 is told to leave, and vCPU 0's CPU waits for it
	 * before restarting. */
	assert_int_equal(fault(&alpha->vcpus[0]), FAKE_PARKED);
	assert_int_equal(wakes[2], 2);
	assert_int_equal(alpha->nr_in_guest, 1);
	fake_counter += FAKE_MS(20);
	assert_null(idle_once(1));
	fake_cpu = 2;
	fake_irqs_masked = true;
	assert_int_equal(FAKE_RUN(vcpu_after_interrupt()), FAKE_PARKED);
	assert_int_equal(alpha->nr_in_guest, 0);
	assert_ptr_equal(idle_once(1), &alpha->vcpus[0]);
	assert_int_equal(alpha->vcpus[1].state, VCPU_OFF);
}

/* --- Resets the guest asks for ---------------------------------------------------------------- */

static enum fake_exit guest_reset(struct vcpu *v)
{
	uint64_t regs[4] = { 0x84000009u }; /* PSCI SYSTEM_RESET */

	in_trap(v);
	return FAKE_RUN(vpsci_handle(v, regs));
}

static void quick_resets_back_off(void **state)
{
	static const char *const delays[] = { "in 20 ms", "in 40 ms", "in 80 ms" };

	(void)state;
	plans[0].restart_limit = 1;
	/* The first reset comes with the counter where the start left it, an
	 * even value: this test found the start time, then stored as now | 1,
	 * one past it, and such a reset taken as coming a whole run later. */
	start_alpha();
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(guest_reset(&alpha->vcpus[0]), FAKE_PARKED);
		assert_non_null(strstr(out, delays[i]));
		fake_counter += FAKE_MS(20) << i;
		assert_non_null(idle_once(1));
	}
	/* Not faults: no limit, and no count. */
	assert_int_equal(alpha->restarts, 0);
	/* A run that lasts a second starts afresh: no delay. */
	fake_counter += FAKE_MS(1000);
	assert_int_equal(guest_reset(&alpha->vcpus[0]), FAKE_PARKED);
	assert_non_null(strstr(out, "reset requested; restarting in 0 ms"));
}

/* --- CPU_ON, CPU_OFF ------------------------------------------------------------------------- */

static void cpu_on_waits_until_cpu_left(void **state)
{
	(void)state;
	start_alpha();
	in_trap(&alpha->vcpus[0]);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 1, RAM_BASE, 0), PSCI_SUCCESS);
	assert_ptr_equal(idle_once(2), &alpha->vcpus[1]);
	/* vCPU 1 turns itself off but has not left CPU 2 yet. */
	alpha->vcpus[1].state = VCPU_OFF;
	in_trap(&alpha->vcpus[0]);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 1, RAM_BASE, 0), PSCI_ALREADY_ON);
	assert_true(vcpu_is_on(&alpha->vcpus[1]));
	fake_cpu = 2;
	assert_int_equal(FAKE_RUN(sched_leave(&alpha->vcpus[1], VCPU_OFF)), FAKE_PARKED);
	assert_false(vcpu_is_on(&alpha->vcpus[1]));
	in_trap(&alpha->vcpus[0]);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 1, RAM_BASE, 0), PSCI_SUCCESS);
}

static void cpu_on_checks_arguments(void **state)
{
	(void)state;
	start_alpha();
	in_trap(&alpha->vcpus[0]);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 2, RAM_BASE, 0), PSCI_INVALID_PARAMETERS);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], ~0UL, RAM_BASE, 0), PSCI_INVALID_PARAMETERS);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 1, RAM_BASE + 2, 0), PSCI_INVALID_ADDRESS);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 1, RAM_BASE + RAM_SIZE, 0),
			 PSCI_INVALID_ADDRESS);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 1, 0x1000, 0), PSCI_INVALID_ADDRESS);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 0, RAM_BASE, 0), PSCI_ALREADY_ON);
}

static void last_vcpu_off_stops_partition(void **state)
{
	(void)state;
	plans[0].policy = PLAN_POLICY_STOP;
	start_alpha();
	in_trap(&alpha->vcpus[0]);
	assert_int_equal(FAKE_RUN(vcpu_off(&alpha->vcpus[0])), FAKE_PARKED);
	assert_int_equal(alpha->state, PART_STOPPED);
	assert_non_null(strstr(out, "stopped itself; stopped"));
}

/* --- Scheduler and wake-ups ------------------------------------------------------------------ */

static void shared_cpu_runs_higher_priority_with_wfi_trapped(void **state)
{
	(void)state;
	plans[1].priority = 200;
	start_alpha(); /* alone first: beta is not started */
	fake_cpu = 1;
	fake_irqs_masked = true;
	assert_int_equal(FAKE_RUN(sched_leave(&alpha->vcpus[0], VCPU_READY)), FAKE_PARKED);
	beta->state = PART_RUNNING;
	beta->vcpus[0].state = VCPU_READY;
	assert_ptr_equal(idle_once(1), &beta->vcpus[0]);
	assert_true(fake_entered_trap_wfi); /* CPU 1 is shared */
}

/* ICC_SGI1R_EL1: SGI 3 to the vCPU whose Aff0 is 1. */
static const struct sgi_request SGI3_TO_VCPU1 = { .intid = 3, .cluster_zero = true,
						  .target_list = 1u << 1 };

static void wake_only_when_worthwhile_and_once(void **state)
{
	(void)state;
	start_alpha();
	in_trap(&alpha->vcpus[0]);
	assert_int_equal(vcpu_on(&alpha->vcpus[0], 1, RAM_BASE, 0), PSCI_SUCCESS);
	assert_ptr_equal(idle_once(2), &alpha->vcpus[1]);
	fake_cpu = 2;
	sched_wake_received(); /* the wake-up that brought it there */
	memset(wakes, 0, sizeof(wakes));
	/* vCPU 1 is in the guest on CPU 2: a burst of SGIs to it sends one
	 * wake-up until CPU 2 takes it. */
	in_trap(&alpha->vcpus[0]);
	for (int i = 0; i < 1000; i++)
		vcpu_send_sgi(&alpha->vcpus[0], &SGI3_TO_VCPU1);
	assert_int_equal(wakes[2], 1);
	fake_cpu = 2;
	sched_wake_received();
	in_trap(&alpha->vcpus[0]);
	vcpu_send_sgi(&alpha->vcpus[0], &SGI3_TO_VCPU1);
	assert_int_equal(wakes[2], 2);
}

static void wake_not_behind_higher_priority(void **state)
{
	(void)state;
	/* alpha vCPU 1 parked READY on CPU 2, where nothing else runs: a wake
	 * makes CPU 2 look. Behind a running vCPU of higher priority, it does
	 * not (CPU 2 looks at its next tick anyway). */
	start_alpha();
	alpha->vcpus[1].state = VCPU_READY;
	alpha->vcpus[1].blocked = true;
	in_trap(&alpha->vcpus[0]);
	sched_wake(&alpha->vcpus[1]);
	assert_int_equal(wakes[2], 1);
	assert_false(alpha->vcpus[1].blocked);
	fake_cpu = 2;
	sched_wake_received();
	percpu[2].current = &beta->vcpus[0];
	plans[1].priority = 200;
	in_trap(&alpha->vcpus[0]);
	sched_wake(&alpha->vcpus[1]);
	assert_int_equal(wakes[2], 1);
}

static void maintenance_without_vcpu_disables_interface(void **state)
{
	(void)state;
	fake_cpu = 3;
	fake_irqs_masked = true;
	vcpu_maintenance();
	assert_int_equal(fake_vgic_disables, 1);
}

/* --- Hypercalls ------------------------------------------------------------------------------ */

static uint64_t call(struct vcpu *v, uint64_t *regs)
{
	in_trap(v);
	hypercall_dispatch(v, regs);
	return regs[0];
}

static void hypercalls_dispatch(void **state)
{
	uint64_t regs[5] = { 0 };

	(void)state;
	start_alpha();
	regs[0] = BH_HC_NULL;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	regs[0] = BH_HC_ABI_VERSION;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_int_equal(regs[1], BH_ABI_VERSION);
	regs[0] = BH_HC_PARTITION_ID;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_int_equal(regs[1], 0);
	/* Unknown numbers, inside and outside Bulkhead's range; upper bits of
	 * x0 are not part of the function ID (SMCCC). */
	regs[0] = BH_HC(28);
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_UNKNOWN_CALL);
	/* The console domain's and the control domain's calls are theirs: a
	 * guest gets BH_E_DENIED, whatever the arguments. */
	for (uint32_t n = 19; n <= 27; n++) {
		regs[0] = BH_HC(n), regs[1] = 0, regs[2] = RAM_BASE + 0x1000, regs[3] = 64;
		assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_DENIED);
	}
	/* The block link's calls are for its driver domain only; fault
	 * injection for the plan's injector. */
	regs[0] = BH_HC_BLK_ATTACH;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_DENIED);
	regs[0] = BH_HC_BLK_KICK;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_DENIED);
	regs[0] = BH_HC_INJECT;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_DENIED);
	regs[0] = BH_HC_INJECT_TAKE;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_NOT_FOUND);
	regs[0] = BH_HC_HEARTBEAT;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	regs[0] = BH_HC(0xffff);
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_UNKNOWN_CALL);
	regs[0] = 0x84000000u;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_UNKNOWN_CALL);
	regs[0] = 0xffffffff00000000UL | BH_HC_NULL;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
}

/* beta is the console domain, alpha the control domain that controls
 * beta only: each call with hostile arguments, and each refused to the
 * other. */
/* A hypercall of v, which shares its CPU with the vCPU running there: as
 * if v ran meanwhile. */
static uint64_t call_as(struct vcpu *v, uint64_t *regs)
{
	struct vcpu *running = percpu[v->cpu].current;
	uint64_t status;

	percpu[v->cpu].current = v;
	status = call(v, regs);
	percpu[v->cpu].current = running;
	return status;
}

static void console_and_control_calls(void **state)
{
	uint64_t regs[5] = { 0 };
	struct bh_console_record *rec = (void *)(ram[1] + 0x2000);
	struct bh_partition_info *info = (void *)(ram[0] + 0x3000);
	uint32_t seq;

	(void)state;
	plans[1].role = PLAN_ROLE_CONSOLE;
	plans[0].role = PLAN_ROLE_CONTROL;
	plans[0].controls_mask = 1u << 1;
	console_enable_locking(); /* lines through the streams, as after boot */
	fake_parts = parts;
	fake_nr_parts = NR_PARTS;
	console_domain_build(parts, NR_PARTS);
	start_alpha();
	beta->state = PART_RUNNING;
	beta->vcpus[0].state = VCPU_READY;
	regs[0] = BH_HC_CONSOLE_ATTACH;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_DENIED);
	regs[0] = BH_HC_CONSOLE_ATTACH;
	assert_int_equal(call_as(&beta->vcpus[0], regs), BH_OK);
	/* alpha's line waits for the console domain. */
	memcpy(ram[0] + 0x1000, "hey\n", 4);
	regs[0] = BH_HC_CONSOLE_WRITE, regs[1] = RAM_BASE + 0x1000, regs[2] = 4;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_null(strstr(out, "[alpha] hey"));
	regs[0] = BH_HC_CONSOLE_NEXT, regs[1] = RAM_BASE + 0x2000, regs[2] = sizeof(*rec) + 64;
	assert_int_equal(call_as(&beta->vcpus[0], regs), BH_OK);
	assert_int_equal(regs[1], 3);
	assert_int_equal(rec->source, 0);
	assert_string_equal(rec->name, "alpha");
	assert_memory_equal(rec->text, "hey", 3);
	seq = rec->seq;
	/* Buffers: too small, not its RAM. */
	regs[0] = BH_HC_CONSOLE_NEXT, regs[1] = RAM_BASE + 0x2000, regs[2] = 8;
	assert_int_equal(call_as(&beta->vcpus[0], regs), (uint64_t)BH_E_INVALID);
	regs[0] = BH_HC_CONSOLE_NEXT, regs[1] = RAM_BASE + RAM_SIZE - 16, regs[2] = sizeof(*rec);
	assert_int_equal(call_as(&beta->vcpus[0], regs), (uint64_t)BH_E_FAULT);
	/* Acknowledgements of anything but that record change nothing. */
	regs[0] = BH_HC_CONSOLE_ACK, regs[1] = 1ULL << 32, regs[2] = seq, regs[3] = 0;
	assert_int_equal(call_as(&beta->vcpus[0], regs), (uint64_t)BH_E_INVALID);
	regs[0] = BH_HC_CONSOLE_ACK, regs[1] = 0, regs[2] = seq + 1, regs[3] = 0;
	assert_int_equal(call_as(&beta->vcpus[0], regs), (uint64_t)BH_E_INVALID);
	regs[0] = BH_HC_CONSOLE_ACK, regs[1] = 0, regs[2] = seq, regs[3] = 0;
	assert_int_equal(call_as(&beta->vcpus[0], regs), BH_OK);
	regs[0] = BH_HC_CONSOLE_ACK, regs[1] = 0, regs[2] = seq, regs[3] = 0;
	assert_int_equal(call_as(&beta->vcpus[0], regs), (uint64_t)BH_E_INVALID);
	regs[0] = BH_HC_CONSOLE_NEXT, regs[1] = RAM_BASE + 0x2000, regs[2] = sizeof(*rec) + 64;
	assert_int_equal(call_as(&beta->vcpus[0], regs), (uint64_t)BH_E_NOT_FOUND);
	/* The control calls: the console domain has none. */
	regs[0] = BH_HC_CTRL_INFO, regs[1] = 1, regs[2] = RAM_BASE + 0x3000;
	assert_int_equal(call_as(&beta->vcpus[0], regs), (uint64_t)BH_E_DENIED);
	regs[0] = BH_HC_CTRL_INFO, regs[1] = 1, regs[2] = RAM_BASE + 0x3000;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_string_equal(info->name, "beta");
	assert_int_equal(info->role, BH_ROLE_CONSOLE);
	assert_int_equal(info->state, BH_PART_RUNNING);
	assert_true(info->flags & BH_INFO_CONTROLLED);
	regs[0] = BH_HC_CTRL_INFO, regs[1] = (1ULL << 32) | 1, regs[2] = RAM_BASE + 0x3000;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_NOT_FOUND);
	regs[0] = BH_HC_CTRL_INFO, regs[1] = 1, regs[2] = RAM_BASE + RAM_SIZE - 8;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_FAULT);
	/* Its own history, and a target the plan does not name (itself). */
	regs[0] = BH_HC_CTRL_LOG, regs[1] = 0, regs[2] = RAM_BASE + 0x3000, regs[3] = 256;
	regs[4] = 5;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_non_null(strstr((char *)info, "hey\n"));
	regs[0] = BH_HC_CTRL_LOG, regs[1] = 0, regs[2] = RAM_BASE + 0x3000, regs[3] = 1 << 20;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_INVALID);
	regs[0] = BH_HC_CTRL_STOP, regs[1] = 0;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_DENIED);
	regs[0] = BH_HC_CTRL_START, regs[1] = 1;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_INVALID); /* running */
	/* Stopping the console domain: the hypervisor writes everything again. */
	regs[0] = BH_HC_CTRL_STOP, regs[1] = 1;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_int_equal(beta->state, PART_STOPPED);
	assert_int_equal(console_get_route(), CONSOLE_DIRECT);
	assert_non_null(strstr(out, "partition 1 \"beta\": stopped by \"alpha\"; stopped"));
	regs[0] = BH_HC_CTRL_STOP, regs[1] = 1;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_INVALID);
	regs[0] = BH_HC_CTRL_START, regs[1] = 1;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_int_equal(beta->state, PART_RESTART_WAIT);
}

/* Later tests have no console domain, whatever happened in this one. */
static int no_console_domain(void **state)
{
	(void)state;
	console_domain_build(parts, 0);
	console_set_route(CONSOLE_DIRECT, NULL);
	fake_nr_parts = 0;
	return 0;
}

static void console_write_checks_guest_range(void **state)
{
	uint64_t regs[5] = { 0 };

	(void)state;
	start_alpha();
	memcpy(ram[0] + 0x1000, "hi\n", 3);
	regs[0] = BH_HC_CONSOLE_WRITE, regs[1] = RAM_BASE + 0x1000, regs[2] = 3;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_non_null(strstr(out, "[alpha] hi"));
	/* A terminal's "\r\n" is one line end, not a replaced character. */
	memcpy(ram[0] + 0x1000, "ok\r\n", 4);
	regs[0] = BH_HC_CONSOLE_WRITE, regs[1] = RAM_BASE + 0x1000, regs[2] = 4;
	assert_int_equal(call(&alpha->vcpus[0], regs), BH_OK);
	assert_non_null(strstr(out, "[alpha] ok\r\n"));
	assert_null(strstr(out, "ok?"));
	regs[0] = BH_HC_CONSOLE_WRITE, regs[1] = RAM_BASE + RAM_SIZE - 2, regs[2] = 3;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_FAULT);
	regs[0] = BH_HC_CONSOLE_WRITE, regs[1] = ~0UL - 1, regs[2] = 3;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_FAULT);
	regs[0] = BH_HC_CONSOLE_WRITE, regs[1] = RAM_BASE, regs[2] = 1UL << 40;
	assert_int_equal(call(&alpha->vcpus[0], regs), (uint64_t)BH_E_INVALID);
}

static void fault_hypercall_ends_partition(void **state)
{
	uint64_t regs[4] = { BH_HC_FAULT, 0x96000000, 0x40000200, 0 };

	(void)state;
	start_alpha();
	in_trap(&alpha->vcpus[0]);
	assert_int_equal(FAKE_RUN(hypercall_dispatch(&alpha->vcpus[0], regs)), FAKE_PARKED);
	assert_int_equal(alpha->state, PART_RESTART_WAIT);
	assert_non_null(strstr(out, "exception it could not handle"));
}

/* --- Supervisors --------------------------------------------------------------------------- */

static uint64_t take_ended(uint64_t *regs)
{
	regs[0] = BH_HC_ENDED_TAKE;
	return call(&beta->vcpus[0], regs);
}

static void supervisor_hears_each_end(void **state)
{
	uint64_t regs[5] = { 0 };

	(void)state;
	alpha->supervisor = beta;
	start_alpha();
	assert_int_equal(fault(&alpha->vcpus[0]), FAKE_PARKED);
	beta->state = PART_RUNNING;
	beta->vcpus[0].state = VCPU_READY;
	plans[1].priority = 200;
	/* beta runs on CPU 1 now, and takes the record. */
	assert_ptr_equal(idle_once(1), &beta->vcpus[0]);
	assert_int_equal(take_ended(regs), BH_OK);
	assert_int_equal(regs[1], 0);
	assert_int_equal(regs[2] & 0xff, BH_ENDED_FAULT);
	assert_false(regs[2] & BH_ENDED_STOPPED);
	assert_int_equal(regs[2] >> 16, 1);
	assert_int_equal(regs[3], 0x40000100);
	assert_int_equal(take_ended(regs), (uint64_t)BH_E_NOT_FOUND);
	/* Its doorbell was made pending for it. */
	assert_true(beta->vgic.cpu[0].pending[0] & (1UL << BH_ENDED_INTID));
}

static void supervisor_queue_drops_oldest(void **state)
{
	uint64_t regs[5] = { 0 };

	(void)state;
	alpha->supervisor = beta;
	for (unsigned int i = 0; i < BH_ENDED_QUEUE + 3; i++)
		supervise_ended(alpha, BH_ENDED_RESET, false, i);
	beta->state = PART_RUNNING;
	beta->vcpus[0].state = VCPU_READY;
	plans[1].priority = 200;
	assert_ptr_equal(idle_once(1), &beta->vcpus[0]);
	assert_int_equal(take_ended(regs), BH_OK);
	assert_int_equal((regs[2] >> 12) & 0xf, 3); /* three dropped */
	assert_int_equal(regs[3], 3);		  /* the oldest kept */
	for (unsigned int i = 1; i < BH_ENDED_QUEUE; i++) {
		assert_int_equal(take_ended(regs), BH_OK);
		assert_int_equal((regs[2] >> 12) & 0xf, 0);
		assert_int_equal(regs[3], 3 + i);
	}
	assert_int_equal(take_ended(regs), (uint64_t)BH_E_NOT_FOUND);
}

static void no_supervisor_no_records(void **state)
{
	uint64_t regs[5] = { 0 };

	(void)state;
	start_alpha();
	assert_int_equal(fault(&alpha->vcpus[0]), FAKE_PARKED);
	beta->state = PART_RUNNING;
	beta->vcpus[0].state = VCPU_READY;
	plans[1].priority = 200;
	assert_ptr_equal(idle_once(1), &beta->vcpus[0]);
	assert_int_equal(take_ended(regs), (uint64_t)BH_E_NOT_FOUND);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(first_start_wipes_all_ram),
		T(wipe_gives_way_to_higher_priority),
		T(wipe_not_interrupted_by_lower_priority),
		T(device_tree_failure_stops),
		T(fault_restarts_after_backoff),
		T(backoff_doubles_until_limit),
		T(stop_policy_stops),
		T(fault_on_one_vcpu_ends_all),
		T(quick_resets_back_off),
		T(cpu_on_waits_until_cpu_left),
		T(cpu_on_checks_arguments),
		T(last_vcpu_off_stops_partition),
		T(shared_cpu_runs_higher_priority_with_wfi_trapped),
		T(wake_only_when_worthwhile_and_once),
		T(wake_not_behind_higher_priority),
		T(maintenance_without_vcpu_disables_interface),
		T(hypercalls_dispatch),
		T(console_write_checks_guest_range),
		cmocka_unit_test_setup_teardown(console_and_control_calls, setup, no_console_domain),
		T(fault_hypercall_ends_partition),
		T(supervisor_hears_each_end),
		T(supervisor_queue_drops_oldest),
		T(no_supervisor_no_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
