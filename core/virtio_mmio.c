/*
 * The virtio-mmio transport's registers (virtio 1.2, 4.2.2), emulated:
 * a guest's driver negotiates features, sets its queues up and notifies
 * through them, exactly as with a device model in QEMU, so an unmodified
 * Linux drives it. Every value the guest writes is checked where it is
 * used: features against those offered, queue sizes and ring addresses
 * (core/virtq.c) when the queue is made ready.
 *
 * Locks: the device's lock (m->lock), then the guest's vGIC lock inside
 * vcpu_inject(). The notify callback is called after the lock is released.
 */
#include <string.h>
#include <bulkhead/partition.h>
#include <bulkhead/virtio_mmio.h>

enum {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010,
	REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020,
	REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030,
	REG_QUEUE_NUM_MAX = 0x034,
	REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044,
	REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060,
	REG_INTERRUPT_ACK = 0x064,
	REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080,
	REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090,
	REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0,
	REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_SHM_SEL = 0x0ac,
	REG_SHM_LEN_LOW = 0x0b0,
	REG_SHM_LEN_HIGH = 0x0b4,
	REG_SHM_BASE_LOW = 0x0b8,
	REG_SHM_BASE_HIGH = 0x0bc,
	REG_QUEUE_RESET = 0x0c0,
	REG_CONFIG_GENERATION = 0x0fc,
	REG_CONFIG = 0x100,
};

void virtio_mmio_reset(struct virtio_mmio *m)
{
	m->driver_features = 0;
	m->device_features_sel = m->driver_features_sel = m->queue_sel = 0;
	m->status = 0;
	m->interrupt_status = 0;
	for (unsigned int i = 0; i < VIRTIO_MMIO_QUEUES; i++)
		virtq_reset(&m->vq[i]);
}

void virtio_mmio_interrupt(struct virtio_mmio *m, uint32_t bits)
{
	m->interrupt_status |= bits;
	vcpu_inject(m->guest, 0, m->intid);
}

static struct virtq *selected(struct virtio_mmio *m)
{
	return m->queue_sel < VIRTIO_MMIO_QUEUES ? &m->vq[m->queue_sel] : NULL;
}

static uint32_t read_reg(struct virtio_mmio *m, uint32_t off)
{
	struct virtq *q = selected(m);

	switch (off) {
	case REG_MAGIC:
		return VIRTIO_MMIO_MAGIC;
	case REG_VERSION:
		return 2;
	case REG_DEVICE_ID:
		return m->ops->device_id;
	case REG_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case REG_DEVICE_FEATURES:
		return m->device_features_sel < 2
			       ? (uint32_t)(m->features >> (32 * m->device_features_sel))
			       : 0;
	case REG_QUEUE_NUM_MAX:
		return q ? VIRTQ_NUM_MAX : 0;
	case REG_QUEUE_READY:
		return q && q->ready;
	case REG_INTERRUPT_STATUS:
		return m->interrupt_status;
	case REG_STATUS:
		return m->status;
	case REG_SHM_LEN_LOW:
	case REG_SHM_LEN_HIGH:
	case REG_SHM_BASE_LOW:
	case REG_SHM_BASE_HIGH:
		return 0xffffffffu; /* no shared memory regions */
	case REG_CONFIG_GENERATION:
		return 0; /* the config space never changes */
	default:
		return 0; /* write-only and reserved registers read as 0 */
	}
}

/* FEATURES_OK is kept only if the driver accepted a subset of what is
 * offered, VERSION_1 included (no legacy interface here). */
static void write_status(struct virtio_mmio *m, uint32_t value)
{
	if (!value) {
		m->ops->reset(m);
		virtio_mmio_reset(m);
		return;
	}
	if ((value & VIRTIO_S_FEATURES_OK) && !(m->status & VIRTIO_S_FEATURES_OK) &&
	    ((m->driver_features & ~m->features) || !(m->driver_features & VIRTIO_F_VERSION_1)))
		value &= ~(uint32_t)VIRTIO_S_FEATURES_OK;
	/* The driver never clears a bit but by a reset; the device's own
	 * NEEDS_RESET stays until then. */
	m->status |= value & ~(uint32_t)VIRTIO_S_NEEDS_RESET;
}

