/*
 * The virtio-mmio transport's side of device initialisation (virtio 1.2,
 * sections 3.1.1 and 4.2.3). Every value read from the device is checked
 * before it is used: the device may be another partition's emulation or
 * hardware we do not trust to be well-behaved.
 */
#include "virtio_mmio.h"

/* How many times Status is read after a reset before giving up: QEMU
 * resets synchronously, hardware may take a moment; a device that never
 * comes back must not hang the driver. */
#define RESET_POLLS 1000000u

int vmmio_probe(uint64_t base, uint32_t device_id, const char **why)
{
	uint32_t version, id;

	if (vmmio_read(base, VMMIO_MAGIC) != VMMIO_MAGIC_VALUE) {
		*why = "no virtio-mmio magic value at this address";
		return -1;
	}
	version = vmmio_read(base, VMMIO_VERSION);
	if (version == 1) {
		/* Legacy devices lay their rings out in guest pages
		 * (QueuePFN) and predate FEATURES_OK; we drive only the
		 * modern interface. */
		*why = "legacy virtio-mmio device (Version 1): only Version 2 is driven "
		       "(QEMU: -global virtio-mmio.force-legacy=false)";
		return -1;
	}
	if (version != 2) {
		*why = "unknown virtio-mmio Version (not 2)";
		return -1;
	}
	id = vmmio_read(base, VMMIO_DEVICE_ID);
	if (id == 0) {
		/* A transport with nothing plugged in (QEMU virt has 32). */
		*why = "no device behind this virtio-mmio transport (DeviceID 0)";
		return -1;
	}
	if (id != device_id) {
		*why = "a virtio device of another type";
		return -1;
	}
	return 0;
}

int vmmio_reset_and_announce(uint64_t base, const char **why)
{
	unsigned int polls = 0;

	vmmio_write(base, VMMIO_STATUS, 0);
	/* The spec asks the driver to wait for the reset to complete before
	 * it touches the device again. */
	while (vmmio_read(base, VMMIO_STATUS) != 0) {
		if (++polls == RESET_POLLS) {
			*why = "device did not reset (Status never read back 0)";
			return -1;
		}
	}
	vmmio_write(base, VMMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vmmio_write(base, VMMIO_STATUS, VIRTIO_STATUS_ANNOUNCED);
	return 0;
}

uint64_t vmmio_device_features(uint64_t base)
{
	uint64_t lo, hi;

	vmmio_write(base, VMMIO_DEVICE_FEATURES_SEL, 0);
	lo = vmmio_read(base, VMMIO_DEVICE_FEATURES);
	vmmio_write(base, VMMIO_DEVICE_FEATURES_SEL, 1);
	hi = vmmio_read(base, VMMIO_DEVICE_FEATURES);
	return hi << 32 | lo;
}

int vmmio_accept_features(uint64_t base, uint64_t features, const char **why)
{
	vmmio_write(base, VMMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_write(base, VMMIO_DRIVER_FEATURES, (uint32_t)features);
	vmmio_write(base, VMMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_write(base, VMMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vmmio_set_status(base, VIRTIO_STATUS_NEGOTIATED);
	/* The device clears FEATURES_OK if it cannot work with this subset. */
	if (!(vmmio_status(base) & VIRTIO_STATUS_FEATURES_OK)) {
		*why = "device refused the features accepted (FEATURES_OK did not stay set)";
		return -1;
	}
	return 0;
}

int vmmio_queue_setup(uint64_t base, unsigned int q, unsigned int min, unsigned int max,
		      uint64_t desc, uint64_t driver, uint64_t device, uint16_t *size,
		      const char **why)
{
	uint32_t num_max, num = 1;

	vmmio_write(base, VMMIO_QUEUE_SEL, q);
	if (vmmio_read(base, VMMIO_QUEUE_READY) != 0) {
		*why = "queue already in use right after a reset (QueueReady not 0)";
		return -1;
	}
	num_max = vmmio_read(base, VMMIO_QUEUE_NUM_MAX);
	if (num_max == 0) {
		*why = "device has no such queue (QueueNumMax 0)";
		return -1;
	}
	/* Split virtqueues are a power of two in size. */
	while (num * 2 <= num_max && num * 2 <= max)
		num *= 2;
	if (num < min) {
		*why = "device's queue is too small (QueueNumMax)";
		return -1;
	}
	vmmio_write(base, VMMIO_QUEUE_NUM, num);
	vmmio_write(base, VMMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	vmmio_write(base, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	vmmio_write(base, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)driver);
	vmmio_write(base, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(driver >> 32));
	vmmio_write(base, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)device);
	vmmio_write(base, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(device >> 32));
	vmmio_write(base, VMMIO_QUEUE_READY, 1);
	*size = (uint16_t)num;
	return 0;
}

uint32_t vmmio_config_generation(uint64_t base)
{
	return vmmio_read(base, VMMIO_CONFIG_GENERATION);
}

uint32_t vmmio_config32(uint64_t base, unsigned int off)
{
	return vmmio_read(base, VMMIO_CONFIG + off);
}

void vmmio_set_status(uint64_t base, uint32_t status)
{
	vmmio_write(base, VMMIO_STATUS, status);
}

uint32_t vmmio_status(uint64_t base)
{
	return vmmio_read(base, VMMIO_STATUS);
}

void vmmio_notify(uint64_t base, unsigned int q)
{
	vmmio_write(base, VMMIO_QUEUE_NOTIFY, q);
}

uint32_t vmmio_interrupt_ack(uint64_t base)
{
	uint32_t status = vmmio_read(base, VMMIO_INTERRUPT_STATUS);

	/* Acknowledge before the caller looks at the used ring: a buffer
	 * used after this raises the interrupt again, so none is missed. */
	if (status)
		vmmio_write(base, VMMIO_INTERRUPT_ACK, status);
	return status;
}
