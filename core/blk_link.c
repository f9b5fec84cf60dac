/*
 * The link to a block driver domain (bulkhead/abi/blk.h): requests go
 * into its area's ring with their data in a slot, answers come back
 * through its hypercalls and are checked against the hypervisor's own
 * record of what it was given. Nothing the driver domain writes is
 * trusted: an answer index that moves too far, an answer to a request it
 * was not given, an unknown status or more bytes than the request had is
 * a fault of the driver domain, which its plan's policy restarts; the
 * requests it held are then given to its next run (block requests are
 * idempotent, so giving one twice is correct: docs/driver-domains.md).
 *
 * Locks: the link's lock (with interrupts masked), then the vGIC locks of
 * the guests and of the driver domain (vcpu_inject). Log lines are written
 * after it is released.
 */
#include <string.h>
#include <arch/cpu.h>
#include <bulkhead/blk.h>
#include <bulkhead/fault_inject.h>
#include <bulkhead/log.h>
#include <bulkhead/partition.h>

static struct bh_blk_area *area(const struct blk_link *l)
{
	return pa_ptr(l->area);
}

void *blk_slot(const struct blk_link *l, unsigned int i)
{
	return pa_ptr(pa_add(l->area, BH_BLK_DATA + (uint64_t)i * BH_BLK_SLOT_SIZE));
}

static struct blk_rec *free_rec(struct blk_link *l)
{
	for (unsigned int i = 0; i < BH_BLK_SLOTS; i++)
		if (l->rec[i].state == REC_FREE)
			return &l->rec[i];
	return NULL;
}

/* Give a request to the driver domain: a write's data into its slot, the
 * request into the ring, published by the index after it. */
static void post(struct blk_link *l, struct blk_rec *r)
{
	unsigned int i = (unsigned int)(r - l->rec);
	struct bh_blk_area *a = area(l);
	struct bh_blk_req *e = &a->req[l->req_prod % BH_BLK_RING];

	if (r->op == BH_BLK_OP_WRITE)
		virtq_chain_read(r->dev->mmio.guest, &r->chain, 16, blk_slot(l, i), r->len);
	e->id = r->id;
	e->op = r->op;
	e->sector = r->sector;
	e->len = r->len;
	e->slot = i;
	l->req_prod++;
	__atomic_store_n(&a->req_prod, l->req_prod, __ATOMIC_RELEASE);
	r->state = REC_POSTED;
	l->posted++;
	fault_inject_count(l->dom);
}

/*
 * Take what the guests made available, one request per disk in turn (so
 * that no guest starves another), while a slot is free. What is taken
 * goes to the driver domain now if it is up, or waits for it. True if
 * anything was posted.
 */
static bool pull_locked(struct blk_link *l)
{
	bool posted = false, progress = true;

	while (progress && l->nr_devs) {
		progress = false;
		for (unsigned int k = 0; k < l->nr_devs; k++) {
			struct vblk *d = l->devs[(l->next_dev + k) % l->nr_devs];
			struct blk_rec *r = free_rec(l);
			int rc;

			if (!r)
				return posted;
			rc = vblk_take(d, r);
			if (rc < 0)
				continue;
			progress = true;
			if (rc == 0)
				continue; /* answered at once */
			r->id = (++l->seq << 8) | (uint32_t)(r - l->rec);
			r->state = REC_WAITING;
			if (l->up) {
				post(l, r);
				posted = true;
			}
		}
		l->next_dev = (l->next_dev + 1) % l->nr_devs;
	}
	return posted;
}

static void doorbell(struct blk_link *l)
{
	vcpu_inject(l->dom, 0, BH_BLK_INTID);
}

void blk_link_pull(struct blk_link *l)
{
	uint64_t flags = spin_lock_irqsave(&l->lock);

	if (pull_locked(l))
		doorbell(l);
	spin_unlock_irqrestore(&l->lock, flags);
}

/* Check one answer against its record; NULL, or why it is refused. */
static const char *check_answer(struct blk_link *l, const struct bh_blk_rsp *rsp,
				struct blk_rec **rec)
{
	unsigned int i = rsp->id & 0xff;
	struct blk_rec *r = &l->rec[i < BH_BLK_SLOTS ? i : 0];

	if (i >= BH_BLK_SLOTS || r->id != rsp->id ||
	    (r->state != REC_POSTED && r->state != REC_CANCELLED))
		return "answered a request it was never given";
	if (rsp->status > BH_BLK_S_UNSUPP)
		return "answered with a status that does not exist";
	if (rsp->len > r->len)
		return "answered with more bytes than the request holds";
	*rec = r;
	return NULL;
}

/* The driver domain's answers, each checked before it reaches a guest. */
static const char *take_answers(struct blk_link *l)
{
	struct bh_blk_area *a = area(l);
	uint32_t prod = __atomic_load_n(&a->rsp_prod, __ATOMIC_ACQUIRE), held = 0;

	for (unsigned int i = 0; i < BH_BLK_SLOTS; i++)
		held += l->rec[i].state == REC_POSTED || l->rec[i].state == REC_CANCELLED;
	if (prod - l->rsp_cons > held)
		return "moved its answer index past the requests it holds (ring corrupt)";
	while (l->rsp_cons != prod) {
		volatile struct bh_blk_rsp *e = &a->rsp[l->rsp_cons % BH_BLK_RING];
		struct bh_blk_rsp rsp = { e->id, e->status, e->len, 0 };
		struct blk_rec *r = NULL;
		const char *why = check_answer(l, &rsp, &r);

		if (why)
			return why;
		l->rsp_cons++;
		a->rsp_cons = l->rsp_cons;
		if (l->down_at) { /* logged by blk_kick */
			l->back_after = arch_counter_now() - l->down_at;
			l->down_at = 0;
		}
		if (r->state == REC_POSTED) {
			/* A short read did not fill the guest's buffer: not OK. */
			if (r->op == BH_BLK_OP_READ && rsp.status == BH_BLK_S_OK &&
			    rsp.len != r->len)
				rsp.status = BH_BLK_S_IOERR;
			vblk_answer(r->dev, r, rsp.status);
		}
		r->state = REC_FREE;
	}
	return NULL;
}

