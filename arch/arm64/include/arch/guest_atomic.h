/*
 * Atomic updates of a word that a guest can write too (a partition's
 * pending-event page). With exclusives (LDAXR/STLXR, all an ARMv8.0 core
 * such as the Cortex-A72 has), a guest that keeps storing to the word could
 * make an unbounded retry loop spin forever on the hypervisor's CPU: these
 * give up after a bounded number of attempts and say so.
 */
#ifndef ARCH_GUEST_ATOMIC_H
#define ARCH_GUEST_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

enum guest_op { GUEST_OR, GUEST_ANDNOT, GUEST_XCHG };

/* *word = *word | arg, *word & ~arg, or arg, atomically, with a full
 * barrier; the old value in *old. False if the guest kept interfering. */
bool arch_guest_atomic(uint64_t *word, enum guest_op op, uint64_t arg, uint64_t *old);

#endif
