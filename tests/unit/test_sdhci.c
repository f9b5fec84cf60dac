/*
 * Unit tests for drivers/mmc (the SD host controller driver) and
 * drivers/block/mbr.c, against a simulated SDHCI controller and SD card
 * in this file, standing in for sdhci_access.c: card identification of
 * both capacities, the addressing each uses, requests moved through the
 * buffer port, and what the driver does with a card that is absent or
 * never ready and a controller that errs, ends early or will not stop.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "mbr.h"
#include "sdhci.h"

#define BASE 0xfe300000UL
#define CARD_SECTORS 4096 /* 2 MiB */

/* --- The simulated controller and card --------------------------------- */

enum card_state { IDLE, READY, IDENT, STBY, TRAN, DATA };

static struct sim {
	/* controller */
	uint32_t block, arg, command, resp[4], host, clock, status, status_en, signal_en;
	uint32_t caps, version;
	bool inserted;
	/* transfer in progress */
	bool reading, writing;
	uint32_t blocks_left, word, buffer[128];
	uint64_t address; /* next sector */
	/* card */
	enum card_state state;
	bool present, high_capacity, app_cmd;
	unsigned int busy_polls; /* ACMD41 answers "busy" this many times */
	uint32_t rca;
	uint8_t data[CARD_SECTORS][512];
	/* faults */
	bool error_on_data;   /* a data CRC error instead of the first block */
	bool end_early;	      /* transfer complete after the first block */
	bool stuck_status;    /* a status bit that will not clear */
	bool write_protected; /* the switch says read-only */
	/* what the driver did */
	uint32_t last_arg[64];
	unsigned int last_index[64], nr_cmds;
	uint64_t now;
} s;

static void card_load_block(void)
{
	memcpy(s.buffer, s.data[s.address], 512);
	s.word = 0;
}

/* A data command: the first block's worth of buffer. */
static void start_data(unsigned int index)
{
	uint64_t sector = s.high_capacity ? s.arg : s.arg / 512;
	uint32_t count = (s.command & (1u << 5)) ? s.block >> 16 : 1;

	s.address = sector;
	s.blocks_left = count;
	if (sector + count > CARD_SECTORS) {
		s.status |= 1u << 15 | 1u << (16 + 6); /* data end bit error */
		return;
	}
	if (s.error_on_data) {
		s.status |= 1u << 15 | 1u << (16 + 5); /* data CRC */
		return;
	}
	if (index == 17 || index == 18) {
		s.reading = true;
		card_load_block();
		s.status |= 1u << 5;
	} else {
		s.writing = true;
		s.word = 0;
		s.status |= 1u << 4;
	}
}

static void end_transfer(void)
{
	s.reading = s.writing = false;
	s.status |= 1u << 1;
}

static void block_done(void)
{
	s.address++;
	s.blocks_left--;
	if (s.blocks_left == 0 || s.end_early) {
		end_transfer();
		return;
	}
	if (s.reading) {
		card_load_block();
		s.status |= 1u << 5;
	} else {
		s.word = 0;
		s.status |= 1u << 4;
	}
}

