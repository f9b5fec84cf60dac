/*
 * Broken internal invariants stop the whole machine loudly. Nothing a guest
 * does may lead here; guest faults are contained and reported instead.
 */
#ifndef BULKHEAD_PANIC_H
#define BULKHEAD_PANIC_H

#include <stdbool.h>

struct exception_frame;

/* True once any CPU has panicked: the others stop at their next tick. */
bool panic_in_progress(void);

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
__attribute__((noreturn, format(printf, 3, 4))) void
panic_with_frame(const struct exception_frame *f, unsigned int kind, const char *fmt, ...);

#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (CONFIG_DEBUG_ASSERTS_ON && (cond))                                             \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);                   \
	} while (0)

#ifdef CONFIG_DEBUG_ASSERTS
#define CONFIG_DEBUG_ASSERTS_ON 1
#else
#define CONFIG_DEBUG_ASSERTS_ON 0
#endif

#endif
