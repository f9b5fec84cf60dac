/*
 * Channels between partitions (docs/abi.md, docs/plan.md), set up once at
 * boot: each partition's pending page mapped at BH_EVENT_PAGE_IPA, ports
 * joined as the plan says, and each shared region carved from free RAM
 * and mapped into exactly its two partitions' stage 2. No allocation
 * after boot; nothing is shared that the plan does not name.
 */
#include <string.h>
#include <arch/cpu.h>
#include <arch/stage2.h>
#include <bulkhead/format.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/log.h>
#include <bulkhead/memcarve.h>
#include <bulkhead/partition.h>

#define PAGE 0x1000UL
#define SZ_2M 0x200000UL

/* A whole page each: the guest maps it, so nothing else may share it. */
static union {
	struct bh_event_page page;
	uint8_t bytes[PAGE];
} event_pages[PLAN_MAX_PARTITIONS] __attribute__((aligned(PAGE)));

void event_raise(struct event_table *t, unsigned int vcpu)
{
	vcpu_inject(partition_of_events(t), vcpu, BH_EVENT_INTID);
}

static int map_region(struct partition *p, ipaddr_t ipa, paddr_t pa, uint64_t size,
		      enum s2_attr attr)
{
	return s2_map(&p->s2_pool, p->s2_root, ipa, pa, size, attr);
}

/* The window lies at 64 GiB: a CPU with a smaller guest-physical space can
 * still run partitions, but not channels; and explicit addresses must fit. */
static int check_ipa_space(const struct plan *plan, char *err, size_t errlen)
{
	uint64_t ipa_limit = 1UL << arch_s2_ipa_bits();

	if (BH_WINDOW_IPA + BH_WINDOW_SIZE > ipa_limit) {
		if (!plan->nr_channels)
			return 1; /* nothing to build */
		fmt_snprintf(err, errlen,
			     "channels need guest-physical addresses up to 0x%lx, "
			     "beyond this CPU's %u bits",
			     BH_WINDOW_IPA + BH_WINDOW_SIZE, arch_s2_ipa_bits());
		return -1;
	}
	for (unsigned int c = 0; c < plan->nr_channels; c++)
		for (unsigned int e = 0; e < 2; e++)
			if (ipa_bits(plan->channels[c].shared_ipa[e]) + plan->channels[c].shared_size >
			    ipa_limit) {
				fmt_snprintf(err, errlen,
					     "channel \"%s\": shared-address 0x%lx lies "
					     "beyond this CPU's %u-bit guest-physical "
					     "space",
					     plan->channels[c].name,
					     ipa_bits(plan->channels[c].shared_ipa[e]), arch_s2_ipa_bits());
				return -1;
			}
	return 0;
}

/* Every partition gets its event table over its own pending page. */
static int map_event_pages(const struct plan *plan, struct partition *parts, char *err,
			   size_t errlen)
{
	for (unsigned int i = 0; i < plan->nr; i++) {
		struct partition *p = &parts[i];

		event_table_init(&p->events, &event_pages[i].page, plan->parts[i].nr_cpus);
		arch_dcache_clean_invalidate(&event_pages[i], PAGE);
		if (map_region(p, ipa_from(BH_EVENT_PAGE_IPA), pa_of(&event_pages[i]), PAGE,
			       S2_SHARED_RW)) {
			fmt_snprintf(err, errlen,
				     "partition@%u (\"%s\"): cannot map its event page", p->id,
				     plan->parts[i].name);
			return -1;
		}
	}
	return 0;
}

/* All shared regions in one zeroed piece of RAM; 0 if there are none. */
static int carve_shared(const struct plan *plan, struct memcarve *mc, paddr_t *pool, char *err,
			size_t errlen)
{
	uint64_t total = 0, carved;

	*pool = pa_from(0);
	for (unsigned int c = 0; c < plan->nr_channels; c++)
		total += plan->channels[c].shared_size;
	if (!total)
		return 0;
	carved = (total + SZ_2M - 1) & ~(SZ_2M - 1);
	*pool = memcarve_take(mc, carved);
	if (pa_is_null(*pool)) {
		fmt_snprintf(err, errlen, "no free RAM for %lu KiB of shared regions",
			     carved >> 10);
		return -1;
	}
	/* Fresh regions read as zero: an all-zero ring is a valid empty one. */
	memset(pa_ptr(*pool), 0, carved);
	arch_dcache_clean_invalidate(pa_ptr(*pool), carved);
	return 0;
}

/* Map channel ch's region (at pa) into end e's partition: at its explicit
 * address, or the next free one of the window (*auto_ipa). */
