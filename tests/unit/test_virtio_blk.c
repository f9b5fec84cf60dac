/*
 * Unit tests for drivers/virtio (the domain-side virtio-blk driver): the
 * transport's initialisation against a simulated virtio-mmio device (in
 * this file, standing in for mmio_access.c), the chains the driver builds,
 * and what it does with a device that returns impossible things.
 *
 * The simulated device reaches memory the way QEMU's does for a partition:
 * by DMA address, here the pointer plus a large offset, and checks that
 * every address it is given lands in memory the test knows (the driver's
 * structure or a test buffer), so a missing or doubled offset shows.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "virtio_blk.h"
#include "virtio_mmio.h"

#define BASE 0xa001000UL
#define DMA_OFFSET 0x0000100000000000UL
#define DISK_SECTORS 512

/* --- The simulated device ----------------------------------------------------- */

static struct fake {
	uint32_t magic, version, device_id, num_max;
	uint64_t offered, accepted;
	uint32_t dev_sel, drv_sel, queue_sel, queue_num, ready, status, int_status;
	uint64_t desc, driver, device;
	uint32_t generation;
	unsigned int gen_bumps;	     /* bump the generation on this many reads */
	bool refuse_features;	     /* clear FEATURES_OK */
	bool stuck_reset;	     /* Status never reads 0 */
	bool ready_after_reset;	     /* QueueReady reads 1 */
	bool hold;		     /* process requests but do not mark them used */
	unsigned int notifies;
	uint16_t last_avail;
	uint64_t capacity;
	uint32_t size_max, seg_max, blk_size;
	/* requests processed, not yet in the used ring */
	uint32_t held_id[64], held_len[64];
	unsigned int nr_held;
	/* the last chain seen */
	unsigned int last_chain_len;
	struct vq_desc last_chain[VQ_MAX];
} dev;

static uint8_t disk_data[DISK_SECTORS * VBLK_SECTOR];
static struct vblk blk;
static uint8_t buf[VBLK_MAX_REQUEST * 2] __attribute__((aligned(16)));

/* Where a DMA address lands in the test's memory (fails the test if it
 * lands anywhere else). */
static void *host(uint64_t addr, uint64_t len)
{
	uintptr_t p = (uintptr_t)(addr - DMA_OFFSET);
	bool in_blk = p >= (uintptr_t)&blk && p + len <= (uintptr_t)(&blk + 1);
	bool in_buf = p >= (uintptr_t)buf && p + len <= (uintptr_t)(buf + sizeof(buf));

	assert_true(in_blk || in_buf);
	return (void *)p;
}

static struct vq_used *used_ring(void)
{
	return host(dev.device, sizeof(struct vq_used));
}

/* Put held completions in the used ring, in the order given by take. */
static void publish(unsigned int i)
{
	struct vq_used *u = used_ring();

	u->ring[u->idx % dev.queue_num].id = dev.held_id[i];
	u->ring[u->idx % dev.queue_num].len = dev.held_len[i];
	u->idx++;
}

static void publish_all(bool reverse)
{
	for (unsigned int k = 0; k < dev.nr_held; k++)
		publish(reverse ? dev.nr_held - 1 - k : k);
	dev.nr_held = 0;
}

