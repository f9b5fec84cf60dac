/*
 * Reads lines from its virtual PL011 (the console's input, when it has the
 * focus) and prints each as "typed: LINE" (tests/qemu/console-input). At
 * start it also tries the control domain's calls, which a guest must be
 * refused.
 */
#include <stdio.h>
#include <bulkhead/abi/console.h>
#include "bulkhead.h"
#include "pl011.h"

static struct pl011 uart;
static char line[64];
static unsigned int len;

static void try_control_calls(void)
{
	struct bh_partition_info info;
	unsigned int refused = 0;
	const uint32_t calls[] = { BH_HC_CTRL_INFO, BH_HC_CTRL_STOP, BH_HC_CTRL_START,
				   BH_HC_CTRL_RESTART, BH_HC_CTRL_LOG, BH_HC_CONSOLE_ATTACH,
				   BH_HC_CONSOLE_NEXT, BH_HC_CONSOLE_INPUT };

	for (unsigned int i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		int64_t rc = bh_hvc(calls[i], 1, (uintptr_t)&info, sizeof(info)).status;

		if (rc == BH_E_DENIED)
			refused++;
		else
			printf("echo: call 0x%x NOT REFUSED (%ld)\n", (unsigned int)calls[i],
			       (long)rc);
	}
	printf("echo: %u of %u control and console calls refused\n", refused,
	       (unsigned int)(sizeof(calls) / sizeof(calls[0])));
}

void init(void)
{
	struct bh_device dev;

	if (bh_device_find("arm,pl011", &dev) || !dev.intid || bh_irq_claim(dev.intid)) {
		printf("echo: no virtual UART\n");
		bh_stop();
	}
	pl011_open(&uart, dev.base);
	try_control_calls();
	printf("echo: ready (run %u)\n", bh_restart_count());
	/* A prompt, no newline: the console puts it out after a while. */
	printf("echo> ");
	fflush(stdout);
}

void irq(unsigned int intid)
{
	int c;

	(void)intid;
	while ((c = pl011_getc(&uart)) >= 0) {
		if (c == '\r' || c == '\n') {
			line[len] = '\0';
			if (len)
				printf("typed: %s\n", line);
			len = 0;
		} else if (len < sizeof(line) - 1) {
			line[len++] = (char)c;
		}
	}
	pl011_rx_ack(&uart);
}
