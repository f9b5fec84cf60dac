/*
 * The block driver domain's back-ends (docs/driver-domains.md): the
 * device that holds the guests' disks. blk.c serves the block link with
 * whichever back-end finds its device in the domain's device tree; a
 * back-end only moves requests between its device and the link's slots.
 */
#ifndef BLK_BACKEND_H
#define BLK_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#define BACKEND_FULL (-1)    /* no room now: offer it again after a completion */
#define BACKEND_REFUSED (-2) /* a request the device cannot take: answer IOERR */

struct backend {
	const char *name;      /* what it drives, for messages */
	uint64_t sectors;      /* what the guests' slices are cut from */
	bool read_only;
	unsigned int intid;    /* the device's interrupt (claimed by blk.c) */
	/* Queue one request: op BH_BLK_OP_*, buf the slot's data (NULL and
	 * len 0 for a flush); slot comes back with its completion. 0,
	 * BACKEND_FULL or BACKEND_REFUSED. */
	int (*submit)(uint32_t op, uint64_t sector, void *buf, uint32_t len, uint32_t slot);
	/* One completion: 1 with its slot and status (BH_BLK_S_*), 0 when
	 * there is none, -1 when the device broke its protocol (why()). */
	int (*next_done)(uint32_t *slot, uint32_t *status);
	/* An interrupt the back-end claimed: its device's, or its own timer. */
	void (*irq)(unsigned int intid);
	const char *(*why)(void);
};

/* Each back-end looks for its device: 1 when found and ready (*b filled,
 * its interrupts other than b->intid claimed), 0 when the device tree
 * has none of its devices, -1 when one is there but unusable (*why says
 * why). */
int backend_virtio_probe(struct backend *b, const char **why);
int backend_sd_probe(struct backend *b, const char **why);

#endif