/* Do one request the way a virtio-blk device does. */
static void process(uint16_t head)
{
	struct vq_desc *table = host(dev.desc, sizeof(struct vq_desc) * dev.queue_num);
	struct vq_desc chain[VQ_MAX];
	unsigned int n = 0;
	uint32_t written = 0;
	struct vblk_header *h;
	uint8_t *status;
	uint64_t sector, off;

	for (uint16_t i = head;; i = table[i].next) {
		assert_true(i < dev.queue_num && n < VQ_MAX);
		chain[n++] = table[i];
		if (!(table[i].flags & VIRTQ_DESC_F_NEXT))
			break;
	}
	memcpy(dev.last_chain, chain, sizeof(chain));
	dev.last_chain_len = n;
	assert_true(n >= 2);
	assert_int_equal(chain[0].len, sizeof(struct vblk_header));
	assert_false(chain[0].flags & VIRTQ_DESC_F_WRITE);
	assert_int_equal(chain[n - 1].len, 1);
	assert_true(chain[n - 1].flags & VIRTQ_DESC_F_WRITE);
	h = host(chain[0].addr, chain[0].len);
	status = host(chain[n - 1].addr, 1);
	sector = h->sector;
	*status = VIRTIO_BLK_S_OK;
	off = sector * VBLK_SECTOR;
	for (unsigned int k = 1; k + 1 < n; k++) {
		void *data = host(chain[k].addr, chain[k].len);

		if (off + chain[k].len > sizeof(disk_data)) {
			*status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (h->type == VIRTIO_BLK_T_IN) {
			assert_true(chain[k].flags & VIRTQ_DESC_F_WRITE);
			memcpy(data, disk_data + off, chain[k].len);
			written += chain[k].len;
		} else if (h->type == VIRTIO_BLK_T_OUT) {
			assert_false(chain[k].flags & VIRTQ_DESC_F_WRITE);
			if (dev.offered & (1ULL << VIRTIO_BLK_F_RO)) {
				*status = VIRTIO_BLK_S_IOERR;
				break;
			}
			memcpy(disk_data + off, data, chain[k].len);
		} else {
			*status = VIRTIO_BLK_S_UNSUPP;
		}
		off += chain[k].len;
	}
	dev.held_id[dev.nr_held] = head;
	dev.held_len[dev.nr_held++] = written + 1;
}

static void notified(void)
{
	struct vq_avail *a = host(dev.driver, sizeof(struct vq_avail));

	dev.notifies++;
	while (dev.last_avail != a->idx)
		process(a->ring[dev.last_avail++ % dev.queue_num]);
	if (!dev.hold)
		publish_all(false);
}

static uint32_t config_read(unsigned int off)
{
	switch (off) {
	case 0:
		return (uint32_t)dev.capacity;
	case 4:
		return (uint32_t)(dev.capacity >> 32);
	case 8:
		return dev.size_max;
	case 12:
		return dev.seg_max;
	case 20:
		return dev.blk_size;
	}
	fail_msg("config read at %u", off);
	return 0;
}

uint32_t vmmio_read(uint64_t base, unsigned int off)
{
	assert_int_equal(base, BASE);
	switch (off) {
	case VMMIO_MAGIC:
		return dev.magic;
	case VMMIO_VERSION:
		return dev.version;
	case VMMIO_DEVICE_ID:
		return dev.device_id;
	case VMMIO_VENDOR_ID:
		return 0x554d4551;
	case VMMIO_DEVICE_FEATURES:
		return (uint32_t)(dev.offered >> (dev.dev_sel ? 32 : 0));
	case VMMIO_QUEUE_NUM_MAX:
		return dev.num_max;
	case VMMIO_QUEUE_READY:
		return dev.ready;
	case VMMIO_INTERRUPT_STATUS:
		return dev.int_status;
	case VMMIO_STATUS:
		return dev.stuck_reset ? 0x80 : dev.status;
	case VMMIO_CONFIG_GENERATION:
		if (dev.gen_bumps) {
			dev.gen_bumps--;
			dev.generation++;
		}
		return dev.generation;
	}
	if (off >= VMMIO_CONFIG)
		return config_read(off - VMMIO_CONFIG);
	fail_msg("read of register 0x%x", off);
	return 0;
}

void vmmio_write(uint64_t base, unsigned int off, uint32_t v)
{
	assert_int_equal(base, BASE);
	switch (off) {
	case VMMIO_DEVICE_FEATURES_SEL:
		dev.dev_sel = v;
		return;
	case VMMIO_DRIVER_FEATURES_SEL:
		dev.drv_sel = v;
		return;
	case VMMIO_DRIVER_FEATURES:
		if (dev.drv_sel)
			dev.accepted = (dev.accepted & 0xffffffffULL) | (uint64_t)v << 32;
		else
			dev.accepted = (dev.accepted & ~0xffffffffULL) | v;
		return;
	case VMMIO_QUEUE_SEL:
		dev.queue_sel = v;
		return;
	case VMMIO_QUEUE_NUM:
		assert_true(v <= dev.num_max && v && !(v & (v - 1)));
		dev.queue_num = v;
		return;
	case VMMIO_QUEUE_READY:
		dev.ready = v;
		return;
	case VMMIO_QUEUE_NOTIFY:
		assert_int_equal(v, 0);
		notified();
		return;
	case VMMIO_INTERRUPT_ACK:
		dev.int_status &= ~v;
		return;
	case VMMIO_STATUS:
		if (v == 0) { /* reset */
			dev.status = 0;
			dev.ready = dev.ready_after_reset;
			dev.accepted = 0;
			dev.last_avail = 0;
			return;
		}
		/* Bits are only ever added, in the spec's order. */
		if (!(v & VIRTIO_STATUS_FAILED))
			assert_int_equal(v & dev.status, dev.status);
		if ((v & VIRTIO_STATUS_FEATURES_OK) && !(dev.status & VIRTIO_STATUS_FEATURES_OK) &&
		    (dev.refuse_features || (dev.accepted & ~dev.offered)))
			v &= ~VIRTIO_STATUS_FEATURES_OK;
		dev.status = v;
		return;
	case VMMIO_QUEUE_DESC_LOW:
		dev.desc = (dev.desc & ~0xffffffffULL) | v;
		return;
	case VMMIO_QUEUE_DESC_HIGH:
		dev.desc = (dev.desc & 0xffffffffULL) | (uint64_t)v << 32;
		return;
	case VMMIO_QUEUE_DRIVER_LOW:
		dev.driver = (dev.driver & ~0xffffffffULL) | v;
		return;
	case VMMIO_QUEUE_DRIVER_HIGH:
		dev.driver = (dev.driver & 0xffffffffULL) | (uint64_t)v << 32;
		return;
	case VMMIO_QUEUE_DEVICE_LOW:
		dev.device = (dev.device & ~0xffffffffULL) | v;
		return;
	case VMMIO_QUEUE_DEVICE_HIGH:
		dev.device = (dev.device & 0xffffffffULL) | (uint64_t)v << 32;
		return;
	}
	fail_msg("write of register 0x%x", off);
}

#define F(n) (1ULL << (n))

static int setup(void **state)
{
	(void)state;
	memset(&dev, 0, sizeof(dev));
	memset(disk_data, 0, sizeof(disk_data));
	dev.magic = VMMIO_MAGIC_VALUE;
	dev.version = 2;
	dev.device_id = VIRTIO_ID_BLOCK;
	dev.num_max = 1024; /* QEMU's virtio-blk offers this */
	dev.offered = F(VIRTIO_F_VERSION_1) | F(VIRTIO_BLK_F_BLK_SIZE) | F(VIRTIO_BLK_F_FLUSH) |
		      F(VIRTIO_BLK_F_SEG_MAX) | F(4) /* GEOMETRY: not taken */;
	dev.capacity = DISK_SECTORS;
	dev.seg_max = 254;
	dev.blk_size = 4096;
	dev.generation = 7;
	return 0;
}

static int init(void)
{
	const char *why = NULL;
	int r = vblk_init(&blk, BASE, DMA_OFFSET, &why);

	if (r)
		print_message("vblk_init: %s\n", why);
	return r;
}

static const char *init_fails(void)
{
	const char *why = NULL;

	assert_int_equal(vblk_init(&blk, BASE, DMA_OFFSET, &why), -1);
	assert_non_null(why);
	return why;
}

/* --- Initialisation ------------------------------------------------------------- */

static void init_follows_the_sequence(void **state)
{
	(void)state;
	assert_int_equal(init(), 0);
	assert_int_equal(dev.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
					     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	/* What was offered and wanted, not GEOMETRY. */
	assert_int_equal(dev.accepted, F(VIRTIO_F_VERSION_1) | F(VIRTIO_BLK_F_BLK_SIZE) |
					       F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_SEG_MAX));
	assert_int_equal(dev.queue_num, VQ_MAX);
	assert_int_equal(dev.ready, 1);
	assert_int_equal(vblk_capacity(&blk), DISK_SECTORS);
	assert_int_equal(blk.blk_size, 4096);
	assert_int_equal(blk.seg_max, 254);
	assert_false(vblk_read_only(&blk));
	assert_true(vblk_can_flush(&blk));
	/* The rings are given by DMA address. */
	assert_int_equal(dev.desc, (uint64_t)(uintptr_t)blk.vq.desc + DMA_OFFSET);
	assert_int_equal(dev.driver, (uint64_t)(uintptr_t)&blk.vq.avail + DMA_OFFSET);
	assert_int_equal(dev.device, (uint64_t)(uintptr_t)&blk.vq.used + DMA_OFFSET);
	assert_int_equal(dev.desc % 16, 0);
	assert_int_equal(dev.device % 4, 0);
}

static void init_refuses_legacy(void **state)
{
	(void)state;
	dev.version = 1;
	assert_non_null(strstr(init_fails(), "legacy"));
	assert_int_equal(dev.status, 0); /* not touched */
}

static void init_refuses_other_devices(void **state)
{
	(void)state;
	dev.magic = 0;
	assert_non_null(strstr(init_fails(), "magic"));
	dev.magic = VMMIO_MAGIC_VALUE;
	dev.version = 3;
	init_fails();
	dev.version = 2;
	dev.device_id = 0;
	assert_non_null(strstr(init_fails(), "no device"));
	dev.device_id = 1; /* a network card */
	init_fails();
}

static void init_requires_version_1(void **state)
{
	(void)state;
	dev.offered &= ~F(VIRTIO_F_VERSION_1);
	assert_non_null(strstr(init_fails(), "VERSION_1"));
	assert_int_equal(dev.status, VIRTIO_STATUS_FAILED);
}

static void init_features_refused(void **state)
{
	(void)state;
	dev.refuse_features = true;
	assert_non_null(strstr(init_fails(), "FEATURES_OK"));
	assert_int_equal(dev.status, VIRTIO_STATUS_FAILED);
}

static void init_reset_must_complete(void **state)
{
	(void)state;
	dev.stuck_reset = true;
	assert_non_null(strstr(init_fails(), "reset"));
}

static void init_queue_checks(void **state)
{
	(void)state;
	dev.ready_after_reset = true;
	assert_non_null(strstr(init_fails(), "QueueReady"));
	setup(NULL);
	dev.num_max = 0;
	assert_non_null(strstr(init_fails(), "QueueNumMax"));
	setup(NULL);
	dev.num_max = 3;
	assert_non_null(strstr(init_fails(), "too small"));
	setup(NULL);
	dev.num_max = 12; /* not a power of two: the largest one below */
	assert_int_equal(init(), 0);
	assert_int_equal(dev.queue_num, 8);
	assert_int_equal(blk.vq.size, 8);
}

static void config_read_until_generation_holds(void **state)
{
	(void)state;
	dev.gen_bumps = 3;
	assert_int_equal(init(), 0);
	assert_int_equal(vblk_capacity(&blk), DISK_SECTORS);
	setup(NULL);
	dev.gen_bumps = 100000;
	assert_non_null(strstr(init_fails(), "ConfigGeneration"));
}

static void config_limits_of_zero_refused(void **state)
{
	(void)state;
	dev.seg_max = 0;
	assert_non_null(strstr(init_fails(), "seg_max"));
	setup(NULL);
	dev.offered |= F(VIRTIO_BLK_F_SIZE_MAX);
	dev.size_max = 0;
	assert_non_null(strstr(init_fails(), "size_max"));
}

/* --- Requests ------------------------------------------------------------------------- */

static int take(uint32_t *tag, uint8_t *status)
{
	return vblk_next_done(&blk, tag, status);
}

static void write_then_read_back(void **state)
{
	uint32_t tag;
	uint8_t status;

	(void)state;
	assert_int_equal(init(), 0);
	for (unsigned int i = 0; i < 4096; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_OUT, 10, buf, 4096, 42), 0);
	assert_int_equal(dev.notifies, 1);
	/* header, one data buffer (no size_max), status */
	assert_int_equal(dev.last_chain_len, 3);
	assert_int_equal(dev.last_chain[1].addr, (uint64_t)(uintptr_t)buf + DMA_OFFSET);
	assert_int_equal(dev.last_chain[1].len, 4096);
	assert_int_equal(take(&tag, &status), 1);
	assert_int_equal(tag, 42);
	assert_int_equal(status, VIRTIO_BLK_S_OK);
	assert_int_equal(take(&tag, &status), 0);
	assert_memory_equal(disk_data + 10 * VBLK_SECTOR, buf, 4096);

	memset(buf, 0, 4096);
	assert_int_equal(vblk_rw(&blk, VIRTIO_BLK_T_IN, 10, buf, 4096), VIRTIO_BLK_S_OK);
	assert_true(dev.last_chain[1].flags & VIRTQ_DESC_F_WRITE);
	assert_memory_equal(disk_data + 10 * VBLK_SECTOR, buf, 4096);
	assert_int_equal(blk.vq.nr_free, blk.vq.size);
}

