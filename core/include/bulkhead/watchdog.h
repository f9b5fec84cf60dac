/*
 * Hang detection: a partition whose plan gives it "watchdog-ms" must call
 * BH_HC_HEARTBEAT at least that often (the domain runtime's loop does). A
 * partition that stops beating is ended as hung, with its plan's fault
 * policy. The check runs after every interrupt the hypervisor takes from
 * the partition's guest, the tick included, which even a vCPU spinning
 * with its interrupts masked cannot keep away.
 */
#ifndef BULKHEAD_WATCHDOG_H
#define BULKHEAD_WATCHDOG_H

#include <stdint.h>

struct vcpu;

void watchdog_beat(struct vcpu *v, uint64_t *regs);
/* v was interrupted: end its partition if its watchdog ran out. */
void watchdog_check(struct vcpu *v);

#endif
