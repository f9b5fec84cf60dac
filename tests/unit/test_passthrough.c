/*
 * Unit tests for core/passthrough_check.c, the rules for devices passed
 * through, against QEMU virt's own device tree (dumped by unit.mk) and the
 * Raspberry Pi 4's (Debian's, as test_rpi4_dt uses it).
 *
 * The plans are the DEVICE fixtures of tests/plan/rules/, the boot side of
 * the paired rule fixtures (tests/plan/test_mkplan.py runs their build
 * side): each is checked partition by partition, as partitions_init() builds
 * them, and must be refused under its rule with the message the boot logs.
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

#include "ut_dtb.h"

#include <bulkhead/passthrough_check.h>

#ifndef UT_DATA_DIR
#error "UT_DATA_DIR (where unit.mk puts the .dtb files) must be defined"
#endif

static char err[512];
static struct plan plan;
static struct board_info bd; /* the board, as board_dt_parse() reads it */
static struct pt_grants grants;
static struct board_device devs[PLAN_MAX_PARTITIONS][PLAN_MAX_DEVICES];

/* Parse a plan fixture and check its partitions' devices in plan order
 * against the board tree fdt. Returns the index of the partition refused,
 * or -1; err holds what the boot would log after "plan rejected: ". */
static int check_plan(const void *fdt, const char *plan_name, enum plan_rule *rule)
{
	void *blob = load_dtb(plan_name);
	char msg[256];

	if (plan_parse(blob, 4, &plan, err, sizeof(err)))
		fail_msg("%s: plan_parse: %s", plan_name, err);
	free(blob);
	memset(&grants, 0, sizeof(grants));
	memset(devs, 0x5a, sizeof(devs));
	*rule = PLAN_RULE_NONE;
	for (unsigned int i = 0; i < plan.nr; i++) {
		const struct plan_partition *pp = &plan.parts[i];

		if (passthrough_check(fdt, &bd, pp, devs[i], &grants, rule, msg, sizeof(msg))) {
			snprintf(err, sizeof(err), "partition@%u (\"%s\"): %s", pp->id, pp->name,
				 msg);
			return (int)i;
		}
	}
	return -1;
}

static void *qemu_virt(void)
{
	void *fdt = load_dtb("virt-gicv3.dtb");

	if (board_dt_parse(fdt, &bd, err, sizeof(err)))
		fail_msg("virt-gicv3.dtb: %s", err);
	return fdt;
}

static void rule_pairs_device_side(void **state)
{
	static const struct {
		enum plan_rule rule;
		const char *name, *where;
	} rules[] = {
#define RULE_ROW(id, name, where) { PLAN_RULE_##id, name, #where },
		PLAN_RULES(RULE_ROW)
#undef RULE_ROW
	};
	void *fdt = qemu_virt();
	unsigned int n = 0;

	(void)state;
	for (unsigned int i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		char name[96];
		void *blob;
		const char *want;
		enum plan_rule rule;

		if (strcmp(rules[i].where, "DEVICE"))
			continue;
		snprintf(name, sizeof(name), "rules/%s.dtb", rules[i].name);
		if (check_plan(fdt, name, &rule) < 0)
			fail_msg("%s: accepted", name);
		blob = load_dtb(name);
		want = fdt_getprop(blob, 0, "bulkhead,test-expect", NULL);
		assert_non_null(want);
		if (strcmp(err, want))
			fail_msg("%s:\n  expected %s\n  got      %s", name, want, err);
		if (rule != rules[i].rule)
			fail_msg("%s: refused under rule %s", name, plan_rule_name(rule));
		free(blob);
		n++;
	}
	assert_int_equal(n, 7);
	free(fdt);
}

/* The case: /virtio_mmio@a000000 granted alone exposed transports
 * 1-7, which share its page. With the page granted whole, it is accepted,
 * and the neighbours it brings along are the seven, in tree order. */
