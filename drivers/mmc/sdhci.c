/*
 * SD memory card behind a standard SD Host Controller (sdhci.h): the
 * controller's registers by 32-bit word, the card's identification by
 * polling, then one request at a time driven by the interrupt.
 */
#include "sdhci.h"

#include <stdio.h>
#include <string.h>

/* Registers, by the 32-bit word that holds them (SDHCI 3.00, 2.2). */
#define R_BLOCK 0x04	/* BLKSIZE [15:0], BLKCNT [31:16] */
#define R_ARGUMENT 0x08
#define R_COMMAND 0x0c	/* TRNMOD [15:0], CMD [31:16] */
#define R_RESPONSE 0x10 /* four words */
#define R_BUFFER 0x20
#define R_PRESENT 0x24
#define R_HOST 0x28	/* HOSTCTL [7:0], PWRCON [15:8] */
#define R_CLOCK 0x2c	/* CLKCON [15:0], TIMEOUT [23:16], SWRST [31:24] */
#define R_STATUS 0x30	/* normal [15:0], error [31:16]; write 1 to clear */
#define R_STATUS_EN 0x34
#define R_SIGNAL_EN 0x38
#define R_CAPS 0x40
#define R_VERSION 0xfc	/* HCVER [31:16], spec version in [23:16] */

/* PRESENT */
#define P_CMD_INHIBIT (1u << 0)
#define P_DAT_INHIBIT (1u << 1)
#define P_WRITE_READY (1u << 10) /* the buffer takes a block */
#define P_READ_READY (1u << 11)	 /* the buffer holds a block */
#define P_CARD_INSERTED (1u << 16)
#define P_WRITE_ENABLED (1u << 19) /* write-protect switch: writable */

/* STATUS */
#define S_CMD_DONE (1u << 0)
#define S_TRANSFER_DONE (1u << 1)
#define S_WRITE_READY (1u << 4)
#define S_READ_READY (1u << 5)
#define S_ERROR (1u << 15)
#define S_ERRORS 0xffff0000u
#define S_CMD_TIMEOUT (1u << 16)
/* Status bits recorded (card insertion and removal are not: the card
 * stays, and their bits would only need clearing). */
#define STATUS_RECORDED (0x03ffu << 16 | 0x3fu)
/* Status bits that interrupt while a request runs: its events and every
 * error. */
#define STATUS_SIGNALLED (0x03ffu << 16 | S_TRANSFER_DONE | S_WRITE_READY | S_READ_READY)

/* TRNMOD */
#define T_BLOCK_COUNT (1u << 1)
#define T_AUTO_CMD12 (1u << 2)
#define T_READ (1u << 4)
#define T_MULTI (1u << 5)

/* CMD: response type [1:0], CRC check [3], index check [4], data [5] */
#define C_NONE 0x00
#define C_R2 0x09  /* 136 bits, CRC checked */
#define C_R3 0x02  /* 48 bits, nothing checked (OCR) */
#define C_R1 0x1a  /* 48 bits, CRC and index checked (R1, R6, R7) */
#define C_R1B 0x1b /* the same, then busy on DAT0 */
#define C_DATA 0x20

/* CLKCON */
#define K_INTERNAL_ON (1u << 0)
#define K_INTERNAL_STABLE (1u << 1)
#define K_CARD_ON (1u << 2)
/* SWRST, in R_CLOCK's top byte */
#define RESET_ALL (1u << 24)
#define RESET_CMD (1u << 25)
#define RESET_DAT (1u << 26)

/* HOSTCTL and PWRCON */
#define H_4BIT (1u << 1)
#define H_POWER_33V (0x0fu << 8) /* 3.3 V [11:9], bus power on [8] */

/* The card's OCR (ACMD41) */
#define OCR_READY (1u << 31)
#define OCR_CCS (1u << 30)   /* high capacity: block addressing */
#define OCR_VOLTAGES 0x00ff8000u /* 2.7-3.6 V */

#define IDENTIFY_HZ 400000u
#define TRANSFER_HZ 25000000u
/* A controller whose capabilities give no base clock (0): the Pi's
 * EMMC2 is fed 100 MHz by the firmware. */
#define DEFAULT_BASE_HZ 100000000u

static int fail(struct sdhci *h, const char *what, uint32_t detail)
{
	snprintf(h->why, sizeof(h->why), "%s (0x%08x)", what, (unsigned int)detail);
	return -1;
}

