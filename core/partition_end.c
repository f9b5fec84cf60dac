/*
 * Ending a partition: it faulted, stopped itself or asked for a reset. Its
 * plan's fault policy says whether it stays stopped or restarts (with the
 * limit and the doubling back-off), and every one of its vCPUs leaves the
 * guest; partition_start.c brings it back.
 *
 * Locks: the partition lock, then nothing; the supervisor's queue lock, the
 * partition's console lock and the console's stream lock after it is
 * released. The control domain ends partitions from other CPUs
 * (partition_end_by_control): the same path, without a vCPU of the
 * caller's to park.
 */
#include <string.h>
#include <arch/cpu.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/blk.h>
#include <bulkhead/console_domain.h>
#include <bulkhead/format.h>
#include <bulkhead/irq.h>
#include <bulkhead/log.h>
#include <bulkhead/percpu.h>
#include <bulkhead/partition.h>
#include <bulkhead/sched.h>
#include <bulkhead/watchdog.h>

/* Leave the guest for good on this CPU (the vCPU ended or was turned
 * off) and continue with whatever else the CPU has. */
static __attribute__((noreturn)) void vcpu_park(struct vcpu *v)
{
	sched_leave(v, VCPU_OFF);
}

void vcpu_after_interrupt(void)
{
	struct vcpu *v = vcpu_current();

	if (!v)
		return;
	/* Another CPU ended the partition, or turned this vCPU off. */
	if (v->state != VCPU_RUNNING || v->part->state != PART_RUNNING)
		vcpu_park(v);
	/* The tick asked for a switch, or found the partition's watchdog run
	 * out (watchdog_tick asks for a switch then too, so that the common
	 * path tests nothing more). */
	if (this_cpu()->need_resched) {
		if (v->part->hung)
			watchdog_fault(v);
		sched_leave(v, VCPU_READY);
	}
}

/*
 * The delay before a restart the guest asked for (PSCI SYSTEM_RESET). Not a
 * fault, so it counts toward no limit; but a guest that resets again and
 * again within a second of starting gets the fault back-off (at least a
 * millisecond), doubling each time, so that it cannot keep a CPU wiping
 * and the console printing. A run that lasts a second starts afresh.
 */
static uint64_t reset_backoff(struct partition *p)
{
	uint64_t ms = arch_counter_freq() / 1000, now = arch_counter_now();
	uint64_t base = p->backoff_ticks > ms ? p->backoff_ticks : ms;

	if (now - p->started_at >= 1000 * ms) {
		p->quick_resets = 0;
		return 0;
	}
	return base << (p->quick_resets < 10 ? p->quick_resets++ : 10);
}

/*
 * End partition p: stop it, or schedule its restart. Every vCPU but `self`
 * (the caller's own, or NULL) is turned off and its CPU interrupted, so
 * that it leaves the guest; vCPU 0's CPU does the restart once all have.
 * Returns false if the partition had already ended (nothing done).
 */
static bool end_partition(struct partition *p, struct vcpu *self, bool restart, bool counted,
			  const char *why, unsigned int ended, uint64_t pc)
{
	const struct plan_partition *pp = p->plan;
	struct partition_locked locked;
	uint64_t delay = 0;

	locked = partition_lock(p);
	if (p->state != PART_RUNNING) {
		partition_unlock(locked);
		return false;
	}
	if (restart && counted && pp->restart_limit && p->restarts >= pp->restart_limit) {
		restart = false;
		why = "restart limit reached";
	}
	if (restart) {
		if (counted) {
			delay = p->backoff_ticks << (p->restarts < 16 ? p->restarts : 16);
			p->restarts++;
		} else if (ended != BH_ENDED_CONTROL) {
			delay = reset_backoff(p);
		}
		p->restart_at = arch_counter_now() + delay;
		p->wiped = 0;
		p->state = PART_RESTART_WAIT;
	} else {
		p->state = PART_STOPPED;
	}
	for (unsigned int i = 0; i < pp->nr_cpus; i++) {
		struct vcpu *o = &p->vcpus[i];

		if (o != self && o->state == VCPU_RUNNING)
			irq_wake_cpu(o->cpu);
		if (o != self && o->state == VCPU_READY)
			o->state = VCPU_OFF;
	}
	/* A restart due on vCPU 0's CPU, which may be idle: it looks now. */
	if (restart && !self)
		irq_wake_cpu(p->vcpus[0].cpu);
	partition_unlock(locked);
	/* Its devices stop before its memory is wiped: no DMA into the next
	 * run. Then what it served learns it is gone. */
	device_quiesce(p);
	blk_partition_ended(p, !restart);
	supervise_ended(p, ended, !restart, pc);
	console_domain_ended(p, !restart);

	/* What the guest printed before it ended comes first. */
	partition_console_write(p, "", 0);
	partition_log_end(p);
	if (restart)
		log_info("partition %u \"%s\": %s; restarting in %lu ms", p->id, pp->name, why,
			 delay / (arch_counter_freq() / 1000));
	else if (!strcmp(why, "restart limit reached"))
		log_warn("partition %u \"%s\": fault; restart limit (%u) reached, stopped", p->id,
			 pp->name, pp->restart_limit);
	else
		log_info("partition %u \"%s\": %s; stopped", p->id, pp->name, why);
	return true;
}

static __attribute__((noreturn)) void partition_end(struct vcpu *v, bool restart, bool counted,
						    const char *why, unsigned int ended,
						    uint64_t pc)
{
	arch_irq_disable(); /* for good: this vCPU does not go back */
	end_partition(v->part, v, restart, counted, why, ended, pc);
	vcpu_park(v);
}

bool partition_end_by_control(struct partition *p, bool restart, const char *who)
{
	char why[PLAN_NAME_LEN + 32];
	uint64_t flags = arch_irq_save();
	bool ended;

	fmt_snprintf(why, sizeof(why), "%s by \"%s\"", restart ? "restarted" : "stopped", who);
	ended = end_partition(p, NULL, restart, false, why, BH_ENDED_CONTROL, 0);
	arch_irq_restore(flags);
	return ended;
}

/* For the control domain's `list`: what, without its details (what comes
 * after its first ", "), and where. */
static void note_last_fault(struct partition *p, const char *what, uint64_t pc)
{
	char head[41];
	unsigned int n = 0;

	while (what[n] && !(what[n] == ',' && what[n + 1] == ' ') && n < sizeof(head) - 1) {
		head[n] = what[n];
		n++;
	}
	head[n] = '\0';
	fmt_snprintf(p->last_fault, sizeof(p->last_fault), "%s at PC 0x%lx", head, pc);
}

void partition_fault(struct vcpu *v, const char *what, uint64_t pc)
{
	struct partition *p = v->part;

	note_last_fault(p, what, pc);
	log_warn("partition %u \"%s\" vCPU %u: %s at PC 0x%lx", p->id, p->plan->name, v->index,
		 what, pc);
	partition_end(v, p->plan->policy != PLAN_POLICY_STOP, true, "fault", BH_ENDED_FAULT, pc);
}

void partition_stop(struct vcpu *v)
{
	partition_end(v, v->part->plan->policy == PLAN_POLICY_RESTART_ALWAYS, true,
		      "stopped itself", BH_ENDED_STOPPED_ITSELF, 0);
}

void partition_reset(struct vcpu *v)
{
	/* A reset the guest asks for is not a fault: no limit, no back-off. */
	partition_end(v, true, false, "reset requested", BH_ENDED_RESET, 0);
}
