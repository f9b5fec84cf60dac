/*
 * For host unit tests of code that takes a spinlock (arch/spinlock.h):
 * spin_lock() waits with the arm64 `yield` hint, an instruction an x86
 * (or other) host's assembler rejects even though a single-threaded test
 * never spins. unit.mk force-includes this header into such objects only;
 * it defines an assembler macro named `yield` that stands in with the
 * host's own spin-wait hint, so the real spinlock.h is compiled unchanged.
 *
 * GCC emits top-level asm before any function, so the macro is defined
 * before spin_lock()'s inline asm uses it.
 */
#ifndef BULKHEAD_TESTS_HOST_YIELD_H
#define BULKHEAD_TESTS_HOST_YIELD_H

#if !defined(__aarch64__)
__asm__(".macro yield\n"
#if defined(__x86_64__) || defined(__i386__)
	"\tpause\n"
#else
	"\tnop\n"
#endif
	".endm\n");
#endif

#endif
