/* Fake arch: table memory, as core code sees it (an opaque page). */
#ifndef ARCH_PGTABLE_H
#define ARCH_PGTABLE_H

#include <stdint.h>
#include <arch/mmu.h>

#define PT_ENTRIES 512
typedef uint64_t pt_table_t[PT_ENTRIES];

struct pt_pool {
	pt_table_t *tables;
	unsigned int nr;
	unsigned int used;
};

pt_table_t *pt_pool_take(struct pt_pool *pool);

#endif
