/*
 * The device side of a split virtqueue in a guest's RAM. Everything the
 * guest wrote is hostile and may change under us: each index and each
 * descriptor is read once into a local copy and checked there, chains
 * are bounded by the queue size and VIRTQ_MAX_SEGS (no loops), and every
 * buffer must lie in the guest's own RAM.
 *
 * Ordering: the available index is read before the entries it covers
 * (acquire), a used entry is written before the used index that
 * publishes it (release). No lock here: the device that owns the queue
 * serialises (core/blk_link.c's lock).
 */
#include <string.h>
#include <bulkhead/partition.h>
#include <bulkhead/virtq.h>

static volatile void *ring_ptr(struct partition *p, ipaddr_t ipa, uint64_t len, uint64_t align)
{
	if (!ipa_aligned(ipa, align))
		return NULL;
	return partition_guest_ptr(p, ipa, len);
}

const char *virtq_enable(struct partition *p, struct virtq *q)
{
	uint32_t n = q->num;

	if (!n || n > VIRTQ_NUM_MAX || (n & (n - 1)))
		return "queue size not a power of two up to the maximum";
	/* virtio 1.2, 2.7: alignments 16, 2 and 4; sizes 16n, 6 + 2n, 6 + 8n. */
	q->desc = ring_ptr(p, q->desc_ipa, 16UL * n, 16);
	q->avail = ring_ptr(p, q->avail_ipa, 6 + 2UL * n, 2);
	q->used = ring_ptr(p, q->used_ipa, 6 + 8UL * n, 4);
	if (!q->desc || !q->avail || !q->used) {
		q->desc = NULL;
		q->avail = q->used = NULL;
		return "a ring is misaligned or outside the guest's RAM";
	}
	q->last_avail = 0;
	q->used_idx = 0;
	q->ready = true;
	return NULL;
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

/* Follow the chain from head, copying and checking each descriptor. */
static enum virtq_pop_result walk_chain(struct partition *p, const struct virtq *q,
					struct virtq_chain *c, const char **why)
{
	uint16_t i = c->head;

	c->nr = 0;
	c->readable = c->writable = 0;
	for (;;) {
		struct virtq_desc d;
		struct virtq_seg *s;

		if (c->nr == VIRTQ_MAX_SEGS || c->nr == q->num) {
			*why = "descriptor chain too long, or a loop";
			return VIRTQ_BAD_CHAIN;
		}
		d.addr = q->desc[i].addr;
		d.len = q->desc[i].len;
		d.flags = q->desc[i].flags;
		d.next = q->desc[i].next;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			*why = "indirect descriptor (not offered)";
			return VIRTQ_BAD_CHAIN;
		}
		if (!d.len || !partition_guest_ptr(p, ipa_from(d.addr), d.len)) {
			*why = "buffer empty or outside the guest's RAM";
			return VIRTQ_BAD_CHAIN;
		}
		s = &c->seg[c->nr++];
		s->ipa = ipa_from(d.addr);
		s->len = d.len;
		s->writable = d.flags & VIRTQ_DESC_F_WRITE;
		if (s->writable) {
			c->writable += d.len;
		} else if (c->writable) {
			/* virtio 1.2, 2.7.4.2: readable ones come first. */
			*why = "device-readable buffer after a writable one";
			return VIRTQ_BAD_CHAIN;
		} else {
			c->readable += d.len;
		}
		if ((uint64_t)c->readable + c->writable > 0x7fffffffUL) {
			*why = "chain longer than 2 GiB";
			return VIRTQ_BAD_CHAIN;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return VIRTQ_CHAIN;
		if (d.next >= q->num) {
			*why = "next descriptor beyond the queue";
			return VIRTQ_BAD_CHAIN;
		}
		i = d.next;
	}
}

enum virtq_pop_result virtq_pop(struct partition *p, struct virtq *q, struct virtq_chain *c,
				const char **why)
{
	uint16_t avail_idx, head;

	*why = NULL;
	if (!q->ready)
		return VIRTQ_EMPTY;
	avail_idx = __atomic_load_n(&q->avail[1], __ATOMIC_ACQUIRE);
	if (avail_idx == q->last_avail)
		return VIRTQ_EMPTY;
	if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
		*why = "available index moved by more than the queue size";
		return VIRTQ_BROKEN;
	}
	head = q->avail[2 + q->last_avail % q->num];
	if (head >= q->num) {
		*why = "available entry names a descriptor beyond the queue";
		return VIRTQ_BROKEN;
	}
	q->last_avail++;
	c->head = head;
	return walk_chain(p, q, c, why);
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t written)
{
	volatile uint32_t *elem = (volatile uint32_t *)(q->used + 2) + 2 * (q->used_idx % q->num);

	elem[0] = head;
	elem[1] = written;
	q->used_idx++;
	__atomic_store_n(&q->used[1], q->used_idx, __ATOMIC_RELEASE);
}

bool virtq_wants_interrupt(const struct virtq *q)
{
	/* Read after the used index was published (virtio 1.2, 2.7.7.2). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(q->avail[0] & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/*
 * Walk the segments of one kind, skipping `off` bytes, calling copy() on
 * each piece. The segments were checked at pop time; they are checked
 * again here because the copy may come long after (the request waited for
 * its driver domain), and the guest's RAM is what it was then.
 */
static uint32_t chain_copy(struct partition *p, const struct virtq_chain *c, bool writable,
			   uint32_t off, uint8_t *buf, uint32_t len)
{
	uint32_t done = 0;

	for (unsigned int i = 0; i < c->nr && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		uint32_t n;
		uint8_t *g;

		if (s->writable != writable)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len - done ? s->len - off : len - done;
		g = partition_guest_ptr(p, ipa_add(s->ipa, off), n);
		if (!g)
			break;
		if (writable)
			memcpy(g, buf + done, n);
		else
			memcpy(buf + done, g, n);
		done += n;
		off = 0;
	}
	return done;
}

uint32_t virtq_chain_read(struct partition *p, const struct virtq_chain *c, uint32_t off,
			  void *to, uint32_t len)
{
	return chain_copy(p, c, false, off, to, len);
}

uint32_t virtq_chain_write(struct partition *p, const struct virtq_chain *c, uint32_t off,
			   const void *from, uint32_t len)
{
	return chain_copy(p, c, true, off, (uint8_t *)from, len);
}
