/*
 * Unit tests, on the fake arch, for guests' disks: the virtio-mmio
 * transport's state machine, the checks of every descriptor a guest posts
 * (core/virtq.c, core/vblk.c), slice arithmetic at the edges, the checks
 * of every answer a block driver domain gives (core/blk_link.c), and the
 * record of requests in flight across the driver domain's restart and
 * after it gives up.
 *
 * Three partitions are built by hand: guests "g0" (CPU 1, slice from
 * sector 1000, 2048 sectors) and "g1" (CPU 2, read-only slice after it),
 * and the driver domain "drv" (CPU 3) that serves both.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arch/stage2.h>
#include <bulkhead/abi/hypercall.h>
#include <bulkhead/blk.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
#include <bulkhead/watchdog.h>
#include "fake_core.h"
#include "fakearch.h"

#define RAM_SIZE (8UL << 20)
#define RAM_BASE 0x40000000UL
#define NR 3
#define G0_START 1000
#define G_SECTORS 2048

static uint8_t ram[NR][RAM_SIZE] __attribute__((aligned(4096)));
static struct plan_partition plans[NR];
static struct partition parts[NR];
static pt_table_t s2[NR][2];
static union {
	struct bh_event_page page;
	uint8_t bytes[4096];
} pages[NR] __attribute__((aligned(4096)));
static const uint8_t image[] = "pristine image";
static struct partition *const g0 = &parts[0], *const g1 = &parts[1], *const drv = &parts[2];

int guest_dt_build(struct partition *p, void *buf, uint64_t size)
{
	memcpy(buf, "dtb", 4);
	return 0;
}

/* --- Set-up ------------------------------------------------------------------------------- */

static void build(unsigned int id, const char *name, unsigned int cpu, enum plan_role role)
{
	struct plan_partition *pp = &plans[id];

	memset(pp, 0, sizeof(*pp));
	pp->id = id;
	snprintf(pp->name, sizeof(pp->name), "%s", name);
	pp->role = role;
	pp->nr_cpus = 1;
	pp->cpus[0] = cpu;
	pp->mem_base = ipa_from(RAM_BASE);
	pp->mem_size = RAM_SIZE;
	pp->policy = PLAN_POLICY_RESTART_ON_FAULT;
	pp->restart_limit = 3;
	pp->priority = 100;
	pp->disk_backend = -1;
	fake_partition_build(&parts[id], pp, ram[id], s2[id], &pages[id].page, image,
			     sizeof(image));
}

static struct vcpu *idle_once(unsigned int cpu)
{
	enum fake_exit how;

	fake_cpu = cpu;
	fake_entered = NULL;
	fake_irqs_masked = true;
	how = FAKE_RUN(sched_run());
	fake_irqs_masked = false;
	if (how != FAKE_ENTERED)
		return NULL;
	return (struct vcpu *)((char *)fake_entered - offsetof(struct vcpu, arch));
}

static void in_trap(struct vcpu *v)
{
	fake_cpu = v->cpu;
	fake_irqs_masked = true;
}

static int64_t call(struct partition *p, uint32_t fn, uint64_t a1, uint64_t a2)
{
	uint64_t regs[4] = { fn, a1, a2, 0 };

	in_trap(&p->vcpus[0]);
	hypercall_dispatch(&p->vcpus[0], regs);
	return (int64_t)regs[0];
}

/* The driver domain's call that may end it: how it ended. */
static enum fake_exit kick(void)
{
	uint64_t regs[4] = { BH_HC_BLK_KICK, 0, 0, 0 };

	in_trap(&drv->vcpus[0]);
	return FAKE_RUN(hypercall_dispatch(&drv->vcpus[0], regs));
}

/* The partitions built and the disks linked; started: the first `started`
 * of them (in id order), the others left to the test. */
static void setup_started(unsigned int started)
{
	char err[160];

	fake_core_reset();
	memset(ram, 0, sizeof(ram));
	build(0, "g0", 1, PLAN_ROLE_GUEST);
	build(1, "g1", 2, PLAN_ROLE_GUEST);
	build(2, "drv", 3, PLAN_ROLE_DRIVER);
	plans[0].disk_backend = 2;
	plans[0].disk_start = G0_START;
	plans[0].disk_sectors = G_SECTORS;
	plans[1].disk_backend = 2;
	plans[1].disk_start = G0_START + G_SECTORS;
	plans[1].disk_sectors = G_SECTORS;
	plans[1].disk_read_only = true;
	fake_parts = parts;
	fake_nr_parts = NR;
	assert_int_equal(blk_build(parts, NR, err, sizeof(err)), 0);
	for (unsigned int i = 0; i < started; i++)
		assert_ptr_equal(idle_once(plans[i].cpus[0]), &parts[i].vcpus[0]);
}

