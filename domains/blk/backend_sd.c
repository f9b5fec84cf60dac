/*
 * The SD card back-end: an SD Host Controller passed through to the
 * domain (the Raspberry Pi 4's EMMC2, or the Arasan controller QEMU's
 * raspi4b puts the card on), serving the card's data partition: the
 * first of MBR type 0xda (drivers/block/mbr.h). The boot partition, with
 * the firmware and Bulkhead, is outside every guest's reach: guests'
 * slices are cut from the data partition, whose start is added here.
 *
 * The controller moves data by programmed I/O (drivers/mmc/sdhci.h): it
 * never writes memory by itself, so this back-end asks for no trust
 * about DMA. A card does one request at a time: the others wait in the
 * link's ring. A request that has not ended after REQUEST_TIMEOUT_MS is
 * a hang of the card or controller: the domain reports a fault, and the
 * restart resets both and gives the request again.
 */
#include <stdio.h>
#include <bulkhead/abi/blk.h>
#include "backend.h"
#include "bulkhead.h"
#include "mbr.h"
#include "sdhci.h"

#define REQUEST_TIMEOUT_MS 1000

/* In the order tried: the Pi 4's card slot first. */
static const char *const compatibles[] = {
	"brcm,bcm2711-emmc2",
	"brcm,bcm2835-sdhci",
	"brcm,bcm2835-mmc",
};

static struct sdhci sd;
static struct mbr_partition data;
static struct {
	bool busy;
	uint32_t slot;
	uint64_t deadline;
} current;
static struct {
	bool ready;
	uint32_t slot, status;
} finished;
static uint8_t sector0[MBR_SECTOR] __attribute__((aligned(8)));

static int submit(uint32_t op, uint64_t sector, void *buf, uint32_t len, uint32_t slot)
{
	int rc;

	if (current.busy || finished.ready)
		return BACKEND_FULL;
	if (op == BH_BLK_OP_FLUSH) {
		/* Each write ended when the card said it was programmed: a
		 * flush has nothing left to wait for. */
		finished.ready = true;
		finished.slot = slot;
		finished.status = BH_BLK_S_OK;
		return 0;
	}
	if (sector >= data.sectors || len / MBR_SECTOR > data.sectors - sector)
		return BACKEND_REFUSED;
	rc = sdhci_start(&sd, op == BH_BLK_OP_WRITE, data.start + sector, buf, len);
	if (rc == SDHCI_ERROR) {
		/* A controller that stays busy, or a card that did not
		 * recover: a restart starts both again. */
		printf("blk: SD card: %s; it is reset by a restart\n", sdhci_why(&sd));
		bh_hvc(BH_HC_FAULT, 0, 0, 0);
		return BACKEND_FULL;
	}
	if (rc != SDHCI_PENDING)
		return BACKEND_REFUSED;
	current.busy = true;
	current.slot = slot;
	current.deadline = bh_counter() + bh_counter_freq() / 1000 * REQUEST_TIMEOUT_MS;
	bh_timer_arm_at(current.deadline);
	return 0;
}

static int next_done(uint32_t *slot, uint32_t *status)
{
	if (!finished.ready)
		return 0;
	finished.ready = false;
	*slot = finished.slot;
	*status = finished.status;
	return 1;
}

static void on_irq(unsigned int intid)
{
	int rc;

	if (intid == BH_IRQ_VTIMER) {
		bh_timer_stop();
		if (current.busy && bh_counter() >= current.deadline) {
			printf("blk: SD card: a request has not ended after %u ms; the card "
			       "and its controller are reset by a restart\n",
			       REQUEST_TIMEOUT_MS);
			bh_hvc(BH_HC_FAULT, 0, 0, 0);
		} else if (current.busy) {
			bh_timer_arm_at(current.deadline);
		}
		return;
	}
	rc = sdhci_irq(&sd);
	if (rc == SDHCI_PENDING || !current.busy)
		return;
	if (rc == SDHCI_ERROR)
		printf("blk: SD card: %s\n", sdhci_why(&sd));
	if (sd.broken) {
		/* The request is given again after the restart, which
		 * brings the card up from power-on. */
		printf("blk: SD card: it is reset by a restart\n");
		bh_hvc(BH_HC_FAULT, 0, 0, 0);
		return;
	}
	bh_timer_stop();
	current.busy = false;
	finished.ready = true;
	finished.slot = current.slot;
	finished.status = rc == SDHCI_DONE ? BH_BLK_S_OK : BH_BLK_S_IOERR;
}

static const char *why(void)
{
	return sdhci_why(&sd);
}

/* The card's data partition, from its MBR. */
static int find_data(const char **reason)
{
	static char text[120];
	int rc;

	if (sdhci_read_sync(&sd, 0, sector0, sizeof(sector0)) != SDHCI_DONE) {
		*reason = sdhci_why(&sd);
		return -1;
	}
	rc = mbr_find(sector0, sd.sectors, MBR_TYPE_DATA, &data);
	if (!rc)
		return 0;
	snprintf(text, sizeof(text), "%s",
		 rc == -1   ? "the card has no MBR partition table"
		 : rc == -2 ? "the card has no data partition (MBR type 0xda) for the guests' disks"
		 : rc == -3 ? "the card's data partition lies outside the card"
			    : "the card's data partition overlaps another partition");
	*reason = text;
	return -1;
}

int backend_sd_probe(struct backend *b, const char **reason)
{
	struct bh_device dev;
	bool any = false;

	for (unsigned int i = 0; i < sizeof(compatibles) / sizeof(compatibles[0]); i++) {
		if (bh_device_find(compatibles[i], &dev))
			continue;
		any = true;
		if (sdhci_init(&sd, dev.base)) {
			printf("blk: %s at 0x%lx: %s\n", compatibles[i], (unsigned long)dev.base,
			       sdhci_why(&sd));
			*reason = "no SD card in any of the controllers given";
			continue;
		}
		if (find_data(reason))
			return -1;
		if (bh_irq_claim(BH_IRQ_VTIMER)) {
			*reason = "cannot take the virtual timer (request timeouts)";
			return -1;
		}
		printf("blk: SD card in %s at 0x%lx: %lu MiB, %s; serving partition %u "
		       "(%lu MiB from sector %lu)\n",
		       compatibles[i], (unsigned long)dev.base, (unsigned long)(sd.sectors >> 11),
		       sd.block_address ? "block-addressed" : "standard capacity", data.index,
		       (unsigned long)(data.sectors >> 11), (unsigned long)data.start);
		*b = (struct backend){
			.name = "SD card",
			.sectors = data.sectors,
			.read_only = sd.read_only,
			.intid = dev.intid,
			.submit = submit,
			.next_done = next_done,
			.irq = on_irq,
			.why = why,
		};
		return 1;
	}
	return any ? -1 : 0;
}
