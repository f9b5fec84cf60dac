/*
 * The virtio-blk back-end: a virtio-blk disk passed through to the domain
 * (QEMU virt's second disk). Its slots are in the domain's own RAM, so
 * the disk reaches them by DMA directly (address + bh_dma_offset()): no
 * copy here.
 */
#include <bulkhead/abi/blk.h>
#include "backend.h"
#include "bulkhead.h"
#include "virtio_blk.h"

static struct vblk disk;

static int submit(uint32_t op, uint64_t sector, void *buf, uint32_t len, uint32_t slot)
{
	unsigned int type = op == BH_BLK_OP_READ	? VIRTIO_BLK_T_IN
			    : op == BH_BLK_OP_WRITE ? VIRTIO_BLK_T_OUT
						    : VIRTIO_BLK_T_FLUSH;
	int rc = vblk_submit(&disk, type, sector, buf, len, slot);

	return rc == VBLK_FULL ? BACKEND_FULL : rc ? BACKEND_REFUSED : 0;
}

static int next_done(uint32_t *slot, uint32_t *status)
{
	uint8_t st;
	int rc = vblk_next_done(&disk, slot, &st);

	*status = st;
	return rc < 0 ? -1 : rc;
}

static void on_irq(unsigned int intid)
{
	(void)intid;
	vblk_irq_ack(&disk);
}

static const char *why(void)
{
	return vblk_why(&disk);
}

int backend_virtio_probe(struct backend *b, const char **reason)
{
	struct bh_device dev;

	if (bh_device_find("virtio,mmio", &dev))
		return 0;
	if (vblk_init(&disk, dev.base, bh_dma_offset(), reason))
		return -1;
	*b = (struct backend){
		.name = "virtio-blk disk",
		.sectors = vblk_capacity(&disk),
		.read_only = vblk_read_only(&disk),
		.intid = dev.intid,
		.submit = submit,
		.next_done = next_done,
		.irq = on_irq,
		.why = why,
	};
	return 1;
}
