/*
 * Partitions built by hand for the tests on the fake arch (fake_core.h):
 * what partitions_init would make of a plan entry, without the plan.
 */
#include <string.h>
#include <arch/stage2.h>
#include <bulkhead/console.h>
#include <bulkhead/partition.h>
#include <bulkhead/sched.h>
#include "fake_core.h"
#include "fakearch.h"

void fake_partition_build(struct partition *p, const struct plan_partition *pp, void *ram,
			  void *s2_tables, struct bh_event_page *page, const void *image,
			  unsigned long image_size)
{
	memset(p, 0, sizeof(*p));
	p->plan = pp;
	p->id = pp->id;
	p->ram = pa_of(ram);
	p->image = image;
	p->image_size = image_size;
	p->dtb_ipa = ipa_add(pp->mem_base, pp->mem_size - PARTITION_DTB_SIZE);
	p->backoff_ticks = FAKE_MS(pp->backoff_ms);
	p->s2_pool = (struct pt_pool){ s2_tables, 2, 0 };
	p->s2_root = s2_create(&p->s2_pool);
	vgic_init(&p->vgic, pp->nr_cpus, VGIC_V3);
	event_table_init(&p->events, page, pp->nr_cpus);
	for (unsigned int i = 0; i < pp->nr_cpus; i++) {
		p->vcpus[i] = (struct vcpu){ .part = p, .index = i, .cpu = pp->cpus[i] };
		sched_add(&p->vcpus[i]);
	}
	p->state = PART_RESTART_WAIT;
	console_add_source(p->id, pp->name); /* as console_domain_build() */
}
