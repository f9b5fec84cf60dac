/*
 * rtc: a small driver domain for the PL031 real-time clock, passed through
 * by the plan. It finds the device in its own device tree, reads the time,
 * and sets the alarm one second ahead; the alarm's level interrupt reaches
 * it through the virtual GIC, and it acknowledges the device in the
 * handler. With "rtc-lazy" as its name it leaves the interrupt asserted
 * for a while, to show that an unacknowledged level interrupt does not
 * storm.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include "bulkhead.h"

#define RTCDR 0x00
#define RTCMR 0x04
#define RTCIMSC 0x10
#define RTCICR 0x1c

static uint64_t base;
static volatile unsigned int alarms, handler_runs;
static int lazy;

static volatile uint32_t *reg(unsigned int off)
{
	return (volatile uint32_t *)(base + off);
}

static void on_alarm(unsigned int intid)
{
	(void)intid;
	handler_runs++;
	if (lazy && handler_runs < 50)
		return; /* leave the device asserting: the guest's problem only */
	*reg(RTCICR) = 1;
	alarms++;
	*reg(RTCMR) = *reg(RTCDR) + 1;
}

int main(void)
{
	const void *fdt = bh_device_tree();
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl031"), len;
	const fdt32_t *p = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
	const fdt32_t *irq = node >= 0 ? fdt_getprop(fdt, node, "interrupts", &len) : NULL;
	unsigned int intid, reported = 0;

	lazy = !strcmp(bh_partition_name(), "rtc-lazy");
	if (!p || !irq) {
		printf("rtc: no PL031 passed through to this partition\n");
		return 1;
	}
	base = ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
	intid = fdt32_to_cpu(irq[1]) + 32;
	printf("rtc: PL031 at 0x%lx, interrupt %u, time %u\n", (unsigned long)base, intid,
	       (unsigned int)*reg(RTCDR));
	if (bh_irq_init() || bh_irq_enable(intid, on_alarm)) {
		printf("rtc: no virtual interrupt controller\n");
		return 1;
	}
	*reg(RTCMR) = *reg(RTCDR) + 1;
	*reg(RTCIMSC) = 1;
	bh_irq_unmask();
	for (;;) {
		__asm__ volatile("wfi");
		if (alarms > reported) {
			reported = alarms;
			printf("rtc: alarm %u (handler ran %u times)\n", reported, handler_runs);
		}
	}
}
