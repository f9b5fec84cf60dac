/*
 * The hardware half of the virtual GIC: list registers (GICv3's ICH_*_EL2
 * system registers, or GICv2's GICH frame). Core code keeps interrupts pending in struct vgic; this
 * moves them into list registers and notices when the guest is done.
 */
#ifndef ARCH_VGIC_HW_H
#define ARCH_VGIC_HW_H

#include <stdbool.h>
#include <stdint.h>

struct vgic;

#define ARCH_VGIC_MAX_LRS 16
/* Words of a bitmap of the virtual GIC's INTIDs (VGIC_NR_IRQS / 64). */
#define ARCH_VGIC_INTID_WORDS 4

struct arch_vgic_cpu {
	uint64_t lr[ARCH_VGIC_MAX_LRS]; /* saved while switched out */
	uint64_t vmcr;
	uint64_t ap0r[4], ap1r[4]; /* active priorities: all the CPU implements */
	uint64_t sre;		   /* ICC_SRE_EL1 (GICv3): the guest can write it */
	int16_t lr_intid[ARCH_VGIC_MAX_LRS]; /* what each LR holds, -1: none */
	uint32_t lr_used;		     /* a bit per LR with lr_intid >= 0 */
	uint64_t in_lr[ARCH_VGIC_INTID_WORDS];   /* INTIDs held in LRs */
	uint64_t retired[ARCH_VGIC_INTID_WORDS]; /* device INTIDs the guest ended */
	uint64_t retired_words;			 /* a bit per word of retired[] with bits */
	/* More was pending than the LRs hold: the underflow maintenance
	 * interrupt (HCR.UIE) calls for the next flush as they empty. */
	bool underflow;
};

struct board_gic;

/* Once at boot: which virtualization interface the board's GIC has
 * (GICv3 system registers, or GICv2's GICH/GICV frames), if any. */
void arch_vgic_init(const struct board_gic *g);
/* True if guests can have a virtual GIC; and whether it is a GICv2. */
bool arch_vgic_available(void);
bool arch_vgic_is_v2(void);
void arch_vgic_reset(struct arch_vgic_cpu *c);
/* On entry / switch-out: load or keep the vCPU's list registers. */
void arch_vgic_restore(const struct arch_vgic_cpu *c);
void arch_vgic_save(struct arch_vgic_cpu *c);
/* Does a list register of the running vCPU hold an interrupt in the
 * pending state (what ends a real WFI)? */
bool arch_vgic_lr_pending(void);
/*
 * A vCPU leaves this CPU for good (turned off, or its partition ended):
 * empty every list register and active priority, and disable the virtual
 * interface, so that nothing it left behind (an LR with its EOI bit set)
 * can raise maintenance interrupts on a CPU that no longer runs it.
 */
void arch_vgic_clear(void);
/* Disable the virtual interface: a maintenance interrupt with no vCPU
 * to act on stops being asserted. */
void arch_vgic_disable(void);
/* Retire interrupts the guest has finished, then fill free LRs with the
 * vCPU's pending interrupts (the running vCPU, on its own CPU). */
void arch_vgic_flush(struct arch_vgic_cpu *c, struct vgic *g, unsigned int vcpu);
/* Stop the guest's virtual timer from interrupting until it rearms it. */
void arch_vtimer_mask(void);

#endif
