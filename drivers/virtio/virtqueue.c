/*
 * Split virtqueue, driver side: see virtqueue.h. Shared memory is reached
 * through volatile pointers so that each value the device can change is
 * read exactly once, then checked, then used.
 */
#include <stdio.h>
#include <string.h>
#include "barrier.h"
#include "virtqueue.h"

static int broken(struct virtqueue *vq, const char *fmt, unsigned int a, unsigned int b,
		  unsigned int c)
{
	vq->broken = true;
	snprintf(vq->why, sizeof(vq->why), fmt, a, b, c);
	return VQ_BROKEN;
}

void vq_init(struct virtqueue *vq, uint16_t size)
{
	memset(vq, 0, sizeof(*vq));
	vq->size = size;
	vq->nr_free = size;
	for (uint16_t i = 0; i < size; i++)
		vq->next[i] = (uint16_t)(i + 1);
	/* Interrupts wanted: avail.flags stays 0. */
}

uint16_t vq_next_head(const struct virtqueue *vq)
{
	return vq->free_head;
}

int vq_add(struct virtqueue *vq, const struct vq_seg *seg, unsigned int n)
{
	volatile struct vq_desc *d;
	uint64_t total = 0, writable = 0;
	uint16_t head = vq->free_head, i = head, last = head;

	if (vq->broken)
		return VQ_BROKEN;
	if (n == 0 || n > vq->size)
		return VQ_INVALID;
	for (unsigned int k = 0; k < n; k++) {
		/* The device reads all device-readable buffers first, then
		 * writes (section 2.7.4): a readable one after a writable one
		 * is a chain it may refuse. */
		if (k && seg[k - 1].device_writes && !seg[k].device_writes)
			return VQ_INVALID;
		total += seg[k].len;
		if (seg[k].device_writes)
			writable += seg[k].len;
	}
	if (total > UINT32_MAX) /* a chain must not exceed 2^32 bytes */
		return VQ_INVALID;
	if (n > vq->nr_free)
		return VQ_FULL;

	for (unsigned int k = 0; k < n; k++) {
		d = &vq->desc[i];
		d->addr = seg[k].addr;
		d->len = seg[k].len;
		d->flags = (uint16_t)((seg[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
				      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		/* The private link is the free list's order, so the chain
		 * follows it and freeing it puts it back as one piece. */
		d->next = k + 1 < n ? vq->next[i] : 0;
		last = i;
		i = vq->next[i];
	}
	vq->free_head = vq->next[last];
	vq->nr_free = (uint16_t)(vq->nr_free - n);
	vq->chain_len[head] = (uint16_t)n;
	vq->writable[head] = writable;
	vq->in_flight++;
	((volatile struct vq_avail *)&vq->avail)->ring[vq->avail_idx & (vq->size - 1)] = head;
	vq->avail_idx++;
	return head;
}

bool vq_publish(struct virtqueue *vq)
{
	volatile struct vq_avail *a = &vq->avail;
	volatile struct vq_used *u = &vq->used;

	/* The chains and their ring entries before the index that shows
	 * them to the device. */
	vq_wmb();
	a->idx = vq->avail_idx;
	/* The index before the look at the device's flags: otherwise the
	 * device could decide it wants no notification on an index it has
	 * not seen yet, and the new buffers would sit unnoticed. */
	vq_mb();
	return !(u->flags & VIRTQ_USED_F_NO_NOTIFY);
}

int vq_take(struct virtqueue *vq, uint16_t *head, uint32_t *len)
{
	volatile struct vq_used *u = &vq->used;
	uint16_t idx, ready, i;
	uint32_t id, n;

	if (vq->broken)
		return VQ_BROKEN;
	idx = u->idx;
	ready = (uint16_t)(idx - vq->last_used);
	if (ready == 0)
		return 0;
	/* The device can only have used what it was given. */
	if (ready > vq->in_flight)
		return broken(vq, "used index moved %u ahead of %u with only %u requests in flight",
			      ready, vq->last_used, vq->in_flight);
	/* The index before the entry (and the buffers) it announces. */
	vq_rmb();
	id = u->ring[vq->last_used & (vq->size - 1)].id;
	n = u->ring[vq->last_used & (vq->size - 1)].len;
	if (id >= vq->size || vq->chain_len[id] == 0)
		return broken(vq, "used entry %u names descriptor %u, not the head of a request "
				  "in flight (queue size %u)",
			      vq->last_used, id, vq->size);
	if (n > vq->writable[id])
		return broken(vq, "used entry for request %u says %u bytes written, more than its "
				  "%u writable bytes",
			      id, n, (unsigned int)vq->writable[id]);

	/* Give the chain back: its private links still run head to tail. */
	i = (uint16_t)id;
	for (uint16_t k = 1; k < vq->chain_len[id]; k++)
		i = vq->next[i];
	vq->next[i] = vq->free_head;
	vq->free_head = (uint16_t)id;
	vq->nr_free = (uint16_t)(vq->nr_free + vq->chain_len[id]);
	vq->chain_len[id] = 0;
	vq->in_flight--;
	vq->last_used++;
	*head = (uint16_t)id;
	*len = n;
	return 1;
}
