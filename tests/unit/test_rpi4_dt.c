/*
 * Unit tests for core/board_dt.c against the Raspberry Pi 4's real device
 * tree: bcm2711-rpi-4-b.dtb from Debian's arm64 kernel package (fetched by
 * tools/fetch-rpi4-files.sh, copied here by unit.mk), the file the SD card
 * image (make sdimage) carries, with our UART0 overlay
 * (boards/rpi4/bulkhead-uart0.dts) applied.
 *
 * The kernel's tree is not what Bulkhead is handed: before u-boot runs, the
 * Pi firmware (start4.elf) fills in the RAM and applies the overlays that
 * config.txt names, and TF-A's bl31 (the armstub) adds PSCI. The tests make
 * those edits with libfdt, as each of them documents doing (TF-A 2.8's
 * bl31.bin: "Changed device tree to advertise PSCI"), and check what
 * board_dt_parse() makes of each stage. board_dt.c has no board-specific
 * code: this is the same object the hypervisor links for every board.
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

#include <bulkhead/board.h>

#ifndef UT_DATA_DIR
#error "UT_DATA_DIR (where unit.mk puts the .dtb files) must be defined"
#endif

#define KERNEL_DTB "rpi4/bcm2711-rpi-4-b.dtb"
#define UART0_OVERLAY "rpi4/bulkhead-uart0.dtbo"
/* Room for the edits below (the firmware and TF-A also grow the tree). */
#define EDIT_ROOM 0x10000

static char err[256];
static struct board_info b;

/* The kernel's tree in a buffer with room to edit it; the caller frees it. */
static void *open_kernel_dtb(void)
{
	void *blob = load_dtb(KERNEL_DTB);
	int size = fdt_totalsize(blob) + EDIT_ROOM;
	void *fdt = malloc((size_t)size);

	assert_non_null(fdt);
	assert_int_equal(fdt_open_into(blob, fdt, size), 0);
	free(blob);
	return fdt;
}

static int node(void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0)
		fail_msg("%s: %s is not in the tree", KERNEL_DTB, path);
	return off;
}

/* One (address, size) pair with the root's #address-cells 2, #size-cells 1. */
static void reg_entry(fdt32_t *cells, uint64_t base, uint32_t size)
{
	cells[0] = cpu_to_fdt32((uint32_t)(base >> 32));
	cells[1] = cpu_to_fdt32((uint32_t)base);
	cells[2] = cpu_to_fdt32(size);
}

/*
 * The firmware's memory node for each model with the default GPU memory
 * (76 MiB at the top of the first gigabyte): RAM below 1 GiB up to the GPU,
 * the rest of the low 4 GiB up to the peripherals at 0xfc000000, and on the
 * 8 GB model 4 GiB more from 0x1_0000_0000 (in two entries: a size is one
 * cell). Also the command line from cmdline.txt (none on our card).
 */
static void firmware_fill(void *fdt, unsigned int gb)
{
	fdt32_t reg[4 * 3];
	int n = 0;

	reg_entry(&reg[3 * n++], 0x0, 0x3b400000);
	if (gb == 2)
		reg_entry(&reg[3 * n++], 0x40000000, 0x40000000);
	if (gb >= 4)
		reg_entry(&reg[3 * n++], 0x40000000, 0xbc000000);
	if (gb == 8) {
		reg_entry(&reg[3 * n++], 0x100000000, 0x80000000);
		reg_entry(&reg[3 * n++], 0x180000000, 0x80000000);
	}
	assert_int_equal(
		fdt_setprop(fdt, node(fdt, "/memory@0"), "reg", reg, n * 3 * (int)sizeof(fdt32_t)),
		0);
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, "/chosen"), "bootargs", ""), 0);
}

/* config.txt's dtoverlay=bulkhead-uart0, applied as the firmware does. */
static void apply_uart0_overlay(void *fdt)
{
	void *overlay = load_dtb(UART0_OVERLAY);

	assert_int_equal(fdt_overlay_apply(fdt, overlay), 0);
	free(overlay);
}

/*
 * TF-A's bl31 for the Pi 4: a /psci node (SMC conduit), every CPU's
 * enable-method switched to "psci", its own 512 KiB at 0 reserved (the
 * firmware's /memreserve/ of the spin-table page there dropped), and the
 * console named as "serial0".
 */
