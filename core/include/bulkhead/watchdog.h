/*
 * Hang detection: a partition whose plan gives it "watchdog-ms" must call
 * BH_HC_HEARTBEAT at least that often (the domain runtime's loop does). A
 * partition that stops beating is ended as hung, with its plan's fault
 * policy. The check runs on the tick, which even a vCPU spinning with its
 * interrupts masked cannot keep away; waiting in WFI counts as a beat.
 */
#ifndef BULKHEAD_WATCHDOG_H
#define BULKHEAD_WATCHDOG_H

#include <stdint.h>

struct vcpu;

void watchdog_beat(struct vcpu *v, uint64_t *regs);
/* On each tick of a CPU running v, whose partition has a watchdog: has it
 * run out? Then it is marked hung, and a reschedule asked for, so that the
 * way back to the guest (vcpu_after_interrupt) ends it (watchdog_fault). */
void watchdog_tick(struct vcpu *v);
__attribute__((noreturn)) void watchdog_fault(struct vcpu *v);

#endif
