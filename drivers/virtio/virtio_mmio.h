/*
 * virtio over MMIO, the modern interface only (virtio 1.2, section 4.2,
 * register Version 2): the transport's registers and the device-type
 * independent steps of initialisation (section 3.1.1).
 *
 * Domain-side code (drivers/virtio/ is not part of the hypervisor): built
 * with the domains' flags by domains/build.mk, and on the host by the unit
 * tests, which link their own vmmio_read()/vmmio_write() (a simulated
 * device) instead of mmio_access.c.
 *
 * Registers are little-endian; so are the CPUs this runs on (aarch64 and
 * the host), so values are used as read.
 */
#ifndef VIRTIO_MMIO_H
#define VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets (all 32 bits wide, accessed 32 bits at a time). */
#define VMMIO_MAGIC 0x000
#define VMMIO_VERSION 0x004
#define VMMIO_DEVICE_ID 0x008
#define VMMIO_VENDOR_ID 0x00c
#define VMMIO_DEVICE_FEATURES 0x010
#define VMMIO_DEVICE_FEATURES_SEL 0x014
#define VMMIO_DRIVER_FEATURES 0x020
#define VMMIO_DRIVER_FEATURES_SEL 0x024
#define VMMIO_QUEUE_SEL 0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM 0x038
#define VMMIO_QUEUE_READY 0x044
#define VMMIO_QUEUE_NOTIFY 0x050
#define VMMIO_INTERRUPT_STATUS 0x060
#define VMMIO_INTERRUPT_ACK 0x064
#define VMMIO_STATUS 0x070
#define VMMIO_QUEUE_DESC_LOW 0x080
#define VMMIO_QUEUE_DESC_HIGH 0x084
#define VMMIO_QUEUE_DRIVER_LOW 0x090
#define VMMIO_QUEUE_DRIVER_HIGH 0x094
#define VMMIO_QUEUE_DEVICE_LOW 0x0a0
#define VMMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VMMIO_CONFIG_GENERATION 0x0fc
#define VMMIO_CONFIG 0x100 /* the device-specific configuration space */

#define VMMIO_MAGIC_VALUE 0x74726976u /* "virt" */

/* Device status bits (section 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* InterruptStatus bits. */
#define VMMIO_INT_USED_BUFFER 1u
#define VMMIO_INT_CONFIG 2u

/* Device-independent feature bits (section 6). */
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_ID_BLOCK 2

/*
 * The only two functions that touch the registers: single 32-bit accesses
 * ordered against the driver's memory accesses around them (mmio_access.c
 * on the target; the unit tests simulate a device behind them).
 */
uint32_t vmmio_read(uint64_t base, unsigned int off);
void vmmio_write(uint64_t base, unsigned int off, uint32_t value);

/* Is there a modern virtio device of this type behind base? 0, or -1 with
 * the reason (a legacy Version 1 transport is refused, with how to get a
 * modern one from QEMU). */
int vmmio_probe(uint64_t base, uint32_t device_id, const char **why);

/* Reset (write 0 to Status, wait until it reads 0) and announce the driver
 * (ACKNOWLEDGE, then DRIVER). 0, or -1 if the device never reads back 0. */
int vmmio_reset_and_announce(uint64_t base, const char **why);

/* All 64 feature bits the device offers. */
uint64_t vmmio_device_features(uint64_t base);

/* Accept these features, set FEATURES_OK and read it back. 0, or -1 if the
 * device refused the set. */
int vmmio_accept_features(uint64_t base, uint64_t features, const char **why);

/*
 * Set up virtqueue q: it must not be in use already (QueueReady 0) and must
 * exist (QueueNumMax not 0). Its size is the largest power of two no bigger
 * than QueueNumMax or max; below min, -1. The three areas are given by
 * their device (DMA) addresses. On 0, *size is the size in use and the
 * queue is ready.
 */
int vmmio_queue_setup(uint64_t base, unsigned int q, unsigned int min, unsigned int max,
		      uint64_t desc, uint64_t driver, uint64_t device, uint16_t *size,
		      const char **why);

/* The device's configuration generation, and one 32-bit configuration
 * field at offset off of the device-specific space. */
uint32_t vmmio_config_generation(uint64_t base);
uint32_t vmmio_config32(uint64_t base, unsigned int off);

/* Status: the driver writes the whole value it means (DRIVER_OK, or FAILED
 * when it gives up) rather than read, modify and write, so that a device
 * that reads back nonsense cannot make it clear a bit it set. */
#define VIRTIO_STATUS_ANNOUNCED (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)
#define VIRTIO_STATUS_NEGOTIATED (VIRTIO_STATUS_ANNOUNCED | VIRTIO_STATUS_FEATURES_OK)
void vmmio_set_status(uint64_t base, uint32_t status);
uint32_t vmmio_status(uint64_t base);

/* Tell the device that queue q has new buffers. */
void vmmio_notify(uint64_t base, unsigned int q);

/* Read InterruptStatus and acknowledge what it says; returns it. */
uint32_t vmmio_interrupt_ack(uint64_t base);

#endif
