/*
 * GICv2 (GIC-400, cortex-a15-gic): distributor and memory-mapped CPU
 * interface. Addresses come from the device tree through struct board_gic.
 * The virtualization interface (GICH/GICV) is used by the vGIC, not here.
 */
#include <stdint.h>
#include <bulkhead/board.h>
#include <drivers/irqchip.h>

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ICENABLER 0x180
#define GICD_ISENABLER 0x100
#define GICD_IPRIORITYR 0x400
#define GICD_SGIR 0xf00
#define GICD_ITARGETSR 0x800

#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10

static uint64_t gicd, gicc;

static inline volatile uint32_t *r32(uint64_t base, unsigned int off)
{
	return (volatile uint32_t *)(base + off);
}

static int gicv2_init(const struct board_gic *g)
{
	unsigned int lines;

	gicd = g->dist.base;
	gicc = g->cpuif.base;
	if (!gicd || !gicc)
		return -1;
	*r32(gicd, GICD_CTLR) = 0;
	lines = ((*r32(gicd, GICD_TYPER) & 0x1f) + 1) * 32;
	/* Shared interrupts stay off until a partition's plan routes them. */
	for (unsigned int i = 32; i < lines; i += 32)
		*r32(gicd, GICD_ICENABLER + i / 8) = 0xffffffff;
	/* Bit 0 enables group 0 (no security extensions) or the non-secure
	 * group 1 (firmware left us non-secure): either way, our interrupts. */
	*r32(gicd, GICD_CTLR) = 1;
	return 0;
}

static int gicv2_init_cpu(unsigned int cpu, uint64_t mpidr)
{
	(void)cpu;
	(void)mpidr;
	*r32(gicd, GICD_ICENABLER) = 0xffffffff; /* banked: this CPU's SGIs/PPIs */
	*r32(gicc, GICC_PMR) = 0xff;
	*r32(gicc, GICC_BPR) = 0;
	*r32(gicc, GICC_CTLR) = 1;
	return 0;
}

static void gicv2_enable_private(unsigned int cpu, unsigned int intid, uint8_t prio)
{
	if (intid >= 32)
		return; /* not a private interrupt: the caller validated it */
	(void)cpu;
	*(volatile uint8_t *)(gicd + GICD_IPRIORITYR + intid) = prio;
	*r32(gicd, GICD_ISENABLER) = 1u << intid;
}

static uint32_t gicv2_ack(unsigned int *intid)
{
	uint32_t iar = *r32(gicc, GICC_IAR);

	*intid = iar & 0x3ff;
	return iar;
}

static void gicv2_eoi(uint32_t token)
{
	*r32(gicc, GICC_EOIR) = token;
}

/* GICv2 targets SGIs by CPU interface number, which for the cores of one
 * cluster is Aff0 on the boards we support (GIC-400, QEMU). */
static void gicv2_send_sgi(uint64_t mpidr, unsigned int intid)
{
	if (intid >= 16 || (mpidr & 0xff) >= 8)
		return;
	__asm__ volatile("dsb ishst" ::: "memory");
	*r32(gicd, GICD_SGIR) = (1u << (16 + (mpidr & 0xff))) | intid;
}

static void gicv2_spi_route(unsigned int intid, uint64_t mpidr, uint8_t prio)
{
	if (intid < 32 || intid >= 1020)
		return;
	*(volatile uint8_t *)(gicd + GICD_IPRIORITYR + intid) = prio;
	*(volatile uint8_t *)(gicd + GICD_ITARGETSR + intid) = (uint8_t)(1u << (mpidr & 7));
}

static void gicv2_spi_enable(unsigned int intid, bool enable)
{
	if (intid < 32 || intid >= 1020)
		return;
	*r32(gicd, (enable ? GICD_ISENABLER : GICD_ICENABLER) + 4 * (intid / 32)) =
		1u << (intid % 32);
}

static const char *const gicv2_compat[] = { "arm,gic-400", "arm,cortex-a15-gic",
					    "arm,cortex-a7-gic", "arm,cortex-a9-gic", NULL };

static const struct irqchip_driver gicv2_driver = {
	.name = "gicv2",
	.compatible = gicv2_compat,
	.init = gicv2_init,
	.init_cpu = gicv2_init_cpu,
	.enable_private = gicv2_enable_private,
	.ack = gicv2_ack,
	.eoi = gicv2_eoi,
	.send_sgi = gicv2_send_sgi,
	.spi_route = gicv2_spi_route,
	.spi_enable = gicv2_spi_enable,
};
IRQCHIP_DRIVER(gicv2_driver);
