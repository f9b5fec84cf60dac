/*
 * arch_guest_atomic() for host tests (arch/guest_atomic.h): no guest stores
 * to the word from another thread here, so the compiler's atomics do.
 */
#include <arch/guest_atomic.h>

bool arch_guest_atomic(uint64_t *word, enum guest_op op, uint64_t arg, uint64_t *old)
{
	*old = op == GUEST_OR	  ? __atomic_fetch_or(word, arg, __ATOMIC_SEQ_CST)
	       : op == GUEST_ANDNOT ? __atomic_fetch_and(word, ~arg, __ATOMIC_SEQ_CST)
				    : __atomic_exchange_n(word, arg, __ATOMIC_SEQ_CST);
	return true;
}
