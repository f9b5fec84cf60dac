/*
 * Per-CPU state. Each CPU reaches its own block through arch_this_cpu();
 * another CPU's block is touched only for the fields marked shared.
 */
#ifndef BULKHEAD_PERCPU_H
#define BULKHEAD_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>

struct vcpu;
struct partition;
struct exception_frame;

struct percpu {
	unsigned int id;
	uint64_t mpidr;
	/* Shared: set by the CPU itself once it is up, read by the boot CPU. */
	volatile bool online;
	/* Timer ticks taken on this CPU. */
	volatile uint64_t ticks;
	/* The vCPUs pinned here (set at boot by the boot CPU), the one in
	 * the guest now, where round-robin goes on, and the tick's verdict. */
	struct vcpu *runq[8];
	unsigned int nr_runq;
	struct vcpu *current;
	struct partition *last_part; /* whose vCPU this CPU entered last */
	unsigned int rr_next;
	bool need_resched;
	/* The current vCPU waits in its trapped WFI, here (sched_wfi). */
	bool waiting_in_place;
	/* Shared: a wake-up interrupt is on its way here (sched_wake). */
	bool wake_sent;
	/* The register frame of the current trap from a guest. */
	struct exception_frame *trap_frame;
};

extern struct percpu percpu[CONFIG_NR_CPUS];

static inline struct percpu *this_cpu(void)
{
	return arch_this_cpu();
}

static inline unsigned int this_cpu_id(void)
{
	struct percpu *pc = arch_this_cpu();

	return pc ? pc->id : 0;
}

#endif
