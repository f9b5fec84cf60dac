/*
 * Supervisors (core/supervise.c): a partition the plan names as another's
 * "supervisor" is told each time that one ends, through a queue of records
 * it takes with BH_HC_ENDED_TAKE and a PPI that says one is waiting.
 */
#ifndef BULKHEAD_SUPERVISE_H
#define BULKHEAD_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/spinlock.h>
#include <bulkhead/abi/hypercall.h>

struct partition;
struct vcpu;

struct ended_record {
	unsigned int child; /* partition id */
	unsigned int what;  /* BH_ENDED_* | BH_ENDED_STOPPED */
	unsigned int restarts;
	uint64_t pc;
};

/* A supervisor's queue: filled by the CPUs its children end on, emptied by
 * its own vCPUs; a leaf lock. */
struct ended_queue {
	spinlock_t lock;
	struct ended_record rec[BH_ENDED_QUEUE];
	unsigned int head, count, lost;
};

/* child ended (what: BH_ENDED_*, stopped: it stays so): tell its
 * supervisor, if the plan gives it one. */
void supervise_ended(struct partition *child, unsigned int what, bool stopped, uint64_t pc);
/* BH_HC_ENDED_TAKE. */
void supervise_take(struct vcpu *v, uint64_t *regs);

#endif
