/*
 * SMCCC Arm architecture calls for guests (core/smccc_arch.c).
 */
#ifndef BULKHEAD_SMCCC_ARCH_H
#define BULKHEAD_SMCCC_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* At boot, after the device tree: what the firmware offers. */
void smccc_arch_init(void);
/* A guest's call in regs (x0-x3 in, results out): true if it was one of
 * the architecture calls (0x8000_xxxx) and has been answered. */
bool smccc_arch_handle(struct vcpu *v, uint64_t *regs);
/* This core is about to run another partition than it ran last. */
void smccc_arch_switch_partition(void);

#endif
