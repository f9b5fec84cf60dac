/*
 * The per-partition table of emulated register regions (bulkhead/mmio.h).
 * Filled at boot, read-only afterwards: looked up without a lock.
 */
#include <bulkhead/mmio.h>
#include <bulkhead/range.h>

int mmio_register(struct mmio_table *t, uint64_t base, uint64_t size, mmio_handler *handler,
		  void *opaque)
{
	if (t->nr == MMIO_MAX_REGIONS || !size || base + size < base || !handler)
		return -1;
	for (unsigned int i = 0; i < t->nr; i++)
		if (ranges_overlap(base, size, t->region[i].base, t->region[i].size))
			return -1;
	t->region[t->nr++] = (struct mmio_region){ base, size, handler, opaque };
	return 0;
}

bool mmio_emulate(const struct mmio_table *t, struct vcpu *v, struct mmio_access *a)
{
	for (unsigned int i = 0; i < t->nr; i++) {
		const struct mmio_region *r = &t->region[i];

		/* The whole access inside the region, not just its first byte. */
		if (a->ipa >= r->base && a->ipa - r->base <= r->size - a->size)
			return r->handler(v, r->opaque, a);
	}
	return false;
}
