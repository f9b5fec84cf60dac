/*
 * A guest's access to an emulated device register, decoded once from the
 * trap (arch/arm64/mmio_access.c) into what device models need, so that
 * none of them reads a syndrome register.
 */
#ifndef ARCH_MMIO_ACCESS_H
#define ARCH_MMIO_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

struct exception_frame;

struct mmio_access {
	uint64_t ipa;	   /* guest-physical address accessed */
	uint64_t value;	   /* a write's data (size bytes); a read's result */
	unsigned int size; /* 1, 2, 4 or 8 bytes */
	unsigned int reg;  /* the general register, 31: XZR */
	bool write;
	bool sign_extend; /* a read into a register wider than size: signed */
	bool wide;	  /* the register is an X register (else W) */
};

/*
 * Decode a stage-2 data abort into an access. False when the hardware did
 * not describe it (no valid syndrome: load/store pair, write-back
 * addressing, SIMD registers): such an access is not emulated, and the
 * guest's partition takes the fault.
 */
bool arch_mmio_decode(const struct exception_frame *f, struct mmio_access *a);
/* The access was emulated: put a read's value into its register (sign- or
 * zero-extended as the instruction asks) and step past the instruction. */
void arch_mmio_complete(struct exception_frame *f, const struct mmio_access *a);

#endif
