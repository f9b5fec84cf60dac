/* What fake_core.c records, for tests on the fake arch. */
#ifndef FAKE_CORE_H
#define FAKE_CORE_H

#include <bulkhead/kconfig.h>

/* Wake-up IPIs sent to each CPU, passthrough_start() calls, console text. */
extern unsigned int fake_wakes[CONFIG_NR_CPUS], fake_passthrough_starts;
extern char fake_out[1 << 16];

/* fake_reset(), every CPU idle, nothing recorded, the console empty. */
void fake_core_reset(void);

/* The partitions partition_by_id() finds (the tests' own array). */
struct partition;
extern struct partition *fake_parts;
extern unsigned int fake_nr_parts;

/*
 * Build p by hand from its plan entry pp (no plan parsing), as
 * partitions_init leaves it: its RAM (pp->mem_size bytes), two stage-2
 * tables, its pending page, its vCPUs on pp->cpus in their run queues,
 * waiting for its first start.
 */
struct plan_partition;
struct bh_event_page;
void fake_partition_build(struct partition *p, const struct plan_partition *pp, void *ram,
			  void *s2_tables, struct bh_event_page *page, const void *image,
			  unsigned long image_size);

#endif
