/*
 * The device tree each partition boots with, written by the hypervisor
 * with libfdt (at boot and at each restart, with the vCPU's FP state not
 * live): its memory, its CPUs, PSCI through HVC, and a /hypervisor node
 * with the ABI version and the partition's id and name (docs/abi.md).
 */
#include <libfdt.h>
#include <bulkhead/format.h>
#include <bulkhead/hypercall.h>
#include <bulkhead/partition.h>

#define TRY(x)                                                                                     \
	do {                                                                                       \
		if ((x) < 0)                                                                       \
			return -1;                                                                 \
	} while (0)

static int prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
	fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };

	return fdt_property(fdt, name, v, sizeof(v));
}

int guest_dt_build(struct partition *p, void *fdt, uint64_t size)
{
	const struct plan_partition *pp = p->plan;
	char name[32];

	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,partition"));
	TRY(fdt_property_string(fdt, "model", "Bulkhead partition"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));

	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_end_node(fdt));

	fmt_snprintf(name, sizeof(name), "memory@%lx", pp->mem_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_u64_pair(fdt, "reg", pp->mem_base, pp->mem_size));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < pp->nr_cpus; i++) {
		fmt_snprintf(name, sizeof(name), "cpu@%u", i);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2", 26));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "hypervisor"));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,hypervisor"));
	TRY(fdt_property_u32(fdt, "bulkhead,abi-version", BH_ABI_VERSION));
	TRY(fdt_property_u32(fdt, "bulkhead,partition-id", p->id));
	TRY(fdt_property_string(fdt, "bulkhead,partition-name", pp->name));
	TRY(fdt_property_u32(fdt, "bulkhead,restart-count", p->restarts));
	TRY(fdt_end_node(fdt));

	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
	return 0;
}
