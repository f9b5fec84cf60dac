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
#define BH_ABI_VERSION_MINOR 5
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

/*
 * Event channels (bulkhead/abi/events.h has the ports, the pending page and
 * the interrupt). x1 = a port of the caller's, unless said otherwise.
 */
/* Raise the peer's end: its pending bit is set and, unless masked there,
 * its bound vCPU gets BH_EVENT_INTID. Never blocks. x0 = BH_OK (also when
 * the peer is stopped or restarting: the event waits for it), or
 * BH_E_INVALID (no such port), BH_E_CLOSED (either end closed). */
#define BH_HC_EVENT_SEND BH_HC(6)
/* Stop (mask) or resume (unmask) interrupts for events on the port; they
 * stay pending meanwhile, and unmasking a pending port raises the
 * interrupt. Every port starts masked at each (re)start. */
#define BH_HC_EVENT_MASK BH_HC(7)
#define BH_HC_EVENT_UNMASK BH_HC(8)
/* x1 = pending ports (all vCPUs' words of the pending page), x2 = masked
 * ports, x3 = closed ports (closed at either end). One bit per port. */
#define BH_HC_EVENT_PENDING BH_HC(9)
/* Close the caller's end for good (until the caller's next restart): sends
 * from either end fail with BH_E_CLOSED, and the peer gets one last
 * event so that it notices. */
#define BH_HC_EVENT_CLOSE BH_HC(10)
/* x2 = vCPU index that takes the port's interrupts (default 0). */
#define BH_HC_EVENT_BIND BH_HC(11)
/* Find a channel by name: x1 = guest address of the name, x2 = its length
 * (at most BH_CHANNEL_NAME_MAX). x0 = BH_OK, x1 = port (bits 15-0) |
 * BH_CHANNEL_WRITABLE if the caller may write the shared region |
 * BH_CHANNEL_SECOND_END if the caller is the channel's second end, x2 =
 * region's guest address, x3 = its size (both 0 if the channel has none);
 * or BH_E_NOT_FOUND. */
#define BH_HC_CHANNEL_LOOKUP BH_HC(12)
#define BH_CHANNEL_NAME_MAX 31
#define BH_CHANNEL_WRITABLE (1u << 16)
#define BH_CHANNEL_SECOND_END (1u << 17)

/*
 * For a supervisor (a partition the plan names as another's "supervisor"):
 * take the oldest record of a supervised partition ending. x0 = BH_OK,
 * x1 = that partition's id, x2 = what happened (BH_ENDED_*) | BH_ENDED_STOPPED
 * if it stays stopped | the restarts so far << 16, x3 = the PC of a fault
 * (0 otherwise); or BH_E_NOT_FOUND when no record is waiting. Records wait
 * in a queue of BH_ENDED_QUEUE; when it is full the oldest go (and the next
 * record says how many, in bits 15-12 of x2, at most 15). A record waiting
 * raises BH_ENDED_INTID (a PPI) on the supervisor's vCPU 0.
 */
#define BH_HC_ENDED_TAKE BH_HC(13)
#define BH_ENDED_FAULT 1	/* it faulted */
#define BH_ENDED_STOPPED_ITSELF 2 /* PSCI SYSTEM_OFF, or its last CPU_OFF */
#define BH_ENDED_RESET 3	/* PSCI SYSTEM_RESET */
#define BH_ENDED_CONTROL 4	/* stopped or restarted by the control domain */
#define BH_ENDED_STOPPED (1u << 8) /* it stays stopped (policy or limit) */
#define BH_ENDED_QUEUE 8
#define BH_ENDED_INTID 22

/*
 * For a block driver domain (one the plan names as a guest's
 * "disk-backend"; bulkhead/abi/blk.h): its link is ready. x1 = its device's
 * capacity in 512-byte sectors, x2 = 1 if the device is read-only. The
 * hypervisor sets the area up afresh (indices 0) and gives it again every
 * request that was in flight when its previous run ended. x0 = BH_OK, x1 =
 * the requests given again; BH_E_DENIED for any other partition.
 */
#define BH_HC_BLK_ATTACH BH_HC(14)
/* For a block driver domain: it published answers (or took requests).
 * x0 = BH_OK. An answer that breaks the link's rules (a request it was not
 * given, more bytes than the request, an unknown status, an index that
 * moves too far) is a fault of the driver domain: this call does not
 * return and its plan's policy applies. */
#define BH_HC_BLK_KICK BH_HC(15)
/* A heartbeat for the plan's watchdog ("watchdog-ms"): a partition that
 * has one and does not call this within that time is ended as hung (the
 * domain runtime's loop calls it). x0 = BH_OK. */
#define BH_HC_HEARTBEAT BH_HC(16)
/*
 * Fault injection (builds with CONFIG_FAULT_INJECTION; for the plan's
 * "fault-injector" partition only, else BH_E_DENIED): x1 = the target
 * partition's id, x2 = a kind (BH_FAULT_* of bulkhead/abi/blk.h, 0: one at
 * random), x3 = after that many more requests given to it as a block
 * back-end (0: now). x0 = BH_OK or BH_E_INVALID.
 */
#define BH_HC_INJECT BH_HC(17)
/* For the target: take the fault kind waiting (x1), to perform it; raised
 * by BH_INJECT_INTID. BH_E_NOT_FOUND if none waits. */
#define BH_HC_INJECT_TAKE BH_HC(18)

/* BH_HC(19) to BH_HC(27): the console and control domains' calls,
 * bulkhead/abi/console.h. */

/* Status codes in x0. */
#define BH_OK 0
#define BH_E_UNKNOWN_CALL -1 /* no such function ID (as SMCCC) */
#define BH_E_INVALID -2      /* an argument is out of range */
#define BH_E_FAULT -3        /* a guest address is not the caller's memory */
#define BH_E_DENIED -4       /* the plan does not allow it */
#define BH_E_CLOSED -5       /* the event channel is closed */
#define BH_E_NOT_FOUND -6    /* no channel of that name for the caller */
#define BH_E_AGAIN -7	     /* not now; try again shortly */

#endif