/* A command written to CMD: the card answers (or not). */
static void run_command(void)
{
	unsigned int index = (s.command >> 24) & 0x3f;
	bool app = s.app_cmd;
	bool answered = s.present;

	if (s.nr_cmds < 64) {
		s.last_index[s.nr_cmds] = app ? 100 + index : index;
		s.last_arg[s.nr_cmds++] = s.arg;
	}
	s.app_cmd = false;
	memset(s.resp, 0, sizeof(s.resp));
	if (answered) {
		switch (app ? 100 + index : index) {
		case 0:
			s.state = IDLE;
			break;
		case 8:
			s.resp[0] = s.arg & 0xfff;
			break;
		case 55:
			s.app_cmd = true;
			s.resp[0] = 1u << 5;
			break;
		case 141:
			if (s.busy_polls) {
				s.busy_polls--;
				s.resp[0] = 0x00ff8000;
			} else {
				s.resp[0] = 1u << 31 | 0x00ff8000 |
					    (s.high_capacity && (s.arg & (1u << 30)) ? 1u << 30 : 0);
				s.state = READY;
			}
			break;
		case 2:
			s.state = IDENT;
			break;
		case 3:
			s.rca = 0x1234;
			s.resp[0] = s.rca << 16;
			s.state = STBY;
			break;
		case 9:
			/* CSD without its CRC byte, as the controller holds it:
			 * CSD bit n is bit n - 8 of resp. */
			if (s.high_capacity) {
				/* version 2: C_SIZE [69:48] = sectors / 1024 - 1 */
				uint32_t c_size = CARD_SECTORS / 1024 - 1;

				s.resp[3] = 1u << (126 - 8 - 96);
				s.resp[1] |= (c_size & 0xffff) << (48 - 8 - 32);
				s.resp[1] |= 0; /* upper bits of c_size are 0 here */
			} else {
				/* version 1: READ_BL_LEN 9, C_SIZE_MULT 7 (512),
				 * C_SIZE = sectors / 512 - 1 */
				uint32_t c_size = CARD_SECTORS / 512 - 1;

				s.resp[2] |= 9u << (80 - 8 - 64);
				/* C_SIZE [73:62]: bits 54..65 of resp */
				s.resp[1] |= (c_size & 0x3ff) << (62 - 8 - 32);
				s.resp[2] |= (c_size >> 10) << 0;
				s.resp[1] |= 7u << (47 - 8 - 32);
			}
			break;
		case 7:
			s.state = (s.arg >> 16) == s.rca ? TRAN : STBY;
			break;
		case 106:
		case 16:
			break;
		case 12: /* stop: back to transfer */
			s.reading = s.writing = false;
			s.state = TRAN;
			break;
		case 13:
			s.resp[0] = (uint32_t)s.state << 9;
			break;
		case 17:
		case 18:
		case 24:
		case 25:
			if (s.state != TRAN)
				answered = false;
			break;
		default:
			answered = false;
		}
	}
	/* A command that expects no response (CMD0) cannot time out. */
	if (!answered && (s.command >> 16 & 3)) {
		s.status |= 1u << 15 | 1u << 16; /* command timeout */
		return;
	}
	s.status |= 1u << 0;
	if (s.command & (1u << 21)) /* data present */
		start_data(index);
}

uint32_t sdhci_read32(uint64_t base, unsigned int off)
{
	assert_int_equal(base, BASE);
	assert_int_equal(off % 4, 0);
	switch (off) {
	case 0x04:
		return s.block;
	case 0x08:
		return s.arg;
	case 0x0c:
		return s.command;
	case 0x10:
	case 0x14:
	case 0x18:
	case 0x1c:
		return s.resp[(off - 0x10) / 4];
	case 0x20: {
		uint32_t w;

		if (!s.reading)
			fail_msg("buffer port read with no data");
		w = s.buffer[s.word++];
		if (s.word == 128)
			block_done();
		return w;
	}
	case 0x24:
		return (s.inserted ? 1u << 16 : 0) | (s.write_protected ? 0 : 1u << 19) |
		       (s.reading && s.word < 128 ? 1u << 11 : 0) |
		       (s.writing && s.word < 128 ? 1u << 10 : 0) |
		       (s.reading || s.writing ? 1u << 1 : 0);
	case 0x28:
		return s.host;
	case 0x2c:
		return s.clock;
	case 0x30: {
		/* Bit 15 sums up the error bits recorded; it has no enable. */
		uint32_t v = s.status & s.status_en & ~(1u << 15);

		return v >> 16 ? v | 1u << 15 : v;
	}
	case 0x34:
		return s.status_en;
	case 0x38:
		return s.signal_en;
	case 0x40:
		return s.caps;
	case 0xfc:
		return s.version << 16;
	}
	return 0;
}

void sdhci_write32(uint64_t base, unsigned int off, uint32_t v)
{
	assert_int_equal(base, BASE);
	assert_int_equal(off % 4, 0);
	switch (off) {
	case 0x04:
		s.block = v;
		break;
	case 0x08:
		s.arg = v;
		break;
	case 0x0c:
		s.command = v;
		run_command();
		break;
	case 0x20:
		if (!s.writing)
			fail_msg("buffer port write with no room");
		s.buffer[s.word++] = v;
		if (s.word == 128) {
			memcpy(s.data[s.address], s.buffer, 512);
			block_done();
		}
		break;
	case 0x28:
		s.host = v;
		break;
	case 0x2c:
		/* Resets are done at once; the internal clock is stable as
		 * soon as it is on. */
		if (v & (1u << 24)) {
			s.status = 0;
			s.reading = s.writing = false;
		}
		if (v & (1u << 26))
			s.reading = s.writing = false;
		s.clock = (v & 0xffff) | ((v & 1) ? 2 : 0);
		break;
	case 0x30:
		s.status &= ~v;
		if (s.stuck_status)
			s.status |= 1u << 3;
		break;
	case 0x34:
		s.status_en = v;
		break;
	case 0x38:
		s.signal_en = v;
		break;
	}
}

