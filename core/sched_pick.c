/*
 * The scheduling decisions, apart from the machinery (see sched.h): which
 * vCPU of a run queue runs next, and whether the running one gives way.
 * Pure logic, unit-tested on the host.
 */
#include <bulkhead/sched.h>

static unsigned int priority(const struct vcpu *v)
{
	return v->part->plan->priority;
}

bool sched_runnable(const struct vcpu *v)
{
	return v->state == VCPU_READY && !v->blocked && v->part->state == PART_RUNNING;
}

struct vcpu *sched_pick(struct vcpu *const *runq, unsigned int nr, unsigned int rr_next,
			const struct vcpu *except)
{
	struct vcpu *best = 0;

	/* Highest priority wins; scanning from rr_next makes the first of
	 * several equals the one after the vCPU that ran last. */
	for (unsigned int n = 0; n < nr; n++) {
		struct vcpu *v = runq[(rr_next + n) % nr];

		if (v != except && sched_runnable(v) && (!best || priority(v) > priority(best)))
			best = v;
	}
	return best;
}

bool sched_should_give_way(const struct vcpu *running, const struct vcpu *waiting)
{
	return waiting && priority(waiting) >= priority(running);
}

bool sched_wake_worthwhile(const struct vcpu *target, const struct vcpu *running)
{
	if (target->state == VCPU_RUNNING)
		return true; /* in the guest there: it must see its new interrupt */
	if (target->state != VCPU_READY || target->part->state != PART_RUNNING)
		return false;
	return !running || priority(target) > priority(running);
}
