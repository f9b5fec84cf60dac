/*
 * GICv3: distributor, one redistributor per CPU (found by affinity), and
 * the system-register CPU interface. Interrupts are non-secure group 1.
 */
#include <stdint.h>
#include <arch/sysreg.h>
#include <bulkhead/board.h>
#include <drivers/irqchip.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define CTLR_RWP (1u << 31)
#define CTLR_ARE (1u << 4)
#define CTLR_GRP_ENABLES 0x3

#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define TYPER_VLPIS (1u << 1)
#define TYPER_LAST (1u << 4)
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)

#define ICC_SRE_SRE (1u << 0)
#define ICC_SRE_ENABLE (1u << 3)

#define SPIN_LIMIT 10000000

static const struct board_gic *gic;
static uint64_t gicd;
static uint64_t rd_base[CONFIG_NR_CPUS];

static inline volatile uint32_t *r32(uint64_t base, unsigned int off)
{
	return (volatile uint32_t *)(base + off);
}

static int wait_clear(uint64_t base, unsigned int off, uint32_t bits)
{
	for (int i = 0; i < SPIN_LIMIT; i++)
		if (!(*r32(base, off) & bits))
			return 0;
	return -1;
}

static int gicv3_init(const struct board_gic *g)
{
	unsigned int lines;

	gic = g;
	gicd = g->dist.base;
	*r32(gicd, GICD_CTLR) = 0;
	if (wait_clear(gicd, GICD_CTLR, CTLR_RWP))
		return -1;
	lines = ((*r32(gicd, GICD_TYPER) & 0x1f) + 1) * 32;
	for (unsigned int i = 32; i < lines && i < 1020; i += 32) {
		*r32(gicd, GICD_IGROUPR + i / 8) = 0xffffffff;
		*r32(gicd, GICD_ICENABLER + i / 8) = 0xffffffff;
	}
	/* Affinity routing first, then the group enables (both meanings of
	 * bits 0-1, with or without security, are what we want). */
	*r32(gicd, GICD_CTLR) = CTLR_ARE;
	if (wait_clear(gicd, GICD_CTLR, CTLR_RWP))
		return -2;
	*r32(gicd, GICD_CTLR) = CTLR_ARE | CTLR_GRP_ENABLES;
	return wait_clear(gicd, GICD_CTLR, CTLR_RWP) ? -3 : 0;
}

/* The redistributor frame whose GICR_TYPER affinity matches mpidr. */
static uint64_t find_redist(uint64_t mpidr)
{
	uint32_t aff = (uint32_t)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));

	for (unsigned int r = 0; r < gic->nr_redist; r++) {
		uint64_t base = gic->redist[r].base, end = base + gic->redist[r].size;

		while (base < end) {
			uint64_t typer = *(volatile uint64_t *)(base + GICR_TYPER);

			if ((uint32_t)(typer >> 32) == aff)
				return base;
			if (typer & TYPER_LAST)
				break;
			base += (typer & TYPER_VLPIS) ? 0x40000 : 0x20000;
		}
	}
	return 0;
}

static int gicv3_init_cpu(unsigned int cpu, uint64_t mpidr)
{
	uint64_t rd = find_redist(mpidr);

	if (!rd || cpu >= CONFIG_NR_CPUS)
		return -1;
	rd_base[cpu] = rd;
	*r32(rd, GICR_WAKER) &= ~WAKER_PROCESSOR_SLEEP;
	if (wait_clear(rd, GICR_WAKER, WAKER_CHILDREN_ASLEEP))
		return -2;
	*r32(rd, GICR_IGROUPR0) = 0xffffffff;
	*r32(rd, GICR_ICENABLER0) = 0xffffffff;
	if (wait_clear(rd, GICR_CTLR, 1u << 3))
		return -3;

	write_sysreg(icc_sre_el2, read_sysreg(icc_sre_el2) | ICC_SRE_SRE | ICC_SRE_ENABLE);
	isb();
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, 0);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
	return 0;
}

static void gicv3_enable_private(unsigned int cpu, unsigned int intid, uint8_t prio)
{
	if (intid >= 32)
		return; /* not a private interrupt: the caller validated it */
	uint64_t rd = rd_base[cpu];

	*(volatile uint8_t *)(rd + GICR_IPRIORITYR + intid) = prio;
	*r32(rd, GICR_ISENABLER0) = 1u << intid;
}

static uint32_t gicv3_ack(unsigned int *intid)
{
	uint32_t iar = (uint32_t)read_sysreg(icc_iar1_el1);

	__asm__ volatile("dsb sy" ::: "memory");
	*intid = iar & 0xffffff;
	return iar;
}

static void gicv3_eoi(uint32_t token)
{
	write_sysreg(icc_eoir1_el1, token);
	isb();
}

static void gicv3_send_sgi(uint64_t mpidr, unsigned int intid)
{
	uint64_t aff0 = mpidr & 0xff;
	uint64_t v = ((mpidr >> 32) & 0xff) << 48 | ((mpidr >> 16) & 0xff) << 32 |
		     ((mpidr >> 8) & 0xff) << 16 | (uint64_t)intid << 24 | (1UL << (aff0 & 0xf));

	if (intid >= 16 || aff0 >= 16)
		return;
	__asm__ volatile("dsb ishst" ::: "memory");
	write_sysreg(icc_sgi1r_el1, v);
	isb();
}

static void gicv3_spi_route(unsigned int intid, uint64_t mpidr, uint8_t prio)
{
	if (intid < 32 || intid >= 1020)
		return;
	*(volatile uint8_t *)(gicd + GICD_IPRIORITYR + intid) = prio;
	*(volatile uint64_t *)(gicd + GICD_IROUTER + 8 * intid) = mpidr & 0xff00ffffffUL;
}

static void gicv3_spi_enable(unsigned int intid, bool enable)
{
	if (intid < 32 || intid >= 1020)
		return;
	*r32(gicd, (enable ? GICD_ISENABLER : GICD_ICENABLER) + 4 * (intid / 32)) =
		1u << (intid % 32);
	if (!enable)
		wait_clear(gicd, GICD_CTLR, CTLR_RWP);
}

static const char *const gicv3_compat[] = { "arm,gic-v3", NULL };

static const struct irqchip_driver gicv3_driver = {
	.name = "gicv3",
	.compatible = gicv3_compat,
	.init = gicv3_init,
	.init_cpu = gicv3_init_cpu,
	.enable_private = gicv3_enable_private,
	.ack = gicv3_ack,
	.eoi = gicv3_eoi,
	.send_sgi = gicv3_send_sgi,
	.spi_route = gicv3_spi_route,
	.spi_enable = gicv3_spi_enable,
};
IRQCHIP_DRIVER(gicv3_driver);
