/*
 * A split virtqueue (virtio 1.2, 2.7) seen from the device side, which for
 * the hypervisor's emulated devices is the hypervisor itself. The rings
 * are in guest RAM and the guest can change them at any moment: every
 * index and descriptor is read once, into a local copy, and checked there.
 */
#ifndef BULKHEAD_VIRTQ_H
#define BULKHEAD_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <bulkhead/addr.h>

struct partition;

/* Longest descriptor chain taken: a request header, up to 16 data
 * segments (the seg_max virtio-blk offers), the status byte, and slack. */
#define VIRTQ_MAX_SEGS 20

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq {
	/* As the driver set them through the transport. */
	uint32_t num; /* 0: not set */
	bool ready;
	ipaddr_t desc_ipa, avail_ipa, used_ipa;
	/* Once ready: where the rings are in the hypervisor's map. */
	volatile struct virtq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[num] */
	volatile uint16_t *used;  /* flags, idx, then num {u32 id, u32 len} */
	uint16_t last_avail;	  /* the next avail entry to take */
	uint16_t used_idx;	  /* the next used entry to write */
};

/* One guest buffer of a chain: guest-physical, checked to lie in its RAM. */
struct virtq_seg {
	ipaddr_t ipa;
	uint32_t len;
	bool writable; /* device-writable */
};

struct virtq_chain {
	uint16_t head;
	unsigned int nr;
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
	uint32_t readable, writable; /* bytes of each kind */
};

enum virtq_pop_result {
	VIRTQ_EMPTY,	 /* nothing new */
	VIRTQ_CHAIN,	 /* a chain, every segment checked */
	VIRTQ_BAD_CHAIN, /* a valid head whose chain breaks a rule: give it back unused */
	VIRTQ_BROKEN,	 /* the ring itself is nonsense: the device needs a reset */
};

/* The maximum queue size the hypervisor's devices offer: enough for a
 * block link's 16 slots of the largest request each (a header, 16 data
 * segments of a page and a status: 18 descriptors), since nothing in the
 * hypervisor grows with it (it reads the rings in place). At 64, a guest
 * without indirect descriptors had 3 such requests in flight at most. */
#define VIRTQ_NUM_MAX 512

/* Make the queue usable (QueueReady = 1): its size is a power of two up to
 * VIRTQ_NUM_MAX and its three rings are aligned and in the guest's RAM.
 * NULL, or why not. */
const char *virtq_enable(struct partition *p, struct virtq *q);
/* Forget the queue (device reset): not ready, sizes and addresses 0. */
void virtq_reset(struct virtq *q);
/* Take the next chain the driver made available. why says what was wrong
 * for VIRTQ_BAD_CHAIN and VIRTQ_BROKEN. */
enum virtq_pop_result virtq_pop(struct partition *p, struct virtq *q, struct virtq_chain *c,
				const char **why);
/* Give a chain back: `written` bytes were written into its buffers. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t written);
/* Does the driver want an interrupt for used buffers (not suppressed)? */
bool virtq_wants_interrupt(const struct virtq *q);

/* Copy between a chain's buffers and the hypervisor: the readable bytes
 * from offset `off` on, or into the writable bytes from `off` on. The
 * number of bytes copied (less if the chain is shorter). */
uint32_t virtq_chain_read(struct partition *p, const struct virtq_chain *c, uint32_t off,
			  void *to, uint32_t len);
uint32_t virtq_chain_write(struct partition *p, const struct virtq_chain *c, uint32_t off,
			   const void *from, uint32_t len);

#endif
