/*
 * The ring library (format: bulkhead/abi/ring.h, docs/abi.md). Pure C with no
 * dependency on the domain runtime, so that the host unit tests run it.
 *
 * One struct bh_ring per side per ring. The side's own index is kept here
 * and only copied out to shared memory: the peer may scribble on the whole
 * region, so nothing read back from it is trusted without a check.
 */
#ifndef BULKHEAD_RING_H
#define BULKHEAD_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bulkhead/abi/ring.h>

enum bh_ring_status {
	BH_RING_OK = 0,
	BH_RING_EMPTY = -1,   /* nothing to consume */
	BH_RING_FULL = -2,    /* no free slot */
	BH_RING_CORRUPT = -3, /* the peer broke the ring; see why */
	BH_RING_TOO_BIG = -4, /* payload larger than a slot holds */
	BH_RING_BAD_ARG = -5, /* region too small, or slot size not a power of two */
};

enum bh_ring_role { BH_RING_PRODUCER, BH_RING_CONSUMER };

struct bh_ring {
	volatile struct bh_ring_shared *sh;
	uint8_t *slots;
	uint32_t nr_slots;  /* power of two */
	uint32_t slot_size; /* power of two, >= 16 */
	enum bh_ring_role role;
	uint32_t mine;      /* prod (producer) or cons (consumer): ours, trusted */
	uint32_t published; /* producer: mine as last published */
	uint32_t released;  /* consumer: mine as last released */
	uint32_t theirs;    /* the peer's index as last read and checked */
	bool broken;
	const char *why; /* when broken */
};

/*
 * Attach to the ring in [mem, mem + size): slots of slot_size bytes, as
 * many as fit, rounded down to a power of two. Resumes from the indices in
 * shared memory (zero in a fresh region), which are checked first.
 */
int bh_ring_attach(struct bh_ring *r, void *mem, size_t size, uint32_t slot_size,
		   enum bh_ring_role role);
uint32_t bh_ring_payload_max(const struct bh_ring *r);

/* Producer: write one slot (not yet visible), then publish every written
 * slot at once. publish returns true if the consumer asked to be woken. */
int bh_ring_put(struct bh_ring *r, uint32_t id, const void *data, uint32_t len);
bool bh_ring_publish(struct bh_ring *r);
/* Producer: free slots now (re-reads the consumer's index). */
int bh_ring_space(struct bh_ring *r);
/* Producer found the ring full: ask to be woken when a slot frees. Returns
 * true if one already has (then do not sleep). */
bool bh_ring_wait_space(struct bh_ring *r);

/* Consumer: take the next slot into buf (its payload, at most buflen
 * bytes). release makes consumed slots free for the producer and returns
 * true if the producer asked to be woken. */
int bh_ring_get(struct bh_ring *r, uint32_t *id, void *buf, uint32_t buflen, uint32_t *len);
bool bh_ring_release(struct bh_ring *r);
/* Consumer about to sleep: ask to be woken by the next publish. Returns
 * true if something is already there (then do not sleep). */
bool bh_ring_wait_data(struct bh_ring *r);

/* The notification rule of bulkhead/abi/ring.h. */
static inline bool bh_ring_need_notify(uint32_t event, uint32_t new_idx, uint32_t old_idx)
{
	return (uint32_t)(new_idx - event - 1) < (uint32_t)(new_idx - old_idx);
}

#endif