static void virtio_page_whole(void **state)
{
	void *fdt = qemu_virt();
	void *blob = load_dtb("rules/page-neighbour.dtb");
	struct plan_partition *pp;
	char msg[256];
	enum plan_rule rule;
	int nb = -1;

	(void)state;
	assert_int_equal(plan_parse(blob, 4, &plan, err, sizeof(err)), 0);
	free(blob);
	pp = &plan.parts[1];
	pp->whole_page[0] = true;
	memset(&grants, 0, sizeof(grants));
	assert_int_equal(passthrough_check(fdt, &bd, pp, devs[1], &grants, &rule, msg, sizeof(msg)),
			 0);
	assert_int_equal(grants.nr, 1);
	assert_int_equal(grants.grant[0].nr_pages, 1);
	assert_int_equal(grants.grant[0].pages[0].base, 0xa000000);
	assert_int_equal(grants.grant[0].pages[0].size, PT_PAGE);
	for (unsigned int k = 1; k < 8; k++) {
		char path[64], want[64];

		nb = passthrough_neighbour(fdt, devs[1], 1, 0, nb);
		assert_true(nb >= 0);
		assert_int_equal(fdt_get_path(fdt, nb, path, sizeof(path)), 0);
		snprintf(want, sizeof(want), "/virtio_mmio@a000%x00", 2 * k);
		assert_string_equal(path, want);
	}
	assert_int_equal(passthrough_neighbour(fdt, devs[1], 1, 0, nb), -1);
	/* Its interrupt (SPI 16) is the partition's. */
	assert_int_equal(grants.irq_owner[48], 2);
	free(fdt);
}

/* Granting every device of the page to the same partition needs no
 * opt-in; the PL031 has a page of its own. */
static void neighbours_granted_too(void **state)
{
	void *fdt = qemu_virt();
	struct plan_partition pp = { .id = 3,
				     .name = "all",
				     .mem_base = { 0x40000000 },
				     .mem_size = 0x1000000,
				     .nr_devices = 4 };
	char msg[256];
	enum plan_rule rule;

	(void)state;
	strcpy(pp.devices[0], "/pl031@9010000");
	strcpy(pp.devices[1], "virtio_mmio@a000000");
	strcpy(pp.devices[2], "/virtio_mmio@a000200");
	strcpy(pp.devices[3], "/virtio_mmio@a000400");
	memset(&grants, 0, sizeof(grants));
	/* Transports 4-7 are still neighbours of the first three. */
	assert_int_equal(
		passthrough_check(fdt, &bd, &pp, devs[0], &grants, &rule, msg, sizeof(msg)), -1);
	assert_int_equal(rule, PLAN_RULE_PAGE_NEIGHBOUR);
	assert_string_equal(msg, "device \"virtio_mmio@a000000\": its page 0xa000000 also holds "
				 "\"/virtio_mmio@a000600\", not granted to this partition (grant "
				 "it too, or devices-whole-page)");
	pp.nr_devices = 1;
	memset(&grants, 0, sizeof(grants));
	assert_int_equal(
		passthrough_check(fdt, &bd, &pp, devs[0], &grants, &rule, msg, sizeof(msg)), 0);
	assert_int_equal(passthrough_neighbour(fdt, devs[0], 1, 0, -1), -1);
	free(fdt);
}

/* The console UART is the hypervisor's, but for the console domain. */
static void console_uart_for_the_console_domain(void **state)
{
	void *fdt = qemu_virt();
	struct plan_partition pp = { .id = 2,
				     .name = "con",
				     .role = PLAN_ROLE_GUEST,
				     .mem_base = { 0x40000000 },
				     .mem_size = 0x200000,
				     .nr_devices = 1 };
	char msg[256];
	enum plan_rule rule;

	(void)state;
	strcpy(pp.devices[0], "/pl011@9000000");
	memset(&grants, 0, sizeof(grants));
	assert_int_equal(
		passthrough_check(fdt, &bd, &pp, devs[0], &grants, &rule, msg, sizeof(msg)), -1);
	assert_int_equal(rule, PLAN_RULE_DEVICE_HYP);
	pp.role = PLAN_ROLE_CONSOLE;
	memset(&grants, 0, sizeof(grants));
	assert_int_equal(
		passthrough_check(fdt, &bd, &pp, devs[0], &grants, &rule, msg, sizeof(msg)), 0);
	/* Its interrupt (SPI 1) is the partition's (owner id + 1). */
	assert_int_equal(grants.irq_owner[33], 3);
	free(fdt);
}

/* The Pi 4's AUX page: the mini UART (serial1) with the AUX block, SPI1
 * and SPI2. */
