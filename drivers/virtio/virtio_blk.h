/*
 * virtio-blk over virtio-mmio (virtio 1.2, section 5.2), for domains: one
 * request queue, split ring, no indirect descriptors, no event index.
 *
 * The same code drives a device passed through to the partition (QEMU's
 * virtio-blk: it reaches memory by host-physical address, so dma_offset is
 * bh_dma_offset()) and a device the hypervisor emulates (it reaches the
 * guest's own addresses: dma_offset 0). Domains run identity-mapped, so a
 * buffer's device address is its address plus dma_offset; every buffer
 * given to the device must therefore lie in the partition's RAM (not in a
 * channel's shared region, which is elsewhere in host memory).
 *
 * struct vblk holds the rings, the request headers and the status bytes,
 * so it must lie in that RAM too (a static or heap object does). Nothing
 * here takes a lock: one thread of the domain drives a device.
 *
 * The device is not trusted to behave: the used ring's index, ids and
 * lengths and every status byte are checked, and the first impossible
 * answer marks the device broken (vblk_why() says why); every call then
 * fails with VBLK_BROKEN until vblk_init() starts over.
 */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include "virtqueue.h"

/* Request types and status values (section 5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20 /* GET_ID's answer */

/* Feature bits (section 5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

/* The protocol's sector is always 512 bytes, whatever blk_size says. */
#define VBLK_SECTOR 512
/* The largest data buffer of one request. */
#define VBLK_MAX_REQUEST (64 * 1024)
/* Descriptors of one request at most: its header, its data cut into
 * sectors at worst (a device's size_max of 512), its status. */
#define VBLK_MAX_SEGS (VBLK_MAX_REQUEST / VBLK_SECTOR + 2)

enum vblk_error {
	VBLK_FULL = -1,	   /* no room in the queue now: take completions, retry */
	VBLK_INVALID = -2, /* a request this device can never take */
	VBLK_BROKEN = -3,  /* the device broke the protocol: vblk_why() */
	VBLK_BUSY = -4,	   /* vblk_rw with requests of vblk_submit in flight */
};

/* The request header the device reads first. */
struct vblk_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	/* Shared with the device. */
	struct virtqueue vq;
	struct vblk_header header[VQ_MAX]; /* per head descriptor */
	uint8_t status[VQ_MAX];		   /* per head descriptor */

	/* Private. */
	uint64_t base;	     /* the transport's registers */
	uint64_t dma_offset; /* device address minus our address */
	uint64_t features;   /* negotiated */
	uint64_t capacity;   /* in 512-byte sectors */
	uint32_t blk_size;   /* the device's preferred block size (512 if not told) */
	uint32_t seg_max;    /* data buffers per request (0: no limit told) */
	uint32_t size_max;   /* bytes per data buffer (0: no limit told) */
	bool unchecked;	     /* pass requests the spec forbids on to the device */
	uint32_t tag[VQ_MAX];	    /* per head: the caller's tag */
	uint32_t data_len[VQ_MAX];  /* per head: data bytes asked for */
	uint8_t op[VQ_MAX];	    /* per head: request type */
	/* For vblk_rw: called while waiting for the device (e.g. bh_wait,
	 * with the device's interrupt claimed); NULL: spin. */
	void (*wait)(void);
	char why[160];
};

/*
 * Find, reset and set up the virtio-blk device whose virtio-mmio registers
 * are at regs_base (from the device tree: bh_device_find("virtio,mmio")),
 * following the spec's initialisation sequence: reset, ACKNOWLEDGE,
 * DRIVER, features (VIRTIO_F_VERSION_1 required; SIZE_MAX, SEG_MAX, RO,
 * BLK_SIZE and FLUSH taken if offered), FEATURES_OK, configuration, queue
 * 0, DRIVER_OK. 0, or -1 with *why set (the device is then left FAILED).
 */
int vblk_init(struct vblk *d, uint64_t regs_base, uint64_t dma_offset, const char **why);

/* Capacity in 512-byte sectors, and whether the device is read-only. */
uint64_t vblk_capacity(const struct vblk *d);
bool vblk_read_only(const struct vblk *d);
/* Whether FLUSH requests are possible (VIRTIO_BLK_F_FLUSH). */
bool vblk_can_flush(const struct vblk *d);

/*
 * Queue one request and notify the device: op VIRTIO_BLK_T_IN (read len
 * bytes at sector into buf), _OUT (write buf), _FLUSH (buf NULL, len 0) or
 * _GET_ID (buf of VIRTIO_BLK_ID_BYTES). len: a multiple of 512, at most
 * VBLK_MAX_REQUEST, for IN and OUT. tag comes back with the completion.
 * 0, VBLK_FULL, VBLK_INVALID (also: beyond the capacity, a write to a
 * read-only device, a FLUSH it does not offer; unless vblk_set_unchecked)
 * or VBLK_BROKEN. buf must stay untouched until the completion.
 */
int vblk_submit(struct vblk *d, unsigned int op, uint64_t sector, void *buf, uint32_t len,
		uint32_t tag);

/*
 * Take one completion: 1 with its tag and status byte (VIRTIO_BLK_S_*), 0
 * if none is ready, VBLK_BROKEN if the device returned something
 * impossible: a used index ahead of the requests in flight, the id of a
 * descriptor not at the head of one, a length beyond what the request let
 * it write, a read it says it did not complete, or a status byte that is
 * none of the three.
 */
int vblk_next_done(struct vblk *d, uint32_t *tag, uint8_t *status);

/* The device's interrupt: acknowledge it. Call before taking completions
 * (vblk_next_done until 0), so that any completing later interrupts again.
 * A configuration change re-reads the capacity; a device that asks to be
 * reset is marked broken. */
void vblk_irq_ack(struct vblk *d);

/*
 * For simple guests: submit one request and wait for it (d->wait between
 * looks, or spinning). Returns its status byte (VIRTIO_BLK_S_*, >= 0) or a
 * VBLK_* error; VBLK_BUSY if requests of vblk_submit are in flight (their
 * completions would be lost).
 */
int vblk_rw(struct vblk *d, unsigned int op, uint64_t sector, void *buf, uint32_t len);

/* Requests queued and not yet taken. */
unsigned int vblk_in_flight(const struct vblk *d);

/* Why the device was declared broken ("" if it was not). */
const char *vblk_why(const struct vblk *d);

/* Tests of a device's own checks only: let requests beyond the capacity
 * and writes to a read-only device through, which the spec forbids a
 * driver to send, to see the device refuse them (VIRTIO_BLK_S_IOERR). */
void vblk_set_unchecked(struct vblk *d, bool on);

#endif
