/*
 * The watchdog (bulkhead/watchdog.h). last_beat is written by the
 * partition's own vCPUs and read here on the same CPUs: a plain word,
 * whose worst race is one tick's delay.
 */
#include <arch/cpu.h>
#include <arch/vcpu.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/format.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
#include <bulkhead/watchdog.h>

void watchdog_beat(struct vcpu *v, uint64_t *regs)
{
	v->part->last_beat = arch_counter_now();
	regs[0] = BH_OK;
}

void watchdog_tick(struct vcpu *v)
{
	struct partition *p = v->part;
	uint64_t last;

	last = p->last_beat > p->started_at ? p->last_beat : p->started_at;
	if (p->state == PART_RUNNING &&
	    arch_counter_now() - last > p->plan->watchdog_ms * (arch_counter_freq() / 1000)) {
		p->hung = true;
		this_cpu()->need_resched = true;
	}
}

void watchdog_fault(struct vcpu *v)
{
	char what[64];

	fmt_snprintf(what, sizeof(what), "hang: no heartbeat for %u ms", v->part->plan->watchdog_ms);
	partition_fault(v, what, arch_guest_pc());
}
