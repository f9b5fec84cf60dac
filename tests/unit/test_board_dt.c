/*
 * Unit tests for core/board_dt.c: board_dt_parse() against the device trees
 * QEMU builds for the machine `make run` boots (dumped at build time with
 * -M virt,...,dumpdtb=) and against the small fixtures in
 * tests/unit/fixtures/, each either broken in one way or showing one thing
 * real boards do. unit.mk compiles all of them into UT_DATA_DIR.
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

#include "ut_dtb.h"

#include <bulkhead/board.h>

#ifndef UT_DATA_DIR
#error "UT_DATA_DIR (where unit.mk puts the .dtb files) must be defined"
#endif

/* Big enough for any message board_dt_parse writes. */
static char err[256];
static struct board_info b;


/* Parse a file into b; err is pre-filled so that a success can be checked
 * to leave it alone, and b with junk so that every field is seen to be
 * written. */
static int parse(const char *name)
{
	void *blob = load_dtb(name);
	int rc;

	memset(&b, 0x5a, sizeof(b));
	strcpy(err, "untouched");
	rc = board_dt_parse(blob, &b, err, sizeof(err));
	free(blob);
	return rc;
}

static void parse_ok(const char *name)
{
	int rc = parse(name);

	if (rc)
		fail_msg("%s: board_dt_parse failed: %s", name, err);
	assert_string_equal(err, "untouched");
}

static void expect_error(const char *name, const char *message)
{
	assert_int_equal(parse(name), -1);
	assert_string_equal(err, message);
}

static void expect_range(const struct mem_range *r, uint64_t base, uint64_t size)
{
	assert_int_equal(r->base, base);
	assert_int_equal(r->size, size);
}

/* QEMU's timer: secure PPI 13, non-secure 14, virtual 11, hypervisor 10. */
static void expect_qemu_timer(void)
{
	assert_int_equal(b.timer.hyp_intid, 26);
	assert_int_equal(b.timer.virt_intid, 27);
	assert_int_equal(b.timer.phys_intid, 30);
}

/* What both QEMU trees share: -m 1G -smp 4, PSCI through SMC (EL3 absent,
 * so QEMU's built-in PSCI answers SMC from EL2), the PL011 console. */
static void expect_qemu_common(void)
{
	assert_string_equal(b.model, "linux,dummy-virt");
	assert_int_equal(b.nr_mem, 1);
	expect_range(&b.mem[0], 0x40000000, 0x40000000);
	assert_int_equal(b.nr_reserved, 0);

	assert_int_equal(b.nr_cpus, 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(b.cpus[i].mpidr, i);
		assert_int_equal(b.cpus[i].method, CPU_ENABLE_PSCI);
	}
	assert_int_equal(b.psci, PSCI_CONDUIT_SMC);
	expect_qemu_timer();

	assert_true(b.uart.found);
	assert_int_equal(strncmp(b.uart.compatible, "arm,pl011", strlen("arm,pl011") + 1), 0);
	expect_range(&b.uart.regs, 0x09000000, 0x1000);
	assert_string_equal(b.uart.path, "/pl011@9000000");
	/* No -append: no bootargs. */
	assert_string_equal(b.bootargs, "");
}

static void qemu_virt_gicv3(void **state)
{
	(void)state;
	parse_ok("virt-gicv3.dtb");
	expect_qemu_common();

	assert_int_equal(b.gic.version, GIC_V3);
	assert_string_equal(b.gic.compatible, "arm,gic-v3");
	expect_range(&b.gic.dist, 0x08000000, 0x10000);
	assert_int_equal(b.gic.nr_redist, 1);
	expect_range(&b.gic.redist[0], 0x080a0000, 0xf60000);
	/* virtualization=on: the maintenance interrupt, PPI 9. */
	assert_int_equal(b.gic.maint_intid, 25);
}

static void qemu_virt_gicv2(void **state)
{
	(void)state;
	parse_ok("virt-gicv2.dtb");
	expect_qemu_common();

	assert_int_equal(b.gic.version, GIC_V2);
	assert_string_equal(b.gic.compatible, "arm,cortex-a15-gic");
	expect_range(&b.gic.dist, 0x08000000, 0x10000);
	expect_range(&b.gic.cpuif, 0x08010000, 0x10000);
	expect_range(&b.gic.hyp, 0x08030000, 0x10000);
	expect_range(&b.gic.vcpu, 0x08040000, 0x10000);
	assert_int_equal(b.gic.nr_redist, 0);
	assert_int_equal(b.gic.maint_intid, 25);
}

