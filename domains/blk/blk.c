/*
 * The block driver domain (docs/driver-domains.md): it owns one disk,
 * passed through to it by the plan (a virtio-blk disk, or an SD card
 * behind an SD Host Controller: backend.h), and serves the requests the
 * hypervisor puts in its link's area (bulkhead/abi/blk.h) for the guests'
 * disks. It sees the data of those requests in the area's slots and
 * nothing else of any guest. All its state is rebuilt by init() from its
 * device tree and the area, which the hypervisor resets when it attaches:
 * when it crashes or hangs, it is restarted from its pristine image and
 * given again whatever it held.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <bulkhead/abi/blk.h>
#include "bulkhead.h"
#include "backend.h"

static struct backend disk;
static struct bh_blk_area *area;
static uint32_t req_cons;
/* Requests on the disk now, by slot: their id and length (the answer's). */
static struct {
	bool busy;
	uint32_t id, len, op;
} on_disk[BH_BLK_SLOTS];
/* An injected fault waiting for a request to answer wrongly. */
static unsigned int pending_fault;

static void *slot_data(uint32_t slot)
{
	return (uint8_t *)area + BH_BLK_DATA + (uint64_t)slot * BH_BLK_SLOT_SIZE;
}

static void answer(uint32_t id, uint32_t status, uint32_t len)
{
	uint32_t prod = area->rsp_prod;
	struct bh_blk_rsp *r = &area->rsp[prod % BH_BLK_RING];

	r->id = id;
	r->status = status;
	r->len = len;
	__atomic_store_n(&area->rsp_prod, prod + 1, __ATOMIC_RELEASE);
}

/* Injected: answer this request with more bytes than it has. */
static bool answer_overlong(uint32_t id, uint32_t len)
{
	if (pending_fault != BH_FAULT_OVERLONG)
		return false;
	pending_fault = 0;
	printf("blk: injected: answering request 0x%x with %u bytes more than it has\n",
	       (unsigned int)id, BH_BLK_SECTOR);
	answer(id, BH_BLK_S_OK, len + BH_BLK_SECTOR);
	bh_hvc(BH_HC_BLK_KICK, 0, 0, 0);
	return true;
}

/* The requests the hypervisor published, onto the disk while it has room.
 * What the hypervisor wrote is checked too: a slot beyond the area would
 * send the disk's DMA elsewhere in this domain. */
static bool take_requests(void)
{
	uint32_t prod = __atomic_load_n(&area->req_prod, __ATOMIC_ACQUIRE);
	bool answered = false;

	while (req_cons != prod) {
		struct bh_blk_req e = area->req[req_cons % BH_BLK_RING];
		int rc;

		if (e.slot >= BH_BLK_SLOTS || e.len > BH_BLK_SLOT_SIZE || on_disk[e.slot].busy ||
		    (e.op != BH_BLK_OP_READ && e.op != BH_BLK_OP_WRITE && e.op != BH_BLK_OP_FLUSH)) {
			answer(e.id, BH_BLK_S_IOERR, 0);
			answered = true;
		} else if (answer_overlong(e.id, e.len)) {
			/* the hypervisor ends this run; nothing more to do */
		} else {
			rc = disk.submit(e.op, e.sector,
					 e.op == BH_BLK_OP_FLUSH ? NULL : slot_data(e.slot),
					 e.op == BH_BLK_OP_FLUSH ? 0 : e.len, e.slot);
			if (rc == BACKEND_FULL)
				break; /* again when the disk completes something */
			if (rc) {
				answer(e.id, BH_BLK_S_IOERR, 0);
				answered = true;
			} else {
				on_disk[e.slot].busy = true;
				on_disk[e.slot].id = e.id;
				on_disk[e.slot].len = e.len;
				on_disk[e.slot].op = e.op;
			}
		}
		req_cons++;
		area->req_cons = req_cons;
	}
	return answered;
}

