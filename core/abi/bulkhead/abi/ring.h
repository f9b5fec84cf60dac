/*
 * Bulkhead guest ABI: the ring format in shared memory (docs/abi.md).
 *
 * A ring is a single-producer single-consumer queue of fixed-size slots in
 * a region two partitions share. Indices are free-running 32-bit counts;
 * slot i is at slots + (i % nr_slots) * slot_size, and nr_slots is a power
 * of two. Each side writes only its own cache line of the header, so the
 * two never write the same line:
 *
 *   offset 0    producer's line: prod (slots published), cons_event
 *   offset 64   consumer's line: cons (slots consumed), prod_event
 *   offset 128  the slots
 *
 * Notification suppression, as virtio's event index: after moving its
 * index from old to new, a side notifies the other (event channel send)
 * only if the other's event index e lies in [old, new), i.e.
 * (uint32_t)(new - e - 1) < (uint32_t)(new - old). A consumer about to
 * sleep sets prod_event = cons, then re-checks prod; a producer that finds
 * the ring full sets cons_event = cons it saw, then re-checks cons. A busy
 * side that does not re-arm gets no more notifications.
 *
 * A slot holds a request or response id, the payload length and the
 * payload. Neither side trusts the other: an index that moved backwards or
 * more than nr_slots ahead, or a length beyond the slot, marks the ring
 * broken; nothing in the slot is followed.
 *
 * Request/response channels (bh_chan in the domain runtime) put two rings
 * in one region: the first half carries requests from the channel's first
 * end to its second, the second half responses back.
 */
#ifndef BULKHEAD_ABI_RING_H
#define BULKHEAD_ABI_RING_H

#include <stdint.h>

#define BH_RING_HEADER_SIZE 128
#define BH_RING_SLOT_HEADER 8

struct bh_ring_shared {
	uint32_t prod;       /* written by the producer */
	uint32_t cons_event; /* written by the producer */
	uint8_t producer_pad[56];
	uint32_t cons;       /* written by the consumer */
	uint32_t prod_event; /* written by the consumer */
	uint8_t consumer_pad[56];
	uint8_t slots[];
};

struct bh_ring_slot {
	uint32_t id;
	uint32_t len; /* payload bytes, at most slot_size - BH_RING_SLOT_HEADER */
	uint8_t payload[];
};

/* The layout both peers compile against, pinned: each side's indices in a
 * cache line of their own, slots after the header. */
_Static_assert(__builtin_offsetof(struct bh_ring_shared, prod) == 0, "producer's line");
_Static_assert(__builtin_offsetof(struct bh_ring_shared, cons_event) == 4, "producer's line");
_Static_assert(__builtin_offsetof(struct bh_ring_shared, cons) == 64, "consumer's line");
_Static_assert(__builtin_offsetof(struct bh_ring_shared, prod_event) == 68, "consumer's line");
_Static_assert(__builtin_offsetof(struct bh_ring_shared, slots) == BH_RING_HEADER_SIZE,
	       "slots after the header");
_Static_assert(sizeof(struct bh_ring_shared) == BH_RING_HEADER_SIZE, "header size");
_Static_assert(__builtin_offsetof(struct bh_ring_slot, payload) == BH_RING_SLOT_HEADER,
	       "slot header size");

#endif
