/*
 * Fuzz harness for core/plan.c: plan_parse() on arbitrary blobs and on
 * mutated real plans (the corpus starts from the tests' and QEMU tests'
 * plans and the defconfigs' generated ones).
 *
 * A plan is input, not trusted: whatever the blob, plan_parse must return 0
 * with a plan that obeys every rule docs/plan.md states (checked here one
 * by one, independently of plan.c), or -1 with a message; and the message
 * in a short buffer must be the start of the full one (never an overrun).
 * Two more properties tie the CPU count in: a plan valid on 4 CPUs stays
 * valid, and parses the same, on 8; and it is refused on a machine that
 * lacks the highest CPU it names.
 */
#include "fuzz.h"

#include <bulkhead/event.h>
#include <bulkhead/abi/events.h>
#include <bulkhead/plan.h>
#include <bulkhead/vgic.h>

#define ERR_LEN 256

static bool valid_name(const char *s, size_t n)
{
	size_t len = strnlen(s, n);

	if (len == 0 || len == n)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* [a, a + as) and [b, b + bs) share a byte (sizes not 0, no wrap). */
static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static void check_partition(const struct plan_partition *p, unsigned int nr_cpus)
{
	FZ_CHECK(p->id < PLAN_MAX_PARTITIONS, "id %u", p->id);
	FZ_CHECK(valid_name(p->name, sizeof(p->name)), "partition %u name", p->id);
	FZ_CHECK(p->role == PLAN_ROLE_GUEST || p->role == PLAN_ROLE_DRIVER ||
			 p->role == PLAN_ROLE_CONSOLE || p->role == PLAN_ROLE_CONTROL,
		 "role %d", p->role);
	/* Only the control domain controls, partitions named in the plan. */
	FZ_CHECK(p->role == PLAN_ROLE_CONTROL || (!p->nr_controls && !p->controls_mask),
		 "partition %u (role %d) controls others", p->id, p->role);
	FZ_CHECK(p->nr_controls <= PLAN_MAX_PARTITIONS, "nr_controls %u", p->nr_controls);
	FZ_CHECK(p->nr_cpus >= 1 && p->nr_cpus <= PLAN_MAX_CPUS, "nr_cpus %u", p->nr_cpus);
	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		FZ_CHECK(p->cpus[i] < nr_cpus, "CPU %u of %u", p->cpus[i], nr_cpus);
		for (unsigned int j = 0; j < i; j++)
			FZ_CHECK(p->cpus[i] != p->cpus[j], "CPU %u twice", p->cpus[i]);
	}
	FZ_CHECK(p->mem_size != 0 && p->mem_size % PLAN_ALIGN == 0 &&
			 ipa_bits(p->mem_base) % PLAN_ALIGN == 0,
		 "memory 0x%lx+0x%lx", (unsigned long)ipa_bits(p->mem_base),
		 (unsigned long)p->mem_size);
	FZ_CHECK(ipa_bits(p->mem_base) < PLAN_IPA_LIMIT &&
			 p->mem_size <= PLAN_IPA_LIMIT - ipa_bits(p->mem_base),
		 "memory beyond the IPA limit");
	FZ_CHECK(!overlap(ipa_bits(p->mem_base), p->mem_size, BH_WINDOW_IPA, BH_WINDOW_SIZE),
		 "memory in the hypervisor window");
	FZ_CHECK(!overlap(ipa_bits(p->mem_base), p->mem_size, VGIC_DIST_IPA, 0x200000),
		 "memory over the virtual GIC");
	FZ_CHECK(fz_terminated(p->image, sizeof(p->image)) && p->image[0], "image name");
	FZ_CHECK(p->policy == PLAN_POLICY_STOP || p->policy == PLAN_POLICY_RESTART_ON_FAULT ||
			 p->policy == PLAN_POLICY_RESTART_ALWAYS,
		 "policy %d", p->policy);
	FZ_CHECK(p->backoff_ms <= 60000 && p->priority <= 255, "backoff %u priority %u",
		 p->backoff_ms, p->priority);
	FZ_CHECK(fz_terminated(p->args, sizeof(p->args)), "partition %u args", p->id);
	for (const char *q = p->args; *q; q++)
		FZ_CHECK(*q >= 0x20 && *q <= 0x7e, "partition %u args not printable", p->id);
	FZ_CHECK(p->nr_devices <= PLAN_MAX_DEVICES, "nr_devices %u", p->nr_devices);
	for (unsigned int i = 0; i < p->nr_devices; i++)
		FZ_CHECK(fz_terminated(p->devices[i], PLAN_DEVICE_LEN) && p->devices[i][0],
			 "device %u", i);
}

