/*
 * blkcheck: drives the first virtio-mmio block device of its partition's
 * device tree with drivers/virtio, and checks what the disk gives back.
 *
 * Rounds: each writes a window of the disk (16 MiB, or the whole disk if
 * smaller) in requests of varying size (512 B to 64 KiB), flushes, then
 * reads the window back in requests cut differently and verifies every
 * sector. Each sector carries its own number, the round that wrote it,
 * data derived from both and a checksum, so a lost write (an earlier
 * round's data: the windows of consecutive rounds overlap by half),
 * misplaced data (another sector's) and corruption are each reported as
 * such. Before the rounds, reads past the capacity must fail with IOERR.
 *
 * Arguments (bh_arg): "rounds=N" stops after N rounds with "blkcheck:
 * done" (default: forever); "bench" instead writes then reads 16 MiB in
 * 64 KiB requests and prints the counter ticks each took; "ro" expects a
 * read-only disk: a write must fail with IOERR and change nothing, and the
 * rounds only read.
 *
 * A thread of its own (docs/domains.md), not init()/irq() alone: the check
 * is a sequence of phases, each waiting for its own requests, which as a
 * set of callbacks would be a state machine for no gain. Interrupts still
 * drive it: the thread sleeps in bh_wait() and irq() acknowledges the
 * device; a timer wakes it too, so that a lost interrupt shows as a
 * warning instead of a hang.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bulkhead.h"
#include "virtio_blk.h"

#define SLOTS 16 /* requests in flight at most */
#define WINDOW_BYTES (16u << 20)
#define BENCH_BYTES (16u << 20)
#define MAX_ERRORS 10 /* error lines per round before giving up */
#define MAGIC 0x434b4c42u /* "BLKC" */
#define STALL_SECONDS 5

/* One sector as blkcheck writes it. */
struct sector_image {
	uint32_t magic;
	uint32_t round;
	uint64_t sector;
	uint64_t words[61];
	uint64_t sum; /* over everything before it */
};
_Static_assert(sizeof(struct sector_image) == VBLK_SECTOR, "one sector");

struct job {
	unsigned int op;
	uint64_t sector;
	uint32_t len;
};

struct slot {
	bool busy;
	struct job job;
};

static struct vblk disk;
static uint8_t bufs[SLOTS][VBLK_MAX_REQUEST] __attribute__((aligned(4096)));
static struct slot slots[SLOTS];
static struct bh_device dev;
static uint64_t wake_ticks;
static volatile bool device_irq, timer_irq;
static unsigned long lost_irqs; /* completions only the timer found */
static uint64_t idle_ticks;	/* spent asleep in wait_irq (bench) */
static unsigned int errors;

