/*
 * Unit tests, on the fake arch, for channel set-up at boot (core/channels.c:
 * event pages, ports joined, shared regions carved and mapped into exactly
 * their two partitions) and for the device tree each partition gets
 * (core/guest_dt.c), read back with libfdt.
 *
 * Three partitions built by hand: "a" and "b" joined by "ab" (16 KiB, both
 * write, placed automatically) and by "ev" (events only); "b" and "c" by
 * "bc" (8 KiB, only b writes, at an explicit address in each).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include <arch/stage2.h>
#include <bulkhead/memcarve.h>
#include <bulkhead/partition.h>
#include <bulkhead/abi/events.h>
#include "fake_core.h"
#include "fakearch.h"

#define NR 3
#define POOL_SIZE (8UL << 20)
#define BC_IPA_B 0x80000000UL
#define BC_IPA_C 0x90000000UL

static struct plan plan;
static struct partition parts[NR];
static pt_table_t s2[NR][2];
static uint8_t *pool; /* "free RAM" the channels' regions are carved from */
static uint8_t dtb[NR][PARTITION_DTB_SIZE];
static char err[160];

static void add_partition(unsigned int i, const char *name)
{
	struct plan_partition *pp = &plan.parts[i];
	struct partition *p = &parts[i];

	pp->id = i;
	snprintf(pp->name, sizeof(pp->name), "%s", name);
	pp->nr_cpus = 1;
	pp->cpus[0] = i + 1;
	pp->mem_base = ipa_from(0x40000000);
	pp->mem_size = 16UL << 20;
	if (i == 2)
		snprintf(pp->args, sizeof(pp->args), "role=c verbose");
	memset(p, 0, sizeof(*p));
	p->plan = pp;
	p->id = i;
	p->s2_pool = (struct pt_pool){ s2[i], 2, 0 };
	p->s2_root = s2_create(&p->s2_pool);
	vgic_init(&p->vgic, 1, VGIC_V3);
	p->vcpus[0] = (struct vcpu){ .part = p, .index = 0, .cpu = i + 1 };
}

static void add_channel(const char *name, unsigned int a, unsigned int b, uint64_t size, bool wa,
			bool wb, uint64_t ipa_a, uint64_t ipa_b)
{
	struct plan_channel *c = &plan.channels[plan.nr_channels];
	unsigned int ports[NR] = { 0 };

	for (unsigned int k = 0; k < plan.nr_channels; k++)
		for (unsigned int e = 0; e < 2; e++)
			ports[plan.channels[k].end[e]]++;
	c->id = plan.nr_channels++;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->end[0] = a, c->end[1] = b;
	c->port[0] = ports[a], c->port[1] = ports[b];
	c->shared_size = size;
	c->writable[0] = wa, c->writable[1] = wb;
	c->shared_ipa[0] = ipa_from(ipa_a), c->shared_ipa[1] = ipa_from(ipa_b);
}

static int setup(void **state)
{
	(void)state;
	fake_core_reset();
	memset(&plan, 0, sizeof(plan));
	plan.nr = NR;
	add_partition(0, "a");
	add_partition(1, "b");
	add_partition(2, "c");
	add_channel("ab", 0, 1, 16 << 10, true, true, 0, 0);
	add_channel("ev", 0, 1, 0, false, false, 0, 0);
	add_channel("bc", 1, 2, 8 << 10, true, false, BC_IPA_B, BC_IPA_C);
	return 0;
}

static int build(void)
{
	struct memcarve mc;
	struct mem_range ram = { (uint64_t)pool, POOL_SIZE };

	assert_int_equal(memcarve_init(&mc, &ram, 1, NULL, 0), 0);
	fake_irqs_masked = true;
	return channels_build(&plan, parts, &mc, err, sizeof(err));
}

static struct s2_lookup walk(unsigned int i, uint64_t ipa)
{
	return s2_walk(parts[i].s2_root, ipa_from(ipa));
}

/* --- channels_build ------------------------------------------------------------------------ */

static void event_pages_mapped_each_its_own(void **state)
{
	(void)state;
	assert_int_equal(build(), 0);
	for (unsigned int i = 0; i < NR; i++) {
		struct s2_lookup l = walk(i, BH_EVENT_PAGE_IPA);

		assert_true(l.mapped);
		assert_true(l.writable);
		assert_false(l.executable);
		assert_ptr_equal(pa_ptr(l.pa), parts[i].events.page);
		for (unsigned int j = 0; j < i; j++)
			assert_ptr_not_equal(parts[i].events.page, parts[j].events.page);
	}
}

