/*
 * The virtual GIC a partition sees (GICv3 flavour): an emulated
 * distributor and one emulated redistributor per vCPU, at fixed
 * guest-physical addresses, with the CPU interface virtualized by the
 * hardware (list registers). Interrupts are software state here until the
 * arch code puts them in a list register on the vCPU's next entry.
 *
 * Lock: each partition's vGIC lock guards its distributor and its vCPUs'
 * pending bits; it is taken with interrupts masked and nothing else is
 * taken under it.
 */
#ifndef BULKHEAD_VGIC_H
#define BULKHEAD_VGIC_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/sgi.h>
#include <arch/spinlock.h>

/* Where the partition finds its GIC (also in its device tree). */
#define VGIC_DIST_IPA 0x08000000UL
#define VGIC_DIST_SIZE 0x10000UL
#define VGIC_REDIST_IPA 0x080a0000UL
#define VGIC_REDIST_STRIDE 0x20000UL /* RD_base + SGI_base frames */
/* On GICv2 hosts: a GICv2 distributor, and the hardware's virtual CPU
 * interface (GICV) mapped where the guest's GICC is. */
#define VGIC_V2_DIST_SIZE 0x1000UL
#define VGIC_V2_CPU_IPA 0x08010000UL
#define VGIC_V2_CPU_SIZE 0x2000UL

#define VGIC_NR_SPIS 224 /* INTIDs up to 255: the Pi 4 GIC-400's 192 SPIs fit */
#define VGIC_NR_IRQS (32 + VGIC_NR_SPIS)
#define VGIC_PPI_VTIMER 27
#define VGIC_MAX_VCPUS 8

struct vgic_cpu {
	uint32_t enabled;   /* SGIs and PPIs */
	uint32_t group;
	uint32_t cfg[2];
	uint8_t priority[32];
	uint32_t waker;
	uint64_t pending[(VGIC_NR_IRQS + 63) / 64];
	/* The last word of pending[] that has ever had a bit since the reset:
	 * the scans stop there. SGIs, PPIs and the first SPIs are word 0;
	 * only a partition given a device with a high INTID (the Pi's SD
	 * controller, 158) goes further. Raised after the bit is set, under
	 * the lock; read with acquire without it (vgic_pending_words). */
	uint32_t pending_hi;
};

enum vgic_model { VGIC_V3, VGIC_V2 };

/* How many words of a vCPU's pending[] may hold bits. */
static inline unsigned int vgic_pending_words(const struct vgic_cpu *c)
{
	return __atomic_load_n(&c->pending_hi, __ATOMIC_ACQUIRE) + 1;
}

struct vgic {
	spinlock_t lock; /* first: vgic_reset keeps it */
	enum vgic_model model;
	/* vCPUs a register write made something pending for (GICv2 SGIR):
	 * the caller kicks them and clears this. */
	uint32_t kick;
	unsigned int nr_vcpus;
	uint32_t ctlr;
	uint32_t enabled[VGIC_NR_SPIS / 32];
	uint32_t group[VGIC_NR_SPIS / 32];
	uint32_t cfg[VGIC_NR_SPIS / 16];
	uint8_t priority[VGIC_NR_SPIS];
	uint64_t route[VGIC_NR_SPIS];
	struct vgic_cpu cpu[VGIC_MAX_VCPUS];
	/* Interrupts backed by a device: the guest's EOI must be seen. */
	uint64_t hw[(VGIC_NR_IRQS + 63) / 64];
};

/* Reset to the state a GIC has at power-on. */
void vgic_init(struct vgic *g, unsigned int nr_vcpus, enum vgic_model model);
/* The same for a vGIC in use: other CPUs may be injecting into it (event
 * channels), so the reset happens under its lock. */
void vgic_reset(struct vgic *g, unsigned int nr_vcpus, enum vgic_model model);
/* Is intid in group 1 for vcpu (for the list register's group bit)?
 * Inline, as vgic_is_hw(): both are asked on every list register fill. */
static inline bool vgic_group1(const struct vgic *g, unsigned int vcpu, unsigned int intid)
{
	if (intid < 32)
		return vcpu < VGIC_MAX_VCPUS && ((g->cpu[vcpu].group >> intid) & 1);
	return intid < VGIC_NR_IRQS && ((g->group[(intid - 32) / 32] >> (intid % 32)) & 1);
}

/*
 * A guest access to [ipa, ipa + size) that stage 2 did not map: if it is
 * the vGIC's, perform it (*val is the data, in or out) and return true.
 * Accesses of the wrong size to a register read as zero / are ignored, as
 * the GIC architecture allows; they never fail the guest.
 */
bool vgic_mmio(struct vgic *g, unsigned int vcpu, uint64_t ipa, unsigned int size, bool write,
	       uint64_t *val);

/* Mark intid as a device's: its list registers ask for an EOI notice. */
void vgic_set_hw(struct vgic *g, unsigned int intid);
static inline bool vgic_is_hw(const struct vgic *g, unsigned int intid)
{
	return intid < VGIC_NR_IRQS && ((g->hw[intid / 64] >> (intid % 64)) & 1);
}

/* Make intid pending for vCPU vcpu (SGI/PPI) or for its target (SPI).
 * Returns the vCPU index that should be kicked, or -1 if none. */
int vgic_inject(struct vgic *g, unsigned int vcpu, unsigned int intid);

/* A guest's SGI request (its ICC_SGI1R_EL1 write, decoded by the arch)
 * from vCPU `from`: make it pending for the partition's vCPUs it names.
 * Returns a bitmap of vCPUs to kick. */
uint32_t vgic_send_sgi(struct vgic *g, unsigned int from, const struct sgi_request *req);

/*
 * The next interrupt for vCPU vcpu to put in a list register: pending,
 * enabled (and the distributor enabled for SPIs), not in `skip`. Clears
 * its pending bit and returns its INTID with its priority in *prio, or -1.
 */
/* Clear intid's pending bit for vcpu; was it set? (To add a pending state
 * to an interrupt the guest has active in a list register.) */
bool vgic_take_pending(struct vgic *g, unsigned int vcpu, unsigned int intid);

int vgic_next_pending(struct vgic *g, unsigned int vcpu, const uint64_t *skip, uint8_t *prio);
/* Is an interrupt the vCPU would take pending for it, outside skip (the
 * INTIDs in its list registers)? Takes nothing (interrupts masked). */
bool vgic_has_pending(struct vgic *g, unsigned int vcpu, const uint64_t *skip);

#endif