static void not_a_dtb(void **state)
{
	unsigned char junk[256];
	uint32_t x = 12345;

	(void)state;
	/* Deterministic pseudo-random bytes (a linear congruential
	 * generator), not starting with the FDT magic d00dfeed. */
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	assert_false(junk[0] == 0xd0 && junk[1] == 0x0d);

	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(board_dt_parse(junk, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "not a valid device tree blob: FDT_ERR_BADMAGIC");
	/* The output is cleared even on failure. */
	assert_int_equal(b.nr_mem, 0);
	assert_int_equal(b.nr_cpus, 0);
	assert_false(b.uart.found);
}

static void minimal_board(void **state)
{
	(void)state;
	parse_ok("fixtures/minimal.dtb");
	assert_string_equal(b.model, "Bulkhead test board");
	assert_int_equal(b.nr_mem, 1);
	expect_range(&b.mem[0], 0x80000000, 0x20000000);
	assert_int_equal(b.nr_reserved, 0);
	assert_int_equal(b.nr_cpus, 1);
	assert_int_equal(b.cpus[0].mpidr, 0);
	assert_int_equal(b.cpus[0].method, CPU_ENABLE_PSCI);
	assert_int_equal(b.psci, PSCI_CONDUIT_HVC);

	/* A GICv2 without the virtualization interface: those stay zero. */
	assert_int_equal(b.gic.version, GIC_V2);
	assert_string_equal(b.gic.compatible, "arm,gic-400");
	expect_range(&b.gic.dist, 0x2f000000, 0x1000);
	expect_range(&b.gic.cpuif, 0x2c000000, 0x2000);
	expect_range(&b.gic.hyp, 0, 0);
	expect_range(&b.gic.vcpu, 0, 0);
	assert_int_equal(b.gic.maint_intid, 0);
	expect_qemu_timer(); /* the same PPIs as QEMU's */

	/* stdout-path "/uart@1c090000:115200n8": the options are dropped. */
	assert_true(b.uart.found);
	assert_string_equal(b.uart.path, "/uart@1c090000");
	assert_memory_equal(b.uart.compatible, "arm,pl011\0arm,primecell", 24);
	expect_range(&b.uart.regs, 0x1c090000, 0x1000);
	assert_string_equal(b.bootargs, "");
}

/* --- One broken fixture each, with the exact message ------------------------------ */

#define ERROR_TEST(fn, fixture, message)                                                           \
	static void fn(void **state)                                                               \
	{                                                                                          \
		(void)state;                                                                       \
		expect_error("fixtures/" fixture ".dtb", message);                                 \
	}

ERROR_TEST(error_no_memory, "err-no-memory",
	   "no memory node (device_type = \"memory\") with a size")
ERROR_TEST(error_memory_zero_size, "err-memory-zero-size",
	   "no memory node (device_type = \"memory\") with a size")
ERROR_TEST(error_memory_bad_reg, "err-memory-bad-reg", "memory@80000000: malformed \"reg\"")
ERROR_TEST(error_too_many_memory_ranges, "err-too-many-mem", "more than 8 memory ranges")
ERROR_TEST(error_no_cpus, "err-no-cpus", "no /cpus node")
ERROR_TEST(error_no_cpu_nodes, "err-no-cpu-nodes", "no CPU in /cpus (device_type = \"cpu\")")
ERROR_TEST(error_cpu_without_reg, "err-cpu-no-reg", "/cpus/cpu@0: missing or malformed \"reg\"")
ERROR_TEST(error_no_interrupt_controller, "err-no-gic",
	   "no supported interrupt controller (GICv2 or GICv3)")
ERROR_TEST(error_gic_disabled, "err-gic-disabled",
	   "no supported interrupt controller (GICv2 or GICv3)")
ERROR_TEST(error_gicv2_without_cpu_interface, "err-gicv2-no-cpuif",
	   "arm,gic-400: \"reg\" needs distributor and CPU interface")
ERROR_TEST(error_gicv3_without_redistributor, "err-gicv3-no-redist",
	   "arm,gic-v3: redistributor region 0 missing from \"reg\"")
ERROR_TEST(error_no_timer, "err-no-timer", "no arm,armv8-timer node")
ERROR_TEST(error_timer_not_ppi, "err-timer-not-ppi",
	   "arm,armv8-timer: timer interrupts must be PPIs (type 1, number below 16)")
ERROR_TEST(error_timer_too_few_interrupts, "err-timer-few-irqs",
	   "arm,armv8-timer: \"interrupts\" needs 4 entries (secure, non-secure, virtual, hyp)")

static void error_message_truncated(void **state)
{
	void *blob = load_dtb("fixtures/err-no-cpus.dtb");

	(void)state;
	/* Heap buffers of exactly errlen bytes: ASan reports any overflow. */
	for (size_t len = 1; len <= 16; len++) {
		char *small = malloc(len);
		size_t want = len - 1 < strlen("no /cpus node") ? len - 1 : strlen("no /cpus node");

		assert_non_null(small);
		assert_int_equal(board_dt_parse(blob, &b, small, len), -1);
		assert_int_equal(strlen(small), want);
		assert_memory_equal(small, "no /cpus node", want);
		free(small);
	}
	free(blob);
}

/* Every reserved range must stay out of reach of partitions, however many
 * there are (issue 10, finding 7: ranges beyond 16 were dropped). */
static bool reserved_covers(uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < b.nr_reserved; i++)
		if (b.reserved[i].base <= base &&
		    base + size <= b.reserved[i].base + b.reserved[i].size)
			return true;
	return false;
}

