/*
 * Telling a supervisor that a partition it supervises ended (see
 * bulkhead/supervise.h). The record is written under the supervisor's
 * queue lock and the doorbell raised after; a full queue drops its oldest
 * record and counts it, so a child that ends in a loop cannot make its
 * supervisor's memory or time grow.
 *
 * Locks: a supervisor's queue lock, alone (taken after the child's
 * partition lock is released).
 */
#include <arch/cpu.h>
#include <bulkhead/partition.h>
#include <bulkhead/supervise.h>

void supervise_ended(struct partition *child, unsigned int what, bool stopped, uint64_t pc)
{
	struct partition *s = child->supervisor;
	struct ended_queue *q;
	uint64_t flags;

	if (!s)
		return;
	q = &s->ended;
	flags = spin_lock_irqsave(&q->lock);
	if (q->count == BH_ENDED_QUEUE) {
		q->head = (q->head + 1) % BH_ENDED_QUEUE;
		q->count--;
		q->lost++;
	}
	q->rec[(q->head + q->count++) % BH_ENDED_QUEUE] =
		(struct ended_record){ child->id, what | (stopped ? BH_ENDED_STOPPED : 0),
				       child->restarts, pc };
	spin_unlock(&q->lock);
	/* Still masked: the injection takes the supervisor's vGIC lock. */
	vcpu_inject(s, 0, BH_ENDED_INTID);
	arch_irq_restore(flags);
}

void supervise_take(struct vcpu *v, uint64_t *regs)
{
	struct ended_queue *q = &v->part->ended;
	uint64_t flags = spin_lock_irqsave(&q->lock);
	struct ended_record r;
	unsigned int lost;

	if (!q->count) {
		spin_unlock_irqrestore(&q->lock, flags);
		regs[0] = (uint64_t)BH_E_NOT_FOUND;
		return;
	}
	r = q->rec[q->head];
	q->head = (q->head + 1) % BH_ENDED_QUEUE;
	q->count--;
	lost = q->lost > 15 ? 15 : q->lost;
	q->lost = 0;
	spin_unlock_irqrestore(&q->lock, flags);
	regs[0] = BH_OK;
	regs[1] = r.child;
	regs[2] = r.what | (uint64_t)lost << 12 | (uint64_t)r.restarts << 16;
	regs[3] = r.pc;
}
