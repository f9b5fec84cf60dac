/*
 * PSCI power control of a partition's own vCPUs: CPU_ON, CPU_OFF and
 * AFFINITY_INFO's view of them.
 *
 * Locks: the partition lock, alone (partition_lock()).
 */
#include <arch/psci.h>
#include <bulkhead/partition.h>
#include <bulkhead/sched.h>

int64_t vcpu_on(struct vcpu *v, uint64_t target, uint64_t entry, uint64_t context)
{
	struct partition *p = v->part;
	struct partition_locked locked;
	struct vcpu *t;
	int64_t rc = PSCI_SUCCESS;

	if (target >= p->plan->nr_cpus)
		return PSCI_INVALID_PARAMETERS;
	if (!partition_guest_ptr(p, ipa_from(entry), 4) || entry % 4)
		return PSCI_INVALID_ADDRESS;
	t = &p->vcpus[target];
	locked = partition_lock(p);
	if (p->state != PART_RUNNING)
		rc = PSCI_DENIED;
	else if (t->state != VCPU_OFF || t->in_guest) /* in_guest: still turning off */
		rc = t->state == VCPU_READY ? PSCI_ON_PENDING : PSCI_ALREADY_ON;
	if (rc == PSCI_SUCCESS) {
		arch_vcpu_reset(&t->arch, entry, context, p->id + 1, pa_of(p->s2_root),
				t->index);
		t->state = VCPU_READY;
	}
	partition_unlock(locked);
	if (rc == PSCI_SUCCESS)
		sched_wake(t);
	return rc;
}

void vcpu_off(struct vcpu *v)
{
	struct partition *p = v->part;
	struct partition_locked locked;
	unsigned int others = 0;

	/* Count and turn off under one lock hold, so that two vCPUs turning
	 * off at once cannot both think the other stays on. */
	locked = partition_lock(p);
	for (unsigned int i = 0; i < p->plan->nr_cpus; i++)
		if (&p->vcpus[i] != v && p->vcpus[i].state != VCPU_OFF)
			others++;
	if (others)
		v->state = VCPU_OFF;
	partition_unlock(locked);
	if (!others)
		partition_stop(v); /* the last one out stops the partition */
	sched_leave(v, VCPU_OFF);
}

bool vcpu_is_on(struct vcpu *v)
{
	/* A vCPU that turned itself off is ON until its CPU has left it. */
	return v->state != VCPU_OFF || __atomic_load_n(&v->in_guest, __ATOMIC_ACQUIRE);
}
