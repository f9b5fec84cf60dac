/*
 * Partition RAM carving (see memcarve.h). Pure logic, unit-tested on the
 * host.
 */
#include <bulkhead/memcarve.h>

#define ALIGN (2UL << 20)

/* Remove [lo, hi) from the free list, splitting pieces as needed. */
static int exclude(struct memcarve *mc, uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; i < mc->nr_free; i++) {
		struct mem_range *f = &mc->free[i];
		uint64_t flo = f->base, fhi = f->base + f->size;

		if (hi <= flo || lo >= fhi)
			continue;
		if (lo > flo && hi < fhi) {
			/* Split: keep [flo, lo) here, add [hi, fhi). */
			if (mc->nr_free == MEMCARVE_MAX_FREE)
				return -1;
			mc->free[mc->nr_free].base = hi;
			mc->free[mc->nr_free].size = fhi - hi;
			mc->nr_free++;
			f->size = lo - flo;
		} else if (lo <= flo && hi >= fhi) {
			f->size = 0;
		} else if (lo <= flo) {
			f->base = hi;
			f->size = fhi - hi;
		} else {
			f->size = lo - flo;
		}
	}
	return 0;
}

int memcarve_init(struct memcarve *mc, const struct mem_range *ram, unsigned int nr_ram,
		  const struct mem_range *excl, unsigned int nr_excl)
{
	mc->nr_free = 0;
	for (unsigned int i = 0; i < nr_ram; i++) {
		uint64_t end = ram[i].base + ram[i].size;
		uint64_t lo, hi;

		if (end < ram[i].base || ram[i].base > ~0UL - (ALIGN - 1))
			continue; /* wraps, or no 2 MiB boundary above the base */
		lo = (ram[i].base + ALIGN - 1) & ~(ALIGN - 1);
		hi = end & ~(ALIGN - 1);
		if (hi <= lo)
			continue;
		/* Device trees may list a bank twice, or a bank and part of it:
		 * take out what is already free, so nothing is free twice. */
		if (exclude(mc, lo, hi) || mc->nr_free == MEMCARVE_MAX_FREE)
			return -1;
		mc->free[mc->nr_free].base = lo;
		mc->free[mc->nr_free].size = hi - lo;
		mc->nr_free++;
	}
	for (unsigned int i = 0; i < nr_excl; i++) {
		/* Excluded ranges grow outward to 2 MiB: nothing shares a block
		 * with them. */
		uint64_t lo = excl[i].base & ~(ALIGN - 1);
		uint64_t end = excl[i].base + excl[i].size;
		uint64_t hi = end < excl[i].base ? ~0UL & ~(ALIGN - 1)
						 : (end + ALIGN - 1) & ~(ALIGN - 1);

		if (excl[i].size && exclude(mc, lo, hi))
			return -1;
	}
	return 0;
}

paddr_t memcarve_take(struct memcarve *mc, uint64_t size)
{
	struct mem_range *best = 0;

	if (size == 0 || size % ALIGN)
		return pa_from(0);
	for (unsigned int i = 0; i < mc->nr_free; i++) {
		struct mem_range *f = &mc->free[i];

		if (f->size >= size && (!best || f->base > best->base))
			best = f;
	}
	if (!best)
		return pa_from(0);
	best->size -= size;
	return pa_from(best->base + best->size);
}

uint64_t memcarve_largest(const struct memcarve *mc)
{
	uint64_t largest = 0;

	for (unsigned int i = 0; i < mc->nr_free; i++)
		if (mc->free[i].size > largest)
			largest = mc->free[i].size;
	return largest;
}
