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

#endif