static void reserved_beyond_table_kept(void **state)
{
	(void)state;
	parse_ok("fixtures/reserved-many.dtb");
	assert_true(b.nr_reserved <= BOARD_MAX_RESERVED);
	/* Twenty 1 MiB-apart ranges (one touched by a 21st) and a node: 21
	 * distinct ranges, so at least five joined others. */
	assert_true(b.nr_reserved_merged >= 5);
	for (uint64_t i = 0; i < 20; i++)
		assert_true(reserved_covers(0x48000000 + i * 0x100000, 0x1000));
	assert_true(reserved_covers(0x48001000, 0x1000));
	assert_true(reserved_covers(0x4a000000, 0x10000));
}

/* --- Real-board shapes ---------------------------------------------------------------- */

static void raspberry_pi_4(void **state)
{
	(void)state;
	parse_ok("fixtures/rpi4.dtb");
	assert_string_equal(b.model, "Raspberry Pi 4 Model B Rev 1.4");

	/* #address-cells 2, #size-cells 1 at the root. */
	assert_int_equal(b.nr_mem, 2);
	expect_range(&b.mem[0], 0x0, 0x3b400000);
	expect_range(&b.mem[1], 0x40000000, 0xbc000000);

	/* /memreserve/ first, then /reserved-memory nodes with a "reg". */
	assert_int_equal(b.nr_reserved, 4);
	expect_range(&b.reserved[0], 0x0, 0x1000);
	expect_range(&b.reserved[1], 0x3b400000, 0x4c00000);
	expect_range(&b.reserved[2], 0x10000000, 0x100000);
	expect_range(&b.reserved[3], 0x10200000, 0x100000);

	/* Spin-table CPUs, release addresses as the firmware sets them. */
	assert_int_equal(b.nr_cpus, 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(b.cpus[i].mpidr, i);
		assert_int_equal(b.cpus[i].method, CPU_ENABLE_SPIN_TABLE);
		assert_int_equal(b.cpus[i].release_addr, 0xd8 + 8 * i);
	}
	assert_int_equal(b.psci, PSCI_CONDUIT_NONE);

	/* The GIC-400 on /soc, through the third range (0x40000000 ->
	 * 0xff800000). */
	assert_int_equal(b.gic.version, GIC_V2);
	assert_string_equal(b.gic.compatible, "arm,gic-400");
	expect_range(&b.gic.dist, 0xff841000, 0x1000);
	expect_range(&b.gic.cpuif, 0xff842000, 0x2000);
	expect_range(&b.gic.hyp, 0xff844000, 0x2000);
	expect_range(&b.gic.vcpu, 0xff846000, 0x2000);
	assert_int_equal(b.gic.maint_intid, 25);
	expect_qemu_timer();

	/* "serial0:115200n8": the alias resolves to the PL011 on /soc, whose
	 * bus address 0x7e201000 the first range maps to 0xfe201000. The path
	 * is kept as written (the alias name). */
	assert_true(b.uart.found);
	assert_string_equal(b.uart.path, "serial0");
	assert_string_equal(b.uart.compatible, "arm,pl011");
	expect_range(&b.uart.regs, 0xfe201000, 0x200);

	assert_string_equal(b.bootargs, "coherent_pool=1M 8250.nr_uarts=1 console=ttyAMA0,115200 "
					"bulkhead.selftest=none");
}

