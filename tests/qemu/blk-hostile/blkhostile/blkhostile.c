/*
 * A guest that attacks its disk (tests/qemu/blk-hostile): descriptor
 * chains that name memory outside its RAM, loop, or carry more than a
 * request may, a read past its slice; then, one run each, its disk's real
 * registers and the block driver domain's RAM. Each request must come back
 * refused while a neighbour's I/O goes on; each access must fault only
 * this partition.
 */
#include <stdio.h>
#include <string.h>
#include "bulkhead.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"

#define BLK_DEVICE_PA 0xa001000UL  /* QEMU's data disk: the driver domain's */
#define BLK_DOMAIN_PA 0x7d800000UL /* the driver domain's RAM in this plan */
#define RAM_BASE 0x40000000UL

static struct vblk disk;
static uint8_t buf[128 << 10] __attribute__((aligned(4096)));
static struct vblk_header hdr __attribute__((aligned(16)));
static volatile uint8_t status;

static void desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	disk.vq.desc[i] = (struct vq_desc){ addr, len, flags, next };
}

/* Publish the chain at descriptor 0, notify, and wait for it to come back:
 * the used length, or -1 if it never does. */
static long post(void)
{
	uint16_t used = disk.vq.used.idx;

	status = 0xff;
	disk.vq.avail.ring[disk.vq.avail.idx % disk.vq.size] = 0;
	__atomic_store_n(&disk.vq.avail.idx, disk.vq.avail.idx + 1, __ATOMIC_RELEASE);
	vmmio_notify(disk.base, 0);
	for (unsigned long spin = 0; spin < 100000000UL; spin++)
		if (__atomic_load_n(&disk.vq.used.idx, __ATOMIC_ACQUIRE) != used)
			return disk.vq.used.ring[used % disk.vq.size].len;
	return -1;
}

/* header, data, status: a read of len bytes at sector into data. */
static void read_chain(uint64_t data, uint32_t len, uint64_t sector)
{
	hdr = (struct vblk_header){ VIRTIO_BLK_T_IN, 0, sector };
	desc(0, (uint64_t)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1);
	desc(1, data, len, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc(2, (uint64_t)&status, 1, VIRTQ_DESC_F_WRITE, 0);
}

static void report(const char *what, long len)
{
	printf("blkhostile: %s: used length %ld, status %u\n", what, len, status);
}

static void attack_descriptors(void)
{
	read_chain(BLK_DOMAIN_PA, 4096, 0);
	report("buffer at the driver domain's physical RAM", post());
	read_chain((uint64_t)buf, 4096, 0);
	desc(2, (uint64_t)&status, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0); /* loops to 0 */
	report("looping chain", post());
	read_chain(RAM_BASE, 0x40000000u, 0);
	report("1 GiB buffer", post());
	read_chain((uint64_t)buf, sizeof(buf), 0);
	report("128 KiB read", post());
	read_chain((uint64_t)buf, 4096, vblk_capacity(&disk));
	report("read past its slice", post());
	read_chain((uint64_t)buf, 4096, 0);
	report("plain read", post());
}

void thread(void)
{
	struct bh_device dev;
	const char *why = "";

	if (bh_device_find("virtio,mmio", &dev) || vblk_init(&disk, dev.base, 0, &why)) {
		printf("blkhostile: no disk: %s\n", why);
		return;
	}
	if (bh_restart_count() == 0) {
		attack_descriptors();
		printf("blkhostile: touching the disk's real registers at 0x%lx\n", BLK_DEVICE_PA);
		(void)*(volatile uint32_t *)BLK_DEVICE_PA;
	} else {
		printf("blkhostile: reading the driver domain's RAM at 0x%lx\n", BLK_DOMAIN_PA);
		(void)*(volatile uint32_t *)BLK_DOMAIN_PA;
	}
	printf("blkhostile: still running: isolation failed\n");
}