static void tfa_patch(void *fdt)
{
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	fdt32_t atf[3];
	int psci, rsv, cpu;

	psci = fdt_add_subnode(fdt, 0, "psci");
	assert_true(psci >= 0);
	assert_int_equal(fdt_setprop(fdt, psci, "compatible", psci_compat, sizeof(psci_compat)), 0);
	assert_int_equal(fdt_setprop_string(fdt, psci, "method", "smc"), 0);

	fdt_for_each_subnode(cpu, fdt, node(fdt, "/cpus"))
	{
		if (strncmp(fdt_get_name(fdt, cpu, NULL), "cpu@", 4) == 0)
			assert_int_equal(fdt_setprop_string(fdt, cpu, "enable-method", "psci"), 0);
	}

	assert_int_equal(fdt_num_mem_rsv(fdt), 1);
	assert_int_equal(fdt_del_mem_rsv(fdt, 0), 0);
	rsv = fdt_add_subnode(fdt, node(fdt, "/reserved-memory"), "atf@0");
	assert_true(rsv >= 0);
	reg_entry(atf, 0x0, 0x80000);
	assert_int_equal(fdt_setprop(fdt, rsv, "reg", atf, sizeof(atf)), 0);
	assert_int_equal(fdt_setprop_empty(fdt, rsv, "no-map"), 0);

	assert_int_equal(fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", "serial0"),
			 0);
}

/* The tree as Bulkhead receives it from u-boot on our SD card. */
static void *as_booted(unsigned int gb)
{
	void *fdt = open_kernel_dtb();

	firmware_fill(fdt, gb);
	apply_uart0_overlay(fdt);
	tfa_patch(fdt);
	assert_int_equal(fdt_pack(fdt), 0);
	return fdt;
}

static int parse(void *fdt)
{
	memset(&b, 0x5a, sizeof(b));
	strcpy(err, "untouched");
	return board_dt_parse(fdt, &b, err, sizeof(err));
}

static void parse_ok(void *fdt)
{
	if (parse(fdt))
		fail_msg("board_dt_parse failed: %s", err);
	assert_string_equal(err, "untouched");
}

static void expect_range(const struct mem_range *r, uint64_t base, uint64_t size)
{
	assert_int_equal(r->base, base);
	assert_int_equal(r->size, size);
}

/* What the board says whatever the boot chain did: the GIC-400 on /soc,
 * reached through the third "ranges" entry (0x40000000 -> 0xff800000), with
 * its virtualization interface and the maintenance interrupt (PPI 9), and
 * the architected timer's PPIs. */
static void expect_bcm2711(void)
{
	assert_string_equal(b.model, "Raspberry Pi 4 Model B");
	assert_int_equal(b.nr_cpus, 4);
	assert_int_equal(b.nr_cpus_ignored, 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(b.cpus[i].mpidr, i);

	assert_int_equal(b.gic.version, GIC_V2);
	assert_string_equal(b.gic.compatible, "arm,gic-400");
	assert_int_equal(b.gic.interrupt_cells, 3);
	expect_range(&b.gic.dist, 0xff841000, 0x1000);
	expect_range(&b.gic.cpuif, 0xff842000, 0x2000);
	expect_range(&b.gic.hyp, 0xff844000, 0x2000);
	expect_range(&b.gic.vcpu, 0xff846000, 0x2000);
	assert_int_equal(b.gic.maint_intid, 25);
	assert_int_equal(b.gic.nr_redist, 0);

	assert_int_equal(b.timer.hyp_intid, 26);
	assert_int_equal(b.timer.virt_intid, 27);
	assert_int_equal(b.timer.phys_intid, 30);
}

/* --- The kernel's tree, untouched ------------------------------------------------- */

/* Its memory node is a placeholder (reg = <0 0 0>) that the firmware fills
 * in: on its own the tree does not describe a machine Bulkhead can run. */
static void kernel_tree_has_no_memory(void **state)
{
	void *fdt = load_dtb(KERNEL_DTB);

	(void)state;
	assert_int_equal(parse(fdt), -1);
	assert_string_equal(err, "no memory node (device_type = \"memory\") with a size");
	free(fdt);
}

/* --- After the firmware only: no overlay, no TF-A ----------------------------------- */

/*
 * A card without bl31 and without our overlay: the CPUs wait in the
 * firmware's spin table (release addresses 0xd8..0xf0, which Bulkhead
 * refuses to use: core/smp.c), there is no PSCI, and the console is the
 * kernel tree's choice, the mini UART ("serial1"), for which Bulkhead has
 * no driver (it stays on the early PL011 console and says so).
 */
static void firmware_only(void **state)
{
	void *fdt = open_kernel_dtb();

	(void)state;
	firmware_fill(fdt, 4);
	parse_ok(fdt);
	expect_bcm2711();

	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(b.cpus[i].method, CPU_ENABLE_SPIN_TABLE);
		assert_int_equal(b.cpus[i].release_addr, 0xd8 + 8 * i);
	}
	assert_int_equal(b.psci, PSCI_CONDUIT_NONE);

	/* The spin-table page, from /memreserve/. */
	assert_int_equal(b.nr_reserved, 1);
	expect_range(&b.reserved[0], 0x0, 0x1000);

	assert_true(b.uart.found);
	assert_string_equal(b.uart.path, "serial1");
	assert_string_equal(b.uart.compatible, "brcm,bcm2835-aux-uart");
	expect_range(&b.uart.regs, 0xfe215040, 0x40);
	free(fdt);
}

