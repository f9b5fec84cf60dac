/*
 * The vCPU scheduler. Each physical CPU has the vCPUs pinned to it (a
 * guest's CPUs are its own; driver domains may share one). It runs the
 * highest-priority ready vCPU, round-robin among equals, and preempts at
 * the tick when a vCPU of equal or higher priority is waiting. WFI (trapped
 * when the CPU is shared) and yield give the CPU away.
 */
#ifndef BULKHEAD_SCHED_H
#define BULKHEAD_SCHED_H

#include <stdbool.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>

#define SCHED_MAX_VCPUS 8

/* Ready to run: READY, not waiting for a tick, its partition running. */
bool sched_runnable(const struct vcpu *v);
/* The best runnable vCPU of runq[0..nr) other than except: the highest
 * priority, and among equals the first from index rr_next on. */
struct vcpu *sched_pick(struct vcpu *const *runq, unsigned int nr, unsigned int rr_next,
			const struct vcpu *except);
/* Does the running vCPU yield the CPU to waiting (which may be NULL)? */
bool sched_should_give_way(const struct vcpu *running, const struct vcpu *waiting);

/*
 * Is it worth interrupting target's CPU for target (which just got an
 * interrupt or became ready), given the vCPU running there (NULL: idle)?
 * Only if target is in the guest there, or would run at once: the CPU is
 * idle or runs something of lower priority. Otherwise the CPU finds it
 * when it next looks (its tick, or the running vCPU leaving).
 */
bool sched_wake_worthwhile(const struct vcpu *target, const struct vcpu *running);

/* Every CPU ends here after boot, and each time it leaves a guest: start
 * due partitions, run the best ready vCPU, sleep when there is none. */
__attribute__((noreturn)) void sched_idle_loop(void);

/* At boot: pin v to its CPU. */
void sched_add(struct vcpu *v);

/* The vCPU running on this CPU, or NULL. Inline: every trap asks. */
static inline struct vcpu *vcpu_current(void)
{
	return this_cpu()->current;
}

/* Idle loop: start due restarts, then enter the best ready vCPU (never
 * returns then); returns if there is none. */
void sched_run(void);

/* At the tick: unblock this CPU's WFI waiters, and note whether the
 * running vCPU should give way. */
void sched_tick(void);

/* Make target (just given an interrupt, or made ready) run or see it: no
 * longer blocked, and its CPU woken if that is worthwhile; at most one
 * wake-up in flight per CPU. */
void sched_wake(struct vcpu *target);
/* This CPU took its wake-up interrupt. */
void sched_wake_received(void);
/* While restarting a partition of this priority in the idle loop: let
 * interrupts in, and say whether a vCPU of higher priority is ready here. */
bool sched_higher_ready(unsigned int priority);


/* Hypercall yield: let an equal-priority vCPU run, if one is waiting. */
void sched_yield(struct vcpu *v);
/* Trapped WFI: wait for an interrupt, letting others run meanwhile (the
 * vCPU leaves the guest), or, alone on its CPU, in place. Returns only in
 * the second case, when the guest can go on. */
void sched_wfi(struct vcpu *v);

/* Leave the guest on this CPU: v's state becomes new_state if it was
 * RUNNING (READY: switched out, to resume later; OFF: gone). Continues
 * with the next vCPU or the idle loop, on a clean stack. */
__attribute__((noreturn)) void sched_leave(struct vcpu *v, enum vcpu_state new_state);

#endif
