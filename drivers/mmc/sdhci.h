/*
 * An SD memory card behind an SD Host Controller (SD Host Controller
 * Simplified Specification 3.00; SD Physical Layer Simplified
 * Specification for the card's commands), for domains: the Raspberry
 * Pi's controllers ("brcm,bcm2835-sdhci", the Arasan one QEMU's raspi4b
 * puts the card on; "brcm,bcm2711-emmc2", the Pi 4's card slot) and any
 * other standard SDHCI.
 *
 * Data moves by programmed I/O through the controller's buffer port, not
 * by DMA: the controller then never writes memory on its own, so a
 * domain that drives it needs no trust about DMA at all (and QEMU's
 * Pi controller offers no DMA anyway). Every register access is one
 * 32-bit load or store, as the BCM2835's controller requires (its 8- and
 * 16-bit registers are written through their 32-bit word).
 *
 * sdhci_init() brings the card up by polling (reset, identification,
 * selection, 4-bit bus, 25 MHz). Requests then run one at a time, driven
 * by the controller's interrupt: sdhci_start() issues the command,
 * sdhci_irq() moves the data as the controller asks for it and says when
 * the request has ended. sdhci_read_sync() does one request by polling,
 * for what the domain reads before it serves (the partition table).
 *
 * The controller and card are not trusted to behave: a status bit that
 * makes no sense for the request in progress, or a block count that does
 * not add up, ends the request with an error; timeouts are the caller's
 * (it knows its clock).
 */
#ifndef SDHCI_H
#define SDHCI_H

#include <stdbool.h>
#include <stdint.h>

#define SDHCI_SECTOR 512
/* The most blocks one request moves (BLKCNT is 16 bits; 64 KiB is what
 * the block link's slots hold). */
#define SDHCI_MAX_BLOCKS 128

enum sdhci_result {
	SDHCI_PENDING = 0, /* the request goes on: wait for the interrupt */
	SDHCI_DONE = 1,	   /* the request completed, all its data moved */
	SDHCI_ERROR = -1,  /* it failed: sdhci_why() says how; the controller is usable */
	SDHCI_BUSY = -2,   /* sdhci_start while a request is in progress */
	SDHCI_INVALID = -3 /* a request the card can never take (beyond it, too long) */
};

struct sdhci {
	uint64_t base;	    /* the controller's registers */
	uint64_t sectors;   /* the card's capacity in 512-byte sectors */
	uint32_t rca;	    /* the card's relative address */
	bool block_address; /* SDHC/SDXC: commands take sectors, not bytes */
	bool read_only;	    /* the write-protect switch says so */
	uint32_t base_hz;   /* the controller's base clock */
	unsigned int version; /* SDHCI specification: 1 = 1.00 ... 3 = 3.00 */
	bool slow_writes;   /* at the identification clock: writes need spacing */
	/* The card did not come back to its transfer state after a failed
	 * request: only a new sdhci_init() can use it again. */
	bool broken;
	/* The request in progress. */
	bool busy, write;
	uint8_t *buf;
	uint32_t blocks, moved;
	char why[120];
};

/*
 * Reset the controller at regs_base and bring up the card in it, by
 * polling (at most about 1.5 s, the spec's identification allowance).
 * 0, or -1 with sdhci_why() set: no card, a card that does not answer as
 * an SD memory card, a controller that does not reset. Afterwards the
 * controller signals its interrupt only while a request runs.
 */
int sdhci_init(struct sdhci *h, uint64_t regs_base);

/* Start reading (write false) or writing `len` bytes (a multiple of 512,
 * at most SDHCI_MAX_BLOCKS sectors) at `sector`, to or from buf, which
 * stays the driver's until the request ends. SDHCI_PENDING, or an error. */
int sdhci_start(struct sdhci *h, bool write, uint64_t sector, void *buf, uint32_t len);

/* The controller's interrupt: move what it asks for (8 blocks at most a
 * call: the status left set interrupts again), acknowledge what it says. SDHCI_PENDING (nothing ended, or no request), SDHCI_DONE or
 * SDHCI_ERROR for the request in progress, which has then ended. After an
 * error the controller's lines are reset and the card is brought back to
 * its transfer state (CMD12, CMD13); if it does not come back, `broken`
 * is set and every request fails until sdhci_init(). */
int sdhci_irq(struct sdhci *h);

/* Give up the request in progress (it timed out): reset the command and
 * data lines, so that the next request can start. */
void sdhci_abort(struct sdhci *h);

/* One read, polled to its end (at most ~1 s): SDHCI_DONE or an error. */
int sdhci_read_sync(struct sdhci *h, uint64_t sector, void *buf, uint32_t len);

const char *sdhci_why(const struct sdhci *h);

/* Register access and time, in sdhci_access.c (the unit tests simulate
 * them): 32-bit loads and stores, and a microsecond clock for polling. */
uint32_t sdhci_read32(uint64_t base, unsigned int off);
void sdhci_write32(uint64_t base, unsigned int off, uint32_t value);
uint64_t sdhci_now_us(void);

#endif
