/*
 * Unit tests, on the fake arch, for the virtual PL011 (core/vuart.c): its
 * identification, flags and control registers, transmission to the
 * partition's console line, the interrupt raised on each rising edge of
 * the masked status, reception into its FIFO, and accesses it refuses.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
#include <bulkhead/vuart.h>
#include "fake_core.h"
#include "fakearch.h"

#define RAM_SIZE (4UL << 20)

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct plan_partition plan;
static struct partition part;
static pt_table_t s2[2];
static union {
	struct bh_event_page page;
	uint8_t bytes[4096];
} page __attribute__((aligned(4096)));
static const uint8_t image[] = "image";

int guest_dt_build(struct partition *p, void *buf, uint64_t size)
{
	return 0;
}

static int setup(void **state)
{
	char err[160];

	(void)state;
	fake_core_reset();
	memset(&plan, 0, sizeof(plan));
	snprintf(plan.name, sizeof(plan.name), "g");
	plan.nr_cpus = 1;
	plan.cpus[0] = 1;
	plan.mem_base = ipa_from(0x40000000);
	plan.mem_size = RAM_SIZE;
	plan.priority = 100;
	plan.disk_backend = -1;
	plan.virtual_uart = true;
	fake_partition_build(&part, &plan, ram, s2, &page.page, image, sizeof(image));
	assert_int_equal(vuart_build(&part, 1, err, sizeof(err)), 0);
	fake_cpu = 1;
	fake_irqs_masked = true;
	return 0;
}

/* An access of size bytes at offset off: the value read, or ~0 if refused. */
static uint64_t reg(uint32_t off, bool write, uint64_t value, unsigned int size)
{
	struct mmio_access a = { PLAN_VUART_IPA + off, value, size, 1, write, false, false };

	if (!mmio_emulate(&part.mmio, &part.vcpus[0], &a))
		return ~0UL;
	return a.value;
}

static bool irq_pending(void)
{
	return (part.vgic.cpu[0].pending[0] >> PLAN_VUART_INTID) & 1;
}

static void clear_pending(void)
{
	part.vgic.cpu[0].pending[0] &= ~(1UL << PLAN_VUART_INTID);
}

static void identity_and_reset_state(void **state)
{
	(void)state;
	assert_int_equal(reg(0xfe0, false, 0, 4), 0x11);
	assert_int_equal(reg(0xfe4, false, 0, 4), 0x10);
	assert_int_equal(reg(0xff0, false, 0, 4), 0x0d);
	assert_int_equal(reg(0xffc, false, 0, 4), 0xb1);
	assert_int_equal(reg(0xfe4, false, 0, 1), 0x10); /* byte reads too */
	assert_int_equal(reg(0x018, false, 0, 4), 0x90); /* TXFE, RXFE */
	assert_int_equal(reg(0x030, false, 0, 4), 0x301); /* enabled, as firmware leaves it */
	assert_int_equal(reg(0x03c, false, 0, 4), 0x20);  /* TX: the FIFO is empty */
	assert_int_equal(reg(0x040, false, 0, 4), 0);	  /* masked */
	/* misaligned or too wide: a fault of the guest */
	assert_int_equal(reg(0x002, false, 0, 4), ~0UL);
	assert_int_equal(reg(0x000, false, 0, 8), ~0UL);
}

static void transmits_to_its_console_line(void **state)
{
	(void)state;
	reg(0x030, true, 0x300, 4); /* disabled (it starts enabled) */
	reg(0x000, true, 'x', 4);    /* dropped */
	reg(0x030, true, 0x301, 4);
	for (const char *s = "hi there\n"; *s; s++)
		reg(0x000, true, (uint8_t)*s, 1);
	assert_non_null(strstr(fake_out, "[g] hi there"));
	assert_null(strstr(fake_out, "x"));
	/* the divisors and line control read back */
	reg(0x024, true, 13, 4);
	reg(0x02c, true, 0x70, 4);
	assert_int_equal(reg(0x024, false, 0, 4), 13);
	assert_int_equal(reg(0x02c, false, 0, 4), 0x70);
}

static void interrupt_on_each_rising_edge(void **state)
{
	(void)state;
	reg(0x030, true, 0x301, 4);
	assert_false(irq_pending());
	reg(0x038, true, 0x20, 4); /* TXIM: the FIFO is empty, so it rises */
	assert_true(irq_pending());
	assert_int_equal(reg(0x040, false, 0, 4), 0x20);
	clear_pending();
	reg(0x000, true, 'a', 4); /* still high: no new edge */
	assert_false(irq_pending());
	reg(0x044, true, 0x20, 4); /* cleared ... */
	assert_int_equal(reg(0x040, false, 0, 4), 0);
	reg(0x000, true, 'b', 4); /* ... and set by the next character */
	assert_true(irq_pending());
	/* a level: still high when the guest ends it, raised again */
	clear_pending();
	vuart_eoi(vuart_of(&part));
	assert_true(irq_pending());
	clear_pending();
	reg(0x038, true, 0, 4);
	vuart_eoi(vuart_of(&part));
	assert_false(irq_pending());
}

static void receives_into_its_fifo(void **state)
{
	struct vuart *u = vuart_of(&part);
	char many[40];

	(void)state;
	reg(0x030, true, 0x301, 4);
	reg(0x038, true, 0x50, 4); /* RXIM, RTIM */
	assert_int_equal(vuart_receive(u, "ok", 2), 2);
	assert_true(irq_pending());
	assert_int_equal(reg(0x018, false, 0, 4) & 0x10, 0); /* RXFE clear */
	assert_int_equal(reg(0x000, false, 0, 4), 'o');
	assert_int_equal(reg(0x000, false, 0, 4), 'k');
	assert_int_equal(reg(0x018, false, 0, 4) & 0x10, 0x10);
	assert_int_equal(reg(0x040, false, 0, 4), 0);
	memset(many, 'z', sizeof(many));
	assert_int_equal(vuart_receive(u, many, sizeof(many)), VUART_RX_FIFO);
	/* loopback: what it sends comes back, nothing reaches the console */
	vuart_reset(u);
	reg(0x030, true, 0x381, 4);
	reg(0x000, true, 'L', 4);
	assert_int_equal(reg(0x000, false, 0, 4), 'L');
	assert_null(strstr(fake_out, "L"));
	/* a restart empties it */
	vuart_reset(u);
	assert_int_equal(reg(0x018, false, 0, 4), 0x90);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(identity_and_reset_state, setup),
		cmocka_unit_test_setup(transmits_to_its_console_line, setup),
		cmocka_unit_test_setup(interrupt_on_each_rising_edge, setup),
		cmocka_unit_test_setup(receives_into_its_fifo, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
