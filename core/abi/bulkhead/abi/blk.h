/*
 * The block back-end link (docs/driver-domains.md): how the hypervisor
 * hands a block driver domain the requests of the guests' virtio-blk
 * devices and takes its answers.
 *
 * The hypervisor is the link's only client. It checks every descriptor a
 * guest posts, copies a write's data into a slot of the area below, and
 * once the driver domain answers, copies a read's data from the slot into
 * the guest's buffers. The driver domain sees the slots, never a guest's
 * memory, and its answers are checked against the hypervisor's own record
 * of what it was given (the ring entries are only a copy of it).
 *
 * The area lies in the driver domain's own RAM, at its device tree's
 * /hypervisor/blk-backend "reg" (also a /reserved-memory region), so that
 * its device can DMA into the slots: a slot's physical address is its
 * guest-physical address plus /chosen/bulkhead,dma-offset.
 *
 *   offset 0:                 struct bh_blk_area (indices and both rings)
 *   BH_BLK_DATA + i * BH_BLK_SLOT_SIZE: slot i
 *
 * The hypervisor writes req[] and req_prod; the driver domain writes rsp[]
 * and rsp_prod. Indices run free (uint32_t); entry i is at i % BH_BLK_RING.
 * At most BH_BLK_SLOTS requests are in flight, so neither ring can fill.
 */
#ifndef BULKHEAD_ABI_BLK_H
#define BULKHEAD_ABI_BLK_H

#include <stdint.h>

#define BH_BLK_MAGIC 0x6b6c4268u /* "hBlk" */
#define BH_BLK_RING 64
#define BH_BLK_SLOTS 32
#define BH_BLK_SLOT_SIZE 0x10000u /* the largest request: 64 KiB */
#define BH_BLK_DATA 0x1000u
#define BH_BLK_AREA_SIZE (BH_BLK_DATA + BH_BLK_SLOTS * BH_BLK_SLOT_SIZE)
#define BH_BLK_SECTOR 512u

/* Operations: virtio-blk's numbers. */
#define BH_BLK_OP_READ 0
#define BH_BLK_OP_WRITE 1
#define BH_BLK_OP_FLUSH 4

/* Statuses: virtio-blk's numbers. */
#define BH_BLK_S_OK 0
#define BH_BLK_S_IOERR 1
#define BH_BLK_S_UNSUPP 2

struct bh_blk_req {
	uint32_t id;	 /* to be returned in the answer */
	uint32_t op;	 /* BH_BLK_OP_* */
	uint64_t sector; /* on the device, already inside the guest's slice */
	uint32_t len;	 /* bytes (a multiple of 512, at most a slot) */
	uint32_t slot;	 /* its data: slot `slot` of the area */
};

struct bh_blk_rsp {
	uint32_t id;	 /* a request's id */
	uint32_t status; /* BH_BLK_S_* */
	uint32_t len;	 /* bytes of the slot a read filled (its len when OK) */
	uint32_t reserved;
};

struct bh_blk_area {
	uint32_t magic;	    /* BH_BLK_MAGIC once the hypervisor has set it up */
	uint32_t nr_slots;  /* BH_BLK_SLOTS */
	uint32_t slot_size; /* BH_BLK_SLOT_SIZE */
	uint32_t data;	    /* BH_BLK_DATA: offset of slot 0 */
	uint32_t req_prod;  /* hypervisor: requests published */
	uint32_t req_cons;  /* driver domain: requests taken (informative) */
	uint32_t rsp_prod;  /* driver domain: answers published */
	uint32_t rsp_cons;  /* hypervisor: answers taken */
	struct bh_blk_req req[BH_BLK_RING];
	struct bh_blk_rsp rsp[BH_BLK_RING];
};

_Static_assert(sizeof(struct bh_blk_req) == 24, "request layout");
_Static_assert(sizeof(struct bh_blk_rsp) == 16, "answer layout");
_Static_assert(__builtin_offsetof(struct bh_blk_area, req_prod) == 16, "area header layout");
_Static_assert(__builtin_offsetof(struct bh_blk_area, req) == 32, "area header layout");
_Static_assert(__builtin_offsetof(struct bh_blk_area, rsp) == 32 + 24 * BH_BLK_RING,
	       "area rings layout");
_Static_assert(sizeof(struct bh_blk_area) <= BH_BLK_DATA, "the rings fit before slot 0");
_Static_assert((BH_BLK_RING & (BH_BLK_RING - 1)) == 0 && BH_BLK_SLOTS <= BH_BLK_RING,
	       "rings never fill");

/* The doorbell: requests wait in the area (a PPI, like the event one). */
#define BH_BLK_INTID 23

/*
 * Fault kinds for injection (debug builds, docs/driver-domains.md). The
 * runtime of the partition told performs the first three itself; the
 * others a block driver domain performs on its link.
 */
#define BH_FAULT_DATA_ABORT 1	/* an access to memory it does not have */
#define BH_FAULT_UNDEFINED 2	/* an undefined instruction */
#define BH_FAULT_HANG 3		/* interrupts masked, spinning: the watchdog's */
#define BH_FAULT_CORRUPT_RING 4 /* nonsense in its answer ring's index */
#define BH_FAULT_FOREIGN_ANSWER 5 /* answers a request it was never given */
#define BH_FAULT_OVERLONG 6	/* answers with more bytes than the request had */
#define BH_FAULT_KINDS 6
/* The doorbell of an injected fault (a PPI). */
#define BH_INJECT_INTID 21

#endif
