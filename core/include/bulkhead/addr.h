/*
 * Addresses of the two spaces stage 2 joins, as distinct types: a physical
 * address (paddr_t: RAM and devices as the CPU's bus sees them) and a
 * guest-physical address (ipaddr_t: what a partition's stage 1 produces).
 * Each is a struct of one field, so the compiler refuses one where the
 * other is wanted; converting is always spelled out.
 *
 * The hypervisor reaches memory through an identity map at EL2 (arch/arm64
 * mmu.c): pa_ptr() is the one place a physical address becomes a pointer,
 * and pa_of() the way back.
 */
#ifndef BULKHEAD_ADDR_H
#define BULKHEAD_ADDR_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint64_t bits;
} paddr_t;

typedef struct {
	uint64_t bits;
} ipaddr_t;

static inline paddr_t pa_from(uint64_t bits)
{
	return (paddr_t){ bits };
}

static inline uint64_t pa_bits(paddr_t a)
{
	return a.bits;
}

static inline paddr_t pa_add(paddr_t a, uint64_t offset)
{
	return (paddr_t){ a.bits + offset };
}

static inline bool pa_is_null(paddr_t a)
{
	return a.bits == 0;
}

static inline ipaddr_t ipa_from(uint64_t bits)
{
	return (ipaddr_t){ bits };
}

static inline uint64_t ipa_bits(ipaddr_t a)
{
	return a.bits;
}

static inline ipaddr_t ipa_add(ipaddr_t a, uint64_t offset)
{
	return (ipaddr_t){ a.bits + offset };
}

static inline bool ipa_is_null(ipaddr_t a)
{
	return a.bits == 0;
}

static inline bool ipa_aligned(ipaddr_t a, uint64_t align)
{
	return (a.bits & (align - 1)) == 0;
}

static inline bool pa_aligned(paddr_t a, uint64_t align)
{
	return (a.bits & (align - 1)) == 0;
}

/* A device passed through appears in its partition where it is on the
 * board: its guest-physical address is its physical one. */
static inline ipaddr_t ipa_identity(paddr_t a)
{
	return (ipaddr_t){ a.bits };
}

/* The EL2 identity map: a physical address as a pointer, and back. */
static inline void *pa_ptr(paddr_t a)
{
	return (void *)(uintptr_t)a.bits;
}

static inline paddr_t pa_of(const void *p)
{
	return (paddr_t){ (uint64_t)(uintptr_t)p };
}

#endif
