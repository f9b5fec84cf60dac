/*
 * Rate limits for what a guest can make the hypervisor do over and over
 * (log lines above all): a burst per period, then nothing until the next
 * period, with a count of what was held back so the next line can say so.
 * Pure logic on a caller-held state; the caller serialises calls.
 */
#ifndef BULKHEAD_RATELIMIT_H
#define BULKHEAD_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	uint64_t period_end; /* counter value where the current period ends */
	uint32_t left;	     /* allowed in this period */
	uint32_t suppressed; /* refused since the last report */
};

/*
 * May one more happen at counter value now? A new period (period ticks
 * long) starts with `burst` allowed. When it is allowed and some were
 * refused before, *suppressed gets their number (else 0), for the caller
 * to report once.
 */
bool ratelimit_allow(struct ratelimit *r, uint64_t now, uint64_t period, uint32_t burst,
		     uint32_t *suppressed);

#endif