uint64_t sdhci_now_us(void)
{
	return s.now += 50;
}

static void sim_reset(bool high_capacity)
{
	memset(&s, 0, sizeof(s));
	s.present = s.inserted = true;
	s.high_capacity = high_capacity;
	s.version = 2; /* 3.00 */
	s.caps = 52u << 8;
	for (unsigned int i = 0; i < CARD_SECTORS; i++)
		for (unsigned int b = 0; b < 512; b += 4) {
			uint32_t w = i * 1000 + b;

			memcpy(&s.data[i][b], &w, 4);
		}
}

static struct sdhci h;
static uint8_t buf[64 * 1024];

/* Run a request by interrupts until it ends. */
static int run(bool write, uint64_t sector, uint32_t len)
{
	int rc = sdhci_start(&h, write, sector, buf, len);

	for (unsigned int i = 0; rc == SDHCI_PENDING && i < 1000; i++)
		rc = sdhci_irq(&h);
	return rc;
}

/* --- Tests ------------------------------------------------------------------ */

static void identifies_standard_capacity(void **state)
{
	(void)state;
	sim_reset(false);
	s.busy_polls = 3;
	assert_int_equal(sdhci_init(&h, BASE), 0);
	assert_int_equal(h.sectors, CARD_SECTORS);
	assert_false(h.block_address);
	assert_int_equal(h.rca, 0x1234);
	assert_false(h.read_only);
	assert_int_equal(s.state, TRAN);
	/* 4-bit bus, and 3.3 V bus power. */
	assert_int_equal(s.host & 0xffff, 0x0f02);
	/* 25 MHz at most from 52 MHz: divisor 2 * 2, card clock on. */
	assert_int_equal(s.clock & 0xff04, 0x0204);
	/* CMD0, CMD8, (CMD55, ACMD41) x 4, CMD2, CMD3, CMD9, CMD7, CMD55,
	 * ACMD6, CMD16. */
	assert_int_equal(s.nr_cmds, 17);
	assert_int_equal(s.last_index[16], 16);
	assert_int_equal(s.last_index[1], 8);
	assert_int_equal(s.last_arg[1], 0x1aa);
	assert_int_equal(s.last_arg[3] & (1u << 30), 1u << 30); /* HCS asked */
	assert_int_equal(s.last_index[16], 16);
	/* Nothing interrupts while idle; during a request, its events and
	 * errors do. */
	assert_int_equal(s.signal_en, 0);
	assert_int_equal(sdhci_start(&h, false, 0, buf, 512), SDHCI_PENDING);
	assert_int_equal(s.signal_en, 0x03ff0032);
	assert_int_equal(sdhci_irq(&h), SDHCI_DONE);
	assert_int_equal(s.signal_en, 0);
	assert_int_equal(s.last_index[17], 17);
}

static void identifies_high_capacity(void **state)
{
	(void)state;
	sim_reset(true);
	assert_int_equal(sdhci_init(&h, BASE), 0);
	assert_int_equal(h.sectors, CARD_SECTORS);
	assert_true(h.block_address);
	/* No CMD16 for a block-addressed card. */
	assert_int_equal(s.last_index[s.nr_cmds - 1], 106);
}

static void no_card(void **state)
{
	(void)state;
	sim_reset(false);
	s.present = s.inserted = false;
	assert_int_equal(sdhci_init(&h, BASE), -1);
	assert_string_equal(sdhci_why(&h), "no card in the slot");
	/* A card there that is not a memory card. */
	sim_reset(false);
	s.present = false;
	assert_int_equal(sdhci_init(&h, BASE), -1);
	if (!strstr(sdhci_why(&h), "no SD memory card answers"))
		fail_msg("%s", sdhci_why(&h));
}

static void card_never_ready(void **state)
{
	(void)state;
	sim_reset(false);
	s.busy_polls = 1000000;
	assert_int_equal(sdhci_init(&h, BASE), -1);
	assert_non_null(strstr(sdhci_why(&h), "does not become ready"));
}

