/*
 * Guests' disks and block driver domains' links, built once at boot from
 * the plan (after every partition, before any starts), and what each
 * partition's device tree says of them.
 */
#include <string.h>
#include <bulkhead/blk.h>
#include <bulkhead/format.h>
#include <bulkhead/partition.h>

/* By partition id (below PLAN_MAX_PARTITIONS). */
static struct blk_link links[PLAN_MAX_PARTITIONS];
static struct vblk disks[PLAN_MAX_PARTITIONS];

struct blk_link *blk_link_of(const struct partition *p)
{
	return links[p->id].dom == p ? &links[p->id] : NULL;
}

struct vblk *blk_disk_of(const struct partition *p)
{
	return disks[p->id].mmio.guest == p ? &disks[p->id] : NULL;
}

/* The link's area: in the driver domain's own RAM, below its device tree. */
static int link_build(struct blk_link *l, struct partition *b, char *err, size_t errlen)
{
	const struct plan_partition *bp = b->plan;
	uint64_t off = (bp->mem_size - PARTITION_DTB_SIZE - BH_BLK_AREA_SIZE) & ~0xfffUL;

	if (l->dom)
		return 0;
	if (b->image_size > off) {
		fmt_snprintf(err, errlen,
			     "partition@%u (\"%s\"): disk-backend-memory: its image (%lu KiB) and "
			     "its disk link (%lu KiB) do not fit its RAM",
			     bp->id, bp->name, b->image_size >> 10,
			     (unsigned long)BH_BLK_AREA_SIZE >> 10);
		return -1;
	}
	l->dom = b;
	l->lock = (spinlock_t)SPINLOCK_INIT;
	l->area = pa_add(b->ram, off);
	l->area_ipa = ipa_add(bp->mem_base, off);
	return 0;
}

/* No device of the guest's may sit on its disk's window or interrupt. */
static int window_free(const struct partition *p, char *err, size_t errlen)
{
	const struct board_device *d =
		passthrough_overlap(p, PLAN_DISK_IPA, PLAN_DISK_PAGE, PLAN_DISK_INTID);

	if (!d)
		return 0;
	fmt_snprintf(err, errlen,
		     "partition@%u (\"%s\"): disk-window: its device %s uses its disk's registers "
		     "(0x%lx) or interrupt (INTID %u)",
		     p->plan->id, p->plan->name, d->name, PLAN_DISK_IPA, PLAN_DISK_INTID);
	return -1;
}

int blk_build(struct partition *parts, unsigned int nr, char *err, size_t errlen)
{
	memset(links, 0, sizeof(links));
	memset(disks, 0, sizeof(disks));
	for (unsigned int i = 0; i < nr; i++) {
		struct partition *p = &parts[i];
		const struct plan_partition *pp = p->plan;
		struct partition *b;
		struct blk_link *l;
		struct vblk *d;

		if (pp->disk_backend < 0)
			continue;
		b = &parts[pp->disk_backend];
		l = &links[b->id];
		d = &disks[p->id];
		if (link_build(l, b, err, errlen) || window_free(p, err, errlen))
			return -1;
		vblk_init(d, p, l, pp);
		l->devs[l->nr_devs++] = d;
		if (mmio_register(&p->mmio, PLAN_DISK_IPA, VIRTIO_MMIO_SIZE, virtio_mmio_access,
				  &d->mmio)) {
			fmt_snprintf(err, errlen,
				     "partition@%u (\"%s\"): disk-window: no room for its disk's "
				     "registers",
				     pp->id, pp->name);
			return -1;
		}
	}
	return 0;
}
