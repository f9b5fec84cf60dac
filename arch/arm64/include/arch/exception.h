/*
 * The register frame the EL2 vectors save, and the ESR decoder.
 */
#ifndef ARCH_EXCEPTION_H
#define ARCH_EXCEPTION_H

#include <stddef.h>
#include <stdint.h>

struct exception_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

enum exception_kind {
	EXC_SYNC_SP0 = 0,
	EXC_IRQ_SP0,
	EXC_FIQ_SP0,
	EXC_SERROR_SP0,
	EXC_SYNC_SPX,
	EXC_IRQ_SPX,
	EXC_FIQ_SPX,
	EXC_SERROR_SPX,
	EXC_SYNC_A64,
	EXC_IRQ_A64,
	EXC_FIQ_A64,
	EXC_SERROR_A64,
	EXC_SYNC_A32,
	EXC_IRQ_A32,
	EXC_FIQ_A32,
	EXC_SERROR_A32,
};

/* Names of the exception class field of ESR_ELx, e.g. "data abort (same EL)". */
const char *esr_class_name(uint64_t esr);
/* Writes a one-line description of an ESR into buf, e.g. "data abort (same
 * EL), write, translation fault level 2, IL=32-bit". Returns buf. */
char *esr_describe(uint64_t esr, char *buf, size_t len);
const char *exception_kind_name(unsigned int kind);
/* "EL2h", "EL1t", ... from an SPSR value. */
const char *spsr_mode_name(uint64_t spsr);

/* Traps from a guest (arch/arm64/guest_trap.c), called by the vectors'
 * dispatcher with the guest's register frame. */
void guest_sync(struct exception_frame *f);
void guest_sync_aarch32(struct exception_frame *f);
void guest_serror(struct exception_frame *f);
void guest_serror_late(struct exception_frame *f);

/* Dump registers, ESR in words, FAR, ELR, SPSR and a frame-pointer backtrace. */
void exception_dump(const struct exception_frame *f, unsigned int kind);

#endif
