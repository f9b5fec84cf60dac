/*
 * A split virtqueue, driver side (virtio 1.2, section 2.7), without
 * indirect descriptors or event-index suppression.
 *
 * The descriptor table, available ring and used ring are shared with the
 * device; everything the driver relies on (the free list, which heads are
 * in flight, how many descriptors and writable bytes each chain has) is
 * kept in private fields and only copied out, so a device that scribbles
 * on the shared rings cannot corrupt the driver's bookkeeping. What the
 * device returns (used index, ids, lengths) is checked against that
 * bookkeeping; the first violation marks the queue broken for good.
 *
 * Pure C over memory, no registers: the host unit tests run it.
 */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

/* Largest queue this driver sets up (the device may offer fewer): room
 * for 16 requests of 64 KiB even when the device cuts them into pages
 * (size_max 4096: 18 descriptors each), as the hypervisor's disks do. */
#define VQ_MAX 512

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_USED_F_NO_NOTIFY 1

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VQ_MAX];
	uint16_t used_event; /* unused: no VIRTIO_F_EVENT_IDX */
};

struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vq_used {
	uint16_t flags;
	uint16_t idx;
	struct vq_used_elem ring[VQ_MAX];
	uint16_t avail_event; /* unused: no VIRTIO_F_EVENT_IDX */
};

enum vq_status {
	VQ_FULL = -1,	 /* not enough free descriptors now */
	VQ_INVALID = -2, /* a chain this queue can never take */
	VQ_BROKEN = -3,	 /* the device broke the protocol; see why */
};

/* One buffer of a chain: its device (DMA) address, length, and whether the
 * device writes it (device-readable buffers must all come first). */
struct vq_seg {
	uint64_t addr;
	uint32_t len;
	bool device_writes;
};

struct virtqueue {
	/* Shared with the device, at the alignments section 2.7 asks. */
	struct vq_desc desc[VQ_MAX] __attribute__((aligned(16)));
	struct vq_avail avail __attribute__((aligned(4)));
	struct vq_used used __attribute__((aligned(4)));

	/* Private. */
	uint16_t size;	    /* a power of two, <= VQ_MAX */
	uint16_t nr_free;
	uint16_t free_head;
	uint16_t avail_idx; /* next avail index to publish */
	uint16_t last_used; /* next used index to take */
	uint16_t in_flight; /* chains the device has (or will have) */
	uint16_t next[VQ_MAX];	    /* chain and free-list links */
	uint16_t chain_len[VQ_MAX]; /* per head: descriptors (0: not in flight) */
	uint64_t writable[VQ_MAX];  /* per head: bytes the device may write */
	bool broken;
	char why[120];
};

/* Empty the queue for a device of this size (a power of two <= VQ_MAX). */
void vq_init(struct virtqueue *vq, uint16_t size);

/* The head descriptor the next vq_add will use (for per-request data the
 * caller keeps by head), valid until the queue is next changed. */
uint16_t vq_next_head(const struct virtqueue *vq);

/* Put a chain of n buffers in the available ring (not yet published).
 * Returns its head, or VQ_FULL, VQ_INVALID or VQ_BROKEN. */
int vq_add(struct virtqueue *vq, const struct vq_seg *seg, unsigned int n);

/* Publish what was added. Returns whether the device wants a
 * notification (it has not set VIRTQ_USED_F_NO_NOTIFY). */
bool vq_publish(struct virtqueue *vq);

/* Take the next used chain: 1 with its head and the length the device
 * says it wrote, 0 if there is none, VQ_BROKEN if the device returned
 * something impossible (why says what). */
int vq_take(struct virtqueue *vq, uint16_t *head, uint32_t *len);

#endif
