/*
 * Stand-ins for the hypervisor pieces that tests on the fake arch do not
 * cover: what boot.c, irq.c and passthrough.c provide, and a console whose
 * UART writes into a string (fake_core.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/board.h>
#include <bulkhead/console.h>
#include <bulkhead/partition.h>
#include <bulkhead/percpu.h>
#include <drivers/uart.h>
#include "fake_core.h"
#include "fakearch.h"

struct percpu percpu[CONFIG_NR_CPUS];
struct board_info board;

unsigned int fake_wakes[CONFIG_NR_CPUS], fake_passthrough_starts;
char fake_out[1 << 16];
static size_t out_len;

void irq_wake_cpu(unsigned int cpu)
{
	if (cpu != fake_cpu)
		fake_wakes[cpu]++;
}

void irq_spi_route(unsigned int intid, unsigned int cpu)
{
}

void irq_spi_enable(unsigned int intid, bool enable)
{
}

struct partition *fake_parts;
unsigned int fake_nr_parts;


struct partition *partition_by_id(unsigned int id)
{
	for (unsigned int i = 0; i < fake_nr_parts; i++)
		if (fake_parts[i].id == id)
			return &fake_parts[i];
	return NULL;
}

/* The partitions of these tests have no devices passed through. */
const struct board_device *passthrough_overlap(const struct partition *p, uint64_t base,
					       uint64_t size, unsigned int intid)
{
	return NULL;
}

void passthrough_start(struct partition *p)
{
	fake_passthrough_starts++;
}

void passthrough_eoi(unsigned int intid)
{
}

bool panic_in_progress(void)
{
	return false;
}

void panic(const char *fmt, ...)
{
	fprintf(stderr, "panic: %s\n", fmt);
	abort();
}

static void fake_putc(uint64_t base, char c)
{
	if (out_len < sizeof(fake_out) - 1)
		fake_out[out_len++] = c;
	fake_out[out_len] = 0;
}

static const struct uart_driver fake_uart = { "fake", NULL, NULL, fake_putc };

void fake_core_reset(void)
{
	fake_reset();
	memset(percpu, 0, sizeof(percpu));
	for (unsigned int i = 0; i < CONFIG_NR_CPUS; i++)
		percpu[i].id = i;
	memset(fake_wakes, 0, sizeof(fake_wakes));
	fake_passthrough_starts = 0;
	out_len = 0;
	fake_out[0] = 0;
	console_set_uart(&fake_uart, 0);
}
