/*
 * Atomic updates of a word that a guest can write too (a partition's
 * pending-event page). With exclusives (LDAXR/STLXR, all an ARMv8.0 core
 * such as the Cortex-A72 has), a guest that keeps storing to the word could
 * make an unbounded retry loop spin forever on the hypervisor's CPU: these
 * give up after a bounded number of attempts and say so.
 *
 * Inline, so that each caller's operation folds into its loop (the event
 * send is a hot path); host tests link tests/unit/host_guest_atomic.c.
 */
#ifndef ARCH_GUEST_ATOMIC_H
#define ARCH_GUEST_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

enum guest_op { GUEST_OR, GUEST_ANDNOT, GUEST_XCHG };

#define GUEST_ATOMIC_TRIES 64

/* *word = *word | arg, *word & ~arg, or arg, atomically, with a full
 * barrier; the old value in *old. False if the guest kept interfering. */
#ifdef __aarch64__
static inline bool arch_guest_atomic(uint64_t *word, enum guest_op op, uint64_t arg,
				     uint64_t *old)
{
	for (unsigned int i = 0; i < GUEST_ATOMIC_TRIES; i++) {
		uint64_t v, n;
		uint32_t failed;

		__asm__ volatile("ldaxr %0, [%1]" : "=&r"(v) : "r"(word) : "memory");
		n = op == GUEST_OR ? (v | arg) : op == GUEST_ANDNOT ? (v & ~arg) : arg;
		__asm__ volatile("stlxr %w0, %2, [%1]" : "=&r"(failed) : "r"(word), "r"(n) : "memory");
		if (!failed) {
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			*old = v;
			return true;
		}
	}
	__asm__ volatile("clrex" ::: "memory");
	return false;
}
#else
bool arch_guest_atomic(uint64_t *word, enum guest_op op, uint64_t arg, uint64_t *old);
#endif

#endif