static void size_max_cuts_buffers(void **state)
{
	(void)state;
	dev.offered |= F(VIRTIO_BLK_F_SIZE_MAX);
	dev.size_max = 4096;
	assert_int_equal(init(), 0);
	assert_int_equal(vblk_rw(&blk, VIRTIO_BLK_T_OUT, 0, buf, 16384 + 512), VIRTIO_BLK_S_OK);
	assert_int_equal(dev.last_chain_len, 2 + 5);
	for (unsigned int k = 1; k <= 5; k++) {
		assert_int_equal(dev.last_chain[k].addr,
				 (uint64_t)(uintptr_t)buf + (k - 1) * 4096 + DMA_OFFSET);
		assert_int_equal(dev.last_chain[k].len, k < 5 ? 4096 : 512);
	}
	/* 64 KiB needs 16 buffers: more than seg_max allows. */
	blk.seg_max = 8;
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_OUT, 0, buf, VBLK_MAX_REQUEST, 0),
			 VBLK_INVALID);
}

/* The hypervisor's disks cut requests into pages: 16 requests of 64 KiB
 * (18 descriptors each) must still be in flight together, as 16 are on a
 * device that does not cut them. */
static void sixteen_largest_requests_fit_when_cut_into_pages(void **state)
{
	(void)state;
	dev.offered |= F(VIRTIO_BLK_F_SIZE_MAX);
	dev.size_max = 4096;
	dev.seg_max = 16;
	dev.num_max = 512;
	assert_int_equal(init(), 0);
	dev.hold = true;
	for (unsigned int n = 0; n < 16; n++)
		assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_OUT, 0, buf, VBLK_MAX_REQUEST, n),
				 0);
	assert_int_equal(vblk_in_flight(&blk), 16);
	assert_int_equal(dev.last_chain_len, 18);
}

