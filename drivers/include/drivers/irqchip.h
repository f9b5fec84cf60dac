/*
 * Interrupt controller drivers. The device tree's compatible string picks
 * the driver at boot; the build picks which drivers exist (CONFIG_GICV2,
 * CONFIG_GICV3).
 */
#ifndef DRIVERS_IRQCHIP_H
#define DRIVERS_IRQCHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct board_gic;

#define IRQ_SPURIOUS 1023

struct irqchip_driver {
	const char *name;
	const char *const *compatible; /* NULL-terminated */
	/* Once, on the boot CPU: distributor. 0 or a negative error. */
	int (*init)(const struct board_gic *gic);
	/* On every CPU (cpu = its index): its interface and redistributor. */
	int (*init_cpu)(unsigned int cpu, uint64_t mpidr);
	/* Enable a private interrupt (SGI/PPI) on the calling CPU. */
	void (*enable_private)(unsigned int cpu, unsigned int intid, uint8_t priority);
	/* Acknowledge the highest-priority pending interrupt. Returns a token
	 * for eoi() and stores the INTID (>= 1020: nothing to handle). */
	uint32_t (*ack)(unsigned int *intid);
	void (*eoi)(uint32_t token);
	/* Raise SGI intid (0-15) on the CPU with this MPIDR (affinity). */
	void (*send_sgi)(uint64_t mpidr, unsigned int intid);
	/* Shared interrupts (passed through to a partition): deliver intid to
	 * the CPU with this MPIDR at this priority (left disabled), and
	 * enable or disable it. */
	void (*spi_route)(unsigned int intid, uint64_t mpidr, uint8_t priority);
	void (*spi_enable)(unsigned int intid, bool enable);
};

#define IRQCHIP_DRIVER(var)                                                                        \
	static const struct irqchip_driver *const var##_entry                                      \
		__attribute__((used, section(".drivers.irqchip"))) = &var

const struct irqchip_driver *irqchip_driver_find(const char *compat, int len);

#endif
