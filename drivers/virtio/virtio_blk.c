/*
 * virtio-blk driver over virtio-mmio: see virtio_blk.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "virtio_blk.h"
#include "virtio_mmio.h"

/* Configuration space of a block device (section 5.2.4). */
#define CFG_CAPACITY 0 /* 64 bits, read as two 32-bit halves */
#define CFG_SIZE_MAX 8
#define CFG_SEG_MAX 12
#define CFG_BLK_SIZE 20

/* How often the configuration may change under us before we give up. */
#define CONFIG_TRIES 100

/* A request is its header, at least one data buffer (except FLUSH) and
 * the status byte: a queue smaller than 4 could not hold one. */
#define QUEUE_MIN 4

#define BIT(n) (1ULL << (n))
#define WANTED                                                                                  \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) |      \
	 BIT(VIRTIO_BLK_F_RO) | BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH))

static bool has(const struct vblk *d, unsigned int feature)
{
	return d->features & BIT(feature);
}

static uint64_t dma(const struct vblk *d, const volatile void *p)
{
	return (uint64_t)(uintptr_t)p + d->dma_offset;
}

static void mark_broken(struct vblk *d, const char *what, unsigned int a, unsigned int b)
{
	d->vq.broken = true;
	snprintf(d->vq.why, sizeof(d->vq.why), what, a, b);
}

/* The configuration fields we use, consistently: the device may change
 * them while we read (a resize), which ConfigGeneration shows (section
 * 4.2.2.2: read it, the fields, and it again until it holds still). */
static int read_config(struct vblk *d, const char **why)
{
	for (unsigned int tries = 0; tries < CONFIG_TRIES; tries++) {
		uint32_t gen = vmmio_config_generation(d->base);
		uint64_t lo = vmmio_config32(d->base, CFG_CAPACITY);
		uint64_t hi = vmmio_config32(d->base, CFG_CAPACITY + 4);
		uint32_t blk = has(d, VIRTIO_BLK_F_BLK_SIZE) ? vmmio_config32(d->base, CFG_BLK_SIZE)
							       : VBLK_SECTOR;
		uint32_t seg = has(d, VIRTIO_BLK_F_SEG_MAX) ? vmmio_config32(d->base, CFG_SEG_MAX)
							      : 0;
		uint32_t size = has(d, VIRTIO_BLK_F_SIZE_MAX)
					? vmmio_config32(d->base, CFG_SIZE_MAX)
					: 0;

		if (vmmio_config_generation(d->base) != gen)
			continue;
		/* A limit the device offers and sets to 0 would make every
		 * request impossible: a device that says so is not usable. */
		if (has(d, VIRTIO_BLK_F_SEG_MAX) && seg == 0) {
			*why = "device offers SEG_MAX with seg_max 0";
			return -1;
		}
		if (has(d, VIRTIO_BLK_F_SIZE_MAX) && size == 0) {
			*why = "device offers SIZE_MAX with size_max 0";
			return -1;
		}
		d->capacity = hi << 32 | lo;
		/* Only a hint for alignment; a nonsensical one is ignored. */
		d->blk_size = blk >= VBLK_SECTOR && !(blk & (blk - 1)) ? blk : VBLK_SECTOR;
		d->seg_max = seg;
		d->size_max = size;
		return 0;
	}
	*why = "device configuration kept changing (ConfigGeneration)";
	return -1;
}

int vblk_init(struct vblk *d, uint64_t regs_base, uint64_t dma_offset, const char **why)
{
	uint64_t offered;
	uint16_t size;

	memset(d, 0, sizeof(*d));
	d->base = regs_base;
	d->dma_offset = dma_offset;
	if (vmmio_probe(regs_base, VIRTIO_ID_BLOCK, why))
		return -1;
	if (vmmio_reset_and_announce(regs_base, why))
		return -1;
	offered = vmmio_device_features(regs_base);
	if (!(offered & BIT(VIRTIO_F_VERSION_1))) {
		*why = "device does not offer VIRTIO_F_VERSION_1";
		goto failed;
	}
	d->features = offered & WANTED;
	if (vmmio_accept_features(regs_base, d->features, why))
		goto failed;
	if (read_config(d, why))
		goto failed;
	/* The rings are in this structure: the device finds them at their
	 * DMA addresses. */
	vq_init(&d->vq, VQ_MAX);
	if (vmmio_queue_setup(regs_base, 0, QUEUE_MIN, VQ_MAX, dma(d, d->vq.desc),
			      dma(d, &d->vq.avail), dma(d, &d->vq.used), &size, why))
		goto failed;
	vq_init(&d->vq, size);
	vmmio_set_status(regs_base, VIRTIO_STATUS_NEGOTIATED | VIRTIO_STATUS_DRIVER_OK);
	if (vmmio_status(regs_base) & VIRTIO_STATUS_NEEDS_RESET) {
		*why = "device needs a reset right after set-up (DEVICE_NEEDS_RESET)";
		goto failed;
	}
	return 0;

failed:
	/* Tell the device we gave up (section 3.1.1, step 8's failure). */
	vmmio_set_status(regs_base, VIRTIO_STATUS_FAILED);
	return -1;
}

uint64_t vblk_capacity(const struct vblk *d)
{
	return d->capacity;
}

bool vblk_read_only(const struct vblk *d)
{
	return has(d, VIRTIO_BLK_F_RO);
}

bool vblk_can_flush(const struct vblk *d)
{
	return has(d, VIRTIO_BLK_F_FLUSH);
}

unsigned int vblk_in_flight(const struct vblk *d)
{
	return d->vq.in_flight;
}

const char *vblk_why(const struct vblk *d)
{
	return d->vq.broken ? d->vq.why : "";
}

void vblk_set_unchecked(struct vblk *d, bool on)
{
	d->unchecked = on;
}