static void check_channel(const struct plan *plan, const struct plan_channel *c)
{
	FZ_CHECK(c->id < PLAN_MAX_CHANNELS, "channel id %u", c->id);
	FZ_CHECK(valid_name(c->name, sizeof(c->name)), "channel %u name", c->id);
	FZ_CHECK(c->end[0] < plan->nr && c->end[1] < plan->nr && c->end[0] != c->end[1],
		 "channel %u ends %u %u", c->id, c->end[0], c->end[1]);
	/* Ports are what event_connect() will be given: each end's next one,
	 * within the event table. */
	for (unsigned int e = 0; e < 2; e++)
		FZ_CHECK(c->port[e] < EVENT_MAX_PORTS, "channel %u port %u", c->id, c->port[e]);
	if (!c->shared_size) {
		FZ_CHECK(!c->writable[0] && !c->writable[1] && !ipa_bits(c->shared_ipa[0]) &&
				 !ipa_bits(c->shared_ipa[1]),
			 "channel %u: region fields without a region", c->id);
		return;
	}
	FZ_CHECK(c->shared_size % PLAN_SHARED_ALIGN == 0 && c->shared_size <= PLAN_SHARED_MAX,
		 "channel %u size 0x%lx", c->id, (unsigned long)c->shared_size);
	for (unsigned int e = 0; e < 2; e++) {
		const struct plan_partition *p = &plan->parts[c->end[e]];
		uint64_t ipa = ipa_bits(c->shared_ipa[e]);

		if (!ipa)
			continue;
		FZ_CHECK(ipa % PLAN_SHARED_ALIGN == 0 && ipa < PLAN_IPA_LIMIT &&
				 c->shared_size <= PLAN_IPA_LIMIT - ipa,
			 "channel %u address 0x%lx", c->id, (unsigned long)ipa);
		FZ_CHECK(!overlap(ipa, c->shared_size, ipa_bits(p->mem_base), p->mem_size),
			 "channel %u region over partition %u's RAM", c->id, p->id);
		FZ_CHECK(!overlap(ipa, c->shared_size, VGIC_DIST_IPA, 0x200000),
			 "channel %u region over the vGIC", c->id);
		FZ_CHECK(!overlap(ipa, c->shared_size, BH_WINDOW_IPA, BH_WINDOW_SIZE),
			 "channel %u region in the window", c->id);
	}
}