static void shared_regions_in_exactly_their_two(void **state)
{
	struct s2_lookup la, lb, lb2, lc;

	(void)state;
	assert_int_equal(build(), 0);
	/* "ab": automatic, at the window's first automatic address in both. */
	la = walk(0, BH_SHARED_AUTO_IPA);
	lb = walk(1, BH_SHARED_AUTO_IPA);
	assert_true(la.mapped && lb.mapped);
	assert_int_equal(pa_bits(la.pa), pa_bits(lb.pa));
	assert_true(la.writable && lb.writable);
	assert_false(la.executable);
	/* The pool's memory, zeroed. */
	assert_true(pa_bits(la.pa) >= (uint64_t)pool &&
		    pa_bits(la.pa) < (uint64_t)pool + POOL_SIZE);
	for (unsigned int k = 0; k < (16 << 10); k++)
		assert_int_equal(((uint8_t *)pa_ptr(la.pa))[k], 0);
	/* "bc": explicit addresses, read-only for c. */
	lb2 = walk(1, BC_IPA_B);
	lc = walk(2, BC_IPA_C);
	assert_true(lb2.mapped && lc.mapped);
	assert_int_equal(pa_bits(lb2.pa), pa_bits(lc.pa));
	assert_true(lb2.writable);
	assert_false(lc.writable);
	/* Not in the third partition, and not the same memory as "ab". */
	assert_false(walk(2, BH_SHARED_AUTO_IPA).mapped);
	assert_false(walk(0, BC_IPA_B).mapped);
	assert_true(pa_bits(lb2.pa) >= pa_bits(la.pa) + (16 << 10) ||
		    pa_bits(lb2.pa) + (8 << 10) <= pa_bits(la.pa));
}

static void ports_joined_in_plan_order(void **state)
{
	(void)state;
	assert_int_equal(build(), 0);
	assert_int_equal(parts[0].events.nr_ports, 2);
	assert_int_equal(parts[1].events.nr_ports, 3);
	assert_int_equal(parts[2].events.nr_ports, 1);
	/* b's port 2 is "bc"'s first end; c's port 0 its second. */
	assert_string_equal(parts[1].chans[2].chan->name, "bc");
	assert_int_equal(parts[1].chans[2].end, 0);
	assert_int_equal(parts[2].chans[0].end, 1);
	assert_ptr_equal(parts[1].events.port[2].peer, &parts[2].events);
	assert_int_equal(parts[1].events.port[2].peer_port, 0);
	/* An events-only channel has no region. */
	assert_true(ipa_is_null(parts[0].chans[1].shared_ipa));
}

static void pool_too_small_refused(void **state)
{
	struct memcarve mc;
	struct mem_range ram = { (uint64_t)pool, 0 };

	(void)state;
	memcarve_init(&mc, &ram, 1, NULL, 0);
	fake_irqs_masked = true;
	assert_int_equal(channels_build(&plan, parts, &mc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no free RAM for 2048 KiB of shared regions"));
}

static void explicit_address_taken_refused(void **state)
{
	(void)state;
	/* Something already mapped where "bc" wants to be in c. */
	assert_int_equal(s2_map(&parts[2].s2_pool, parts[2].s2_root, ipa_from(BC_IPA_C),
				pa_from(0x100000000UL), 0x1000, S2_DEVICE),
			 0);
	assert_int_equal(build(), -1);
	assert_non_null(strstr(err, "channel \"bc\": shared region at 0x90000000 for "
				    "partition@2: overlaps something already mapped there"));
}

/* --- guest_dt_build ------------------------------------------------------------------------ */

static const void *tree(unsigned int i)
{
	assert_int_equal(guest_dt_build(&parts[i], dtb[i], sizeof(dtb[i])), 0);
	assert_int_equal(fdt_check_full(dtb[i], sizeof(dtb[i])), 0);
	return dtb[i];
}

static const char *prop_str(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path);

	assert_true(node >= 0);
	return fdt_getprop(fdt, node, name, NULL);
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name, unsigned int i)
{
	int node = fdt_path_offset(fdt, path), len;
	const uint8_t *v;
	fdt64_t cell;

	assert_true(node >= 0);
	v = fdt_getprop(fdt, node, name, &len);
	assert_non_null(v);
	assert_true((unsigned int)len >= 8 * (i + 1));
	memcpy(&cell, v + 8 * i, 8); /* properties are only 4-byte aligned */
	return fdt64_to_cpu(cell);
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path), len;
	const fdt32_t *v;

	assert_true(node >= 0);
	v = fdt_getprop(fdt, node, name, &len);
	assert_non_null(v);
	assert_int_equal(len, 4);
	return fdt32_to_cpu(*v);
}

