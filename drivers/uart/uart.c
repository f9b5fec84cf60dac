/*
 * UART driver lookup over the drivers the build put in the image.
 */
#include <string.h>
#include <bulkhead/compat.h>
#include <drivers/uart.h>

extern const struct uart_driver *const __uart_drivers_start[], *const __uart_drivers_end[];

const struct uart_driver *uart_driver_find(const char *compat, int len)
{
	for (const struct uart_driver *const *d = __uart_drivers_start; d < __uart_drivers_end; d++)
		if (compat_match(compat, len, (*d)->compatible))
			return *d;
	return NULL;
}

const struct uart_driver *uart_early_driver(void)
{
	static const char early[] = CONFIG_EARLY_UART_COMPATIBLE;

	return uart_driver_find(early, (int)sizeof(early));
}
