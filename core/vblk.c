/*
 * The virtio-blk device a guest sees (virtio 1.2, 5.2): its features,
 * its config space, and its requests, each checked here before anything
 * of it reaches a driver domain: the header is read from the guest's
 * readable buffers, the data length must be whole sectors that fit one
 * slot, the sectors must lie in the guest's slice (which it sees from
 * sector 0), and a write to a read-only slice fails. What fails a check
 * is answered at once, with VIRTIO_BLK_S_IOERR or _UNSUPP; a chain whose
 * status byte cannot be trusted is given back with nothing written.
 *
 * Called with the link's lock held (core/blk_link.c), except the notify
 * callback, which takes it.
 */
#include <string.h>
#include <bulkhead/blk.h>
#include <bulkhead/format.h>
#include <bulkhead/partition.h>

#define VIRTIO_BLK_F_SIZE_MAX (1ULL << 1)
#define VIRTIO_BLK_F_SEG_MAX (1ULL << 2)
#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

#define VBLK_HEADER 16

/* The config space (virtio 1.2, 5.2.4) up to blk_size; the rest reads 0. */
struct vblk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	uint32_t geometry;
	uint32_t blk_size;
};

static uint32_t config_read(struct virtio_mmio *m, uint32_t off, unsigned int size)
{
	const struct vblk *d = (const struct vblk *)m;
	struct vblk_config c = { d->sectors, VBLK_SIZE_MAX, VBLK_SEG_MAX, 0, BH_BLK_SECTOR };
	uint32_t v = 0;

	if (off + size <= sizeof(c))
		memcpy(&v, (const uint8_t *)&c + off, size); /* little-endian, as virtio */
	return v;
}

static void notify(struct virtio_mmio *m, unsigned int q)
{
	(void)q;
	blk_link_pull(((struct vblk *)m)->link);
}

/* The guest reset the device or ended: its requests in flight are
 * forgotten; a posted one's answer will touch nothing. */
static void reset(struct virtio_mmio *m)
{
	struct vblk *d = (struct vblk *)m;
	struct blk_link *l = d->link;

	for (unsigned int i = 0; i < BH_BLK_SLOTS; i++) {
		struct blk_rec *r = &l->rec[i];

		if (r->dev != d)
			continue;
		if (r->state == REC_WAITING)
			r->state = REC_FREE;
		else if (r->state == REC_POSTED)
			r->state = REC_CANCELLED;
	}
}

const struct virtio_mmio_ops vblk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.config_read = config_read,
	.notify = notify,
	.reset = reset,
};

void vblk_init(struct vblk *d, struct partition *guest, struct blk_link *link,
	       const struct plan_partition *pp)
{
	memset(d, 0, sizeof(*d));
	d->mmio.ops = &vblk_ops;
	d->mmio.guest = guest;
	d->mmio.lock = &link->lock;
	d->mmio.intid = PLAN_DISK_INTID;
	d->mmio.features = VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX |
			   VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH |
			   (pp->disk_read_only ? VIRTIO_BLK_F_RO : 0);
	d->link = link;
	d->start = pp->disk_start;
	d->sectors = pp->disk_sectors;
	d->read_only = pp->disk_read_only;
}

/* Give a chain back, its status byte (the last writable one) set. */
static void finish(struct vblk *d, const struct virtq_chain *c, uint32_t status,
		   uint32_t data_written)
{
	struct virtq *q = &d->mmio.vq[0];
	uint8_t s = (uint8_t)status;

	virtq_chain_write(d->mmio.guest, c, c->writable - 1, &s, 1);
	virtq_push(q, c->head, data_written + 1);
	d->requests++;
	if (status != BH_BLK_S_OK)
		d->errors++;
	if (virtq_wants_interrupt(q))
		virtio_mmio_interrupt(&d->mmio, VIRTIO_INT_USED);
}

