/*
 * Fault injection (CONFIG_FAULT_INJECTION, debug builds): the hypervisor
 * tells a partition's runtime to commit a fault of a given kind
 * (BH_FAULT_* in bulkhead/abi/blk.h), and the fault it commits is real:
 * a real data abort, a real hang, a real bad answer on its link, caught
 * by the same checks that catch a broken driver. Asked for by the boot
 * option bulkhead.inject=NAME:MIN-MAX[:COUNT] (at random moments MIN to
 * MAX ms apart, the kinds in turn, COUNT times or forever) or by the
 * plan's "fault-injector" partition through BH_HC_INJECT.
 */
#ifndef BULKHEAD_FAULT_INJECT_H
#define BULKHEAD_FAULT_INJECT_H

#include <stdbool.h>
#include <stdint.h>

struct partition;
struct vcpu;

#ifdef CONFIG_FAULT_INJECTION
/* A timed injection is set up (bulkhead.inject). */
extern bool fault_inject_timed;
static inline bool fault_inject_armed(void)
{
	return fault_inject_timed;
}
/* At boot, after the partitions are built: read bulkhead.inject. */
void fault_inject_init(const char *cmdline, struct partition *parts, unsigned int nr);
/* On each CPU's tick: a timed injection that is due. */
void fault_inject_tick(void);
/* A request was given to p as a block back-end (for "after N requests"). */
void fault_inject_count(struct partition *p);
#else
static inline bool fault_inject_armed(void)
{
	return false;
}
static inline void fault_inject_init(const char *cmdline, struct partition *parts,
				     unsigned int nr)
{
	(void)cmdline;
	(void)parts;
	(void)nr;
}
static inline void fault_inject_tick(void)
{
}
static inline void fault_inject_count(struct partition *p)
{
	(void)p;
}
#endif
/* The hypercalls (BH_E_DENIED / BH_E_NOT_FOUND without the option). */
void fault_inject_call(struct vcpu *v, uint64_t *regs);
void fault_inject_take(struct vcpu *v, uint64_t *regs);

#endif