static void requests_checked(void **state)
{
	uint8_t id[VIRTIO_BLK_ID_BYTES];

	(void)state;
	assert_int_equal(init(), 0);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 0, buf, 0, 0), VBLK_INVALID);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 0, buf, 100, 0), VBLK_INVALID);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 0, buf, VBLK_MAX_REQUEST + 512, 0),
			 VBLK_INVALID);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 0, NULL, 512, 0), VBLK_INVALID);
	assert_int_equal(vblk_submit(&blk, 99, 0, buf, 512, 0), VBLK_INVALID);
	/* Beyond the capacity: refused, and without wrapping around. */
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, DISK_SECTORS, buf, 512, 0),
			 VBLK_INVALID);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, buf, 1024, 0),
			 VBLK_INVALID);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, UINT64_MAX, buf, 1024, 0),
			 VBLK_INVALID);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_GET_ID, 0, id, 4, 0), VBLK_INVALID);
	assert_int_equal(dev.notifies, 0);
	/* Unchecked: the device is asked, and refuses. */
	vblk_set_unchecked(&blk, true);
	assert_int_equal(vblk_rw(&blk, VIRTIO_BLK_T_IN, DISK_SECTORS, buf, 512),
			 VIRTIO_BLK_S_IOERR);
	vblk_set_unchecked(&blk, false);
	/* FLUSH is offered here: no data buffer. */
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0), 0);
	assert_int_equal(dev.last_chain_len, 2);
}