static uint32_t rd(const struct sdhci *h, unsigned int off)
{
	return sdhci_read32(h->base, off);
}

static void pause_us(uint64_t us);

static void wr(const struct sdhci *h, unsigned int off, uint32_t v)
{
	sdhci_write32(h->base, off, v);
	/* The BCM2835-family controllers lose a write that follows another
	 * within two card clocks: at the identification clock, 10 us. */
	if (h->slow_writes)
		pause_us(10);
}

/* Wait until (reg & mask) == want, at most timeout_us: 0, or -1. */
static int wait_for(const struct sdhci *h, unsigned int off, uint32_t mask, uint32_t want,
		    uint64_t timeout_us)
{
	uint64_t start = sdhci_now_us();

	while ((rd(h, off) & mask) != want)
		if (sdhci_now_us() - start > timeout_us)
			return (rd(h, off) & mask) == want ? 0 : -1;
	return 0;
}

static void pause_us(uint64_t us)
{
	uint64_t start = sdhci_now_us();

	while (sdhci_now_us() - start < us)
		;
}

/* Software reset of `which` (RESET_*), one line at a time (QEMU's model
 * takes one bit per write): the controller clears each bit when done. */
static int reset(struct sdhci *h, uint32_t which)
{
	int rc = 0;

	for (uint32_t bit = RESET_ALL; bit <= RESET_DAT; bit <<= 1) {
		if (!(which & bit))
			continue;
		wr(h, R_CLOCK, (rd(h, R_CLOCK) & 0x00ffffffu) | bit);
		rc |= wait_for(h, R_CLOCK, bit, 0, 100000);
	}
	return rc;
}

/* The SD clock at most hz: a divided clock of base_hz (10-bit divisor of
 * 2N from version 3.00, a power of two up to 256 before), with the data
 * timeout at its largest. */
static int set_clock(struct sdhci *h, uint32_t hz)
{
	uint32_t div = 0, field;

	if (h->version >= 3) {
		while (div < 0x3ff && h->base_hz / (div ? 2 * div : 1) > hz)
			div++;
		field = (div & 0xff) << 8 | ((div >> 8) & 3) << 6;
	} else {
		while (div < 0x80 && h->base_hz / (div ? 2 * div : 1) > hz)
			div = div ? div * 2 : 1;
		field = div << 8;
	}
	/* The card clock stops before the divider changes (3.2.3). */
	wr(h, R_CLOCK, 0x0e0000u);
	wr(h, R_CLOCK, 0x0e0000u | field | K_INTERNAL_ON);
	if (wait_for(h, R_CLOCK, K_INTERNAL_STABLE, K_INTERNAL_STABLE, 20000))
		return fail(h, "the controller's clock does not become stable", rd(h, R_CLOCK));
	wr(h, R_CLOCK, 0x0e0000u | field | K_INTERNAL_ON | K_CARD_ON);
	h->slow_writes = hz <= IDENTIFY_HZ;
	return 0;
}

/* One command, polled. flags: C_*; with C_DATA, trnmod and the block
 * registers are the caller's. The response's four words in resp. */
static int command(struct sdhci *h, unsigned int index, uint32_t arg, unsigned int flags,
		   uint32_t trnmod, uint32_t resp[4])
{
	bool uses_dat = (flags & C_DATA) || (flags & 3) == 3;
	uint32_t inhibit = P_CMD_INHIBIT | (uses_dat ? P_DAT_INHIBIT : 0), st;
	uint64_t start;

	if (wait_for(h, R_PRESENT, inhibit, 0, 100000))
		return fail(h, "the controller stays busy", rd(h, R_PRESENT));
	wr(h, R_STATUS, 0xffffffffu);
	wr(h, R_ARGUMENT, arg);
	wr(h, R_COMMAND, (index << 8 | flags) << 16 | trnmod);
	start = sdhci_now_us();
	while (!((st = rd(h, R_STATUS)) & (S_CMD_DONE | S_ERROR)))
		if (sdhci_now_us() - start > 100000) {
			reset(h, RESET_CMD | (uses_dat ? RESET_DAT : 0));
			return fail(h, "no answer to a command", index);
		}
	if (st & S_ERROR) {
		wr(h, R_STATUS, st);
		reset(h, RESET_CMD | (uses_dat ? RESET_DAT : 0));
		snprintf(h->why, sizeof(h->why), "CMD%u failed (error status 0x%04x)", index,
			 (unsigned int)(st >> 16));
		return (st & S_CMD_TIMEOUT) ? -2 : -1;
	}
	wr(h, R_STATUS, S_CMD_DONE);
	if ((flags & 3) == 3 && !(flags & C_DATA)) {
		/* Busy on DAT0 until the card is done (CMD7's R1b). */
		if (wait_for(h, R_PRESENT, P_DAT_INHIBIT, 0, 500000)) {
			reset(h, RESET_CMD | RESET_DAT);
			return fail(h, "the card stays busy after a command", index);
		}
		wr(h, R_STATUS, S_TRANSFER_DONE);
	}
	for (unsigned int i = 0; resp && i < 4; i++)
		resp[i] = rd(h, R_RESPONSE + 4 * i);
	return 0;
}

