/*
 * vCPU scheduling on each physical CPU (see sched.h). Only the CPU itself
 * touches its run queue after boot, so the queue needs no lock; a vCPU's
 * state is guarded by its partition's lock.
 *
 * Locks: the partition lock, alone (partition_lock()); a CPU's wake flag
 * and current vCPU are single words read across CPUs with fences.
 */
#include <arch/cpu.h>
#include <arch/vcpu.h>
#include <arch/vgic_hw.h>
#include <bulkhead/irq.h>
#include <bulkhead/log.h>
#include <bulkhead/panic.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
#include <bulkhead/smccc_arch.h>

/*
 * Every CPU ends here: it runs the vCPU pinned to it when that is ready,
 * and sleeps between interrupts otherwise. It looks for work with
 * interrupts masked, and waits with them masked: a wake-up (SGI) that comes
 * after the look stays pending and ends the WFI at once. With interrupts
 * on, it would be taken between the look and the WFI, and the CPU would
 * sleep through it until its next tick.
 */
void sched_idle_loop(void)
{
	for (;;) {
		if (panic_in_progress())
			arch_cpu_halt();
		arch_irq_disable();
		/* No vCPU here now: an SError pending is nobody's; take it (it
		 * is logged) rather than let it hit the next guest entered. */
		arch_serror_window();
		sched_run();
		arch_cpu_idle();
		arch_irq_enable();
	}
}

void sched_add(struct vcpu *v)
{
	struct percpu *pc = &percpu[v->cpu];

	if (pc->nr_runq == SCHED_MAX_VCPUS)
		panic("CPU %u: more than %d vCPUs pinned", v->cpu, SCHED_MAX_VCPUS);
	pc->runq[pc->nr_runq++] = v;
}

static struct vcpu *pick(struct percpu *pc, const struct vcpu *except)
{
	return sched_pick(pc->runq, pc->nr_runq, pc->rr_next, except);
}

static void idle_after_guest(void)
{
	arch_irq_enable();
	sched_idle_loop();
}

void sched_run(void)
{
	struct percpu *pc = this_cpu();
	struct partition_locked locked;
	struct vcpu *v;
	struct partition *p;
	uint64_t flags;

	for (unsigned int i = 0; i < pc->nr_runq; i++)
		if (pc->runq[i]->index == 0)
			partition_start_if_due(pc->runq[i]->part);
	flags = arch_irq_save();
	v = pick(pc, NULL);
	if (!v) {
		arch_irq_restore(flags);
		return;
	}
	p = v->part;
	locked = partition_lock(p);
	if (!sched_runnable(v)) { /* changed meanwhile on another CPU */
		partition_unlock(locked);
		arch_irq_restore(flags);
		return;
	}
	v->state = VCPU_RUNNING;
	v->in_guest = true;
	p->nr_in_guest++;
	partition_unlock(locked);
	for (unsigned int i = 0; i < pc->nr_runq; i++)
		if (pc->runq[i] == v)
			pc->rr_next = i + 1;
	pc->current = v;
	pc->need_resched = false;
	if (arch_vgic_available()) {
		arch_vgic_restore(&v->arch.vgic);
		arch_vgic_flush(&v->arch.vgic, &p->vgic, v->index);
	}
	if (pc->last_part != p) {
		if (pc->last_part)
			smccc_arch_switch_partition();
		pc->last_part = p;
	}
	/* WFI comes here when the CPU is shared, and for a partition with a
	 * watchdog: waiting for work is not a hang (sched_wfi). */
	arch_vcpu_enter(&v->arch, pc->nr_runq > 1 || p->plan->watchdog_ms);
}

