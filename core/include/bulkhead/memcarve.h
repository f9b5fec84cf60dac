/*
 * Carving partition RAM out of the board's memory at boot: what is left
 * once the hypervisor, the boot device tree and the reserved ranges are
 * taken out, in 2 MiB-aligned pieces. No allocation after boot: this runs
 * once.
 */
#ifndef BULKHEAD_MEMCARVE_H
#define BULKHEAD_MEMCARVE_H

#include <stddef.h>
#include <stdint.h>
#include <arch/mmu.h>
#include <bulkhead/addr.h>

#define MEMCARVE_MAX_FREE 32

struct memcarve {
	struct mem_range free[MEMCARVE_MAX_FREE];
	unsigned int nr_free;
};

/* Free memory = ram minus excluded ranges, each free piece shrunk to 2 MiB
 * boundaries. Returns 0, or -1 if the free list overflows. */
int memcarve_init(struct memcarve *mc, const struct mem_range *ram, unsigned int nr_ram,
		  const struct mem_range *excl, unsigned int nr_excl);

/* Take `size` bytes (a multiple of 2 MiB) from the top of the highest free
 * piece that holds it. Returns the physical base, or 0 if none does. */
paddr_t memcarve_take(struct memcarve *mc, uint64_t size);

/* The largest free piece, for error messages. */
uint64_t memcarve_largest(const struct memcarve *mc);

#endif
