/*
 * The control domain's calls (bulkhead/abi/console.h): the partition with
 * the role "control" may look at every partition and stop, start and
 * restart the ones its plan's "controls" names. Any other caller gets
 * BH_E_DENIED, and so does a target the plan does not name.
 *
 * Locks: a target's partition lock (inside the calls of partition_end.c
 * and partition_start.c), the console's stream lock for `log`; never both.
 */
#include <string.h>
#include <bulkhead/format.h>
#include <arch/cpu.h>
#include <bulkhead/abi/console.h>
#include <bulkhead/console.h>
#include <bulkhead/control.h>
#include <bulkhead/partition.h>
#include <bulkhead/vuart.h>

#define CONTROL_LOG_MAX 4096u

static bool caller_controls(struct vcpu *v, uint64_t *regs)
{
	if (v->part->plan->role == PLAN_ROLE_CONTROL)
		return true;
	regs[0] = (uint64_t)BH_E_DENIED;
	return false;
}

/* The partition x1 names, or NULL (x1 is 64 bits: no truncation). */
static struct partition *partition_arg(const uint64_t *regs)
{
	return regs[1] < PLAN_MAX_PARTITIONS ? partition_by_id((unsigned int)regs[1]) : NULL;
}

/* The target of a call that changes it: one the caller's plan names. */
static struct partition *target(struct vcpu *v, uint64_t *regs)
{
	struct partition *p;

	if (!caller_controls(v, regs))
		return NULL;
	p = partition_arg(regs);
	if (!p) {
		regs[0] = (uint64_t)BH_E_INVALID;
		return NULL;
	}
	if (!control_may(v->part, p)) {
		regs[0] = (uint64_t)BH_E_DENIED;
		return NULL;
	}
	return p;
}

bool control_may(const struct partition *control, const struct partition *p)
{
	return control->plan->role == PLAN_ROLE_CONTROL && p->id < PLAN_MAX_PARTITIONS &&
	       (control->plan->controls_mask & (1u << p->id));
}

static uint32_t abi_role(enum plan_role r)
{
	switch (r) {
	case PLAN_ROLE_DRIVER:
		return BH_ROLE_DRIVER;
	case PLAN_ROLE_CONSOLE:
		return BH_ROLE_CONSOLE;
	case PLAN_ROLE_CONTROL:
		return BH_ROLE_CONTROL;
	default:
		return BH_ROLE_GUEST;
	}
}

void control_info_call(struct vcpu *v, uint64_t *regs)
{
	struct bh_partition_info *out;
	struct partition *p;
	struct partition_locked locked;
	uint64_t ms = arch_counter_freq() / 1000;

	if (!caller_controls(v, regs))
		return;
	p = partition_arg(regs);
	if (!p) {
		regs[0] = (uint64_t)BH_E_NOT_FOUND;
		return;
	}
	out = partition_guest_ptr(v->part, ipa_from(regs[2]), sizeof(*out));
	if (!out) {
		regs[0] = (uint64_t)BH_E_FAULT;
		return;
	}
	memset(out, 0, sizeof(*out));
	fmt_snprintf(out->name, sizeof(out->name), "%s", p->plan->name);
	out->role = abi_role(p->plan->role);
	for (unsigned int i = 0; i < p->plan->nr_cpus; i++)
		out->cpus |= 1ull << p->plan->cpus[i];
	out->mem_size = p->plan->mem_size;
	out->flags = (control_may(v->part, p) ? BH_INFO_CONTROLLED : 0) |
		     (vuart_of(p) ? BH_INFO_INPUT : 0);
	locked = partition_lock(p);
	out->state = p->state == PART_RUNNING ? BH_PART_RUNNING
		     : p->state == PART_STOPPED ? BH_PART_STOPPED
		     : p->has_run		 ? BH_PART_RESTARTING
						 : BH_PART_STARTING;
	out->restarts = p->restarts;
	if (p->state == PART_RUNNING)
		out->uptime_ms = (arch_counter_now() - p->started_at) / ms;
	memcpy(out->last_fault, p->last_fault, sizeof(out->last_fault));
	out->last_fault[sizeof(out->last_fault) - 1] = '\0';
	partition_unlock(locked);
	regs[0] = BH_OK;
}

/* STOP and RESTART: the target ends; a partition does not end itself
 * this way (it has PSCI for that). */
static void end_call(struct vcpu *v, uint64_t *regs, bool restart)
{
	struct partition *p = target(v, regs);

	if (!p)
		return;
	regs[0] = p != v->part && partition_end_by_control(p, restart, v->part->plan->name)
			  ? BH_OK
			  : (uint64_t)BH_E_INVALID;
}

void control_stop_call(struct vcpu *v, uint64_t *regs)
{
	end_call(v, regs, false);
}

void control_restart_call(struct vcpu *v, uint64_t *regs)
{
	end_call(v, regs, true);
}

void control_start_call(struct vcpu *v, uint64_t *regs)
{
	struct partition *p = target(v, regs);

	if (!p)
		return;
	regs[0] = partition_start_by_control(p) ? BH_OK : (uint64_t)BH_E_INVALID;
}

void control_log_call(struct vcpu *v, uint64_t *regs)
{
	struct partition *p;
	uint64_t size = regs[3];
	char *out;

	if (!caller_controls(v, regs))
		return;
	p = partition_arg(regs);
	if (!p || !size || size > CONTROL_LOG_MAX) {
		regs[0] = (uint64_t)BH_E_INVALID;
		return;
	}
	out = partition_guest_ptr(v->part, ipa_from(regs[2]), size);
	if (!out) {
		regs[0] = (uint64_t)BH_E_FAULT;
		return;
	}
	regs[1] = console_last_lines(p->id, (unsigned int)(regs[4] > 64 ? 64 : regs[4]), out,
				     (uint32_t)size);
	regs[0] = BH_OK;
}