static void check_plan(const struct plan *plan, unsigned int nr_cpus)
{
	unsigned int next_port[PLAN_MAX_PARTITIONS] = { 0 };

	FZ_CHECK(plan->nr <= PLAN_MAX_PARTITIONS, "nr %u", plan->nr);
	FZ_CHECK(plan->nr_channels <= PLAN_MAX_CHANNELS, "nr_channels %u", plan->nr_channels);
	for (unsigned int i = 0; i < plan->nr; i++) {
		const struct plan_partition *a = &plan->parts[i];

		check_partition(a, nr_cpus);
		/* A supervisor is another partition of the plan, named so. */
		FZ_CHECK(a->supervisor < 0
				 ? !a->supervisor_name[0]
				 : a->supervisor < (int)plan->nr && a->supervisor != (int)i &&
					   !strcmp(plan->parts[a->supervisor].name,
						   a->supervisor_name),
			 "partition %u supervisor %d", a->id, a->supervisor);
		/* Every bit of controls_mask is a partition's id of the plan,
		 * and each name controlled is a partition's. */
		for (unsigned int bit = 0; bit < 32; bit++) {
			bool found = false;

			if (!(a->controls_mask & (1u << bit)))
				continue;
			for (unsigned int j = 0; j < plan->nr; j++)
				found |= plan->parts[j].id == bit;
			FZ_CHECK(found, "partition %u controls id %u, not in the plan", a->id, bit);
		}
		for (unsigned int k = 0; k < a->nr_controls; k++) {
			bool found = false;

			for (unsigned int j = 0; j < plan->nr; j++)
				found |= !strcmp(plan->parts[j].name, a->controls[k]) &&
					 (a->controls_mask & (1u << plan->parts[j].id));
			FZ_CHECK(found, "partition %u controls \"%s\", unresolved", a->id,
				 a->controls[k]);
		}
		for (unsigned int j = 0; j < i; j++) {
			const struct plan_partition *b = &plan->parts[j];

			FZ_CHECK(a->id != b->id, "id %u twice", a->id);
			FZ_CHECK(strcmp(a->name, b->name), "name %s twice", a->name);
			FZ_CHECK(a->role != b->role ||
					 (a->role != PLAN_ROLE_CONSOLE && a->role != PLAN_ROLE_CONTROL),
				 "two partitions with the role %d", a->role);
			if (a->role != PLAN_ROLE_GUEST || b->role != PLAN_ROLE_GUEST)
				continue;
			for (unsigned int x = 0; x < a->nr_cpus; x++)
				for (unsigned int y = 0; y < b->nr_cpus; y++)
					FZ_CHECK(a->cpus[x] != b->cpus[y],
						 "guests %u and %u share CPU %u", a->id, b->id,
						 a->cpus[x]);
		}
	}
	for (unsigned int i = 0; i < plan->nr_channels; i++) {
		const struct plan_channel *c = &plan->channels[i];

		check_channel(plan, c);
		for (unsigned int j = 0; j < i; j++) {
			const struct plan_channel *o = &plan->channels[j];

			FZ_CHECK(c->id != o->id, "channel id %u twice", c->id);
			FZ_CHECK(strcmp(c->name, o->name), "channel name twice");
			/* Two explicit regions at one partition never overlap. */
			for (unsigned int e = 0; e < 4; e++)
				FZ_CHECK(c->end[e / 2] != o->end[e % 2] ||
						 !ipa_bits(c->shared_ipa[e / 2]) ||
						 !ipa_bits(o->shared_ipa[e % 2]) ||
						 !overlap(ipa_bits(c->shared_ipa[e / 2]),
							  c->shared_size,
							  ipa_bits(o->shared_ipa[e % 2]),
							  o->shared_size),
					 "channels %u and %u overlap at a partition", c->id, o->id);
		}
		/* In plan order, 0, 1, 2... at each end (event_connect's rule). */
		for (unsigned int e = 0; e < 2; e++)
			FZ_CHECK(c->port[e] == next_port[c->end[e]]++,
				 "channel %u port %u out of order", c->id, c->port[e]);
	}
	for (unsigned int i = plan->nr; i < PLAN_MAX_PARTITIONS; i++)
		FZ_CHECK(plan->parts[i].name[0] == 0 && plan->parts[i].nr_cpus == 0,
			 "unused partition slot %u written", i);
}

static int parse(const void *blob, unsigned int nr_cpus, struct plan *plan, char *err,
		 size_t errlen)
{
	int rc;

	memset(plan, 0x5a, sizeof(*plan));
	memset(err, 'U', errlen - 1);
	err[errlen - 1] = '\0';
	rc = plan_parse(blob, nr_cpus, plan, err, errlen);
	FZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
	FZ_CHECK(fz_terminated(err, errlen), "unterminated message");
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plan plan, again;
	size_t len, short_len = 1 + size % 48;
	void *blob = fz_dtb(data, size, &len);
	/* Heap blocks of exactly their length: ASan sees an overrun. */
	char *err = malloc(ERR_LEN), *short_err = malloc(short_len);
	unsigned int top = 0;
	int rc;

	if (!err || !short_err)
		abort();
	rc = parse(blob, 4, &plan, err, ERR_LEN);
	if (rc) {
		FZ_CHECK(err[0] && err[0] != 'U', "no message");
		/* The same message, cut short. */
		FZ_CHECK(parse(blob, 4, &again, short_err, short_len) == -1, "not repeatable");
		FZ_CHECK(!strncmp(short_err, err, short_len - 1), "short message \"%s\" vs \"%s\"",
			 short_err, err);
		goto out;
	}
	FZ_CHECK(!strcmp(err, "") || err[0] == 'U', "message on success: %s", err);
	check_plan(&plan, 4);

	/* More CPUs: the same plan. */
	FZ_CHECK(parse(blob, 8, &again, err, ERR_LEN) == 0, "valid on 4 CPUs, not on 8: %s", err);
	FZ_CHECK(!memcmp(&plan, &again, sizeof(plan)), "parsed differently on 8 CPUs");

	/* Fewer: refused as soon as a CPU it names is missing. */
	for (unsigned int i = 0; i < plan.nr; i++)
		for (unsigned int c = 0; c < plan.parts[i].nr_cpus; c++)
			if (plan.parts[i].cpus[c] > top)
				top = plan.parts[i].cpus[c];
	if (plan.nr && top > 0) {
		FZ_CHECK(parse(blob, top, &again, err, ERR_LEN) == -1,
			 "accepted on %u CPUs though it names CPU %u", top, top);
		FZ_CHECK(strstr(err, "is not online"), "wrong reason: %s", err);
	}
out:
	free(short_err);
	free(err);
	free(blob);
	return 0;
}