/* What the spec lets a driver send (section 5.2.6.1), and what fits this
 * device's limits. */
static bool request_valid(const struct vblk *d, unsigned int op, uint64_t sector,
			  const void *buf, uint32_t len)
{
	switch (op) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (!buf || len == 0 || len % VBLK_SECTOR || len > VBLK_MAX_REQUEST)
			return false;
		if (d->unchecked)
			return true;
		if (op == VIRTIO_BLK_T_OUT && vblk_read_only(d))
			return false;
		return sector <= d->capacity && len / VBLK_SECTOR <= d->capacity - sector;
	case VIRTIO_BLK_T_FLUSH:
		return has(d, VIRTIO_BLK_F_FLUSH) && len == 0 && sector == 0;
	case VIRTIO_BLK_T_GET_ID:
		return buf && len == VIRTIO_BLK_ID_BYTES && sector == 0;
	default:
		return false;
	}
}

int vblk_submit(struct vblk *d, unsigned int op, uint64_t sector, void *buf, uint32_t len,
		uint32_t tag)
{
	struct vq_seg seg[VBLK_MAX_SEGS];
	unsigned int n = 0, nr_data = 0;
	uint32_t piece = d->size_max ? d->size_max : len;
	uint16_t head = vq_next_head(&d->vq);
	volatile struct vblk_header *h = &d->header[head];
	int r;

	if (d->vq.broken)
		return VBLK_BROKEN;
	if (!request_valid(d, op, sector, buf, len))
		return VBLK_INVALID;
	/* Data buffers: the request's buffer cut at size_max (RAM is
	 * contiguous at the device's end too, so no other cuts). */
	if (len)
		nr_data = (len + piece - 1) / piece;
	if ((d->seg_max && nr_data > d->seg_max) || nr_data + 2 > d->vq.size ||
	    nr_data + 2 > VBLK_MAX_SEGS)
		return VBLK_INVALID;
	/* Full: then head is no descriptor, and its header and status slots
	 * are past the end of their arrays. */
	if (nr_data + 2 > d->vq.nr_free)
		return VBLK_FULL;

	seg[n++] = (struct vq_seg){ dma(d, h), sizeof(*h), false };
	for (uint32_t off = 0; off < len; off += piece) {
		uint32_t part = len - off < piece ? len - off : piece;

		seg[n++] = (struct vq_seg){ dma(d, (uint8_t *)buf + off), part,
					    op != VIRTIO_BLK_T_OUT };
	}
	seg[n++] = (struct vq_seg){ dma(d, &d->status[head]), 1, true };

	/* The header before the chain is published (vq_publish orders it). */
	h->type = op;
	h->reserved = 0;
	h->sector = sector;
	/* Not a status the device can return: one it did not write shows. */
	((volatile uint8_t *)d->status)[head] = 0xff;
	r = vq_add(&d->vq, seg, n);
	if (r < 0)
		return r == VQ_FULL ? VBLK_FULL : r == VQ_BROKEN ? VBLK_BROKEN : VBLK_INVALID;
	d->tag[head] = tag;
	d->op[head] = (uint8_t)op;
	d->data_len[head] = len;
	if (vq_publish(&d->vq))
		vmmio_notify(d->base, 0);
	return 0;
}

int vblk_next_done(struct vblk *d, uint32_t *tag, uint8_t *status)
{
	uint16_t head;
	uint32_t len;
	uint8_t st;
	int r = vq_take(&d->vq, &head, &len);

	if (r <= 0)
		return r == 0 ? 0 : VBLK_BROKEN;
	/* vq_take's barrier put this read after the used index. */
	st = ((volatile uint8_t *)d->status)[head];
	if (st > VIRTIO_BLK_S_UNSUPP) {
		mark_broken(d, "status byte 0x%x for request %u (not OK, IOERR or UNSUPP)", st,
			    head);
		return VBLK_BROKEN;
	}
	/* A device writes at least len bytes from the first writable buffer
	 * on (section 2.7.8): a read that succeeded must cover its data and
	 * the status byte after it, or neither can be believed. */
	if (d->op[head] == VIRTIO_BLK_T_IN && st == VIRTIO_BLK_S_OK &&
	    len < d->data_len[head] + 1) {
		mark_broken(d, "read request %u reported done with %u bytes written", head, len);
		return VBLK_BROKEN;
	}
	*tag = d->tag[head];
	*status = st;
	return 1;
}

void vblk_irq_ack(struct vblk *d)
{
	const char *why;

	if (!(vmmio_interrupt_ack(d->base) & VMMIO_INT_CONFIG) || d->vq.broken)
		return;
	/* A device in trouble says so with a configuration interrupt and
	 * DEVICE_NEEDS_RESET (section 2.1.2); a resize changes the capacity. */
	if (vmmio_status(d->base) & VIRTIO_STATUS_NEEDS_RESET) {
		d->vq.broken = true;
		snprintf(d->vq.why, sizeof(d->vq.why), "device needs a reset (DEVICE_NEEDS_RESET)");
		return;
	}
	if (read_config(d, &why)) {
		d->vq.broken = true;
		snprintf(d->vq.why, sizeof(d->vq.why), "%s", why);
	}
}

int vblk_rw(struct vblk *d, unsigned int op, uint64_t sector, void *buf, uint32_t len)
{
	uint32_t tag;
	uint8_t status;
	int r;

	if (d->vq.broken)
		return VBLK_BROKEN;
	if (d->vq.in_flight)
		return VBLK_BUSY;
	r = vblk_submit(d, op, sector, buf, len, 0);
	if (r)
		return r;
	while ((r = vblk_next_done(d, &tag, &status)) == 0) {
		if (d->wait)
			d->wait();
	}
	return r < 0 ? r : status;
}
