/*
 * What the build packed into the hypervisor image (tools/mkplan.py's
 * payload.S): the plan blob and the partitions' pristine images.
 */
#ifndef BULKHEAD_PAYLOAD_H
#define BULKHEAD_PAYLOAD_H

#include <stdint.h>

struct payload_image {
	const char *name;
	const uint8_t *start;
	uint64_t size;
};

extern const uint8_t payload_plan[], payload_plan_end[];
extern const struct payload_image payload_images[];
extern const uint64_t payload_nr_images;

/* The packed image called name, or NULL. */
const struct payload_image *payload_find_image(const char *name);

#endif