static void reads_and_writes(void **state)
{
	uint32_t w;

	(void)state;
	for (int hc = 0; hc < 2; hc++) {
		sim_reset(hc);
		assert_int_equal(sdhci_init(&h, BASE), 0);
		s.nr_cmds = 0;
		/* One sector: CMD17 at its address (bytes or sectors). */
		memset(buf, 0, sizeof(buf));
		assert_int_equal(run(false, 7, 512), SDHCI_DONE);
		assert_memory_equal(buf, s.data[7], 512);
		assert_int_equal(s.last_index[0], 17);
		assert_int_equal(s.last_arg[0], hc ? 7 : 7 * 512);
		/* 128 sectors: CMD18, with the block count. */
		assert_int_equal(run(false, 100, 64 * 1024), SDHCI_DONE);
		for (unsigned int i = 0; i < 128; i++)
			assert_memory_equal(buf + 512 * i, s.data[100 + i], 512);
		assert_int_equal(s.last_index[1], 18);
		assert_int_equal(s.block, 128u << 16 | 512);
		/* Writes: CMD24 and CMD25. */
		for (unsigned int i = 0; i < sizeof(buf); i += 4) {
			w = 0xc0de0000u + i;
			memcpy(buf + i, &w, 4);
		}
		assert_int_equal(run(true, 9, 512), SDHCI_DONE);
		assert_memory_equal(s.data[9], buf, 512);
		assert_int_equal(run(true, CARD_SECTORS - 16, 16 * 512), SDHCI_DONE);
		assert_memory_equal(s.data[CARD_SECTORS - 16], buf, 16 * 512);
		assert_int_equal(s.last_index[2], 24);
		assert_int_equal(s.last_index[3], 25);
		/* The polled read (the partition table's). */
		assert_int_equal(sdhci_read_sync(&h, 9, buf, 512), SDHCI_DONE);
		assert_memory_equal(buf, s.data[9], 512);
	}
}

static void refuses_impossible_requests(void **state)
{
	(void)state;
	sim_reset(true);
	assert_int_equal(sdhci_init(&h, BASE), 0);
	s.nr_cmds = 0;
	assert_int_equal(sdhci_start(&h, false, 0, buf, 0), SDHCI_INVALID);
	assert_int_equal(sdhci_start(&h, false, 0, buf, 100), SDHCI_INVALID);
	assert_int_equal(sdhci_start(&h, false, 0, buf, 129 * 512), SDHCI_INVALID);
	assert_int_equal(sdhci_start(&h, false, CARD_SECTORS, buf, 512), SDHCI_INVALID);
	assert_int_equal(sdhci_start(&h, false, CARD_SECTORS - 1, buf, 1024), SDHCI_INVALID);
	assert_int_equal(sdhci_start(&h, false, UINT64_MAX, buf, 512), SDHCI_INVALID);
	assert_int_equal(sdhci_start(&h, false, 0, NULL, 512), SDHCI_INVALID);
	assert_int_equal(s.nr_cmds, 0);
	/* One at a time. */
	assert_int_equal(sdhci_start(&h, false, 0, buf, 1024), SDHCI_PENDING);
	assert_int_equal(sdhci_start(&h, false, 0, buf, 512), SDHCI_BUSY);
	sdhci_abort(&h);
	assert_int_equal(run(false, 0, 512), SDHCI_DONE);
	/* A write-protected card takes no writes. */
	sim_reset(true);
	s.write_protected = true;
	assert_int_equal(sdhci_init(&h, BASE), 0);
	assert_true(h.read_only);
	assert_int_equal(sdhci_start(&h, true, 0, buf, 512), SDHCI_INVALID);
}