static void read_only_and_no_flush(void **state)
{
	(void)state;
	dev.offered = F(VIRTIO_F_VERSION_1) | F(VIRTIO_BLK_F_RO);
	assert_int_equal(init(), 0);
	assert_true(vblk_read_only(&blk));
	assert_int_equal(blk.blk_size, VBLK_SECTOR); /* not told */
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_OUT, 0, buf, 512, 0), VBLK_INVALID);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0), VBLK_INVALID);
	vblk_set_unchecked(&blk, true);
	assert_int_equal(vblk_rw(&blk, VIRTIO_BLK_T_OUT, 0, buf, 512), VIRTIO_BLK_S_IOERR);
}

static void queue_fills_and_empties_out_of_order(void **state)
{
	uint32_t tag, seen = 0;
	uint8_t status;
	unsigned int n = 0;

	(void)state;
	dev.num_max = 16;
	assert_int_equal(init(), 0);
	dev.hold = true;
	/* 3 descriptors each: 5 fit in 16, the sixth does not. */
	while (vblk_submit(&blk, VIRTIO_BLK_T_IN, n, buf + n * 512, 512, 100 + n) == 0)
		n++;
	assert_int_equal(n, 5);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 0, buf, 512, 0), VBLK_FULL);
	assert_int_equal(vblk_in_flight(&blk), 5);
	assert_int_equal(vblk_rw(&blk, VIRTIO_BLK_T_IN, 0, buf, 512), VBLK_BUSY);
	/* The device finishes them last first. */
	publish_all(true);
	while (take(&tag, &status) == 1) {
		assert_true(tag >= 100 && tag < 105);
		assert_false(seen & (1u << (tag - 100)));
		seen |= 1u << (tag - 100);
	}
	assert_int_equal(seen, 0x1f);
	assert_int_equal(blk.vq.nr_free, 16);
	/* Every descriptor came back: the queue still takes a full load,
	 * many times over, with the used and avail indices wrapping. */
	for (unsigned int round = 0; round < 30000; round++) {
		for (n = 0; n < 5; n++)
			assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, n, buf, 512, n), 0);
		publish_all(round & 1);
		for (n = 0; n < 5; n++)
			assert_int_equal(take(&tag, &status), 1);
		assert_int_equal(take(&tag, &status), 0);
	}
	assert_int_equal(blk.vq.nr_free, 16);
}

