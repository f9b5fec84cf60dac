/*
 * Setting up the interrupt controller chosen by the device tree.
 */
#ifndef BULKHEAD_IRQS_H
#define BULKHEAD_IRQS_H

#include <stdbool.h>

struct board_info;

/* Boot CPU, once: pick the driver and initialise the distributor. */
void irq_init(const struct board_info *b);
/* Every CPU: its interface, and its private interrupts (the tick). */
void irq_init_cpu(void);
const char *irq_chip_name(void);
/* A shared interrupt passed through: deliver it to that CPU; (un)mask it. */
void irq_spi_route(unsigned int intid, unsigned int cpu);
void irq_spi_enable(unsigned int intid, bool enable);
/* Interrupt another CPU so that it leaves WFI and looks for work. */
void irq_wake_cpu(unsigned int cpu);

#endif