static void controller_errors(void **state)
{
	(void)state;
	sim_reset(true);
	assert_int_equal(sdhci_init(&h, BASE), 0);
	/* A data CRC error: the request fails, the next one works. */
	s.error_on_data = true;
	assert_int_equal(run(false, 0, 4096), SDHCI_ERROR);
	assert_non_null(strstr(sdhci_why(&h), "error status 0x0020"));
	s.error_on_data = false;
	assert_false(h.broken);
	assert_int_equal(run(false, 0, 4096), SDHCI_DONE);
	/* The card was left sending: CMD12 stops it, CMD13 finds it in its
	 * transfer state again. */
	s.state = DATA;
	s.error_on_data = true;
	assert_int_equal(run(false, 0, 512), SDHCI_ERROR);
	assert_false(h.broken);
	assert_int_equal(s.state, TRAN);
	s.error_on_data = false;
	/* A card that stops answering: broken until initialised again. */
	s.present = false;
	assert_int_equal(run(false, 0, 512), SDHCI_ERROR);
	assert_true(h.broken);
	assert_non_null(strstr(sdhci_why(&h), "did not recover"));
	s.present = true;
	assert_int_equal(sdhci_start(&h, false, 0, buf, 512), SDHCI_ERROR);
	assert_int_equal(sdhci_init(&h, BASE), 0);
	assert_int_equal(run(false, 0, 4096), SDHCI_DONE);
	/* Transfer complete after one block of eight: an error, and not
	 * one byte past what was moved is written. */
	memset(buf, 0xee, sizeof(buf));
	s.end_early = true;
	assert_int_equal(run(false, 0, 8 * 512), SDHCI_ERROR);
	assert_non_null(strstr(sdhci_why(&h), "after 1"));
	assert_int_equal(buf[512], 0xee);
	s.end_early = false;
	/* A status bit that never clears: bounded, then an error. */
	s.stuck_status = true;
	s.status_en |= 1u << 3;
	assert_int_equal(sdhci_start(&h, false, 0, buf, 512), SDHCI_PENDING);
	assert_int_equal(sdhci_irq(&h), SDHCI_DONE); /* the block still arrives */
	assert_int_equal(sdhci_start(&h, true, 0, buf, 512), SDHCI_PENDING);
	s.writing = false; /* the controller never asks for the data */
	assert_int_equal(sdhci_irq(&h), SDHCI_ERROR);
	assert_non_null(strstr(sdhci_why(&h), "keeps raising"));
}

static void mbr_table(void **state)
{
	uint8_t m[512] = { 0 };
	struct mbr_partition p;
	uint8_t *e2 = m + 446 + 16;

	(void)state;
	assert_int_equal(mbr_find(m, 1000, MBR_TYPE_DATA, &p), -1); /* no signature */
	m[510] = 0x55;
	m[511] = 0xaa;
	assert_int_equal(mbr_find(m, 1000, MBR_TYPE_DATA, &p), -2);
	m[446 + 4] = 0x0c;
	e2[4] = MBR_TYPE_DATA;
	e2[8] = 100;  /* start 100 */
	e2[12] = 200; /* 200 sectors */
	assert_int_equal(mbr_find(m, 1000, MBR_TYPE_DATA, &p), 0);
	assert_int_equal(p.index, 2);
	assert_int_equal(p.start, 100);
	assert_int_equal(p.sectors, 200);
	/* Up to the disk's last sector, and not one past it. */
	assert_int_equal(mbr_find(m, 300, MBR_TYPE_DATA, &p), 0);
	assert_int_equal(mbr_find(m, 299, MBR_TYPE_DATA, &p), -3);
	/* Huge values do not wrap. */
	memset(e2 + 12, 0xff, 4);
	assert_int_equal(mbr_find(m, 1000, MBR_TYPE_DATA, &p), -3);
	e2[12] = 200;
	memset(e2 + 13, 0, 3);
	/* Empty, or at sector 0 (over the table itself). */
	memset(e2 + 8, 0, 4);
	assert_int_equal(mbr_find(m, 1000, MBR_TYPE_DATA, &p), -3);
	e2[8] = 100;
	/* Over the boot partition's sectors. */
	m[446 + 8] = 1;
	m[446 + 12] = 150;
	assert_int_equal(mbr_find(m, 1000, MBR_TYPE_DATA, &p), -4);
	m[446 + 12] = 99; /* 1-99: just before */
	assert_int_equal(mbr_find(m, 1000, MBR_TYPE_DATA, &p), 0);
	/* A GPT's protective entry: not an MBR to read. */
	m[446 + 4] = 0xee;
	assert_int_equal(mbr_find(m, 1000, MBR_TYPE_DATA, &p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identifies_standard_capacity),
		cmocka_unit_test(identifies_high_capacity),
		cmocka_unit_test(no_card),
		cmocka_unit_test(card_never_ready),
		cmocka_unit_test(reads_and_writes),
		cmocka_unit_test(refuses_impossible_requests),
		cmocka_unit_test(controller_errors),
		cmocka_unit_test(mbr_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
