/*
 * Each partition's emulated device registers: a small table of regions of
 * its guest-physical space that stage 2 leaves unmapped on purpose, each
 * with the handler that emulates accesses to it (core/mmio.c). The virtual
 * GIC registers its windows here; virtio-mmio devices and virtual UARTs
 * will register theirs the same way.
 */
#ifndef BULKHEAD_MMIO_H
#define BULKHEAD_MMIO_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/mmio_access.h>

#define MMIO_MAX_REGIONS 8

struct vcpu;

/*
 * Emulate one access by vcpu to its region (a->ipa inside it): perform a
 * write, or set a->value for a read. Return false to make the access a
 * fault of the partition (an address in the region that nothing answers).
 * Called on the accessing vCPU's CPU, with no lock held.
 */
typedef bool mmio_handler(struct vcpu *v, void *opaque, struct mmio_access *a);

struct mmio_region {
	uint64_t base, size; /* guest-physical */
	mmio_handler *handler;
	void *opaque;
};

struct mmio_table {
	struct mmio_region region[MMIO_MAX_REGIONS];
	unsigned int nr;
};

/* At boot: add a region. -1 if the table is full or the region is empty,
 * wraps, or overlaps one already there. */
int mmio_register(struct mmio_table *t, uint64_t base, uint64_t size, mmio_handler *handler,
		  void *opaque);
/* A trapped access: true if a region took it (a->value holds a read's
 * result), false if none did or its handler refused it. */
bool mmio_emulate(const struct mmio_table *t, struct vcpu *v, struct mmio_access *a);

#endif