static void no_notify_respected(void **state)
{
	(void)state;
	assert_int_equal(init(), 0);
	used_ring()->flags = VIRTQ_USED_F_NO_NOTIFY;
	dev.hold = true;
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 0, buf, 512, 0), 0);
	assert_int_equal(dev.notifies, 0);
}

/* --- A hostile device ------------------------------------------------------------------- */

static void start_two(void)
{
	assert_int_equal(init(), 0);
	dev.hold = true;
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 0, buf, 512, 1), 0);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 1, buf + 512, 512, 2), 0);
	assert_int_equal(dev.nr_held, 2);
}

static void expect_broken(const char *what)
{
	uint32_t tag;
	uint8_t status;

	assert_int_equal(take(&tag, &status), VBLK_BROKEN);
	assert_non_null(strstr(vblk_why(&blk), what));
	/* For good: no more requests, no more completions. */
	assert_int_equal(take(&tag, &status), VBLK_BROKEN);
	assert_int_equal(vblk_submit(&blk, VIRTIO_BLK_T_IN, 0, buf, 512, 0), VBLK_BROKEN);
	assert_int_equal(vblk_rw(&blk, VIRTIO_BLK_T_IN, 0, buf, 512), VBLK_BROKEN);
}

static void hostile_used_index_jump(void **state)
{
	(void)state;
	start_two();
	used_ring()->idx += 3; /* two in flight */
	expect_broken("in flight");
}

