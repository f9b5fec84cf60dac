/*
 * Bulkhead guest ABI: hypercall numbers, arguments and error codes.
 *
 * This header set (core/abi/) is the only thing domains include from the
 * hypervisor, and it includes nothing but <stdint.h>. docs/abi.md documents
 * every call.
 *
 * Calling convention (SMCCC-style, 64-bit): HVC #0 with the function ID in
 * x0 and arguments in x1-x5. On return x0 holds a status (BH_OK or a
 * negative BH_E* code) and x1-x3 any results. Registers x4-x17 are
 * preserved, unlike SMCCC, so a hypercall costs no spills. PSCI calls use
 * their standard IDs through HVC or SMC.
 */
#ifndef BULKHEAD_ABI_HYPERCALL_H
#define BULKHEAD_ABI_HYPERCALL_H

#include <stdint.h>

/* ABI version: major in bits 31-16, minor in 15-0. A domain checks the
 * major number with BH_HC_ABI_VERSION at start-up. */
#define BH_ABI_VERSION_MAJOR 0
#define BH_ABI_VERSION_MINOR 1
#define BH_ABI_VERSION ((BH_ABI_VERSION_MAJOR << 16) | BH_ABI_VERSION_MINOR)

/* Function IDs: SMCCC fast calls, 64-bit, owner "vendor specific
 * hypervisor service" (6). */
#define BH_HC(n) (0xc6000000u | (n))

/* x0 = BH_OK, x1 = BH_ABI_VERSION. */
#define BH_HC_ABI_VERSION BH_HC(0)
/* Does nothing: the round-trip benchmark. x0 = BH_OK. */
#define BH_HC_NULL BH_HC(1)
/* x1 = guest address of the text, x2 = length (at most
 * BH_CONSOLE_WRITE_MAX). x0 = BH_OK, x1 = bytes written. */
#define BH_HC_CONSOLE_WRITE BH_HC(2)
/* Give up the rest of this time slice. x0 = BH_OK. */
#define BH_HC_YIELD BH_HC(3)
/* x0 = BH_OK, x1 = partition id, x2 = vCPU index in the partition. */
#define BH_HC_PARTITION_ID BH_HC(4)

/* The domain took an exception it cannot handle: x1 = ESR_EL1, x2 =
 * ELR_EL1, x3 = FAR_EL1. Counts as a fault of the partition: the
 * hypervisor logs it and applies the plan's fault policy. Does not return. */
#define BH_HC_FAULT BH_HC(5)

#define BH_CONSOLE_WRITE_MAX 256

/* Status codes in x0. */
#define BH_OK 0
#define BH_E_UNKNOWN_CALL -1 /* no such function ID (as SMCCC) */
#define BH_E_INVALID -2      /* an argument is out of range */
#define BH_E_FAULT -3        /* a guest address is not the caller's memory */
#define BH_E_DENIED -4       /* the plan does not allow it */

#endif
