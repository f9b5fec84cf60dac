/*
 * Forced into every hypervisor source (HYP_CFLAGS), before anything else.
 *
 * The hypervisor is one static position-independent image: no symbol can
 * ever be provided by another module. With default visibility, -fpie still
 * makes the compiler reach every function and variable of another file
 * through the GOT (an extra load and an indirect branch per call, and a
 * relocation per entry for the entry code to apply). Declaring everything
 * hidden tells it the truth, and it emits PC-relative BL and ADRP/ADD.
 * The code is just as position-independent, so this changes no behaviour.
 */
#ifndef BULKHEAD_VISIBILITY_H
#define BULKHEAD_VISIBILITY_H

#ifndef __ASSEMBLY__
#pragma GCC visibility push(hidden)
#endif

#endif