static void set_half(ipaddr_t *a, uint32_t value, bool high)
{
	uint64_t v = ipa_bits(*a);

	v = high ? (v & 0xffffffffUL) | (uint64_t)value << 32
		 : (v & ~0xffffffffUL) | value;
	*a = ipa_from(v);
}

static void write_queue_ready(struct virtio_mmio *m, struct virtq *q, uint32_t value)
{
	if (!value) {
		q->ready = false;
		return;
	}
	if (!q->ready && virtq_enable(m->guest, q)) {
		/* Nothing sensible can run on such a queue. */
		m->status |= VIRTIO_S_NEEDS_RESET;
		virtio_mmio_interrupt(m, VIRTIO_INT_CONFIG);
	}
}

/* Queue registers: only while the queue is not ready (virtio 1.2, 4.2.3.2). */
static void write_queue_reg(struct virtio_mmio *m, uint32_t off, uint32_t value)
{
	struct virtq *q = selected(m);

	if (!q || (q->ready && off != REG_QUEUE_READY))
		return;
	switch (off) {
	case REG_QUEUE_NUM:
		q->num = value;
		break;
	case REG_QUEUE_READY:
		write_queue_ready(m, q, value);
		break;
	case REG_QUEUE_DESC_LOW:
	case REG_QUEUE_DESC_HIGH:
		set_half(&q->desc_ipa, value, off == REG_QUEUE_DESC_HIGH);
		break;
	case REG_QUEUE_DRIVER_LOW:
	case REG_QUEUE_DRIVER_HIGH:
		set_half(&q->avail_ipa, value, off == REG_QUEUE_DRIVER_HIGH);
		break;
	case REG_QUEUE_DEVICE_LOW:
	case REG_QUEUE_DEVICE_HIGH:
		set_half(&q->used_ipa, value, off == REG_QUEUE_DEVICE_HIGH);
		break;
	}
}

/* A write; true if it notified a queue (*queue: which). */
static bool write_reg(struct virtio_mmio *m, uint32_t off, uint32_t value, unsigned int *queue)
{
	switch (off) {
	case REG_DEVICE_FEATURES_SEL:
		m->device_features_sel = value;
		break;
	case REG_DRIVER_FEATURES_SEL:
		m->driver_features_sel = value;
		break;
	case REG_DRIVER_FEATURES:
		/* Only while negotiating (DRIVER set, FEATURES_OK not yet). */
		if ((m->status & (VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK)) == VIRTIO_S_DRIVER &&
		    m->driver_features_sel < 2) {
			unsigned int shift = 32 * m->driver_features_sel;

			m->driver_features &= ~(0xffffffffULL << shift);
			m->driver_features |= (uint64_t)value << shift;
		}
		break;
	case REG_QUEUE_SEL:
		m->queue_sel = value;
		break;
	case REG_QUEUE_NOTIFY:
		*queue = value;
		return value < VIRTIO_MMIO_QUEUES && m->vq[value].ready && virtio_mmio_live(m);
	case REG_INTERRUPT_ACK:
		m->interrupt_status &= ~value;
		break;
	case REG_STATUS:
		write_status(m, value);
		break;
	default:
		write_queue_reg(m, off, value);
		break;
	}
	return false;
}

bool virtio_mmio_access(struct vcpu *v, void *opaque, struct mmio_access *a)
{
	struct virtio_mmio *m = opaque;
	uint32_t off = (uint32_t)(a->ipa & (VIRTIO_MMIO_SIZE - 1));
	unsigned int queue = 0;
	bool notify = false;
	uint64_t flags;

	(void)v;
	/* Registers are 32-bit; the config space takes 1, 2 or 4 bytes,
	 * naturally aligned. Anything else is a fault of the guest. */
	if (off < REG_CONFIG ? a->size != 4 || (off & 3)
			     : a->size > 4 || (off & (a->size - 1)))
		return false;
	flags = spin_lock_irqsave(m->lock);
	if (off >= REG_CONFIG && !a->write)
		a->value = m->ops->config_read(m, off - REG_CONFIG, a->size);
	else if (!a->write)
		a->value = read_reg(m, off);
	else if (off < REG_CONFIG)
		notify = write_reg(m, off, (uint32_t)a->value, &queue);
	/* config space writes: nothing in it is writable */
	spin_unlock_irqrestore(m->lock, flags);
	if (notify)
		m->ops->notify(m, queue);
	return true;
}
