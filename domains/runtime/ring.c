/*
 * Single-producer single-consumer rings in shared memory (ring.h). The
 * peer is not trusted: every index read from shared memory is checked
 * against what this side knows before it is used, and a slot's length is
 * read once, checked, and only then used to copy.
 */
#include <string.h>
#include "ring.h"

#define LOAD_ACQUIRE(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE_RELEASE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
/* Between publishing our index and reading the peer's event index (and
 * between arming our event index and re-reading the peer's index): a store
 * followed by a load needs a full barrier, or both sides could sleep. */
#define FULL_BARRIER() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static int broken(struct bh_ring *r, const char *why)
{
	r->broken = true;
	r->why = why;
	return BH_RING_CORRUPT;
}

static volatile struct bh_ring_slot *slot(const struct bh_ring *r, uint32_t idx)
{
	return (volatile struct bh_ring_slot *)(r->slots + (size_t)(idx & (r->nr_slots - 1)) *
								r->slot_size);
}

int bh_ring_attach(struct bh_ring *r, void *mem, size_t size, uint32_t slot_size,
		   enum bh_ring_role role)
{
	volatile struct bh_ring_shared *sh = mem;
	size_t n;
	uint32_t prod, cons;

	memset(r, 0, sizeof(*r));
	if (!mem || (uintptr_t)mem % 64 || slot_size < 16 || (slot_size & (slot_size - 1)) ||
	    size < BH_RING_HEADER_SIZE + 2 * (size_t)slot_size)
		return BH_RING_BAD_ARG;
	n = (size - BH_RING_HEADER_SIZE) / slot_size;
	if (n > (1u << 30))
		n = 1u << 30;
	while (n & (n - 1))
		n &= n - 1; /* down to a power of two */
	r->sh = sh;
	r->slots = (uint8_t *)mem + BH_RING_HEADER_SIZE;
	r->nr_slots = (uint32_t)n;
	r->slot_size = slot_size;
	r->role = role;
	prod = LOAD_ACQUIRE(&sh->prod);
	cons = LOAD_ACQUIRE(&sh->cons);
	if ((uint32_t)(prod - cons) > r->nr_slots)
		return broken(r, "indices in shared memory are inconsistent");
	r->mine = r->published = r->released = role == BH_RING_PRODUCER ? prod : cons;
	r->theirs = role == BH_RING_PRODUCER ? cons : prod;
	return BH_RING_OK;
}

uint32_t bh_ring_payload_max(const struct bh_ring *r)
{
	return r->slot_size - BH_RING_SLOT_HEADER;
}

/* Producer: re-read the consumer's index. It may only have moved forward,
 * and not past what we published. */
static int refresh_cons(struct bh_ring *r)
{
	uint32_t c = LOAD_ACQUIRE(&r->sh->cons);

	if ((uint32_t)(c - r->theirs) > (uint32_t)(r->published - r->theirs))
		return broken(r, "consumer index moved backwards or past the producer");
	r->theirs = c;
	return BH_RING_OK;
}

/* Consumer: re-read the producer's index. Forward only from what we saw,
 * and at most a ring's worth ahead of what we released (sh->cons). */
static int refresh_prod(struct bh_ring *r)
{
	uint32_t p = LOAD_ACQUIRE(&r->sh->prod);

	if ((uint32_t)(p - r->theirs) > (uint32_t)(r->released + r->nr_slots - r->theirs))
		return broken(r, "producer index moved backwards or more than a ring ahead");
	r->theirs = p;
	return BH_RING_OK;
}

int bh_ring_put(struct bh_ring *r, uint32_t id, const void *data, uint32_t len)
{
	volatile struct bh_ring_slot *s;

	if (r->broken)
		return BH_RING_CORRUPT;
	if (r->role != BH_RING_PRODUCER)
		return BH_RING_BAD_ARG;
	if (len > bh_ring_payload_max(r))
		return BH_RING_TOO_BIG;
	if (r->mine - r->theirs >= r->nr_slots) {
		if (refresh_cons(r))
			return BH_RING_CORRUPT;
		if (r->mine - r->theirs >= r->nr_slots)
			return BH_RING_FULL;
	}
	s = slot(r, r->mine);
	s->id = id;
	s->len = len;
	if (len)
		memcpy((void *)s->payload, data, len);
	r->mine++;
	return BH_RING_OK;
}

bool bh_ring_publish(struct bh_ring *r)
{
	uint32_t old = r->published, now = r->mine;

	if (r->broken || old == now)
		return false;
	STORE_RELEASE(&r->sh->prod, now);
	r->published = now;
	FULL_BARRIER();
	return bh_ring_need_notify(LOAD_RELAXED(&r->sh->prod_event), now, old);
}

int bh_ring_space(struct bh_ring *r)
{
	if (r->broken || refresh_cons(r))
		return BH_RING_CORRUPT;
	return (int)(r->nr_slots - (r->mine - r->theirs));
}

bool bh_ring_wait_space(struct bh_ring *r)
{
	if (r->broken)
		return true; /* do not sleep on a broken ring: the caller sees the error */
	STORE_RELAXED(&r->sh->cons_event, r->theirs);
	FULL_BARRIER();
	if (refresh_cons(r))
		return true;
	return r->mine - r->theirs < r->nr_slots;
}

int bh_ring_get(struct bh_ring *r, uint32_t *id, void *buf, uint32_t buflen, uint32_t *len)
{
	volatile struct bh_ring_slot *s;
	uint32_t n;

	if (r->broken)
		return BH_RING_CORRUPT;
	if (r->role != BH_RING_CONSUMER)
		return BH_RING_BAD_ARG;
	if (r->mine == r->theirs) {
		if (refresh_prod(r))
			return BH_RING_CORRUPT;
		if (r->mine == r->theirs)
			return BH_RING_EMPTY;
	}
	s = slot(r, r->mine);
	n = s->len; /* read once: the producer may change it under us */
	if (n > bh_ring_payload_max(r))
		return broken(r, "slot length larger than a slot");
	*len = n;
	if (n > buflen)
		return BH_RING_TOO_BIG;
	*id = s->id;
	if (n)
		memcpy(buf, (const void *)s->payload, n);
	r->mine++;
	return BH_RING_OK;
}

bool bh_ring_release(struct bh_ring *r)
{
	uint32_t old = r->released, now = r->mine;

	if (r->broken || old == now)
		return false;
	STORE_RELEASE(&r->sh->cons, now);
	r->released = now;
	FULL_BARRIER();
	return bh_ring_need_notify(LOAD_RELAXED(&r->sh->cons_event), now, old);
}

bool bh_ring_wait_data(struct bh_ring *r)
{
	if (r->broken)
		return true;
	STORE_RELAXED(&r->sh->prod_event, r->mine);
	FULL_BARRIER();
	if (refresh_prod(r))
		return true;
	return r->theirs != r->mine;
}
