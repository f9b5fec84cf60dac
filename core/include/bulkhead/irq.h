/*
 * The hypervisor's own interrupt handling on top of the interrupt
 * controller driver.
 */
#ifndef BULKHEAD_IRQ_H
#define BULKHEAD_IRQ_H

/* Called from the EL2 IRQ vector: acknowledge, handle, end. */
void irq_handle(void);

#endif
