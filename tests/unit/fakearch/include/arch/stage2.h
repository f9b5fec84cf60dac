/* Fake arch: stage 2 as a list of mapping records (no arm64 descriptors). */
#ifndef ARCH_STAGE2_H
#define ARCH_STAGE2_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/pgtable.h>
#include <bulkhead/addr.h>

#define S2_IPA_BITS 39

enum s2_attr { S2_RAM, S2_DEVICE, S2_SHARED_RW, S2_SHARED_RO };

pt_table_t *s2_create(struct pt_pool *pool);
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
