/*
 * The hypervisor's own interrupt handling, on the interrupt controller
 * driver that the device tree names (core/irq.c).
 */
#ifndef BULKHEAD_IRQ_H
#define BULKHEAD_IRQ_H

#include <stdbool.h>

struct board_info;

/* Boot CPU, once: pick the driver and initialise the distributor. */
void irq_init(const struct board_info *b);
/* Every CPU: its interface, and its private interrupts (the tick). */
void irq_init_cpu(void);
/* A shared interrupt passed through: deliver it to that CPU; (un)mask it. */
void irq_spi_route(unsigned int intid, unsigned int cpu);
void irq_spi_enable(unsigned int intid, bool enable);
/* Interrupt another CPU so that it leaves WFI and looks for work. */
void irq_wake_cpu(unsigned int cpu);
/* Called from the EL2 IRQ vector: acknowledge, handle, end. */
void irq_handle(void);

#endif