static void hostile_id_not_in_flight(void **state)
{
	(void)state;
	start_two();
	dev.held_id[0] = 1; /* inside a chain, not its head */
	publish(0);
	expect_broken("not the head");
}

static void hostile_id_out_of_range(void **state)
{
	(void)state;
	start_two();
	dev.held_id[0] = 0xffff0000u;
	publish(0);
	expect_broken("not the head");
}

static void hostile_id_twice(void **state)
{
	uint32_t tag;
	uint8_t status;

	(void)state;
	start_two();
	publish(0);
	publish(0); /* the same request again */
	assert_int_equal(take(&tag, &status), 1);
	expect_broken("not the head");
}

static void hostile_length(void **state)
{
	(void)state;
	start_two();
	dev.held_len[0] = 514; /* 512 of data and the status byte: 513 at most */
	publish(0);
	expect_broken("writable");
}

static void hostile_short_read(void **state)
{
	(void)state;
	start_two();
	dev.held_len[0] = 1; /* only the status, yet OK */
	publish(0);
	expect_broken("read request");
}

static void hostile_status_byte(void **state)
{
	(void)state;
	start_two();
	blk.status[dev.held_id[0]] = 0xff; /* never written */
	publish(0);
	expect_broken("status byte 0xff");
}

static void config_interrupt(void **state)
{
	uint32_t tag;
	uint8_t status;

	(void)state;
	assert_int_equal(init(), 0);
	dev.capacity = 100;
	dev.int_status = VMMIO_INT_CONFIG | VMMIO_INT_USED_BUFFER;
	vblk_irq_ack(&blk);
	assert_int_equal(dev.int_status, 0);
	assert_int_equal(vblk_capacity(&blk), 100);
	dev.status |= VIRTIO_STATUS_NEEDS_RESET;
	dev.int_status = VMMIO_INT_CONFIG;
	vblk_irq_ack(&blk);
	assert_int_equal(take(&tag, &status), VBLK_BROKEN);
	assert_non_null(strstr(vblk_why(&blk), "reset"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(init_follows_the_sequence, setup),
		cmocka_unit_test_setup(init_refuses_legacy, setup),
		cmocka_unit_test_setup(init_refuses_other_devices, setup),
		cmocka_unit_test_setup(init_requires_version_1, setup),
		cmocka_unit_test_setup(init_features_refused, setup),
		cmocka_unit_test_setup(init_reset_must_complete, setup),
		cmocka_unit_test_setup(init_queue_checks, setup),
		cmocka_unit_test_setup(config_read_until_generation_holds, setup),
		cmocka_unit_test_setup(config_limits_of_zero_refused, setup),
		cmocka_unit_test_setup(write_then_read_back, setup),
		cmocka_unit_test_setup(size_max_cuts_buffers, setup),
		cmocka_unit_test_setup(sixteen_largest_requests_fit_when_cut_into_pages, setup),
		cmocka_unit_test_setup(requests_checked, setup),
		cmocka_unit_test_setup(read_only_and_no_flush, setup),
		cmocka_unit_test_setup(queue_fills_and_empties_out_of_order, setup),
		cmocka_unit_test_setup(no_notify_respected, setup),
		cmocka_unit_test_setup(hostile_used_index_jump, setup),
		cmocka_unit_test_setup(hostile_id_not_in_flight, setup),
		cmocka_unit_test_setup(hostile_id_out_of_range, setup),
		cmocka_unit_test_setup(hostile_id_twice, setup),
		cmocka_unit_test_setup(hostile_length, setup),
		cmocka_unit_test_setup(hostile_short_read, setup),
		cmocka_unit_test_setup(hostile_status_byte, setup),
		cmocka_unit_test_setup(config_interrupt, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