void blk_kick(struct vcpu *v, uint64_t *regs)
{
	struct blk_link *l = blk_link_of(v->part);
	const char *why = NULL;
	uint64_t flags, back_after;

	if (!l) {
		regs[0] = (uint64_t)BH_E_DENIED;
		return;
	}
	flags = spin_lock_irqsave(&l->lock);
	if (l->up)
		why = take_answers(l);
	if (!why && l->up && pull_locked(l))
		doorbell(l);
	if (why)
		l->refused++;
	back_after = l->back_after;
	l->back_after = 0;
	spin_unlock_irqrestore(&l->lock, flags);
	/* make bench reads this: what a restart costs the guests. */
	if (back_after)
		log_info("blk: \"%s\" answered again %lu counter ticks after it ended",
			 v->part->plan->name, back_after);
	if (why)
		partition_fault(v, why, arch_guest_pc()); /* does not return */
	regs[0] = BH_OK;
}

/* A fresh area: indices 0, geometry, and every request it should hold
 * given again (also those of a run that attaches twice). */
static unsigned int attach_locked(struct blk_link *l, uint64_t capacity)
{
	struct bh_blk_area *a = area(l);
	unsigned int n = 0;

	memset(a, 0, sizeof(*a));
	a->nr_slots = BH_BLK_SLOTS;
	a->slot_size = BH_BLK_SLOT_SIZE;
	a->data = BH_BLK_DATA;
	__atomic_store_n(&a->magic, BH_BLK_MAGIC, __ATOMIC_RELEASE);
	l->req_prod = l->rsp_cons = 0;
	l->capacity = capacity;
	l->up = true;
	for (unsigned int i = 0; i < BH_BLK_SLOTS; i++) {
		struct blk_rec *r = &l->rec[i];

		if (r->state == REC_CANCELLED)
			r->state = REC_FREE;
		if (r->state == REC_WAITING || r->state == REC_POSTED) {
			post(l, r);
			n++;
		}
	}
	l->replayed += n;
	if (pull_locked(l) || n)
		doorbell(l);
	return n;
}

void blk_attach(struct vcpu *v, uint64_t *regs)
{
	struct blk_link *l = blk_link_of(v->part);
	uint64_t flags, down_for;
	unsigned int n;

	if (!l) {
		regs[0] = (uint64_t)BH_E_DENIED;
		return;
	}
	flags = spin_lock_irqsave(&l->lock);
	l->failed = false; /* started again after it gave up (by a control domain) */
	n = attach_locked(l, regs[1]);
	down_for = l->down_at ? arch_counter_now() - l->down_at : 0;
	spin_unlock_irqrestore(&l->lock, flags);
	log_info("blk: \"%s\" attached (its device: %lu sectors%s); %u requests were waiting for it",
		 v->part->plan->name, regs[1], regs[2] ? ", read-only" : "", n);
	/* make bench reads this: a restart, fault to ready again. */
	if (down_for)
		log_info("blk: \"%s\" attached again %lu counter ticks after it ended",
			 v->part->plan->name, down_for);
	for (unsigned int i = 0; i < l->nr_devs; i++) {
		const struct vblk *d = l->devs[i];

		if (d->start + d->sectors > regs[1])
			log_warn("blk: the slice of \"%s\" ends at sector %lu, beyond its "
				 "device's %lu: requests there fail",
				 d->mmio.guest->plan->name, d->start + d->sectors, regs[1]);
	}
	regs[0] = BH_OK;
	regs[1] = n;
}

/* The driver domain ended: what it held waits for its next run, or, if
 * it stays stopped, fails now (and every later request at once). */
static void link_down(struct blk_link *l, bool stopped)
{
	uint64_t flags = spin_lock_irqsave(&l->lock);
	unsigned int waiting = 0;

	l->up = false;
	l->failed = stopped;
	l->down_at = arch_counter_now();
	for (unsigned int i = 0; i < BH_BLK_SLOTS; i++) {
		struct blk_rec *r = &l->rec[i];

		if (r->state == REC_CANCELLED)
			r->state = REC_FREE;
		if (r->state == REC_POSTED)
			r->state = REC_WAITING;
		if (r->state == REC_WAITING && stopped) {
			vblk_answer(r->dev, r, BH_BLK_S_IOERR);
			r->state = REC_FREE;
		}
		waiting += r->state == REC_WAITING;
	}
	if (stopped) /* what the guests queued meanwhile fails too */
		pull_locked(l);
	spin_unlock_irqrestore(&l->lock, flags);
	if (stopped)
		log_err("blk: \"%s\" stays stopped: the disks it served fail with I/O errors",
			l->dom->plan->name);
	else
		log_info("blk: \"%s\" ended; %u requests wait for its next run", l->dom->plan->name,
			 waiting);
}

void blk_partition_ended(struct partition *p, bool stopped)
{
	struct blk_link *l = blk_link_of(p);
	struct vblk *d = blk_disk_of(p);

	if (l)
		link_down(l, stopped);
	if (d) {
		uint64_t flags = spin_lock_irqsave(d->mmio.lock);

		d->mmio.ops->reset(&d->mmio);
		virtio_mmio_reset(&d->mmio);
		spin_unlock_irqrestore(d->mmio.lock, flags);
	}
}