/* GET_ID: the hypervisor answers it, with "bulkhead:<guest's name>". */
static void answer_id(struct vblk *d, const struct virtq_chain *c)
{
	char id[VBLK_ID_BYTES + 1];
	uint32_t n = c->writable - 1 < VBLK_ID_BYTES ? c->writable - 1 : VBLK_ID_BYTES;

	memset(id, 0, sizeof(id));
	fmt_snprintf(id, sizeof(id), "bulkhead:%s", d->mmio.guest->plan->name);
	virtq_chain_write(d->mmio.guest, c, 0, id, n);
	finish(d, c, BH_BLK_S_OK, n);
}

/* Check a read or write; the status to answer at once, or OK to go on. */
static uint32_t check_rw(const struct vblk *d, struct blk_rec *r, uint32_t type, uint64_t sector)
{
	const struct virtq_chain *c = &r->chain;

	r->op = type == VIRTIO_BLK_T_IN ? BH_BLK_OP_READ : BH_BLK_OP_WRITE;
	r->len = type == VIRTIO_BLK_T_IN ? c->writable - 1 : c->readable - VBLK_HEADER;
	if (!r->len || r->len % BH_BLK_SECTOR || r->len > BH_BLK_SLOT_SIZE)
		return BH_BLK_S_IOERR;
	if (sector > d->sectors || r->len / BH_BLK_SECTOR > d->sectors - sector)
		return BH_BLK_S_IOERR; /* beyond its slice */
	if (type == VIRTIO_BLK_T_OUT && d->read_only)
		return BH_BLK_S_IOERR;
	r->sector = d->start + sector;
	return BH_BLK_S_OK;
}

int vblk_take(struct vblk *d, struct blk_rec *r)
{
	struct virtq *q = &d->mmio.vq[0];
	struct virtq_chain *c = &r->chain;
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} h;
	uint32_t status = BH_BLK_S_OK;
	const char *why;

	if (!virtio_mmio_live(&d->mmio))
		return -1;
	switch (virtq_pop(d->mmio.guest, q, c, &why)) {
	case VIRTQ_EMPTY:
		return -1;
	case VIRTQ_BROKEN:
		d->mmio.status |= VIRTIO_S_NEEDS_RESET;
		virtio_mmio_interrupt(&d->mmio, VIRTIO_INT_CONFIG);
		d->errors++;
		return -1;
	case VIRTQ_BAD_CHAIN:
		virtq_push(q, c->head, 0);
		d->errors++;
		if (virtq_wants_interrupt(q))
			virtio_mmio_interrupt(&d->mmio, VIRTIO_INT_USED);
		return 0;
	case VIRTQ_CHAIN:
		break;
	}
	if (c->readable < VBLK_HEADER || !c->writable) {
		virtq_push(q, c->head, 0); /* no header, or nowhere to put a status */
		d->errors++;
		return 0;
	}
	virtq_chain_read(d->mmio.guest, c, 0, &h, sizeof(h));
	r->dev = d;
	r->sector = 0;
	r->len = 0;
	if (h.type == VIRTIO_BLK_T_GET_ID) {
		answer_id(d, c);
		return 0;
	}
	if (h.type == VIRTIO_BLK_T_IN || h.type == VIRTIO_BLK_T_OUT)
		status = check_rw(d, r, h.type, h.sector);
	else if (h.type == VIRTIO_BLK_T_FLUSH)
		r->op = BH_BLK_OP_FLUSH;
	else
		status = BH_BLK_S_UNSUPP;
	if (status == BH_BLK_S_OK && d->link->failed)
		status = BH_BLK_S_IOERR; /* its driver domain gave up */
	if (status != BH_BLK_S_OK) {
		finish(d, c, status, 0);
		return 0;
	}
	return 1;
}

void vblk_answer(struct vblk *d, struct blk_rec *r, uint32_t status)
{
	uint32_t data = 0;

	if (r->op == BH_BLK_OP_READ && status == BH_BLK_S_OK)
		data = virtq_chain_write(d->mmio.guest, &r->chain, 0,
					 blk_slot(d->link, (unsigned int)(r - d->link->rec)),
					 r->len);
	finish(d, &r->chain, status, data);
}
