/*
 * Stopping the devices of a partition that ended, before its memory is
 * wiped and reloaded: a device still doing DMA would write into the next
 * run (or, for a driver domain's link, into requests given to it again).
 * Only devices whose reset is a bus standard are known here; the rest are
 * left as they are, and their driver's init() must reset them
 * (docs/driver-domains.md).
 */
#include <bulkhead/compat.h>
#include <bulkhead/partition.h>

/* virtio-mmio: writing 0 to Status resets the device (virtio 1.2, 4.2.2),
 * after which it no longer touches memory. */
#define VIRTIO_MMIO_STATUS 0x70
#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976

static void virtio_mmio_quiesce(uint64_t base)
{
	volatile uint32_t *regs = pa_ptr(pa_from(base));

	if (regs[0] == VIRTIO_MMIO_MAGIC_VALUE)
		regs[VIRTIO_MMIO_STATUS / 4] = 0;
}

void device_quiesce(struct partition *p)
{
	static const char *const virtio[] = { "virtio,mmio", NULL };

	for (unsigned int i = 0; i < p->nr_devs; i++) {
		const struct board_device *d = &p->devs[i];

		if (d->nr_regs && d->compatible &&
		    compat_match(d->compatible, d->compatible_len, virtio))
			virtio_mmio_quiesce(d->regs[0].base);
	}
}
