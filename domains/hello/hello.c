/*
 * hello: the smallest guest. Greets, then reports on the console ten times
 * a second, each time checking that a block of its memory still holds what
 * it wrote there, so a test can watch it keep running, untouched, while
 * other partitions do their worst. Given a disk (a virtio,mmio node in its
 * device tree: the default plan's, served by the block driver domain), it
 * also writes a 4 KiB block there each time and reads it back. Given a
 * virtual UART (the console's input, when it has the focus), it says what
 * was typed there, a line at a time. Every 50 ticks it says how late its
 * ticks came at most: its share of time, kept whatever its neighbours do.
 */
#include <stdio.h>
#include <string.h>
#include "bulkhead.h"
#include "pl011.h"
#include "virtio_blk.h"

#define PATTERN_WORDS (256 * 1024 / 8)

static uint64_t pattern[PATTERN_WORDS];

static uint64_t pattern_word(unsigned int i)
{
	return (uint64_t)i * 0x9e3779b97f4a7c15UL ^ 0xb01c4eadUL;
}

static int pattern_intact(void)
{
	for (unsigned int i = 0; i < PATTERN_WORDS; i++)
		if (pattern[i] != pattern_word(i))
			return 0;
	return 1;
}

static struct vblk disk;
static bool have_disk;
static uint64_t block[2][512] __attribute__((aligned(4096)));

static void disk_open(void)
{
	struct bh_device dev;
	const char *why = "";

	if (bh_device_find("virtio,mmio", &dev))
		return;
	if (vblk_init(&disk, dev.base, bh_dma_offset(), &why)) {
		printf("%s: disk at 0x%lx unusable: %s\n", bh_partition_name(),
		       (unsigned long)dev.base, why);
		return;
	}
	have_disk = vblk_capacity(&disk) >= 64 * 8;
	printf("%s: disk of %lu MiB\n", bh_partition_name(),
	       (unsigned long)(vblk_capacity(&disk) >> 11));
}

/* Write tick's block (one of the first 64) and read it back. */
static const char *disk_round(unsigned int tick)
{
	static char text[64];
	uint64_t sector = (uint64_t)(tick % 64) * 8;
	int w, r;

	for (unsigned int i = 0; i < 512; i++)
		block[0][i] = pattern_word(i) ^ ((uint64_t)tick << 32) ^ sector;
	memset(block[1], 0, sizeof(block[1]));
	w = vblk_rw(&disk, VIRTIO_BLK_T_OUT, sector, block[0], sizeof(block[0]));
	r = vblk_rw(&disk, VIRTIO_BLK_T_IN, sector, block[1], sizeof(block[1]));
	if (w != VIRTIO_BLK_S_OK || r != VIRTIO_BLK_S_OK)
		snprintf(text, sizeof(text), ", DISK ERROR (write %d, read %d)", w, r);
	else if (memcmp(block[0], block[1], sizeof(block[0])))
		snprintf(text, sizeof(text), ", DISK BLOCK %lu DIFFERS", (unsigned long)sector);
	else
		snprintf(text, sizeof(text), ", disk block %lu verified", (unsigned long)sector);
	return text;
}

static struct pl011 uart;
static bool have_uart;
static char typed[64];
static unsigned int nr_typed;

/* What was typed since the last tick: polled, the FIFO holds 32. */
static void read_typed(void)
{
	int c;

	while (have_uart && (c = pl011_getc(&uart)) >= 0) {
		if (c != '\r' && c != '\n') {
			if (nr_typed < sizeof(typed) - 1)
				typed[nr_typed++] = (char)c;
			continue;
		}
		typed[nr_typed] = '\0';
		if (nr_typed)
			printf("%s: you typed \"%s\"\n", bh_partition_name(), typed);
		nr_typed = 0;
	}
}

/* Every CADENCE_TICKS ticks it says how late its ticks came at most. */
#define CADENCE_TICKS 50
/* Late beyond this is called LATE: well above the hypervisor's tick, and
 * above what the host's scheduling of QEMU's CPU threads adds in a test on
 * a busy machine; a partition that took the core for itself would be
 * seconds late. */
#define CADENCE_LATE_US 100000

void thread(void)
{
	uint64_t freq = bh_counter_freq(), start, worst = 0;
	struct bh_device dev;

	for (unsigned int i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = pattern_word(i);
	printf("hello from %s (partition %u)\n", bh_partition_name(), bh_partition_id());
	if (!bh_restart_count()) {
		uint64_t *start, *end;
		unsigned long dirty = bh_fresh_ram(&start, &end);

		if (dirty)
			printf("%s: RAM NOT WIPED at first start (%lu non-zero words)\n",
			       bh_partition_name(), dirty);
		else
			printf("%s: RAM zeroed at first start\n", bh_partition_name());
	}
	disk_open();
	if (!bh_device_find("arm,pl011", &dev)) {
		pl011_open(&uart, dev.base);
		have_uart = true;
	}
	start = bh_counter();
	for (unsigned int tick = 1;; tick++) {
		uint64_t until = start + tick * (freq / 10), late;

		/* WFI: on a core of its own the next interrupt (the hypervisor's
		 * tick) ends it; on a shared core it lets the others run. */
		while (bh_counter() < until)
			__asm__ volatile("wfi");
		late = bh_counter() - until;
		worst = late > worst ? late : worst;
		read_typed();
		printf("%s: tick %u, memory %s%s\n", bh_partition_name(), tick,
		       pattern_intact() ? "intact" : "CHANGED", have_disk ? disk_round(tick) : "");
		/* Its cadence: the hypervisor's 10 ms tick ends its waits on a
		 * core of its own, so up to 10 ms late is its normal; more is
		 * time taken from it. */
		if (tick % CADENCE_TICKS == 0) {
			unsigned long us = (unsigned long)(worst * 1000000 / freq);

			printf("%s: ticks %u-%u at most %lu.%lu ms late%s\n", bh_partition_name(),
			       tick - CADENCE_TICKS + 1, tick, us / 1000, us % 1000 / 100,
			       us > CADENCE_LATE_US ? ": LATE" : "");
			worst = 0;
		}
	}
}
