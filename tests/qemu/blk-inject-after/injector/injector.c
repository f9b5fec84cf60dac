/*
 * Asks the hypervisor to inject a fault into the block driver domain after
 * it has been given a number of requests (tests/qemu/blk-inject-after),
 * through BH_HC_INJECT, which only the plan's "fault-injector" may call.
 * Arguments: "target=ID" (the driver domain's partition id), "after=N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/abi/blk.h>
#include "bulkhead.h"

static unsigned long arg_value(const char *key)
{
	const char *a = strstr(bh_args(), key);

	return a ? strtoul(a + strlen(key), NULL, 10) : 0;
}

void init(void)
{
	unsigned long target = arg_value("target="), after = arg_value("after=");
	struct bh_result r;

	r = bh_hvc(BH_HC_INJECT, bh_partition_id(), BH_FAULT_HANG, 0);
	printf("injector: into itself: %ld\n", (long)r.status);
	r = bh_hvc(BH_HC_INJECT, target, BH_FAULT_FOREIGN_ANSWER, after);
	printf("injector: a foreign answer into partition %lu after %lu requests: %ld\n", target,
	       after, (long)r.status);
}
