/*
 * The control domain's calls (core/control.c, bulkhead/abi/console.h).
 */
#ifndef BULKHEAD_CONTROL_H
#define BULKHEAD_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

struct partition;
struct vcpu;

/* May partition `control` stop, start and restart p (its plan says so)? */
bool control_may(const struct partition *control, const struct partition *p);

void control_info_call(struct vcpu *v, uint64_t *regs);
void control_stop_call(struct vcpu *v, uint64_t *regs);
void control_start_call(struct vcpu *v, uint64_t *regs);
void control_restart_call(struct vcpu *v, uint64_t *regs);
void control_log_call(struct vcpu *v, uint64_t *regs);

#endif
