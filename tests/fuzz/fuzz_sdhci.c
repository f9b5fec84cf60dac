/*
 * Fuzz harness for the SD card path of the block driver domain
 * (drivers/mmc/sdhci.c, drivers/block/mbr.c) against a hostile controller
 * and card: every register the driver reads returns the input's next
 * word, whatever it wrote. The input's first 512 bytes are also the
 * card's sector 0 for the partition table.
 *
 * What must hold, whatever the hardware says:
 *  - the driver writes no byte outside the request's buffer (a heap block
 *    of exactly the request's size: ASan) and ends every wait (the clock
 *    advances 1 ms a read and 0.1 ms a look; each request gets a bounded number of
 *    interrupts);
 *  - a request ends DONE only with all its blocks moved, and the driver
 *    is then free for the next one;
 *  - a partition mbr_find() accepts lies inside the disk.
 */
#include "fuzz.h"

#include "mbr.h"
#include "sdhci.h"

static struct fz_stream in;
static uint64_t now;

uint32_t sdhci_read32(uint64_t base, unsigned int off)
{
	(void)base;
	(void)off;
	now += 1000;
	return fz_u32(&in);
}

void sdhci_write32(uint64_t base, unsigned int off, uint32_t value)
{
	(void)base;
	(void)off;
	(void)value;
}

uint64_t sdhci_now_us(void)
{
	return now += 100;
}

static void check_partition_table(const uint8_t *data, size_t size)
{
	uint8_t sector[MBR_SECTOR] = { 0 };
	struct mbr_partition p;
	uint64_t disk = size >= 4 ? (uint64_t)data[0] << 24 | data[1] << 16 | data[2] << 8 | data[3]
				  : 0;

	memcpy(sector, data, size < MBR_SECTOR ? size : MBR_SECTOR);
	if (mbr_find(sector, disk, MBR_TYPE_DATA, &p) == 0)
		FZ_CHECK(p.start > 0 && p.sectors > 0 && p.start + p.sectors <= disk,
			 "partition %lu+%lu on a disk of %lu", (unsigned long)p.start,
			 (unsigned long)p.sectors, (unsigned long)disk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdhci h;

	check_partition_table(data, size);
	in = fz_stream(data, size);
	now = 0;
	if (sdhci_init(&h, 0xfe300000))
		return 0;
	FZ_CHECK(!h.busy, "busy after init");
	for (unsigned int r = 0; r < 4 && !fz_empty(&in); r++) {
		uint32_t blocks = 1 + fz_u8(&in) % SDHCI_MAX_BLOCKS;
		bool write = fz_u8(&in) & 1;
		uint64_t sector = h.sectors ? fz_u32(&in) % h.sectors : 0;
		uint8_t *buf = malloc((size_t)blocks * SDHCI_SECTOR);
		int rc;

		FZ_CHECK(buf, "out of memory");
		memset(buf, 0x5a, (size_t)blocks * SDHCI_SECTOR);
		rc = sdhci_start(&h, write, sector, buf, blocks * SDHCI_SECTOR);
		for (unsigned int i = 0; rc == SDHCI_PENDING && i < 64; i++)
			rc = sdhci_irq(&h);
		if (rc == SDHCI_PENDING)
			sdhci_abort(&h);
		if (rc == SDHCI_DONE)
			FZ_CHECK(h.moved == blocks, "DONE after %u of %u blocks",
				 (unsigned int)h.moved, (unsigned int)blocks);
		FZ_CHECK(!h.busy || rc == SDHCI_PENDING || rc == SDHCI_INVALID ||
				 rc == SDHCI_BUSY,
			 "still busy after the request ended (%d)", rc);
		free(buf);
	}
	return 0;
}