static int setup(void **state)
{
	(void)state;
	setup_started(NR);
	return 0;
}

/* --- The guest's side ----------------------------------------------------------------------- */

#define DESC_OFF 0x1000
#define AVAIL_OFF 0x2000
#define USED_OFF 0x3000
#define HDR_OFF 0x10000
#define STATUS_OFF 0x18000
#define DATA_OFF 0x100000
#define QSIZE 16

static void *gptr(struct partition *g, uint64_t off)
{
	return ram[g->id] + off;
}

/* An access to the guest's disk registers: the value read, or ~0 if the
 * access was refused (a fault of the guest). */
static uint64_t reg_access(struct partition *g, uint32_t off, bool write, uint64_t value,
			   unsigned int size)
{
	struct mmio_access a = { PLAN_DISK_IPA + off, value, size, 1, write, false, false };

	in_trap(&g->vcpus[0]);
	if (!mmio_emulate(&g->mmio, &g->vcpus[0], &a))
		return ~0UL;
	return a.value;
}

static uint32_t rd(struct partition *g, uint32_t off)
{
	return (uint32_t)reg_access(g, off, false, 0, 4);
}

static void wr(struct partition *g, uint32_t off, uint32_t v)
{
	reg_access(g, off, true, v, 4);
}

/* The driver's side of set-up (virtio 1.2, 3.1.1), as Linux does it. */
static void device_up(struct partition *g)
{
	wr(g, 0x70, 0);
	wr(g, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	wr(g, 0x24, 1);
	wr(g, 0x20, 1); /* VERSION_1 */
	wr(g, 0x24, 0);
	wr(g, 0x20, 0);
	wr(g, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	assert_true(rd(g, 0x70) & VIRTIO_S_FEATURES_OK);
	wr(g, 0x30, 0);
	wr(g, 0x38, QSIZE);
	wr(g, 0x80, RAM_BASE + DESC_OFF);
	wr(g, 0x84, 0);
	wr(g, 0x90, RAM_BASE + AVAIL_OFF);
	wr(g, 0xa0, RAM_BASE + USED_OFF);
	wr(g, 0x44, 1);
	assert_int_equal(rd(g, 0x44), 1);
	wr(g, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK |
			    VIRTIO_S_DRIVER_OK);
}

static void set_desc(struct partition *g, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct virtq_desc *d = (struct virtq_desc *)gptr(g, DESC_OFF) + i;

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static void make_available(struct partition *g, uint16_t head)
{
	uint16_t *avail = gptr(g, AVAIL_OFF);

	avail[2 + avail[1] % QSIZE] = head;
	avail[1]++;
}

/* A request in descriptors 3n..3n+2: header, data (len bytes), status. */
static uint16_t request(struct partition *g, unsigned int n, uint32_t type, uint64_t sector,
			uint32_t len)
{
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} *h = gptr(g, HDR_OFF + 16 * n);
	uint16_t i = (uint16_t)(3 * n);

	h->type = type;
	h->reserved = 0;
	h->sector = sector;
	*(uint8_t *)gptr(g, STATUS_OFF + n) = 0xff;
	set_desc(g, i, RAM_BASE + HDR_OFF + 16 * n, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	set_desc(g, i + 1, RAM_BASE + DATA_OFF + 0x10000UL * n, len,
		 VIRTQ_DESC_F_NEXT | (type == 0 || type == 8 ? VIRTQ_DESC_F_WRITE : 0), (uint16_t)(i + 2));
	set_desc(g, i + 2, RAM_BASE + STATUS_OFF + n, 1, VIRTQ_DESC_F_WRITE, 0);
	make_available(g, i);
	return i;
}

static void notify(struct partition *g)
{
	wr(g, 0x50, 0);
}

static uint16_t used_idx(struct partition *g)
{
	return ((uint16_t *)gptr(g, USED_OFF))[1];
}

static uint32_t used_id(struct partition *g, unsigned int k)
{
	return ((uint32_t *)gptr(g, USED_OFF + 4))[2 * k];
}

static uint32_t used_len(struct partition *g, unsigned int k)
{
	return ((uint32_t *)gptr(g, USED_OFF + 4))[2 * k + 1];
}

static uint8_t status_byte(struct partition *g, unsigned int n)
{
	return *(uint8_t *)gptr(g, STATUS_OFF + n);
}

static bool irq_pending(struct partition *g)
{
	return (g->vgic.cpu[0].pending[PLAN_DISK_INTID / 64] >> (PLAN_DISK_INTID % 64)) & 1;
}

/* --- The driver domain's side --------------------------------------------------------------- */

static struct bh_blk_area *area(void)
{
	return pa_ptr(blk_link_of(drv)->area);
}

static void answer(uint32_t id, uint32_t status, uint32_t len)
{
	struct bh_blk_area *a = area();
	struct bh_blk_rsp *r = &a->rsp[a->rsp_prod % BH_BLK_RING];

	r->id = id;
	r->status = status;
	r->len = len;
	a->rsp_prod++;
}

static void attach(void)
{
	assert_int_equal(call(drv, BH_HC_BLK_ATTACH, 1 << 20, 0), BH_OK);
}

/* --- Transport -------------------------------------------------------------------------------- */

static void transport_identity_and_config(void **state)
{
	(void)state;
	assert_int_equal(rd(g0, 0x000), 0x74726976);
	assert_int_equal(rd(g0, 0x004), 2);
	assert_int_equal(rd(g0, 0x008), 2); /* block */
	wr(g0, 0x14, 1);
	assert_int_equal(rd(g0, 0x10), 1); /* VERSION_1 (bit 32) */
	wr(g0, 0x14, 0);
	assert_false(rd(g0, 0x10) & (1u << 5)); /* g0 is writable */
	assert_true(rd(g1, 0x10) & (1u << 5));	/* g1 is read-only */
	/* capacity: the slice, seen from 0 */
	assert_int_equal(rd(g0, 0x100), G_SECTORS);
	assert_int_equal(rd(g0, 0x104), 0);
	assert_int_equal(reg_access(g0, 0x114, false, 0, 4), BH_BLK_SECTOR); /* blk_size */
	assert_int_equal(reg_access(g0, 0x100, false, 0, 2), G_SECTORS & 0xffff);
	/* registers are 32-bit, config space at most 4 bytes, aligned */
	assert_int_equal(reg_access(g0, 0x070, false, 0, 2), ~0UL);
	assert_int_equal(reg_access(g0, 0x100, false, 0, 8), ~0UL);
	assert_int_equal(reg_access(g0, 0x101, false, 0, 2), ~0UL);
	/* no shared memory regions */
	assert_int_equal(rd(g0, 0xb0), 0xffffffffu);
}

static void features_need_version_1(void **state)
{
	(void)state;
	wr(g0, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	wr(g0, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	assert_false(rd(g0, 0x70) & VIRTIO_S_FEATURES_OK); /* legacy: refused */
	/* a feature not offered: refused too */
	wr(g0, 0x24, 1);
	wr(g0, 0x20, 1 | 2);
	wr(g0, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	assert_false(rd(g0, 0x70) & VIRTIO_S_FEATURES_OK);
	wr(g0, 0x20, 1);
	wr(g0, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	assert_true(rd(g0, 0x70) & VIRTIO_S_FEATURES_OK);
	/* and then fixed */
	wr(g0, 0x20, 0);
	assert_int_equal(blk_disk_of(g0)->mmio.driver_features, 1ULL << 32);
	/* a reset forgets it all */
	wr(g0, 0x70, 0);
	assert_int_equal(rd(g0, 0x70), 0);
	assert_int_equal(blk_disk_of(g0)->mmio.driver_features, 0);
}

static void queue_checked_when_ready(void **state)
{
	(void)state;
	wr(g0, 0x70, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	wr(g0, 0x38, 12); /* not a power of two */
	wr(g0, 0x80, RAM_BASE + DESC_OFF);
	wr(g0, 0x90, RAM_BASE + AVAIL_OFF);
	wr(g0, 0xa0, RAM_BASE + USED_OFF);
	wr(g0, 0x44, 1);
	assert_int_equal(rd(g0, 0x44), 0);
	assert_true(rd(g0, 0x70) & VIRTIO_S_NEEDS_RESET);
	wr(g0, 0x70, 0);
	wr(g0, 0x38, QSIZE);
	wr(g0, 0x80, 0x1000); /* outside its RAM */
	wr(g0, 0x90, RAM_BASE + AVAIL_OFF);
	wr(g0, 0xa0, RAM_BASE + USED_OFF);
	wr(g0, 0x44, 1);
	assert_int_equal(rd(g0, 0x44), 0);
	assert_true(rd(g0, 0x70) & VIRTIO_S_NEEDS_RESET);
	wr(g0, 0x70, 0);
	device_up(g0);
	/* ready: its registers no longer change */
	wr(g0, 0x38, 4);
	assert_int_equal(blk_disk_of(g0)->mmio.vq[0].num, QSIZE);
}

/* --- Requests ----------------------------------------------------------------------------------- */

static void write_then_read_through_the_link(void **state)
{
	struct bh_blk_area *a;
	uint32_t id;

	(void)state;
	attach();
	device_up(g0);
	memset(gptr(g0, DATA_OFF), 0x5a, 4096);
	request(g0, 0, 1, 8, 4096);
	notify(g0);
	a = area();
	assert_int_equal(a->req_prod, 1);
	assert_int_equal(a->req[0].op, BH_BLK_OP_WRITE);
	assert_int_equal(a->req[0].sector, G0_START + 8); /* inside the slice */
	assert_int_equal(a->req[0].len, 4096);
	assert_memory_equal(blk_slot(blk_link_of(drv), a->req[0].slot), gptr(g0, DATA_OFF), 4096);
	/* the driver domain's doorbell rang */
	assert_true((drv->vgic.cpu[0].pending[0] >> BH_BLK_INTID) & 1);
	assert_int_equal(used_idx(g0), 0);
	answer(a->req[0].id, BH_BLK_S_OK, 0);
	assert_int_equal(kick(), FAKE_RETURNED);
	assert_int_equal(used_idx(g0), 1);
	assert_int_equal(used_id(g0, 0), 0);
	assert_int_equal(status_byte(g0, 0), 0);
	assert_true(irq_pending(g0));
	assert_true(rd(g0, 0x60) & VIRTIO_INT_USED);
	wr(g0, 0x64, VIRTIO_INT_USED);
	assert_int_equal(rd(g0, 0x60), 0);

	/* a read: the slot's bytes land in the guest's buffer */
	request(g0, 1, 0, 8, 4096);
	notify(g0);
	id = a->req[1].id;
	assert_int_equal(a->req[1].op, BH_BLK_OP_READ);
	memset(blk_slot(blk_link_of(drv), a->req[1].slot), 0xc3, 4096);
	answer(id, BH_BLK_S_OK, 4096);
	assert_int_equal(kick(), FAKE_RETURNED);
	assert_int_equal(used_idx(g0), 2);
	assert_int_equal(used_len(g0, 1), 4097);
	assert_int_equal(status_byte(g0, 1), 0);
	assert_int_equal(((uint8_t *)gptr(g0, DATA_OFF + 0x10000))[4095], 0xc3);
	/* a short read is not a read */
	request(g0, 2, 0, 8, 4096);
	notify(g0);
	answer(a->req[2].id, BH_BLK_S_OK, 512);
	assert_int_equal(kick(), FAKE_RETURNED);
	assert_int_equal(status_byte(g0, 2), BH_BLK_S_IOERR);
}

static void slice_edges(void **state)
{
	(void)state;
	attach();
	device_up(g0);
	request(g0, 0, 0, G_SECTORS - 8, 4096); /* the last 8 sectors: fine */
	request(g0, 1, 0, G_SECTORS - 7, 4096); /* one past */
	request(g0, 2, 0, ~0ULL - 3, 4096);	/* wraps */
	request(g0, 3, 0, 0, 4000);		/* not whole sectors */
	notify(g0);
	assert_int_equal(area()->req_prod, 1);
	assert_int_equal(area()->req[0].sector, G0_START + G_SECTORS - 8);
	assert_int_equal(used_idx(g0), 3);
	assert_int_equal(status_byte(g0, 1), BH_BLK_S_IOERR);
	assert_int_equal(status_byte(g0, 2), BH_BLK_S_IOERR);
	assert_int_equal(status_byte(g0, 3), BH_BLK_S_IOERR);
}

static void hostile_descriptors(void **state)
{
	(void)state;
	attach();
	device_up(g0);
	device_up(g1);
	/* a data buffer outside its RAM: given back unused */
	request(g0, 0, 1, 0, 4096);
	set_desc(g0, 1, 0x80000000UL, 4096, VIRTQ_DESC_F_NEXT, 2);
	/* a chain that loops */
	request(g0, 1, 0, 0, 4096);
	set_desc(g0, 5, RAM_BASE + STATUS_OFF + 1, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	/* a length beyond its RAM */
	request(g0, 2, 0, 0, 0x7fff0000);
	/* a type it does not know */
	request(g0, 3, 77, 0, 512);
	/* readable after writable */
	request(g0, 4, 0, 0, 512);
	set_desc(g0, 14, RAM_BASE + STATUS_OFF + 4, 1, 0, 0);
	notify(g0);
	assert_int_equal(area()->req_prod, 0); /* nothing reached the driver domain */
	assert_int_equal(used_idx(g0), 5);
	assert_int_equal(used_len(g0, 0), 0);
	assert_int_equal(used_len(g0, 1), 0);
	assert_int_equal(used_len(g0, 2), 0);
	assert_int_equal(status_byte(g0, 2), 0xff); /* not trusted with a status */
	assert_int_equal(status_byte(g0, 3), BH_BLK_S_UNSUPP);
	assert_int_equal(used_len(g0, 4), 0);
	/* in its RAM, but more than one request may carry */
	request(g0, 4, 0, 0, BH_BLK_SLOT_SIZE + 512);
	notify(g0);
	assert_int_equal(status_byte(g0, 4), BH_BLK_S_IOERR);
	assert_int_equal(area()->req_prod, 0);
	/* a write to a read-only slice */
	request(g1, 0, 1, 0, 512);
	notify(g1);
	assert_int_equal(status_byte(g1, 0), BH_BLK_S_IOERR);
	/* an available index that jumps: the device needs a reset */
	((uint16_t *)gptr(g0, AVAIL_OFF))[1] += 100;
	notify(g0);
	assert_true(rd(g0, 0x70) & VIRTIO_S_NEEDS_RESET);
	/* the other guest is unaffected */
	request(g1, 1, 0, 0, 512);
	notify(g1);
	assert_int_equal(area()->req_prod, 1);
}

static void get_id_answered_by_the_hypervisor(void **state)
{
	(void)state;
	device_up(g0);
	request(g0, 0, 8, 0, 20);
	notify(g0);
	assert_int_equal(status_byte(g0, 0), 0);
	assert_string_equal((char *)gptr(g0, DATA_OFF), "bulkhead:g0");
}

/* --- Answers -------------------------------------------------------------------------------------- */

static void hostile_answers_fault_the_driver(void **state)
{
	static const struct {
		uint32_t id_xor, status, len;
		bool corrupt_index;
	} cases[] = {
		{ 0x100, 0, 0, false }, /* another request's id (old sequence) */
		{ 0, 7, 0, false },	/* a status that does not exist */
		{ 0, 0, 8192, false },	/* more bytes than the request */
		{ 0, 0, 0, true },	/* the index jumps */
	};

	(void)state;
	for (unsigned int c = 0; c < 4; c++) {
		struct bh_blk_area *a;
		uint32_t id;

		setup(NULL);
		attach();
		device_up(g0);
		request(g0, 0, 0, 0, 4096);
		notify(g0);
		a = area();
		id = a->req[0].id;
		answer(id ^ cases[c].id_xor, cases[c].status, cases[c].len);
		if (cases[c].corrupt_index)
			a->rsp_prod += 1000;
		assert_int_equal(kick(), FAKE_PARKED);
		assert_int_equal(drv->state, PART_RESTART_WAIT);
		assert_int_equal(used_idx(g0), 0); /* nothing reached the guest */
		assert_int_equal(blk_link_of(drv)->refused, 1);
		assert_non_null(strstr(fake_out, "drv"));
	}
}

static void requests_survive_a_restart(void **state)
{
	struct bh_blk_area *a;
	uint32_t first_id;

	(void)state;
	attach();
	device_up(g0);
	memset(gptr(g0, DATA_OFF), 0x11, 4096);
	request(g0, 0, 1, 16, 4096);
	notify(g0);
	first_id = area()->req[0].id;
	/* it dies with the request */
	in_trap(&drv->vcpus[0]);
	assert_int_equal(FAKE_RUN(partition_fault(&drv->vcpus[0], "test", 0)), FAKE_PARKED);
	assert_false(blk_link_of(drv)->up);
	/* the guest queues more meanwhile: it waits */
	request(g0, 1, 0, 16, 4096);
	notify(g0);
	/* its next run: the area is wiped; it attaches, and both come again */
	fake_counter += FAKE_MS(1000);
	assert_ptr_equal(idle_once(3), &drv->vcpus[0]);
	a = area();
	assert_int_equal(a->req_prod, 0);
	attach();
	assert_int_equal(a->req_prod, 2);
	assert_int_equal(blk_link_of(drv)->replayed, 2);
	assert_int_equal(a->req[0].id, first_id);
	assert_memory_equal(blk_slot(blk_link_of(drv), a->req[0].slot), gptr(g0, DATA_OFF), 4096);
	/* each completes once */
	answer(a->req[0].id, BH_BLK_S_OK, 0);
	answer(a->req[1].id, BH_BLK_S_OK, 4096);
	assert_int_equal(kick(), FAKE_RETURNED);
	assert_int_equal(used_idx(g0), 2);
	/* an answer to the first again: a request it no longer holds */
	answer(first_id, BH_BLK_S_OK, 0);
	assert_int_equal(kick(), FAKE_PARKED);
	assert_int_equal(used_idx(g0), 2);
}

static void giving_up_fails_requests_at_once(void **state)
{
	(void)state;
	attach();
	device_up(g0);
	request(g0, 0, 0, 0, 4096);
	notify(g0);
	plans[2].policy = PLAN_POLICY_STOP;
	in_trap(&drv->vcpus[0]);
	assert_int_equal(FAKE_RUN(partition_fault(&drv->vcpus[0], "test", 0)), FAKE_PARKED);
	assert_true(blk_link_of(drv)->failed);
	assert_int_equal(used_idx(g0), 1);
	assert_int_equal(status_byte(g0, 0), BH_BLK_S_IOERR);
	assert_non_null(strstr(fake_out, "fail with I/O errors"));
	/* and every later one, without waiting */
	request(g0, 1, 0, 0, 4096);
	notify(g0);
	assert_int_equal(used_idx(g0), 2);
	assert_int_equal(status_byte(g0, 1), BH_BLK_S_IOERR);
}

static void guest_reset_cancels_its_requests(void **state)
{
	struct bh_blk_area *a;

	(void)state;
	attach();
	device_up(g0);
	request(g0, 0, 0, 0, 4096);
	notify(g0);
	a = area();
	wr(g0, 0x70, 0); /* reset while the request is out */
	memset(blk_slot(blk_link_of(drv), a->req[0].slot), 0xee, 4096);
	answer(a->req[0].id, BH_BLK_S_OK, 4096);
	assert_int_equal(kick(), FAKE_RETURNED);
	/* nothing written into the guest, and the slot is free again */
	assert_int_equal(((uint8_t *)gptr(g0, DATA_OFF))[0], 0);
	assert_int_equal(used_idx(g0), 0);
	for (unsigned int i = 0; i < BH_BLK_SLOTS; i++)
		assert_int_equal(blk_link_of(drv)->rec[i].state, REC_FREE);
}

static void slots_run_out_and_come_back(void **state)
{
	(void)state;
	attach();
	device_up(g0);
	/* more requests than slots: the rest stay in the guest's ring */
	for (unsigned int n = 0; n < 5; n++)
		request(g0, n, 0, n, 512);
	blk_link_of(drv)->rec[0].state = REC_POSTED; /* pretend most slots are busy */
	for (unsigned int i = 0; i < BH_BLK_SLOTS - 2; i++)
		blk_link_of(drv)->rec[i].state = REC_WAITING;
	notify(g0);
	assert_int_equal(area()->req_prod, 2);
	for (unsigned int i = 0; i < BH_BLK_SLOTS - 2; i++)
		blk_link_of(drv)->rec[i].state = REC_FREE;
	answer(area()->req[0].id, BH_BLK_S_OK, 512);
	assert_int_equal(kick(), FAKE_RETURNED);
	assert_int_equal(area()->req_prod, 5); /* the answer made room: the rest came */
}

/* The link up and two of g0's requests through it: an injection armed
 * "after 2 requests" (BH_FAULT_OVERLONG) comes with the second. */
static void injected_at_the_second_request(void)
{
	attach();
	device_up(g0);
	request(g0, 0, 0, 0, 512);
	notify(g0);
	assert_int_equal(drv->inject_kind, 0);
	request(g0, 1, 0, 8, 512);
	notify(g0);
	assert_int_equal(drv->inject_kind, BH_FAULT_OVERLONG);
}

static void only_the_injector_injects(void **state)
{
	(void)state;
	assert_int_equal(call(g0, BH_HC_INJECT, 2, BH_FAULT_HANG), BH_E_DENIED);
	plans[0].fault_injector = true;
	assert_int_equal(call(g0, BH_HC_INJECT, 9, BH_FAULT_HANG), BH_E_INVALID);
	assert_int_equal(call(g0, BH_HC_INJECT, 2, 99), BH_E_INVALID);
	assert_int_equal(call(g0, BH_HC_INJECT, 2, BH_FAULT_HANG), BH_OK);
	assert_int_equal(drv->inject_kind, BH_FAULT_HANG);
	assert_true((drv->vgic.cpu[0].pending[0] >> BH_INJECT_INTID) & 1);
	assert_int_equal(call(drv, BH_HC_INJECT_TAKE, 0, 0), BH_OK);
	assert_int_equal(call(drv, BH_HC_INJECT_TAKE, 0, 0), BH_E_NOT_FOUND);
	/* after N requests given to it: on the second one */
	{
		uint64_t regs[4] = { BH_HC_INJECT, 2, BH_FAULT_OVERLONG, 2 };

		in_trap(&g0->vcpus[0]);
		hypercall_dispatch(&g0->vcpus[0], regs);
		assert_int_equal(regs[0], BH_OK);
	}
	injected_at_the_second_request();
}

/* An injector that runs before its target's first start (another CPU):
 * what it armed is for that first run, not dropped by the start. */
static void injection_armed_before_the_first_start(void **state)
{
	uint64_t regs[4] = { BH_HC_INJECT, 2, BH_FAULT_OVERLONG, 2 };

	(void)state;
	setup_started(2); /* g0 and g1; drv not yet */
	plans[0].fault_injector = true;
	in_trap(&g0->vcpus[0]);
	hypercall_dispatch(&g0->vcpus[0], regs);
	assert_int_equal(regs[0], BH_OK);
	assert_ptr_equal(idle_once(plans[2].cpus[0]), &drv->vcpus[0]);
	injected_at_the_second_request();
}

static void watchdog_ends_a_silent_partition(void **state)
{
	(void)state;
	plans[2].watchdog_ms = 50;
	assert_int_equal(call(drv, BH_HC_HEARTBEAT, 0, 0), BH_OK);
	fake_counter += FAKE_MS(40);
	in_trap(&drv->vcpus[0]);
	percpu[3].current = &drv->vcpus[0];
	watchdog_tick(&drv->vcpus[0]);
	assert_false(drv->hung);
	assert_int_equal(FAKE_RUN(vcpu_after_interrupt()), FAKE_RETURNED);
	fake_counter += FAKE_MS(20);
	watchdog_tick(&drv->vcpus[0]);
	assert_true(drv->hung);
	assert_int_equal(FAKE_RUN(vcpu_after_interrupt()), FAKE_PARKED);
	assert_non_null(strstr(fake_out, "hang: no heartbeat for 50 ms"));
	assert_int_equal(drv->state, PART_RESTART_WAIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(injection_armed_before_the_first_start),
		cmocka_unit_test_setup(transport_identity_and_config, setup),
		cmocka_unit_test_setup(features_need_version_1, setup),
		cmocka_unit_test_setup(queue_checked_when_ready, setup),
		cmocka_unit_test_setup(write_then_read_through_the_link, setup),
		cmocka_unit_test_setup(slice_edges, setup),
		cmocka_unit_test_setup(hostile_descriptors, setup),
		cmocka_unit_test_setup(get_id_answered_by_the_hypervisor, setup),
		cmocka_unit_test_setup(hostile_answers_fault_the_driver, setup),
		cmocka_unit_test_setup(requests_survive_a_restart, setup),
		cmocka_unit_test_setup(giving_up_fails_requests_at_once, setup),
		cmocka_unit_test_setup(guest_reset_cancels_its_requests, setup),
		cmocka_unit_test_setup(slots_run_out_and_come_back, setup),
		cmocka_unit_test_setup(only_the_injector_injects, setup),
		cmocka_unit_test_setup(watchdog_ends_a_silent_partition, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
