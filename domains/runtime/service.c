/*
 * What the runtime does for the hypervisor's services, below the loop:
 * heartbeats for a partition with a watchdog (its device tree's
 * /hypervisor "bulkhead,watchdog-ms"), and faults injected into it in
 * debug builds ("bulkhead,fault-injection"). An injected fault is
 * committed for real, so that what catches it is what would catch a real
 * one: an access to memory the partition does not have, an undefined
 * instruction, a spin with interrupts masked; the kinds that concern a
 * block link go to the domain's bh_inject_link().
 */
#include <libfdt.h>
#include <stdio.h>
#include <bulkhead/abi/blk.h>
#include "bulkhead.h"
#include "runtime.h"

/* Guest-physical address no partition has: below 512 GiB, above the
 * hypervisor window, mapped by no plan. */
#define NOWHERE 0x7000000000UL

static uint64_t beat_ticks, last_beat;
static volatile bool inject_waiting;

__attribute__((weak)) bool bh_inject_link(unsigned int kind)
{
	(void)kind;
	return false;
}

static void on_inject(unsigned int intid)
{
	(void)intid;
	inject_waiting = true;
}

void runtime_services_init(void)
{
	const void *dt = bh_device_tree();
	int node = fdt_path_offset(dt, "/hypervisor"), len;
	const fdt32_t *ms = node >= 0 ? fdt_getprop(dt, node, "bulkhead,watchdog-ms", &len) : NULL;
	uint64_t freq;

	if (ms && len == 4) {
		__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
		/* Four beats a period: a late one is not yet a hang. */
		beat_ticks = freq / 1000 * fdt32_to_cpu(*ms) / 4;
		bh_hvc(BH_HC_HEARTBEAT, 0, 0, 0);
	}
	if (node >= 0 && fdt_getprop(dt, node, "bulkhead,fault-injection", NULL))
		bh_irq_enable(BH_INJECT_INTID, on_inject);
}

static uint64_t counter(void)
{
	uint64_t c;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(c));
	return c;
}

void bh_heartbeat(void)
{
	uint64_t now;

	if (!beat_ticks)
		return;
	now = counter();
	if (now - last_beat >= beat_ticks) {
		last_beat = now;
		bh_hvc(BH_HC_HEARTBEAT, 0, 0, 0);
	}
}

static void commit(unsigned int kind)
{
	switch (kind) {
	case BH_FAULT_DATA_ABORT:
		*(volatile uint64_t *)NOWHERE = 0xbad;
		break;
	case BH_FAULT_UNDEFINED:
		__asm__ volatile("udf #0");
		break;
	case BH_FAULT_HANG:
		__asm__ volatile("msr daifset, #0xf");
		for (;;)
			__asm__ volatile("" ::: "memory");
	default:
		if (!bh_inject_link(kind))
			printf("%s: injected fault %u does not apply here; ignored\n",
			       bh_partition_name(), kind);
	}
}

bool runtime_inject_pending(void)
{
	return inject_waiting;
}

void runtime_inject_take(void)
{
	struct bh_result r;

	inject_waiting = false;
	while ((r = bh_hvc(BH_HC_INJECT_TAKE, 0, 0, 0)).status == BH_OK)
		commit((unsigned int)r.r1);
}