/* Bits [hi:lo] of the card's CSD, from an R2 response: the controller
 * leaves out the CRC byte, so CSD bit n is bit n - 8 of the four words. */
static uint32_t csd_bits(const uint32_t resp[4], unsigned int hi, unsigned int lo)
{
	uint32_t v = 0;

	for (unsigned int n = hi + 1; n-- > lo;) {
		unsigned int b = n - 8;

		v = v << 1 | ((resp[b / 32] >> (b % 32)) & 1);
	}
	return v;
}

static int capacity_from_csd(struct sdhci *h, const uint32_t csd[4])
{
	switch (csd_bits(csd, 127, 126)) {
	case 0: { /* standard capacity */
		uint32_t c_size = csd_bits(csd, 73, 62), mult = csd_bits(csd, 49, 47);
		uint32_t bl_len = csd_bits(csd, 83, 80);

		if (bl_len < 9 || bl_len > 11)
			return fail(h, "the card's CSD gives an impossible block length", bl_len);
		h->sectors = (uint64_t)(c_size + 1) << (mult + 2 + bl_len - 9);
		return 0;
	}
	case 1: /* high and extended capacity: 512 KiB units (ultra capacity,
		 * version 3, needs commands this driver does not send) */
		h->sectors = ((uint64_t)csd_bits(csd, 69, 48) + 1) * 1024;
		return 0;
	}
	return fail(h, "the card's CSD has an unknown structure version", csd_bits(csd, 127, 126));
}

/* Identification (SD Physical Layer 4.2): idle, interface condition, the
 * operating condition until ready, CID, relative address. */
static int identify(struct sdhci *h)
{
	uint32_t r[4], arg;
	bool v2;
	uint64_t start;
	int rc;

	if (command(h, 0, 0, C_NONE, 0, NULL))
		return -1;
	/* CMD8: 2.7-3.6 V, check pattern 0xaa. A card before version 2.00
	 * does not answer. */
	rc = command(h, 8, 0x1aa, C_R1, 0, r);
	if (rc == -1)
		return -1;
	v2 = rc == 0;
	if (v2 && (r[0] & 0xfff) != 0x1aa)
		return fail(h, "the card does not accept 3.3 V (CMD8)", r[0]);
	arg = OCR_VOLTAGES | (v2 ? OCR_CCS : 0);
	start = sdhci_now_us();
	for (;;) {
		if (command(h, 55, 0, C_R1, 0, NULL) || command(h, 41, arg, C_R3, 0, r)) {
			snprintf(h->why, sizeof(h->why),
				 "no SD memory card answers (its operating condition, ACMD41)");
			return -1;
		}
		if (r[0] & OCR_READY)
			break;
		if (sdhci_now_us() - start > 1000000)
			return fail(h, "the card does not become ready (ACMD41)", r[0]);
		pause_us(10000);
	}
	h->block_address = v2 && (r[0] & OCR_CCS);
	if (command(h, 2, 0, C_R2, 0, NULL) || command(h, 3, 0, C_R1, 0, r))
		return -1;
	h->rca = r[0] >> 16;
	return 0;
}