static int map_shared(const struct plan_channel *ch, unsigned int e, struct partition *p,
		      paddr_t pa, ipaddr_t *auto_ipa, char *err, size_t errlen)
{
	ipaddr_t ipa = ch->shared_ipa[e];
	int rc;

	if (ipa_is_null(ipa)) {
		ipa = *auto_ipa;
		*auto_ipa = ipa_add(*auto_ipa, ch->shared_size);
		if (ipa_bits(*auto_ipa) > BH_WINDOW_IPA + BH_WINDOW_SIZE) {
			fmt_snprintf(err, errlen,
				     "channel \"%s\": partition@%u's shared regions "
				     "overflow the hypervisor window",
				     ch->name, p->id);
			return -1;
		}
	}
	rc = map_region(p, ipa, pa, ch->shared_size, ch->writable[e] ? S2_SHARED_RW : S2_SHARED_RO);
	if (rc) {
		fmt_snprintf(err, errlen,
			     "channel \"%s\": shared region at 0x%lx for partition@%u: %s",
			     ch->name, ipa_bits(ipa), p->id,
			     rc == -2 ? "out of stage-2 tables"
				      : "overlaps something already mapped there");
		return -1;
	}
	p->chans[ch->port[e]].shared_ipa = ipa;
	return 0;
}

int channels_build(const struct plan *plan, struct partition *parts, struct memcarve *mc, char *err,
		   size_t errlen)
{
	ipaddr_t auto_ipa[PLAN_MAX_PARTITIONS];
	paddr_t pool;
	int rc = check_ipa_space(plan, err, errlen);

	if (rc)
		return rc < 0 ? -1 : 0;
	if (map_event_pages(plan, parts, err, errlen) || carve_shared(plan, mc, &pool, err, errlen))
		return -1;
	for (unsigned int i = 0; i < plan->nr; i++)
		auto_ipa[i] = ipa_from(BH_SHARED_AUTO_IPA);
	for (unsigned int c = 0; c < plan->nr_channels; c++) {
		const struct plan_channel *ch = &plan->channels[c];

		if (event_connect(&parts[ch->end[0]].events, ch->port[0], &parts[ch->end[1]].events,
				  ch->port[1])) {
			fmt_snprintf(err, errlen, "channel \"%s\": cannot join its ports",
				     ch->name);
			return -1;
		}
		for (unsigned int e = 0; e < 2; e++) {
			struct partition *p = &parts[ch->end[e]];

			p->chans[ch->port[e]].chan = ch;
			p->chans[ch->port[e]].end = e;
			if (ch->shared_size &&
			    map_shared(ch, e, p, pool, &auto_ipa[ch->end[e]], err, errlen))
				return -1;
		}
		log_info("channel \"%s\": %s port %u <-> %s port %u%s", ch->name,
			 plan->parts[ch->end[0]].name, ch->port[0], plan->parts[ch->end[1]].name,
			 ch->port[1], ch->shared_size ? ", with shared memory" : "");
		pool = pa_add(pool, ch->shared_size);
	}
	return 0;
}

void channel_lookup(struct vcpu *v, uint64_t *regs)
{
	struct partition *p = v->part;
	uint64_t len = regs[2];
	char name[BH_CHANNEL_NAME_MAX + 1];
	const char *src;

	if (len == 0 || len > BH_CHANNEL_NAME_MAX) {
		regs[0] = (uint64_t)BH_E_INVALID;
		return;
	}
	src = partition_guest_ptr(p, ipa_from(regs[1]), len);
	if (!src) {
		regs[0] = (uint64_t)BH_E_FAULT;
		return;
	}
	memcpy(name, src, len); /* once: the guest may change it meanwhile */
	name[len] = '\0';
	for (unsigned int i = 0; i < p->events.nr_ports; i++) {
		const struct partition_channel *pc = &p->chans[i];

		if (strcmp(pc->chan->name, name))
			continue;
		regs[0] = BH_OK;
		regs[1] =
			i |
			(pc->chan->shared_size && pc->chan->writable[pc->end] ? BH_CHANNEL_WRITABLE
									      : 0) |
			(pc->end ? BH_CHANNEL_SECOND_END : 0);
		regs[2] = ipa_bits(pc->shared_ipa);
		regs[3] = ipa_is_null(pc->shared_ipa) ? 0 : pc->chan->shared_size;
		return;
	}
	regs[0] = (uint64_t)BH_E_NOT_FOUND;
}

void channels_scrub_event_page(struct partition *p)
{
	struct bh_event_page *page = p->events.page;
	uint8_t *bytes = (uint8_t *)page;

	/* The page is the guest's to write: all but the live pending words
	 * (kept by event_table_reset) starts zeroed, as on a fresh page. */
	if (!page)
		return;
	for (unsigned int v = 0; v < BH_EVENT_MAX_VCPUS; v++)
		for (unsigned int i = 0; i < sizeof(page->vcpu[v].reserved) / 8; i++)
			page->vcpu[v].reserved[i] = 0;
	memset(bytes + sizeof(*page), 0, PAGE - sizeof(*page));
	arch_dcache_clean_invalidate(page, PAGE);
}
