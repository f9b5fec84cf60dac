/*
 * The EL2 physical timer (CNTHP), which drives the hypervisor's tick.
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdint.h>

/* Fire once, `ticks` counter ticks from now. */
void arch_timer_arm(uint64_t ticks);
void arch_timer_stop(void);

#endif
