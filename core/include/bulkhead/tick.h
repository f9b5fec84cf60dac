/*
 * The periodic hypervisor tick (CONFIG_HZ) on every CPU.
 */
#ifndef BULKHEAD_TICK_H
#define BULKHEAD_TICK_H

/* Start this CPU's tick; its interrupt must already be enabled. */
void tick_start_cpu(void);
/* Timer interrupt: count and re-arm. */
void tick_handle(void);

#endif
