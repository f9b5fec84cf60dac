/*
 * Guests' disks served by block driver domains (docs/driver-domains.md).
 *
 *   guest --virtio-blk over virtio-mmio--> hypervisor (core/vblk.c)
 *         --struct bh_blk_req in the link's area--> driver domain
 *         --its device--> the disk, and the answers back the same way.
 *
 * What no restart of the driver domain may lose is kept here: each
 * guest's transport state (struct virtio_mmio) and the record of every
 * request in flight (struct blk_rec), with the guest's buffers it names.
 * The driver domain holds nothing that matters: when it comes back, the
 * requests it had are given to it again.
 *
 * Locks: one per link, taken with interrupts masked; it covers the link,
 * its records and the transport state of every disk it serves. It comes
 * before the vGIC locks (of the guests and of the driver domain); no
 * partition lock is taken under it.
 */
#ifndef BULKHEAD_BLK_H
#define BULKHEAD_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/spinlock.h>
#include <bulkhead/abi/blk.h>
#include <bulkhead/addr.h>
#include <bulkhead/plan.h>
#include <bulkhead/virtio_mmio.h>

#define VIRTIO_ID_BLOCK 2
/* Data segments per request (virtio-blk seg_max), each at most a page
 * (size_max): with BH_BLK_SLOT_SIZE, what a Linux guest may ask at once. */
#define VBLK_SEG_MAX 16
#define VBLK_SIZE_MAX 4096
#define VBLK_ID_BYTES 20

struct blk_link;

/* One guest's disk. */
struct vblk {
	struct virtio_mmio mmio;
	struct blk_link *link;
	uint64_t start, sectors; /* its slice of the link's device */
	bool read_only;
	unsigned long requests, errors; /* answered, and of those with an error */
};

enum blk_rec_state {
	REC_FREE,
	REC_WAITING,   /* taken from the guest, for the driver domain when it is up */
	REC_POSTED,    /* in the driver domain's ring */
	REC_CANCELLED, /* posted, but its guest reset the device or ended: the
			* answer frees the slot and touches nothing */
};

/* A request in flight; its index is the slot its data uses. */
struct blk_rec {
	enum blk_rec_state state;
	struct vblk *dev;
	struct virtq_chain chain;
	uint32_t id; /* given to the driver domain: a sequence number and the index */
	uint32_t op, len;
	uint64_t sector; /* on the device */
};

/* The link to one block driver domain. */
struct blk_link {
	struct partition *dom;
	spinlock_t lock;
	paddr_t area;	   /* its area (struct bh_blk_area, then the slots) */
	ipaddr_t area_ipa; /* where the driver domain sees it */
	bool up;	   /* attached since its last start */
	bool failed;	   /* it stays stopped: every request fails at once */
	uint32_t req_prod, rsp_cons; /* the hypervisor's own copies of the indices */
	uint32_t seq;
	uint64_t capacity; /* its device's, as it said when it attached */
	struct blk_rec rec[BH_BLK_SLOTS];
	struct vblk *devs[PLAN_MAX_PARTITIONS];
	unsigned int nr_devs, next_dev;
	unsigned long posted, replayed, refused;
	uint64_t down_at; /* counter when it last ended, until it answers again */
	uint64_t back_after; /* then: how long that took, for the log */
};

/* At boot, after every partition is built (parts: in plan order): each
 * guest's disk and its window, and the links. 0, or -1 with the reason
 * in err. */
int blk_build(struct partition *parts, unsigned int nr, char *err, size_t errlen);
/* The partition's link if it is a block driver domain, its disk if it is
 * a guest with one; or NULL. */
struct blk_link *blk_link_of(const struct partition *p);
struct vblk *blk_disk_of(const struct partition *p);
/* Device tree nodes: at the root, a guest's virtio,mmio device and a
 * driver domain's reserved memory; under /hypervisor, its link. */
int blk_dt_root_nodes(struct partition *p, void *fdt);
int blk_dt_hypervisor_nodes(struct partition *p, void *fdt);
/* The partition ended (stopped: for good). A driver domain's link goes
 * down, or fails; a guest's disk is reset. */
void blk_partition_ended(struct partition *p, bool stopped);

/* core/blk_link.c, for the device model and the hypercalls. */
void blk_link_pull(struct blk_link *l);
void blk_attach(struct vcpu *v, uint64_t *regs);
void blk_kick(struct vcpu *v, uint64_t *regs);
/* The data of slot i, in the hypervisor's map. */
void *blk_slot(const struct blk_link *l, unsigned int i);

/* core/vblk.c: the device model. */
extern const struct virtio_mmio_ops vblk_ops;
void vblk_init(struct vblk *d, struct partition *guest, struct blk_link *link,
	       const struct plan_partition *pp);
/* Take the guest's next request (the link's lock held): 1 if rec now
 * holds one for the driver domain, 0 if one was answered at once (an
 * error, or a request the hypervisor answers itself), -1 if none. */
int vblk_take(struct vblk *d, struct blk_rec *rec);
/* Answer a request: a read's data is in its slot (the link's lock held). */
void vblk_answer(struct vblk *d, struct blk_rec *rec, uint32_t status);

#endif
