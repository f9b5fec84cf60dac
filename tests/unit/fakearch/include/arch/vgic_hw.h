/* Fake arch: four list registers with a state of their own. */
#ifndef ARCH_VGIC_HW_H
#define ARCH_VGIC_HW_H

#include <stdbool.h>
#include <stdint.h>

struct vgic;
struct board_gic;

#define ARCH_VGIC_MAX_LRS 4

enum fake_lr_state { FAKE_LR_EMPTY, FAKE_LR_PENDING, FAKE_LR_ACTIVE };

/* Words of a bitmap of the virtual GIC's INTIDs (VGIC_NR_IRQS / 64). */
#define ARCH_VGIC_INTID_WORDS 4

struct arch_vgic_cpu {
	int16_t lr_intid[ARCH_VGIC_MAX_LRS];
	enum fake_lr_state lr_state[ARCH_VGIC_MAX_LRS];
	uint64_t in_lr[ARCH_VGIC_INTID_WORDS];
	uint64_t retired[ARCH_VGIC_INTID_WORDS];
	uint64_t retired_words;			 /* a bit per word of retired[] with bits */
};

void arch_vgic_init(const struct board_gic *g);
bool arch_vgic_available(void);
bool arch_vgic_is_v2(void);
void arch_vgic_reset(struct arch_vgic_cpu *c);
void arch_vgic_restore(const struct arch_vgic_cpu *c);
void arch_vgic_save(struct arch_vgic_cpu *c);
bool arch_vgic_lr_pending(void);
void arch_vgic_clear(void);
void arch_vgic_disable(void);
void arch_vgic_flush(struct arch_vgic_cpu *c, struct vgic *g, unsigned int vcpu);
void arch_vtimer_mask(void);

#endif