/* The disk's completions, answered to the hypervisor. */
static bool take_completions(void)
{
	uint32_t slot, status;
	bool answered = false;
	int rc;

	while ((rc = disk.next_done(&slot, &status)) == 1) {
		uint32_t len = on_disk[slot].op == BH_BLK_OP_READ && status == BH_BLK_S_OK
				       ? on_disk[slot].len
				       : 0;

		on_disk[slot].busy = false;
		answer(on_disk[slot].id, status, len);
		answered = true;
	}
	if (rc < 0) {
		/* A disk that breaks the protocol cannot be trusted with the
		 * requests: a fault, so that the hypervisor restarts us and
		 * resets it. */
		printf("blk: the disk broke the protocol: %s\n", disk.why());
		bh_hvc(BH_HC_FAULT, 0, 0, 0);
	}
	return answered;
}

static void serve(void)
{
	bool answered = false, more;

	/* A back-end may end a request as it takes it (an SD card's flush):
	 * round again while one does. */
	do {
		more = take_completions();
		more |= take_requests();
		answered |= more;
	} while (more);
	if (answered)
		bh_hvc(BH_HC_BLK_KICK, 0, 0, 0);
}

void irq(unsigned int intid)
{
	if (intid != BH_BLK_INTID)
		disk.irq(intid);
	serve();
}

/* The area, from /hypervisor/blk-backend. */
static int find_area(void)
{
	const void *dt = bh_device_tree();
	int node = fdt_path_offset(dt, "/hypervisor/blk-backend"), len;
	const fdt64_t *reg = node >= 0 ? fdt_getprop(dt, node, "reg", &len) : NULL;

	if (!reg || len != 16 || fdt64_to_cpu(reg[1]) < BH_BLK_AREA_SIZE)
		return -1;
	area = (struct bh_blk_area *)(uintptr_t)fdt64_to_cpu(reg[0]);
	return 0;
}

void init(void)
{
	const char *why = "";
	struct bh_result r;
	int found;

	if (find_area()) {
		printf("blk: no /hypervisor/blk-backend in the device tree: no guest's disk is "
		       "served here; stopping\n");
		bh_stop();
	}
	found = backend_virtio_probe(&disk, &why);
	if (!found)
		found = backend_sd_probe(&disk, &why);
	if (found <= 0) {
		printf("blk: no usable disk: %s; stopping\n",
		       found ? why
			     : "no virtio,mmio device or SD host controller in the device tree");
		bh_stop();
	}
	if (bh_irq_claim(disk.intid) || bh_irq_claim(BH_BLK_INTID)) {
		printf("blk: cannot take the disk's interrupt %u; stopping\n", disk.intid);
		bh_stop();
	}
	r = bh_hvc(BH_HC_BLK_ATTACH, disk.sectors, disk.read_only, 0);
	if (r.status != BH_OK) {
		printf("blk: the hypervisor refused the link (%ld); stopping\n", (long)r.status);
		bh_stop();
	}
	printf("blk: serving a %lu MiB %s (run %u, %lu requests were waiting)\n",
	       (unsigned long)(disk.sectors >> 11), disk.name, bh_restart_count(),
	       (unsigned long)r.r1);
	serve();
}

/* Injected faults on the link (the runtime commits the others). */
bool bh_inject_link(unsigned int kind)
{
	switch (kind) {
	case BH_FAULT_CORRUPT_RING:
		printf("blk: injected: corrupting the answer index\n");
		__atomic_store_n(&area->rsp_prod, area->rsp_prod + 1000, __ATOMIC_RELEASE);
		bh_hvc(BH_HC_BLK_KICK, 0, 0, 0);
		return true;
	case BH_FAULT_FOREIGN_ANSWER:
		printf("blk: injected: answering a request never given\n");
		answer(0xdead0000u | (BH_BLK_SLOTS + 1), BH_BLK_S_OK, 0);
		bh_hvc(BH_HC_BLK_KICK, 0, 0, 0);
		return true;
	case BH_FAULT_OVERLONG:
		/* On a request on the disk now, or the next one to come. */
		for (unsigned int i = 0; i < BH_BLK_SLOTS; i++)
			if (on_disk[i].busy) {
				pending_fault = kind;
				on_disk[i].busy = false;
				return answer_overlong(on_disk[i].id, on_disk[i].len);
			}
		pending_fault = kind;
		return true;
	}
	return false;
}