int sdhci_init(struct sdhci *h, uint64_t regs_base)
{
	uint32_t r[4], caps;

	memset(h, 0, sizeof(*h));
	h->base = regs_base;
	h->version = ((rd(h, R_VERSION) >> 16) & 0xff) + 1;
	if (reset(h, RESET_ALL))
		return fail(h, "the controller does not reset", rd(h, R_CLOCK));
	caps = rd(h, R_CAPS);
	h->base_hz = (h->version >= 3 ? (caps >> 8) & 0xff : (caps >> 8) & 0x3f) * 1000000u;
	/* 0 (not told) or implausible: the EMMC2's firmware default. */
	if (h->base_hz < 10000000u)
		h->base_hz = DEFAULT_BASE_HZ;
	wr(h, R_STATUS_EN, STATUS_RECORDED);
	wr(h, R_SIGNAL_EN, 0);
	/* Card detection is not asked: the Pi 4's slot has none wired
	 * ("broken-cd"). Identification finds out, its commands timing out
	 * when no card answers. */
	wr(h, R_HOST, H_POWER_33V);
	if (set_clock(h, IDENTIFY_HZ))
		return -1;
	/* Power up: 1 ms and 74 clocks before the first command. */
	pause_us(1000);
	if (identify(h)) {
		if (!(rd(h, R_PRESENT) & P_CARD_INSERTED))
			snprintf(h->why, sizeof(h->why), "no card in the slot");
		return -1;
	}
	if (command(h, 9, h->rca << 16, C_R2, 0, r) || capacity_from_csd(h, r))
		return -1;
	/* What the addressing can reach: a card that claims more would have
	 * its addresses wrap, onto the boot partition. */
	if ((csd_bits(r, 127, 126) == 1) != h->block_address)
		return fail(h, "the card's CSD version does not match its capacity class",
			    csd_bits(r, 127, 126));
	if (h->sectors > (h->block_address ? 1ull << 32 : 1ull << 23))
		return fail(h, "the card is larger than its addressing reaches",
			    (uint32_t)(h->sectors >> 11));
	if (!h->rca)
		return fail(h, "the card gave relative address 0", 0);
	if (command(h, 7, h->rca << 16, C_R1B, 0, NULL))
		return -1;
	/* 4-bit bus (ACMD6), then the faster clock. */
	if (command(h, 55, h->rca << 16, C_R1, 0, NULL) || command(h, 6, 2, C_R1, 0, NULL))
		return -1;
	wr(h, R_HOST, H_POWER_33V | H_4BIT);
	/* A standard-capacity card's block length is 512 by default, but
	 * set it: CMD16 is ignored by the others. */
	if (!h->block_address && command(h, 16, SDHCI_SECTOR, C_R1, 0, NULL))
		return -1;
	if (set_clock(h, TRANSFER_HZ))
		return -1;
	h->read_only = !(rd(h, R_PRESENT) & P_WRITE_ENABLED);
	wr(h, R_STATUS, 0xffffffffu);
	h->why[0] = 0;
	return 0;
}

int sdhci_start(struct sdhci *h, bool write, uint64_t sector, void *buf, uint32_t len)
{
	uint32_t n = len / SDHCI_SECTOR, trnmod;
	unsigned int index;

	if (h->busy)
		return SDHCI_BUSY;
	if (h->broken)
		return SDHCI_ERROR;
	if (!buf || !len || len % SDHCI_SECTOR || n > SDHCI_MAX_BLOCKS || sector >= h->sectors ||
	    n > h->sectors - sector || (write && h->read_only))
		return SDHCI_INVALID;
	if (rd(h, R_PRESENT) & (P_CMD_INHIBIT | P_DAT_INHIBIT)) {
		reset(h, RESET_CMD | RESET_DAT);
		if (rd(h, R_PRESENT) & (P_CMD_INHIBIT | P_DAT_INHIBIT)) {
			fail(h, "the controller stays busy", rd(h, R_PRESENT));
			return SDHCI_ERROR;
		}
	}
	h->busy = true;
	h->write = write;
	h->buf = buf;
	h->blocks = n;
	h->moved = 0;
	trnmod = T_BLOCK_COUNT | (write ? 0 : T_READ) | (n > 1 ? T_MULTI | T_AUTO_CMD12 : 0);
	index = write ? (n > 1 ? 25 : 24) : (n > 1 ? 18 : 17);
	wr(h, R_STATUS, 0xffffffffu);
	/* It interrupts only while a request runs: an idle controller whose
	 * status misbehaves cannot keep the domain busy. */
	wr(h, R_SIGNAL_EN, STATUS_SIGNALLED);
	wr(h, R_BLOCK, n << 16 | SDHCI_SECTOR);
	wr(h, R_ARGUMENT, (uint32_t)(h->block_address ? sector : sector * SDHCI_SECTOR));
	wr(h, R_COMMAND, (index << 8 | C_R1 | C_DATA) << 16 | trnmod);
	return SDHCI_PENDING;
}

/* Blocks moved by one call of sdhci_irq() at most: the domain's loop runs
 * between (its heartbeat among what it does), however fast the card
 * gives blocks. The buffer-ready status left set interrupts again. */