void sched_leave(struct vcpu *v, enum vcpu_state new_state)
{
	struct partition *p = v->part;
	struct percpu *pc = this_cpu();
	struct partition_locked locked;

	arch_irq_disable(); /* for good: this CPU goes on in its idle loop */
	if (new_state == VCPU_READY)
		arch_vcpu_save(&v->arch, pc->trap_frame);
	locked = partition_lock(p);
	/* A partition that ended meanwhile keeps none of its vCPUs ready. */
	if (p->state != PART_RUNNING)
		new_state = VCPU_OFF;
	if (v->state == VCPU_RUNNING)
		v->state = new_state;
	/* Under the lock: CPU_ON (vcpu_on) waits for in_guest to clear
	 * before it resets the list-register bookkeeping read here. */
	if (new_state == VCPU_OFF)
		vcpu_release_device_irqs(locked, v);
	v->in_guest = false;
	p->nr_in_guest--;
	partition_unlock(locked);
	/* Gone from this CPU before looking at its run queue again: a wake-up
	 * that saw it still here was meant for a CPU that looks (sched_wake). */
	__atomic_store_n(&pc->current, NULL, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (new_state == VCPU_OFF) {
		/* Nothing it left in the list registers may raise maintenance
		 * interrupts here once it is gone (an LR with its EOI bit). */
		if (arch_vgic_available())
			arch_vgic_clear();
	}
	arch_cpu_park(idle_after_guest);
}

void sched_tick(void)
{
	struct percpu *pc = this_cpu();
	struct vcpu *cur = pc->current;
	struct vcpu *next;

	for (unsigned int i = 0; i < pc->nr_runq; i++) {
		struct vcpu *v = pc->runq[i];

		v->blocked = false;
		/* A restart due on this CPU happens in the idle loop: make the
		 * running vCPU leave for it, whatever its priority. */
		if (cur && v->index == 0 && v->part->state == PART_RESTART_WAIT &&
		    !v->part->nr_in_guest && arch_counter_now() >= v->part->restart_at)
			pc->need_resched = true;
	}
	if (!cur)
		return;
	next = pick(pc, cur);
	if (sched_should_give_way(cur, next))
		pc->need_resched = true;
}

bool sched_higher_ready(unsigned int priority)
{
	struct vcpu *v;

	/* Let interrupts in: the tick and wake-ups decide who is ready. */
	arch_irq_enable();
	arch_irq_disable();
	v = pick(this_cpu(), NULL);
	return v && v->part->plan->priority > priority;
}

void sched_wake(struct vcpu *t)
{
	struct percpu *tc = &percpu[t->cpu];

	t->blocked = false;
	if (t->cpu == this_cpu_id())
		return; /* this CPU looks at its run queue before it next enters a guest */
	/* t's new state before the look at what runs there; the other side
	 * orders its switch the same way (sched_leave). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!sched_wake_worthwhile(t, __atomic_load_n(&tc->current, __ATOMIC_RELAXED)))
		return;
	/* One wake-up in flight per CPU: the CPU looks at everything when it
	 * takes it (sched_wake_received), so repeats would add nothing. */
	if (!__atomic_exchange_n(&tc->wake_sent, true, __ATOMIC_ACQ_REL))
		irq_wake_cpu(t->cpu);
}

void sched_wake_received(void)
{
	struct percpu *pc = this_cpu();
	struct vcpu *cur = pc->current, *next;

	(void)__atomic_exchange_n(&pc->wake_sent, false, __ATOMIC_ACQ_REL);
	/* A vCPU of higher priority woke up: it runs now, not at the tick. */
	if (cur && pc->nr_runq > 1) {
		next = pick(pc, cur);
		if (next && next->part->plan->priority > cur->part->plan->priority)
			pc->need_resched = true;
	}
}

void sched_yield(struct vcpu *v)
{
	if (sched_should_give_way(v, pick(this_cpu(), v)))
		sched_leave(v, VCPU_READY);
}

/* Would a real WFI of v's end now: an interrupt pending for it, in a list
 * register or not yet moved there? */
static bool wfi_would_wake(struct vcpu *v)
{
	return arch_vgic_lr_pending() ||
	       vgic_has_pending(&v->part->vgic, v->index, v->arch.vgic.in_lr);
}

/*
 * A vCPU alone on its CPU whose WFI traps (its partition has a watchdog):
 * wait here, its state left live, as its WFI would have, instead of
 * leaving the guest and entering it again. Returns when an interrupt is
 * pending for it; leaves the guest if it must (its partition ended, it
 * was turned off, or a restart is due here).
 */
static void wfi_in_place(struct vcpu *v)
{
	struct percpu *pc = this_cpu();

	for (;;) {
		v->part->last_beat = arch_counter_now(); /* waiting, not hung */
		/* The list registers first: the guest may have ended an
		 * interrupt that the bookkeeping still counts as in an LR, and
		 * the same INTID pending again would be skipped as delivered
		 * (a domain that ends its doorbell and waits for the next). */
		vcpu_flush_interrupts();
		if (wfi_would_wake(v))
			return;
		if (v->state != VCPU_RUNNING || v->part->state != PART_RUNNING ||
		    pc->need_resched || pc->nr_runq > 1)
			sched_leave(v, VCPU_READY);
		/* Masked: a pending interrupt ends it. The tick taken meanwhile
		 * must not count the wait against the watchdog. */
		pc->waiting_in_place = true;
		arch_cpu_idle();
		arch_irq_enable();
		arch_irq_disable();
		pc->waiting_in_place = false;
	}
}

void sched_wfi(struct vcpu *v)
{
	/* Called with the trap frame already past the WFI. */
	if (this_cpu()->nr_runq == 1 && arch_vgic_available()) {
		wfi_in_place(v);
		return;
	}
	/* As a real WFI, it does not wait while an interrupt is pending for
	 * the vCPU: the wake-up that made it pending may have come just
	 * before the WFI, and would be slept through until the next tick.
	 * Else blocked until the next tick or a wake-up. The list registers
	 * first, as wfi_in_place does: an interrupt the guest ended there may
	 * be pending again. */
	vcpu_flush_interrupts();
	v->blocked = !arch_vgic_available() || !wfi_would_wake(v);
	if (v->part->plan->watchdog_ms)
		v->part->last_beat = arch_counter_now(); /* waiting, not hung */
	sched_leave(v, VCPU_READY);
}
