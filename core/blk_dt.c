/*
 * What a partition's device tree says of disks (core/guest_dt.c calls
 * these): a guest's virtio,mmio device, as Linux's virtio-mmio driver
 * expects it; a block driver domain's link, and the reserved memory that
 * keeps its C library's heap out of the link's area.
 */
#include <libfdt.h>
#include <bulkhead/blk.h>
#include <bulkhead/format.h>
#include <bulkhead/partition.h>

#define TRY(x)                                                                                     \
	do {                                                                                       \
		if ((x) < 0)                                                                       \
			return -1;                                                                 \
	} while (0)

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t v[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", v, sizeof(v));
}

int blk_dt_root_nodes(struct partition *p, void *fdt)
{
	const struct blk_link *l = blk_link_of(p);
	char name[48];

	if (blk_disk_of(p)) {
		/* SPI 16, edge-triggered: each used-buffer notification is one. */
		fdt32_t irq[3] = { cpu_to_fdt32(0), cpu_to_fdt32(PLAN_DISK_INTID - 32),
				   cpu_to_fdt32(1) };

		fmt_snprintf(name, sizeof(name), "virtio_mmio@%lx", PLAN_DISK_IPA);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		TRY(prop_reg(fdt, PLAN_DISK_IPA, VIRTIO_MMIO_SIZE));
		TRY(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
		TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
		TRY(fdt_end_node(fdt));
	}
	if (l) {
		/* Its C library's heap must stay out of the link's area. */
		TRY(fdt_begin_node(fdt, "reserved-memory"));
		TRY(fdt_property_u32(fdt, "#address-cells", 2));
		TRY(fdt_property_u32(fdt, "#size-cells", 2));
		TRY(fdt_property(fdt, "ranges", NULL, 0));
		fmt_snprintf(name, sizeof(name), "blk-link@%lx", ipa_bits(l->area_ipa));
		TRY(fdt_begin_node(fdt, name));
		TRY(prop_reg(fdt, ipa_bits(l->area_ipa), BH_BLK_AREA_SIZE));
		TRY(fdt_property(fdt, "no-map", NULL, 0));
		TRY(fdt_end_node(fdt));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

int blk_dt_hypervisor_nodes(struct partition *p, void *fdt)
{
	const struct blk_link *l = blk_link_of(p);
	fdt32_t irq[3] = { cpu_to_fdt32(1), cpu_to_fdt32(BH_BLK_INTID - 16), cpu_to_fdt32(4) };

	if (!l)
		return 0;
	TRY(fdt_begin_node(fdt, "blk-backend"));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,blk-backend"));
	TRY(prop_reg(fdt, ipa_bits(l->area_ipa), BH_BLK_AREA_SIZE));
	TRY(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
	TRY(fdt_end_node(fdt));
	return 0;
}