#define BLOCKS_PER_IRQ 8

/* Blocks through the buffer port while the controller has room or data,
 * at most `budget`; how many. */
static unsigned int move_blocks(struct sdhci *h, unsigned int budget)
{
	uint32_t ready = h->write ? P_WRITE_READY : P_READ_READY;
	unsigned int n = 0;

	while (n < budget && h->moved < h->blocks && (rd(h, R_PRESENT) & ready)) {
		uint8_t *p = h->buf + (uint64_t)h->moved * SDHCI_SECTOR;

		for (unsigned int i = 0; i < SDHCI_SECTOR; i += 4) {
			uint32_t w;

			if (h->write) {
				memcpy(&w, p + i, 4);
				wr(h, R_BUFFER, w);
			} else {
				w = rd(h, R_BUFFER);
				memcpy(p + i, &w, 4);
			}
		}
		h->moved++;
		n++;
	}
	return n;
}

/* After a failed request: the card may be left sending, receiving or
 * programming. Stop it (CMD12; it may refuse, having stopped already)
 * and wait until it reports the transfer state (CMD13). */
static int recover(struct sdhci *h)
{
	uint32_t r[4];

	command(h, 12, 0, C_R1B, 0, NULL);
	for (unsigned int i = 0; i < 100; i++) {
		if (!command(h, 13, h->rca << 16, C_R1, 0, r) && ((r[0] >> 9) & 0xf) == 4)
			return 0;
		pause_us(1000);
	}
	return -1;
}

static int end(struct sdhci *h, int result)
{
	char why[sizeof(h->why)];

	h->busy = false;
	h->buf = NULL;
	wr(h, R_SIGNAL_EN, 0);
	if (result == SDHCI_DONE)
		return result;
	memcpy(why, h->why, sizeof(why));
	reset(h, RESET_CMD | RESET_DAT);
	if (recover(h)) {
		h->broken = true;
		snprintf(h->why, sizeof(h->why), "%.80s; the card did not recover", why);
	} else {
		memcpy(h->why, why, sizeof(why));
	}
	return result;
}

int sdhci_irq(struct sdhci *h)
{
	unsigned int budget = BLOCKS_PER_IRQ;

	/* Each round acknowledges what it saw; a controller that keeps
	 * raising status without ending the request gets a bounded number. */
	for (unsigned int round = 0; round < 4 * SDHCI_MAX_BLOCKS + 8; round++) {
		uint32_t st = rd(h, R_STATUS);

		if (!st)
			return SDHCI_PENDING;
		wr(h, R_STATUS, st);
		if (!h->busy)
			continue;
		if (st & (S_ERROR | S_ERRORS)) {
			snprintf(h->why, sizeof(h->why),
				 "%s of %u blocks failed after %u (error status 0x%04x)",
				 h->write ? "a write" : "a read", (unsigned int)h->blocks,
				 (unsigned int)h->moved, (unsigned int)(st >> 16));
			return end(h, SDHCI_ERROR);
		}
		budget -= move_blocks(h, budget);
		if (st & S_TRANSFER_DONE) {
			if (h->moved == h->blocks)
				return end(h, SDHCI_DONE);
			snprintf(h->why, sizeof(h->why),
				 "the controller ended a transfer of %u blocks after %u",
				 (unsigned int)h->blocks, (unsigned int)h->moved);
			return end(h, SDHCI_ERROR);
		}
		if (!budget)
			return SDHCI_PENDING;
	}
	snprintf(h->why, sizeof(h->why), "the controller keeps raising status 0x%08x",
		 (unsigned int)rd(h, R_STATUS));
	return h->busy ? end(h, SDHCI_ERROR) : SDHCI_PENDING;
}

void sdhci_abort(struct sdhci *h)
{
	if (h->busy)
		end(h, SDHCI_ERROR);
}

int sdhci_read_sync(struct sdhci *h, uint64_t sector, void *buf, uint32_t len)
{
	uint64_t start = sdhci_now_us();
	int rc = sdhci_start(h, false, sector, buf, len);

	while (rc == SDHCI_PENDING) {
		if (sdhci_now_us() - start > 1000000) {
			sdhci_abort(h);
			snprintf(h->why, sizeof(h->why), "a read of sector %lu timed out",
				 (unsigned long)sector);
			return SDHCI_ERROR;
		}
		rc = sdhci_irq(h);
	}
	return rc;
}

const char *sdhci_why(const struct sdhci *h)
{
	return h->why;
}