static void nested_bus_ranges(void **state)
{
	(void)state;
	parse_ok("fixtures/nested-ranges.dtb");
	/* serial@2000 -> (identity) -> 0x102000 on bus@f0000000 -> its second
	 * range -> 0xf0102000. Found through linux,stdout-path. */
	assert_true(b.uart.found);
	assert_string_equal(b.uart.path, "/bus@f0000000/bus@100000/ident/serial@2000");
	expect_range(&b.uart.regs, 0xf0102000, 0x100);
}

static void uart_on_bus_without_ranges(void **state)
{
	(void)state;
	/* Not an error: the console stays on the early UART. */
	parse_ok("fixtures/uart-no-ranges.dtb");
	assert_false(b.uart.found);
	assert_string_equal(b.uart.path, "/i2c@1c0f0000/serial@48");
}

static void uart_outside_bus_ranges(void **state)
{
	(void)state;
	parse_ok("fixtures/uart-outside-ranges.dtb");
	assert_false(b.uart.found);
	assert_string_equal(b.uart.path, "/bus@f0000000/serial@900000");
}

static void uart_path_missing(void **state)
{
	(void)state;
	parse_ok("fixtures/uart-missing.dtb");
	assert_false(b.uart.found);
	assert_string_equal(b.uart.path, "/uart@20000000");
}

static void uart_very_deep(void **state)
{
	(void)state;
	/* 21 levels down: used or not, never misplaced (and ASan watches the
	 * parser's fixed-size ancestor array). */
	parse_ok("fixtures/deep.dtb");
	assert_string_equal(b.uart.path, "/b1/b2/b3/b4/b5/b6/b7/b8/b9/b10/b11/b12/b13/b14/b15/"
					 "b16/b17/b18/b19/b20/serial@0");
	if (b.uart.found)
		expect_range(&b.uart.regs, 0x0, 0x1000);
	/* The rest of the board is unaffected. */
	assert_int_equal(b.nr_cpus, 1);
	assert_int_equal(b.gic.version, GIC_V2);
}

static void memory_banks(void **state)
{
	(void)state;
	parse_ok("fixtures/memory-banks.dtb");
	/* In tree order; empty ranges and the "sram" node skipped. */
	assert_int_equal(b.nr_mem, 3);
	expect_range(&b.mem[0], 0x80000000, 0x20000000);
	expect_range(&b.mem[1], 0x880000000, 0x80000000);
	expect_range(&b.mem[2], 0x1000000000, 0x100000000);
	/* No "model" at the root. */
	assert_string_equal(b.model, "unknown board");
}

static void disabled_nodes_skipped(void **state)
{
	(void)state;
	parse_ok("fixtures/status.dtb");
	assert_int_equal(b.nr_mem, 1);
	expect_range(&b.mem[0], 0x80000000, 0x20000000);
	assert_int_equal(b.nr_cpus, 2);
	assert_int_equal(b.cpus[0].mpidr, 0);
	assert_int_equal(b.cpus[1].mpidr, 1);
}

/* Regression: status = "ok" (the older spelling of "okay") means enabled;
 * the length check once rejected it and lost this second CPU. */
static void status_ok_is_enabled(void **state)
{
	(void)state;
	parse_ok("fixtures/status-ok.dtb");
	assert_int_equal(b.nr_cpus, 2);
	assert_int_equal(b.cpus[1].mpidr, 1);
}

static void four_cell_interrupt_specifiers(void **state)
{
	(void)state;
	parse_ok("fixtures/gic-four-cells.dtb");
	assert_int_equal(b.gic.interrupt_cells, 4);
	assert_int_equal(b.timer.phys_intid, 30);
	assert_int_equal(b.timer.virt_intid, 27);
	assert_int_equal(b.timer.hyp_intid, 26);
}

static void too_many_cpus_are_left_off(void **state)
{
	(void)state;
	parse_ok("fixtures/too-many-cpus.dtb");
	assert_int_equal(b.nr_cpus, BOARD_MAX_CPUS);
	assert_int_equal(b.nr_cpus_ignored, 1);
}