/* --- As booted from our SD card: firmware, overlay, TF-A ------------------------------ */

static void expect_as_booted(void)
{
	expect_bcm2711();

	/* TF-A's PSCI through SMC for every CPU. */
	assert_int_equal(b.psci, PSCI_CONDUIT_SMC);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(b.cpus[i].method, CPU_ENABLE_PSCI);

	/* TF-A's own memory at 0, kept out of partitions. */
	assert_int_equal(b.nr_reserved, 1);
	expect_range(&b.reserved[0], 0x0, 0x80000);

	/* "serial0" -> UART0, the PL011, at its low-peripheral address:
	 * VideoCore bus 0x7e201000 through the first range to 0xfe201000, the
	 * board Kconfig's early console. */
	assert_true(b.uart.found);
	assert_string_equal(b.uart.path, "serial0");
	assert_memory_equal(b.uart.compatible, "arm,pl011\0arm,primecell", 24);
	expect_range(&b.uart.regs, 0xfe201000, 0x200);
	assert_string_equal(b.bootargs, "");
}

static void booted_1gb(void **state)
{
	void *fdt = as_booted(1);

	(void)state;
	parse_ok(fdt);
	expect_as_booted();
	assert_int_equal(b.nr_mem, 1);
	expect_range(&b.mem[0], 0x0, 0x3b400000);
	free(fdt);
}

static void booted_2gb(void **state)
{
	void *fdt = as_booted(2);

	(void)state;
	parse_ok(fdt);
	expect_as_booted();
	assert_int_equal(b.nr_mem, 2);
	expect_range(&b.mem[0], 0x0, 0x3b400000);
	expect_range(&b.mem[1], 0x40000000, 0x40000000);
	free(fdt);
}

static void booted_4gb(void **state)
{
	void *fdt = as_booted(4);

	(void)state;
	parse_ok(fdt);
	expect_as_booted();
	assert_int_equal(b.nr_mem, 2);
	expect_range(&b.mem[0], 0x0, 0x3b400000);
	expect_range(&b.mem[1], 0x40000000, 0xbc000000);
	free(fdt);
}

static void booted_8gb(void **state)
{
	void *fdt = as_booted(8);

	(void)state;
	parse_ok(fdt);
	expect_as_booted();
	assert_int_equal(b.nr_mem, 4);
	expect_range(&b.mem[0], 0x0, 0x3b400000);
	expect_range(&b.mem[1], 0x40000000, 0xbc000000);
	expect_range(&b.mem[2], 0x100000000, 0x80000000);
	expect_range(&b.mem[3], 0x180000000, 0x80000000);
	free(fdt);
}

/* The overlay alone (a card without bl31) already moves the console to
 * UART0, with the baud rate in its stdout-path; the CPUs stay in the spin
 * table. */
static void overlay_without_tfa(void **state)
{
	void *fdt = open_kernel_dtb();

	(void)state;
	firmware_fill(fdt, 4);
	apply_uart0_overlay(fdt);
	parse_ok(fdt);
	expect_bcm2711();
	assert_int_equal(b.psci, PSCI_CONDUIT_NONE);
	assert_int_equal(b.cpus[1].method, CPU_ENABLE_SPIN_TABLE);
	assert_true(b.uart.found);
	assert_string_equal(b.uart.path, "serial0");
	expect_range(&b.uart.regs, 0xfe201000, 0x200);

	/* The mini UART and Bluetooth are off. */
	assert_string_equal(fdt_getprop(fdt, node(fdt, "/soc/serial@7e215040"), "status", NULL),
			    "disabled");
	assert_string_equal(
		fdt_getprop(fdt, node(fdt, "/soc/serial@7e201000/bluetooth"), "status", NULL),
		"disabled");
	free(fdt);
}

/* The partition plan's passthrough looks devices up by path or alias in
 * this tree: UART0 by its alias resolves to the PL011 and its SPI. */
static void device_lookup_by_alias(void **state)
{
	void *fdt = as_booted(4);
	struct board_device d;

	(void)state;
	parse_ok(fdt);
	assert_int_equal(board_dt_device(fdt, &b, "serial0", &d, err, sizeof(err)), 0);
	assert_string_equal(d.name, "serial@7e201000");
	assert_int_equal(d.nr_regs, 1);
	expect_range(&d.regs[0], 0xfe201000, 0x200);
	assert_int_equal(d.nr_irqs, 1);
	assert_int_equal(d.irqs[0], 32 + 121);
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernel_tree_has_no_memory),
		cmocka_unit_test(firmware_only),
		cmocka_unit_test(booted_1gb),
		cmocka_unit_test(booted_2gb),
		cmocka_unit_test(booted_4gb),
		cmocka_unit_test(booted_8gb),
		cmocka_unit_test(overlay_without_tfa),
		cmocka_unit_test(device_lookup_by_alias),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
