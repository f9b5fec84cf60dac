/*
 * rtc: a small driver domain for the PL031 real-time clock, passed through
 * by the plan, written the way driver domains are: init() finds the device
 * in its own device tree (bh_device_find) and sets the alarm one second
 * ahead; the alarm's level interrupt comes to irq(), which acknowledges the
 * device and sets the next alarm. With the word "lazy" in its arguments
 * (bh_arg) it leaves the interrupt asserted for a while, to show that an
 * unacknowledged level interrupt does not storm.
 */
#include <stdio.h>
#include "bulkhead.h"

#define RTCDR 0x00
#define RTCMR 0x04
#define RTCIMSC 0x10
#define RTCICR 0x1c

static struct bh_device rtc;
static unsigned int alarms, handler_runs;
static bool lazy;

static volatile uint32_t *reg(unsigned int off)
{
	return (volatile uint32_t *)(rtc.base + off);
}

void init(void)
{
	lazy = bh_arg("lazy");
	if (bh_device_find("arm,pl031", &rtc) || !rtc.intid) {
		printf("rtc: no PL031 passed through to this partition\n");
		bh_stop();
	}
	printf("rtc: PL031 at 0x%lx, interrupt %u, time %u\n", (unsigned long)rtc.base,
	       rtc.intid, (unsigned int)*reg(RTCDR));
	if (bh_irq_claim(rtc.intid)) {
		printf("rtc: no virtual interrupt controller\n");
		bh_stop();
	}
	*reg(RTCMR) = *reg(RTCDR) + 1;
	*reg(RTCIMSC) = 1;
}

void irq(unsigned int intid)
{
	(void)intid;
	handler_runs++;
	if (lazy && handler_runs < 50)
		return; /* leave the device asserting: the guest's problem only */
	*reg(RTCICR) = 1;
	*reg(RTCMR) = *reg(RTCDR) + 1;
	printf("rtc: alarm %u (handler ran %u times)\n", ++alarms, handler_runs);
}