static void cpu_enable_methods(void **state)
{
	(void)state;
	parse_ok("fixtures/spin-table.dtb");
	assert_int_equal(b.nr_cpus, 4);
	/* A one-cell cpu-release-addr. */
	assert_int_equal(b.cpus[0].mpidr, 0);
	assert_int_equal(b.cpus[0].method, CPU_ENABLE_SPIN_TABLE);
	assert_int_equal(b.cpus[0].release_addr, 0x8000fff8);
	/* Spin-table without a release address: 0. */
	assert_int_equal(b.cpus[1].mpidr, 0x100);
	assert_int_equal(b.cpus[1].method, CPU_ENABLE_SPIN_TABLE);
	assert_int_equal(b.cpus[1].release_addr, 0);
	/* An unknown method, and none. */
	assert_int_equal(b.cpus[2].mpidr, 0x101);
	assert_int_equal(b.cpus[2].method, CPU_ENABLE_NONE);
	assert_int_equal(b.cpus[3].mpidr, 0x102);
	assert_int_equal(b.cpus[3].method, CPU_ENABLE_NONE);
}

static void gicv3_two_redistributor_regions(void **state)
{
	(void)state;
	parse_ok("fixtures/gicv3-two-redist.dtb");
	assert_int_equal(b.gic.version, GIC_V3);
	assert_string_equal(b.gic.compatible, "arm,gic-v3");
	expect_range(&b.gic.dist, 0x2f000000, 0x10000);
	assert_int_equal(b.gic.nr_redist, 2);
	expect_range(&b.gic.redist[0], 0x2f100000, 0x100000);
	expect_range(&b.gic.redist[1], 0x2f300000, 0x40000);
	assert_int_equal(b.gic.maint_intid, 25);
}

/* Regression: only #redistributor-regions (default 1) entries after the
 * distributor are redistributors; the GICC/GICH/GICV entries that the
 * binding allows after them once became "redistributors" too. */
static void gicv3_cpu_interface_not_redistributor(void **state)
{
	(void)state;
	parse_ok("fixtures/gicv3-cpu-interface.dtb");
	assert_int_equal(b.gic.version, GIC_V3);
	expect_range(&b.gic.dist, 0x38800000, 0x10000);
	expect_range(&b.gic.redist[0], 0x38880000, 0xc0000);
	assert_int_equal(b.gic.nr_redist, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_virt_gicv3),
		cmocka_unit_test(qemu_virt_gicv2),
		cmocka_unit_test(not_a_dtb),
		cmocka_unit_test(minimal_board),
		cmocka_unit_test(error_no_memory),
		cmocka_unit_test(error_memory_zero_size),
		cmocka_unit_test(error_memory_bad_reg),
		cmocka_unit_test(error_too_many_memory_ranges),
		cmocka_unit_test(error_no_cpus),
		cmocka_unit_test(error_no_cpu_nodes),
		cmocka_unit_test(error_cpu_without_reg),
		cmocka_unit_test(too_many_cpus_are_left_off),
		cmocka_unit_test(four_cell_interrupt_specifiers),
		cmocka_unit_test(error_timer_not_ppi),
		cmocka_unit_test(error_no_interrupt_controller),
		cmocka_unit_test(error_gic_disabled),
		cmocka_unit_test(error_gicv2_without_cpu_interface),
		cmocka_unit_test(error_gicv3_without_redistributor),
		cmocka_unit_test(error_no_timer),
		cmocka_unit_test(error_timer_too_few_interrupts),
		cmocka_unit_test(error_message_truncated),
		cmocka_unit_test(raspberry_pi_4),
		cmocka_unit_test(nested_bus_ranges),
		cmocka_unit_test(uart_on_bus_without_ranges),
		cmocka_unit_test(uart_outside_bus_ranges),
		cmocka_unit_test(uart_path_missing),
		cmocka_unit_test(uart_very_deep),
		cmocka_unit_test(memory_banks),
		cmocka_unit_test(disabled_nodes_skipped),
		cmocka_unit_test(status_ok_is_enabled),
		cmocka_unit_test(cpu_enable_methods),
		cmocka_unit_test(gicv3_two_redistributor_regions),
		cmocka_unit_test(gicv3_cpu_interface_not_redistributor),
		cmocka_unit_test(reserved_beyond_table_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
