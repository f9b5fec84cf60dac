/*
 * Bounded atomics on guest-writable memory (arch/guest_atomic.h).
 */
#include <arch/guest_atomic.h>

#define GUEST_ATOMIC_TRIES 64

bool arch_guest_atomic(uint64_t *word, enum guest_op op, uint64_t arg, uint64_t *old)
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
