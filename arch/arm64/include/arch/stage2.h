/*
 * Stage-2 translation tables: each partition's guest-physical (IPA) space.
 * 4 KiB granule, 39-bit IPA starting at level 1; 2 MiB blocks where both
 * sides allow it (partition RAM is 2 MiB-aligned by construction), 4 KiB
 * pages elsewhere (device registers). Pure logic: the host unit tests
 * build tables and walk them.
 */
#ifndef ARCH_STAGE2_H
#define ARCH_STAGE2_H

#include <stdint.h>
#include <arch/pgtable.h>
#include <bulkhead/addr.h>

#define S2_IPA_BITS 39

/* Shared memory (event pages, channel regions) is normal memory like RAM,
 * but never executable, and read-only for a side that may not write. */
enum s2_attr { S2_RAM, S2_DEVICE, S2_SHARED_RW, S2_SHARED_RO };

/* A fresh, empty root table from the pool, or 0. */
pt_table_t *s2_create(struct pt_pool *pool);

/*
 * Map [ipa, ipa + size) to [pa, pa + size) read/write. All three must be
 * 4 KiB-aligned. Returns 0, -1 for bad arguments (alignment, beyond the
 * IPA space or 48-bit PA, already mapped) or -2 when the pool is exhausted.
 */
int s2_map(struct pt_pool *pool, pt_table_t *root, ipaddr_t ipa, paddr_t pa, uint64_t size,
	   enum s2_attr attr);

struct s2_lookup {
	bool mapped;
	paddr_t pa;
	enum s2_attr attr;
	bool writable;
	bool executable;
};
struct s2_lookup s2_walk(const pt_table_t *root, ipaddr_t ipa);

#endif
