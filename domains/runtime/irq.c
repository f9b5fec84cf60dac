/*
 * Interrupts for domains: the partition's virtual GICv3 (found in its
 * device tree), its virtual timer, and a table of handlers that the IRQ
 * vector dispatches to.
 */
#include <libfdt.h>
#include <stdbool.h>
#include <stddef.h>
#include "bulkhead.h"
#include "runtime.h"

#define GICD_CTLR 0x0000
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_IPRIORITYR 0x0400
#define GICD_IGROUPR 0x0080
#define GICD_IROUTER 0x6000
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_STRIDE 0x20000
#define PRIORITY 0x80

/* GICv2 CPU interface (memory-mapped) */
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICD_ITARGETSR 0x0800

static uint64_t gicd, gicr, gicc; /* gicr for GICv3, gicc for GICv2 */
static bh_irq_handler handlers[BH_IRQ_MAX];

static volatile uint32_t *reg32(uint64_t addr)
{
	return (volatile uint32_t *)addr;
}

static uint64_t read_u64_cells(const fdt32_t *p)
{
	return ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
}

unsigned int runtime_vcpu_index(void)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	return (unsigned int)(mpidr & 0xff);
}

int bh_irq_init_cpu(void)
{
	uint64_t rd = gicr + GICR_STRIDE * runtime_vcpu_index();
	uint64_t sre;

	if (!gicd)
		return -1;
	if (gicc) {
		*reg32(gicc + GICC_PMR) = 0xff;
		*reg32(gicc + GICC_CTLR) = 1;
		return 0;
	}
	*reg32(rd + GICR_WAKER) = 0;
	__asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre)); /* ICC_SRE_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_5, %0; isb" : : "r"(sre | 1));
	__asm__ volatile("msr S3_0_C4_C6_0, %0" : : "r"(0xffUL));   /* ICC_PMR_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_3, %0" : : "r"(0UL));    /* ICC_BPR1_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_7, %0; isb" : : "r"(1UL)); /* ICC_IGRPEN1_EL1 */
	return 0;
}

int bh_irq_init(void)
{
	const void *fdt = bh_device_tree();
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3"), len;
	bool v2 = false;
	const fdt32_t *reg;

	if (node < 0) {
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic");
		v2 = node >= 0;
	}
	reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
	if (!reg || len < 32)
		return -1; /* no virtual GIC in this partition */
	gicd = read_u64_cells(reg);
	if (v2) {
		gicc = read_u64_cells(reg + 4);
		*reg32(gicd + GICD_CTLR) = 1; /* group 0: everything, as IRQs */
	} else {
		gicr = read_u64_cells(reg + 4);
		*reg32(gicd + GICD_CTLR) = 2; /* group 1 on */
	}
	return bh_irq_init_cpu();
}

int bh_irq_enable(unsigned int intid, bh_irq_handler handler)
{
	uint64_t rd = gicr + GICR_STRIDE * runtime_vcpu_index() + GICR_SGI;

	if (!gicd || intid >= BH_IRQ_MAX)
		return -1;
	handlers[intid] = handler;
	if (gicc) {
		*(volatile uint8_t *)(gicd + GICD_IPRIORITYR + intid) = PRIORITY;
		if (intid >= 32)
			*(volatile uint8_t *)(gicd + GICD_ITARGETSR + intid) =
				(uint8_t)(1u << runtime_vcpu_index());
		*reg32(gicd + GICD_ISENABLER + 4 * (intid / 32)) = 1u << (intid % 32);
		return 0;
	}
	if (intid < 32) {
		*(volatile uint8_t *)(rd + GICD_IPRIORITYR + intid) = PRIORITY;
		*reg32(rd + GICD_IGROUPR) |= 1u << intid;
		*reg32(rd + GICD_ISENABLER) = 1u << intid;
	} else {
		*(volatile uint8_t *)(gicd + GICD_IPRIORITYR + intid) = PRIORITY;
		*(volatile uint64_t *)(gicd + GICD_IROUTER + 8 * intid) = runtime_vcpu_index();
		*reg32(gicd + GICD_IGROUPR + 4 * (intid / 32)) |= 1u << (intid % 32);
		*reg32(gicd + GICD_ISENABLER + 4 * (intid / 32)) = 1u << (intid % 32);
	}
	return 0;
}

/* The distributor's (SPIs) or this vCPU's redistributor's (SGIs, PPIs)
 * enable bit for intid: set through offset ISENABLER, clear through
 * ICENABLER (0x80 further). */
static void set_enabled(unsigned int intid, bool on)
{
	unsigned int off = on ? GICD_ISENABLER : GICD_ICENABLER;

	if (!gicd || intid >= BH_IRQ_MAX)
		return;
	if (gicc || intid >= 32)
		*reg32(gicd + off + 4 * (intid / 32)) = 1u << (intid % 32);
	else
		*reg32(gicr + GICR_STRIDE * runtime_vcpu_index() + GICR_SGI + off) = 1u << intid;
}

void bh_irq_disable(unsigned int intid)
{
	set_enabled(intid, false);
}

void bh_irq_reenable(unsigned int intid)
{
	set_enabled(intid, true);
}

void bh_irq_unmask(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void bh_timer_arm(uint64_t ticks)
{
	__asm__ volatile("msr cntv_tval_el0, %0" : : "r"(ticks));
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"(1UL)); /* enabled, unmasked */
}

void bh_timer_arm_at(uint64_t deadline)
{
	__asm__ volatile("msr cntv_cval_el0, %0" : : "r"(deadline));
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"(1UL));
}

void bh_timer_stop(void)
{
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"(0UL));
}

void runtime_irq(void)
{
	for (;;) {
		uint64_t iar;
		unsigned int intid;

		if (gicc)
			iar = *reg32(gicc + GICC_IAR);
		else
			__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar)); /* ICC_IAR1_EL1 */
		intid = (unsigned int)(iar & (gicc ? 0x3ff : 0xffffff));
		if (intid >= 1020)
			return;
		if (intid < BH_IRQ_MAX && handlers[intid])
			handlers[intid](intid);
		if (gicc)
			*reg32(gicc + GICC_EOIR) = (uint32_t)iar;
		else
			__asm__ volatile("msr S3_0_C12_C12_1, %0; isb" : : "r"(iar)); /* ICC_EOIR1 */
	}
}