static void tree_describes_partition(void **state)
{
	const void *fdt;

	(void)state;
	assert_int_equal(build(), 0);
	fdt = tree(2);
	assert_string_equal(prop_str(fdt, "/", "compatible"), "bulkhead,partition");
	assert_int_equal(prop_u64(fdt, "/memory@40000000", "reg", 0), 0x40000000);
	assert_int_equal(prop_u64(fdt, "/memory@40000000", "reg", 1), 16UL << 20);
	assert_true(fdt_path_offset(fdt, "/cpus/cpu@0") >= 0);
	assert_true(fdt_path_offset(fdt, "/cpus/cpu@1") < 0);
	assert_string_equal(prop_str(fdt, "/psci", "method"), "hvc");
	assert_string_equal(prop_str(fdt, "/interrupt-controller@8000000", "compatible"),
			    "arm,gic-v3");
	assert_string_equal(prop_str(fdt, "/hypervisor", "bulkhead,partition-name"), "c");
	assert_int_equal(prop_u32(fdt, "/hypervisor", "bulkhead,partition-id"), 2);
	assert_string_equal(prop_str(fdt, "/chosen", "bootargs"), "role=c verbose");
	/* No arguments, no bootargs. */
	assert_null(prop_str(tree(0), "/chosen", "bootargs"));
}

static void tree_lists_channels(void **state)
{
	const void *fdt;
	int node;

	(void)state;
	assert_int_equal(build(), 0);
	fdt = tree(1);
	assert_int_equal(prop_u32(fdt, "/hypervisor/channels/ab", "port"), 0);
	assert_string_equal(prop_str(fdt, "/hypervisor/channels/ab", "peer"), "a");
	assert_int_equal(prop_u32(fdt, "/hypervisor/channels/ab", "end"), 1);
	assert_int_equal(prop_u64(fdt, "/hypervisor/channels/ab", "shared-memory", 0),
			 BH_SHARED_AUTO_IPA);
	assert_int_equal(prop_u64(fdt, "/hypervisor/channels/ab", "shared-memory", 1), 16 << 10);
	node = fdt_path_offset(fdt, "/hypervisor/channels/ev");
	assert_true(node >= 0);
	assert_null(fdt_getprop(fdt, node, "shared-memory", NULL));
	assert_int_equal(prop_u64(fdt, "/hypervisor/channels/bc", "shared-memory", 0), BC_IPA_B);
	assert_non_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/hypervisor/channels/bc"),
				    "writable", NULL));
	/* c's end of "bc": read-only, no "writable". */
	fdt = tree(2);
	assert_int_equal(prop_u64(fdt, "/hypervisor/channels/bc", "shared-memory", 0), BC_IPA_C);
	assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/hypervisor/channels/bc"), "writable",
				NULL));
	assert_int_equal(prop_u64(fdt, "/hypervisor/events", "reg", 0), BH_EVENT_PAGE_IPA);
}

static void tree_too_small_refused(void **state)
{
	(void)state;
	assert_int_equal(build(), 0);
	assert_int_equal(guest_dt_build(&parts[1], dtb[1], 256), -1);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(event_pages_mapped_each_its_own),
		T(shared_regions_in_exactly_their_two),
		T(ports_joined_in_plan_order),
		T(pool_too_small_refused),
		T(explicit_address_taken_refused),
		T(tree_describes_partition),
		T(tree_lists_channels),
		T(tree_too_small_refused),
	};
	int rc;

	/* The carving works in 2 MiB pieces: a 2 MiB-aligned pool. */
	pool = aligned_alloc(2UL << 20, POOL_SIZE);
	assert_non_null(pool);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(pool);
	return rc;
}
