/*
 * Address ranges given as base and size.
 */
#ifndef BULKHEAD_RANGE_H
#define BULKHEAD_RANGE_H

#include <stdbool.h>
#include <stdint.h>

/* Do [a, a + asize) and [b, b + bsize) share a byte? Empty ranges never do. */
static inline bool ranges_overlap(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return asize && bsize && a < b + bsize && b < a + asize;
}

#endif