static void rpi4_aux_page(void **state)
{
	static const char *const others[] = { "/soc/aux@7e215000", "/soc/spi@7e215080",
					      "/soc/spi@7e2150c0" };
	void *fdt = load_dtb("rpi4/bcm2711-rpi-4-b.dtb");
	struct plan_partition pp = { .id = 0,
				     .name = "uart",
				     .mem_base = { 0x40000000 },
				     .mem_size = 0x1000000,
				     .nr_devices = 1 };
	char msg[256];
	enum plan_rule rule;
	int nb = -1;

	(void)state;
	memset(&bd, 0, sizeof(bd)); /* its console and GIC are not in that page */
	strcpy(pp.devices[0], "serial1");
	memset(&grants, 0, sizeof(grants));
	assert_int_equal(
		passthrough_check(fdt, &bd, &pp, devs[0], &grants, &rule, msg, sizeof(msg)), -1);
	assert_int_equal(rule, PLAN_RULE_PAGE_NEIGHBOUR);
	assert_string_equal(msg, "device \"serial1\": its page 0xfe215000 also holds "
				 "\"/soc/aux@7e215000\", not granted to this partition (grant it "
				 "too, or devices-whole-page)");
	for (unsigned int k = 0; k < 3; k++) {
		char path[64];

		nb = passthrough_neighbour(fdt, devs[0], 1, 0, nb);
		assert_true(nb >= 0);
		assert_int_equal(fdt_get_path(fdt, nb, path, sizeof(path)), 0);
		assert_string_equal(path, others[k]);
	}
	assert_int_equal(passthrough_neighbour(fdt, devs[0], 1, 0, nb), -1);
	free(fdt);
}

/* The Pi 4's two SD controllers (EMMC, where QEMU's raspi4b has the card,
 * and EMMC2, the board's slot) share SPI 126 (INTID 158): one partition
 * may have both; a second partition may not have either. */
static void rpi4_sd_shared_interrupt(void **state)
{
	void *fdt = load_dtb("rpi4/bcm2711-rpi-4-b.dtb");
	struct plan_partition pp = { .id = 2,
				     .name = "blk",
				     .role = PLAN_ROLE_DRIVER,
				     .mem_base = { 0x40000000 },
				     .mem_size = 0x400000,
				     .nr_devices = 2 };
	struct plan_partition other = pp;
	char msg[256];
	enum plan_rule rule;

	(void)state;
	/* What the boot reads of the board here: the GIC-400's three
	 * interrupt cells (the tree has no memory size before the firmware
	 * fills it in, so board_dt_parse() would refuse it). */
	memset(&bd, 0, sizeof(bd));
	bd.gic.interrupt_cells = 3;
	strcpy(pp.devices[0], "/emmc2bus/mmc@7e340000");
	strcpy(pp.devices[1], "/soc/mmc@7e300000");
	memset(&grants, 0, sizeof(grants));
	assert_int_equal(
		passthrough_check(fdt, &bd, &pp, devs[0], &grants, &rule, msg, sizeof(msg)), 0);
	assert_int_equal(grants.irq_owner[158], 3);
	assert_int_equal(devs[0][0].regs[0].base, 0xfe340000);
	assert_int_equal(devs[0][1].regs[0].base, 0xfe300000);

	/* The same two, split between partitions: the second is refused. */
	memset(&grants, 0, sizeof(grants));
	pp.nr_devices = 1;
	assert_int_equal(
		passthrough_check(fdt, &bd, &pp, devs[0], &grants, &rule, msg, sizeof(msg)), 0);
	other.id = 3;
	strcpy(other.name, "other");
	other.nr_devices = 1;
	strcpy(other.devices[0], "/soc/mmc@7e300000");
	assert_int_equal(passthrough_check(fdt, &bd, &other, devs[1], &grants, &rule, msg,
					   sizeof(msg)),
			 -1);
	assert_int_equal(rule, PLAN_RULE_DEVICE_IRQ);
	assert_string_equal(msg, "device \"/soc/mmc@7e300000\": interrupt 158 is already "
				 "partition 2's");
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule_pairs_device_side),
		cmocka_unit_test(virtio_page_whole),
		cmocka_unit_test(neighbours_granted_too),
		cmocka_unit_test(rpi4_aux_page),
		cmocka_unit_test(rpi4_sd_shared_interrupt),
		cmocka_unit_test(console_uart_for_the_console_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
