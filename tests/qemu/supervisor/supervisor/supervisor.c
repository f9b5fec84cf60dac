/*
 * supervisor: a domain the plan makes another partition's supervisor. It
 * does nothing but listen: each time the partition it supervises ends,
 * the runtime calls fault() with what happened, and it says so.
 */
#include <libfdt.h>
#include <stdio.h>
#include "bulkhead.h"

static const char *const whats[] = { "?", "fault", "stopped itself", "reset" };

/* The supervised partition's name, from /hypervisor/ended/<name>. */
static const char *name_of(unsigned int id)
{
	const void *fdt = bh_device_tree();
	int ended = fdt_path_offset(fdt, "/hypervisor/ended"), node;

	fdt_for_each_subnode(node, fdt, ended)
	{
		const fdt32_t *v = fdt_getprop(fdt, node, "partition-id", NULL);

		if (v && fdt32_to_cpu(*v) == id)
			return fdt_get_name(fdt, node, NULL);
	}
	return "?";
}

void init(void)
{
	printf("supervisor: watching\n");
}

void fault(unsigned int child, const struct bh_ended *e)
{
	printf("supervisor: partition %u (\"%s\") ended: %s at PC 0x%lx, %u restart(s) so far, "
	       "%s\n",
	       child, name_of(child), e->what < 4 ? whats[e->what] : "?", (unsigned long)e->pc,
	       e->restarts, e->stopped ? "stays stopped" : "restarting");
}