/* A 64-bit mixer (splitmix64's finaliser): consecutive inputs give
 * unrelated outputs, so no two sectors or rounds look alike. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15UL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
	return x ^ (x >> 31);
}

static uint64_t checksum(const struct sector_image *s)
{
	const uint64_t *w = (const uint64_t *)s;
	uint64_t sum = 0;

	for (unsigned int i = 0; i < offsetof(struct sector_image, sum) / 8; i++)
		sum = mix(sum ^ w[i]);
	return sum;
}

static void fill_sector(struct sector_image *s, uint64_t sector, uint32_t round)
{
	uint64_t seed = mix(sector) ^ mix((uint64_t)round << 40);

	s->magic = MAGIC;
	s->round = round;
	s->sector = sector;
	for (unsigned int i = 0; i < 61; i++)
		s->words[i] = mix(seed + i);
	s->sum = checksum(s);
}

/* At most MAX_ERRORS lines: a bad disk must not flood the console. */
static void __attribute__((format(printf, 1, 2))) error_line(const char *fmt, ...)
{
	va_list ap;

	if (++errors > MAX_ERRORS)
		return;
	printf("blkcheck: error: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Is this what round wrote at sector? Says what is wrong if not. */
static bool check_sector(const struct sector_image *s, uint64_t sector, uint32_t round)
{
	static struct sector_image want;

	if (s->sum != checksum(s)) {
		error_line("sector %llu: checksum mismatch (corrupted; holds magic 0x%x round %u)",
			   (unsigned long long)sector, (unsigned int)s->magic, (unsigned int)s->round);
		return false;
	}
	if (s->magic != MAGIC) {
		error_line("sector %llu: not blkcheck data (magic 0x%x)", (unsigned long long)sector,
			   (unsigned int)s->magic);
		return false;
	}
	if (s->round != round || s->sector != sector) {
		error_line("sector %llu: holds round %u's data for sector %llu (stale or misplaced)",
			   (unsigned long long)sector, (unsigned int)s->round,
			   (unsigned long long)s->sector);
		return false;
	}
	fill_sector(&want, sector, round);
	if (memcmp(s, &want, sizeof(want))) {
		error_line("sector %llu: round %u: data differs under a good checksum",
			   (unsigned long long)sector, (unsigned int)round);
		return false;
	}
	return true;
}

/* --- Waiting and interrupts ------------------------------------------------ */

void irq(unsigned int intid)
{
	if (intid == BH_IRQ_VTIMER) {
		/* Level-triggered while due: off until armed again. */
		bh_timer_stop();
		timer_irq = true;
		return;
	}
	device_irq = true;
	vblk_irq_ack(&disk);
}

/* Sleep until the device (or the fallback timer) interrupts. A device
 * that completes nothing for STALL_SECONDS is reported, not waited for
 * forever (a wrong DMA offset looks like that: the device reads rings
 * that are not ours). */
static void wait_irq(void)
{
	static uint16_t seen;
	static uint64_t since;
	uint64_t now = bh_counter();

	if (disk.vq.last_used != seen || !since) {
		seen = disk.vq.last_used;
		since = now;
	} else if (now - since > STALL_SECONDS * bh_counter_freq()) {
		printf("blkcheck: error: no request completed for %u s (%u in flight)\n",
		       STALL_SECONDS, vblk_in_flight(&disk));
		bh_stop();
	}
	bh_timer_arm(wake_ticks);
	bh_wait();
	idle_ticks += bh_counter() - now;
	bh_dispatch();
}

/*
 * A completion the timer found before the device's interrupt: a device
 * (or the hypervisor's emulation, from another core) makes the used index
 * visible before its interrupt arrives, so wait a little for it before
 * calling it lost (interrupts stay unclaimed from here: device_irq is
 * only set).
 */
static bool interrupt_missing(void)
{
	uint64_t until = bh_counter() + bh_counter_freq() / 100, now;

	while (!device_irq && (now = bh_counter()) < until) {
		bh_timer_arm(until - now);
		bh_wait();
		bh_dispatch();
	}
	return !device_irq;
}

/* For vblk_rw. */
static void wait_for_disk(void)
{
	wait_irq();
}

static void fatal(const char *what, int r)
{
	printf("blkcheck: error: %s: %s (%d)%s%s\n", what,
	       r == VBLK_BROKEN ? "device broken" : r == VBLK_INVALID ? "request refused" : "failed",
	       r, r == VBLK_BROKEN ? ": " : "", vblk_why(&disk));
	bh_stop();
}

/* --- The request pump ------------------------------------------------------ */

/* next: the next request (a write's data goes into buf); false when there
 * are no more. done: one completed, with its buffer and status. */
typedef bool (*next_fn)(struct job *job, uint8_t *buf);
typedef void (*done_fn)(const struct job *job, const uint8_t *buf, uint8_t status);

/* Keep up to SLOTS requests in flight until next() runs dry and all are
 * done. */
static void pump(next_fn next, done_fn done)
{
	unsigned int busy = 0;
	int pending = -1; /* a slot whose request did not fit yet */
	bool more = true;

	while (more || busy || pending >= 0) {
		unsigned int took = 0;
		uint32_t tag;
		uint8_t status;
		int r;

		while (pending >= 0 || (more && busy < SLOTS)) {
			int s = pending;

			if (s < 0) {
				for (s = 0; slots[s].busy; s++)
					;
				if (!next(&slots[s].job, bufs[s])) {
					more = false;
					break;
				}
			}
			r = vblk_submit(&disk, slots[s].job.op, slots[s].job.sector, bufs[s],
					slots[s].job.len, (uint32_t)s);
			if (r == VBLK_FULL && busy) {
				pending = s; /* after some completions */
				break;
			}
			if (r)
				fatal("submit", r);
			pending = -1;
			slots[s].busy = true;
			busy++;
		}
		device_irq = timer_irq = false;
		while ((r = vblk_next_done(&disk, &tag, &status)) == 1) {
			/* The driver hands back only tags in flight; a slot
			 * that is not busy would be its bug. */
			if (tag >= SLOTS || !slots[tag].busy)
				fatal("completion for a request not in flight", 0);
			slots[tag].busy = false;
			busy--;
			took++;
			done(&slots[tag].job, bufs[tag], status);
		}
		if (r < 0)
			fatal("completion", r);
		if (!took && busy) {
			wait_irq();
			/* Found by the timer with no interrupt from the
			 * device: the interrupt went missing, unless it is
			 * still on its way. */
			if (timer_irq && !device_irq && disk.vq.used.idx != disk.vq.last_used &&
			    interrupt_missing())
				lost_irqs++;
		}
	}
}

/* --- Rounds ------------------------------------------------------------------- */

static uint32_t round_no;
static uint64_t window_start, window_end, cursor, rng;
static unsigned int phase_op;

static uint32_t next_len(void)
{
	/* 512 B to 64 KiB; the first two of a phase are the extremes. */
	uint64_t r = mix(rng++);
	uint32_t sectors = (uint32_t)(r % (VBLK_MAX_REQUEST / VBLK_SECTOR)) + 1;

	if (cursor == window_start)
		sectors = 1;
	else if (cursor == window_start + 1)
		sectors = VBLK_MAX_REQUEST / VBLK_SECTOR;
	if (sectors > window_end - cursor)
		sectors = (uint32_t)(window_end - cursor);
	return sectors * VBLK_SECTOR;
}

static bool next_round_job(struct job *job, uint8_t *buf)
{
	if (cursor >= window_end)
		return false;
	job->op = phase_op;
	job->sector = cursor;
	job->len = next_len();
	cursor += job->len / VBLK_SECTOR;
	if (phase_op == VIRTIO_BLK_T_OUT)
		for (uint32_t i = 0; i < job->len / VBLK_SECTOR; i++)
			fill_sector((struct sector_image *)(buf + i * VBLK_SECTOR),
				    job->sector + i, round_no);
	return true;
}

static void round_done(const struct job *job, const uint8_t *buf, uint8_t status)
{
	if (status != VIRTIO_BLK_S_OK) {
		error_line("%s of %u sectors at sector %llu: status %u",
			   job->op == VIRTIO_BLK_T_OUT ? "write" : "read",
			   (unsigned int)(job->len / VBLK_SECTOR), (unsigned long long)job->sector,
			   status);
		return;
	}
	if (job->op != VIRTIO_BLK_T_IN || bh_arg("ro"))
		return;
	for (uint32_t i = 0; i < job->len / VBLK_SECTOR; i++)
		check_sector((const struct sector_image *)(buf + i * VBLK_SECTOR), job->sector + i,
			     round_no);
}

static void phase(unsigned int op, uint64_t seed)
{
	phase_op = op;
	cursor = window_start;
	rng = seed;
	pump(next_round_job, round_done);
}

static void rounds(unsigned int limit, bool ro)
{
	uint64_t cap = vblk_capacity(&disk);
	uint64_t window = WINDOW_BYTES / VBLK_SECTOR < cap ? WINDOW_BYTES / VBLK_SECTOR : cap;

	for (round_no = 1; !limit || round_no <= limit; round_no++) {
		/* Half a window further each round, wrapping: each round
		 * overwrites half of the previous one's sectors. */
		window_start = (round_no - 1) * (window / 2) % (cap - window + 1);
		window_end = window_start + window;
		if (!ro) {
			phase(VIRTIO_BLK_T_OUT, mix(round_no));
			if (vblk_can_flush(&disk)) {
				int r = vblk_rw(&disk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);

				if (r != VIRTIO_BLK_S_OK)
					error_line("flush: status %d", r);
			}
		}
		phase(VIRTIO_BLK_T_IN, mix(round_no) ^ 0x5eed);
		if (errors) {
			printf("blkcheck: round %u FAILED: %u errors\n", round_no, errors);
			bh_stop();
		}
		printf("blkcheck: round %u ok (%llu MiB %s)\n", round_no,
		       (unsigned long long)(window * VBLK_SECTOR >> 20),
		       ro ? "read" : "written and verified");
	}
}

/* --- Single checks -------------------------------------------------------- */

/* The device's own checks: reads past the end must fail. The driver
 * refuses them itself; vblk_set_unchecked lets them through to see the
 * device refuse them as well. */
static void check_range(void)
{
	uint64_t cap = vblk_capacity(&disk);
	int r;

	if (vblk_submit(&disk, VIRTIO_BLK_T_IN, cap, bufs[0], VBLK_SECTOR, 0) != VBLK_INVALID)
		error_line("driver let a read past the capacity (%llu sectors) through",
			   (unsigned long long)cap);
	vblk_set_unchecked(&disk, true);
	r = vblk_rw(&disk, VIRTIO_BLK_T_IN, cap, bufs[0], VBLK_SECTOR);
	if (r != VIRTIO_BLK_S_IOERR)
		error_line("read of sector %llu (the capacity): status %d, not IOERR",
			   (unsigned long long)cap, r);
	r = vblk_rw(&disk, VIRTIO_BLK_T_IN, cap - 1, bufs[0], 2 * VBLK_SECTOR);
	if (r != VIRTIO_BLK_S_IOERR)
		error_line("read of 2 sectors at %llu (across the end): status %d, not IOERR",
			   (unsigned long long)(cap - 1), r);
	vblk_set_unchecked(&disk, false);
	if (!errors)
		printf("blkcheck: reads past the capacity refused (IOERR)\n");
}

/* A read-only disk: a write fails and leaves the sector as it was. */
static void check_read_only(void)
{
	static uint8_t before[VBLK_SECTOR];
	int r;

	if (!vblk_read_only(&disk)) {
		error_line("the disk is writable (no VIRTIO_BLK_F_RO)");
		return;
	}
	if (vblk_submit(&disk, VIRTIO_BLK_T_OUT, 0, bufs[0], VBLK_SECTOR, 0) != VBLK_INVALID)
		error_line("driver let a write to a read-only disk through");
	r = vblk_rw(&disk, VIRTIO_BLK_T_IN, 0, before, VBLK_SECTOR);
	if (r != VIRTIO_BLK_S_OK)
		error_line("read of sector 0: status %d", r);
	fill_sector((struct sector_image *)bufs[0], 0, 0xffffffffu);
	vblk_set_unchecked(&disk, true);
	r = vblk_rw(&disk, VIRTIO_BLK_T_OUT, 0, bufs[0], VBLK_SECTOR);
	vblk_set_unchecked(&disk, false);
	if (r != VIRTIO_BLK_S_IOERR)
		error_line("write to the read-only disk: status %d, not IOERR", r);
	memset(bufs[0], 0, VBLK_SECTOR);
	r = vblk_rw(&disk, VIRTIO_BLK_T_IN, 0, bufs[0], VBLK_SECTOR);
	if (r != VIRTIO_BLK_S_OK || memcmp(before, bufs[0], VBLK_SECTOR))
		error_line("sector 0 changed (or unreadable, status %d) after a refused write", r);
	if (!errors)
		printf("blkcheck: write to the read-only disk refused (IOERR), sector unchanged\n");
}

static void show_id(void)
{
	static char id[VIRTIO_BLK_ID_BYTES + 1];
	int r = vblk_rw(&disk, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES);

	if (r == VIRTIO_BLK_S_OK)
		printf("blkcheck: device id \"%s\"\n", id);
	else if (r == VIRTIO_BLK_S_UNSUPP)
		printf("blkcheck: device id not supported\n");
	else
		error_line("GET_ID: status %d", r);
}

/* --- Bench ------------------------------------------------------------------ */

static uint64_t bench_cursor;
static unsigned int bench_op;

static bool next_bench_job(struct job *job, uint8_t *buf)
{
	(void)buf; /* the data does not matter: the same buffers each time */
	if (bench_cursor >= BENCH_BYTES / VBLK_SECTOR)
		return false;
	job->op = bench_op;
	job->sector = bench_cursor;
	job->len = VBLK_MAX_REQUEST;
	bench_cursor += VBLK_MAX_REQUEST / VBLK_SECTOR;
	return true;
}

static void bench_done(const struct job *job, const uint8_t *buf, uint8_t status)
{
	(void)buf;
	if (status != VIRTIO_BLK_S_OK)
		error_line("bench request at sector %llu: status %u", (unsigned long long)job->sector,
			   status);
}

/* Counter ticks from the first request to the last completion, and how
 * many of them were spent awake (the rest: asleep, waiting for the device).
 * Under -icount (make bench) the awake ticks count instructions; the
 * asleep ones depend on how fast the host's disk answered. */
static uint64_t bench_pass(unsigned int op, uint64_t *awake)
{
	uint64_t start = bh_counter(), total;

	bench_op = op;
	bench_cursor = 0;
	idle_ticks = 0;
	pump(next_bench_job, bench_done);
	total = bh_counter() - start;
	*awake = total - idle_ticks;
	return total;
}

/* One 4 KiB read at a time, LATENCY_READS times: ticks per read, from the
 * request's notification to its completion seen, awake and all. */
#define LATENCY_READS 256
static void bench_latency(void)
{
	uint64_t start, total;
	int r;

	idle_ticks = 0;
	start = bh_counter();
	for (unsigned int i = 0; i < LATENCY_READS; i++) {
		r = vblk_rw(&disk, VIRTIO_BLK_T_IN, 8, bufs[0], 4096);
		if (r != VIRTIO_BLK_S_OK)
			fatal("4 KiB read", r);
	}
	total = bh_counter() - start;
	printf("blkcheck: bench read4k %lu (awake %lu) x%u\n", (unsigned long)total,
	       (unsigned long)(total - idle_ticks), LATENCY_READS);
}

static void bench(void)
{
	uint64_t w, r, w_awake, r_awake;

	if (vblk_capacity(&disk) < BENCH_BYTES / VBLK_SECTOR) {
		printf("blkcheck: error: the disk is smaller than 16 MiB, no bench\n");
		bh_stop();
	}
	memset(bufs, 0xa5, sizeof(bufs));
	w = bench_pass(VIRTIO_BLK_T_OUT, &w_awake);
	r = bench_pass(VIRTIO_BLK_T_IN, &r_awake);
	if (errors)
		bh_stop();
	bench_latency();
	printf("blkcheck: counter %lu Hz\n", (unsigned long)bh_counter_freq());
	printf("blkcheck: bench write16m %lu (awake %lu)\n", (unsigned long)w,
	       (unsigned long)w_awake);
	printf("blkcheck: bench read16m %lu (awake %lu)\n", (unsigned long)r,
	       (unsigned long)r_awake);
}

/* --- Start --------------------------------------------------------------- */

static unsigned int rounds_arg(void)
{
	const char *a = strstr(bh_args(), "rounds=");

	return a ? (unsigned int)strtoul(a + 7, NULL, 10) : 0;
}

void thread(void)
{
	const char *why;
	bool ro = bh_arg("ro");

	/* Its device comes from the device tree, and what its DMA needs
	 * added to our addresses from the hypervisor (0 for an emulated
	 * device, which reaches our addresses as they are). */
	if (bh_device_find("virtio,mmio", &dev)) {
		printf("blkcheck: error: no virtio,mmio device in the device tree\n");
		bh_stop();
	}
	if (vblk_init(&disk, dev.base, bh_dma_offset(), &why)) {
		printf("blkcheck: error: virtio-blk at 0x%lx: %s\n", (unsigned long)dev.base, why);
		bh_stop();
	}
	wake_ticks = bh_counter_freq() / 20;
	disk.wait = wait_for_disk;
	bh_irq_claim(BH_IRQ_VTIMER);
	if (dev.intid)
		bh_irq_claim(dev.intid);
	printf("blkcheck: virtio-blk at 0x%lx, interrupt %u: %llu sectors (%llu MiB)%s, "
	       "queue %u\n",
	       (unsigned long)dev.base, dev.intid, (unsigned long long)vblk_capacity(&disk),
	       (unsigned long long)(vblk_capacity(&disk) >> 11),
	       vblk_read_only(&disk) ? ", read-only" : "", disk.vq.size);
	show_id();
	if (bh_arg("bench")) {
		bench();
	} else {
		check_range();
		if (ro)
			check_read_only();
		if (errors)
			bh_stop();
		rounds(rounds_arg(), ro);
	}
	if (lost_irqs)
		printf("blkcheck: warning: %lu waits ended by the timer, not the device's "
		       "interrupt\n",
		       lost_irqs);
	printf("blkcheck: done\n");
}
