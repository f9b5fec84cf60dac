/*
 * Interrupt controller driver lookup over the drivers the build put in.
 */
#include <stddef.h>
#include <bulkhead/compat.h>
#include <drivers/irqchip.h>

extern const struct irqchip_driver *const __irqchip_drivers_start[], *const __irqchip_drivers_end[];

const struct irqchip_driver *irqchip_driver_find(const char *compat, int len)
{
	for (const struct irqchip_driver *const *d = __irqchip_drivers_start;
	     d < __irqchip_drivers_end; d++)
		if (compat_match(compat, len, (*d)->compatible))
			return *d;
	return NULL;
}
