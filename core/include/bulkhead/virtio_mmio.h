/*
 * The virtio-mmio transport (virtio 1.2, 4.2.2: version 2, the modern
 * register layout) as the hypervisor emulates it for a guest: the
 * registers, feature negotiation, device status and reset, the queues'
 * set-up and the interrupt status. It knows nothing of what the device
 * is; the device model (core/vblk.c) gives its ID, features, config space
 * and what a queue notification means.
 *
 * The transport state lives here, in the hypervisor, so that no restart
 * of the driver domain that serves the device can lose it.
 */
#ifndef BULKHEAD_VIRTIO_MMIO_H
#define BULKHEAD_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/spinlock.h>
#include <bulkhead/mmio.h>
#include <bulkhead/virtq.h>

#define VIRTIO_MMIO_SIZE 0x200
#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x4b484c42 /* "BLHK" */

/* Device status bits (virtio 1.2, 2.1). */
#define VIRTIO_S_ACKNOWLEDGE 1
#define VIRTIO_S_DRIVER 2
#define VIRTIO_S_DRIVER_OK 4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_NEEDS_RESET 0x40
#define VIRTIO_S_FAILED 0x80

#define VIRTIO_F_VERSION_1 (1ULL << 32)
#define VIRTIO_INT_USED 1
#define VIRTIO_INT_CONFIG 2

#define VIRTIO_MMIO_QUEUES 1

struct virtio_mmio;

struct virtio_mmio_ops {
	uint32_t device_id;
	/* A read of `size` bytes (1, 2 or 4) of the config space at `off`. */
	uint32_t (*config_read)(struct virtio_mmio *m, uint32_t off, unsigned int size);
	/* The driver notified queue q (DRIVER_OK set, queue ready). Called
	 * without the device's lock. */
	void (*notify)(struct virtio_mmio *m, unsigned int q);
	/* The driver reset the device (status 0), or the guest's partition
	 * ended: forget every request in flight. Called with the lock held. */
	void (*reset)(struct virtio_mmio *m);
};

struct virtio_mmio {
	const struct virtio_mmio_ops *ops;
	struct partition *guest;
	spinlock_t *lock; /* the device's: its model's (core/blk_link.c) */
	unsigned int intid; /* its interrupt in the guest (an SPI) */
	uint64_t features;  /* offered */
	uint64_t driver_features;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint32_t status;
	uint32_t interrupt_status;
	struct virtq vq[VIRTIO_MMIO_QUEUES];
};

/* The guest's accesses to its window (an mmio_handler; opaque: the
 * struct virtio_mmio). */
bool virtio_mmio_access(struct vcpu *v, void *opaque, struct mmio_access *a);
/* Set interrupt status bits and interrupt the guest (under the lock). */
void virtio_mmio_interrupt(struct virtio_mmio *m, uint32_t bits);
/* Back to the state after a reset (under the lock). */
void virtio_mmio_reset(struct virtio_mmio *m);
/* The driver finished setting the device up and has not reset it since. */
static inline bool virtio_mmio_live(const struct virtio_mmio *m)
{
	return (m->status & VIRTIO_S_DRIVER_OK) && !(m->status & VIRTIO_S_NEEDS_RESET);
}

#endif
