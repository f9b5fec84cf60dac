/*
 * A burst per period (see bulkhead/ratelimit.h).
 */
#include <bulkhead/ratelimit.h>

bool ratelimit_allow(struct ratelimit *r, uint64_t now, uint64_t period, uint32_t burst,
		     uint32_t *suppressed)
{
	*suppressed = 0;
	if (now >= r->period_end) {
		r->period_end = now + period;
		r->left = burst;
	}
	if (!r->left) {
		if (r->suppressed != UINT32_MAX)
			r->suppressed++;
		return false;
	}
	r->left--;
	*suppressed = r->suppressed;
	r->suppressed = 0;
	return true;
}
