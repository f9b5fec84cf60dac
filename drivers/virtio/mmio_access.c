/*
 * Register access for virtio-mmio on aarch64 (the unit tests replace this
 * file with a simulated device).
 *
 * Each access is one 32-bit load or store with a plain base register, in
 * assembly so that the compiler cannot merge, split or use a writeback
 * addressing mode: a device the hypervisor emulates is reached through a
 * stage-2 data abort, which the hypervisor can only decode (ESR_EL2.ISV)
 * for single loads and stores without writeback.
 */
#include "virtio_mmio.h"

uint32_t vmmio_read(uint64_t base, unsigned int off)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(base + off) : "memory");
	/* What the register says (InterruptStatus, Status) comes before
	 * the reads of memory that follow it (the used ring). */
	__asm__ volatile("dmb oshld" ::: "memory");
	return v;
}

void vmmio_write(uint64_t base, unsigned int off, uint32_t value)
{
	/* Everything written to memory before (a published ring) is visible
	 * to the device before this write reaches it (a notification). */
	__asm__ volatile("dmb osh" ::: "memory");
	__asm__ volatile("str %w0, [%1]" : : "r"(value), "r"(base + off) : "memory");
}
