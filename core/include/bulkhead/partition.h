/*
 * Partitions and their virtual CPUs at run time. Built once at boot from
 * the plan; no allocation afterwards.
 *
 * Locks: a partition's lock guards its run state and its vCPUs' states;
 * its console lock guards its line buffer. Neither is held while taking
 * the other; the global console lock comes last. Interrupts are masked
 * while any of them is held.
 */
#ifndef BULKHEAD_PARTITION_H
#define BULKHEAD_PARTITION_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/pgtable.h>
#include <bulkhead/addr.h>
#include <arch/spinlock.h>
#include <arch/vcpu.h>
#include <bulkhead/board.h>
#include <bulkhead/event.h>
#include <bulkhead/mmio.h>
#include <bulkhead/plan.h>
#include <bulkhead/ratelimit.h>
#include <bulkhead/supervise.h>
#include <bulkhead/vgic.h>

#define PARTITION_S2_TABLES 12
/* The partition's device tree sits in the last 64 KiB of its RAM. */
#define PARTITION_DTB_SIZE 0x10000
#define PARTITION_LINE_MAX 160

enum vcpu_state {
	VCPU_OFF,     /* not started, turned off, or its partition ended */
	VCPU_READY,   /* to be entered by its CPU */
	VCPU_RUNNING, /* in the guest, or handling its trap */
};

enum partition_state {
	PART_RUNNING,
	PART_STOPPED,
	PART_RESTART_WAIT, /* vCPU 0's CPU wipes and (re)starts it at restart_at */
};

struct partition;

/* One of the partition's channels, by its port number here. */
struct partition_channel {
	const struct plan_channel *chan;
	unsigned int end;    /* which end of chan this partition is */
	ipaddr_t shared_ipa; /* where its region is here (0: none) */
};

struct vcpu {
	struct partition *part;
	unsigned int index; /* within the partition */
	unsigned int cpu;   /* the physical CPU it is pinned to */
	volatile enum vcpu_state state;
	/* Waiting (WFI) until this CPU's next tick; READY vCPUs only. */
	volatile bool blocked;
	/* Its CPU is running it or handling its trap (partition lock): even
	 * once turned OFF, it is not gone until its CPU has left it, and
	 * CPU_ON must not reset it before then. */
	bool in_guest;
	struct arch_vcpu arch;
};

struct partition {
	const struct plan_partition *plan;
	unsigned int id;
	paddr_t ram; /* its RAM, physical */
	const uint8_t *image;
	uint64_t image_size;
	const uint8_t *initrd; /* its initial RAM disk, or NULL */
	uint64_t initrd_size;
	ipaddr_t initrd_ipa; /* where it is loaded: below the device tree */
	ipaddr_t dtb_ipa;
	pt_table_t *s2_root;
	struct pt_pool s2_pool;
	volatile enum partition_state state;
	/* vCPUs in the guest now (their CPUs have not parked yet). */
	volatile unsigned int nr_in_guest;
	unsigned int restarts;
	uint64_t restart_at; /* counter value */
	uint64_t backoff_ticks;
	uint64_t wiped;		   /* bytes of RAM zeroed for the coming start */
	uint64_t start_ticks;	   /* counter ticks its wipe and load took */
	uint64_t started_at;	   /* counter at the last start */
	bool has_run;		   /* started at least once */
	unsigned int quick_resets; /* guest resets in a row, each soon after start */
	uint64_t last_beat;	   /* counter at its last heartbeat (watchdog) */
	bool hung;		   /* its watchdog ran out: ended on the way back */
	/* Fault injection: a kind its runtime is to take, and one to tell it
	 * after inject_after more requests (core/fault_inject.c). */
	unsigned int inject_kind, inject_after, inject_after_kind;
	char last_fault[64]; /* its last fault, in words ("" if none) */
	/* Words the boot command line adds to its /chosen/bootargs
	 * (bulkhead.args.NAME=WORD), after the plan's. */
	char more_args[PLAN_ARGS_LEN];
	struct vcpu vcpus[PLAN_MAX_CPUS];
	struct vgic vgic;
	struct mmio_table mmio; /* emulated registers (filled at boot) */
	struct board_device devs[PLAN_MAX_DEVICES];
	unsigned int nr_devs;
	struct event_table events;
	struct partition_channel chans[EVENT_MAX_PORTS];
	spinlock_t lock;	 /* state, vCPU states, nr_in_guest */
	spinlock_t console_lock; /* the line buffer, log_limit */
	char line[PARTITION_LINE_MAX];
	unsigned int line_len;
	uint64_t line_since; /* counter when the partial line began */
	struct ratelimit log_limit; /* hypervisor lines the guest causes */
	struct partition *supervisor; /* told when this one ends; or NULL */
	struct ended_queue ended;     /* when a supervisor: its children's ends */
	struct partition *supervised[PLAN_MAX_PARTITIONS];
	unsigned int nr_supervised;
};

/*
 * A partition whose lock the holder has, with the interrupt mask to give
 * back: only partition_lock() makes one, so a function that takes it can
 * only be called under the lock.
 */
struct partition_locked {
	struct partition *p;
	uint64_t flags;
};

static inline struct partition_locked partition_lock(struct partition *p)
{
	return (struct partition_locked){ p, spin_lock_irqsave(&p->lock) };
}

static inline void partition_unlock(struct partition_locked l)
{
	spin_unlock_irqrestore(&l.p->lock, l.flags);
}

/* Build every partition of the plan (boot CPU, after the other CPUs are
 * online). A plan that cannot be built is reported and nothing starts. */
void partitions_init(const char *cmdline);

/* On vCPU 0's CPU: wipe, rebuild and (re)start p if its start is due. */
void partition_start_if_due(struct partition *p);

/*
 * A guest did something the hypervisor contains: log it (partition, vCPU,
 * what, PC) and apply the partition's fault policy. Never returns to the
 * guest; the CPU continues in its idle loop or restarts the partition.
 */
__attribute__((noreturn)) void partition_fault(struct vcpu *v, const char *what, uint64_t pc);
/* The guest asked to stop (PSCI SYSTEM_OFF / CPU_OFF of its last vCPU). */
__attribute__((noreturn)) void partition_stop(struct vcpu *v);
/* The guest asked for a restart (PSCI SYSTEM_RESET). */
__attribute__((noreturn)) void partition_reset(struct vcpu *v);
/* The control domain `who` stops p for good, or restarts it at once (no
 * limit, no back-off), from any CPU. False if p was not running. */
bool partition_end_by_control(struct partition *p, bool restart, const char *who);
/* Start a stopped partition afresh (its restart count and back-off start
 * again). False if it was not stopped. */
bool partition_start_by_control(struct partition *p);

/* PSCI CPU_ON / CPU_OFF / AFFINITY_INFO for a partition's own vCPUs.
 * vcpu_on returns a PSCI status. */
int64_t vcpu_on(struct vcpu *v, uint64_t target, uint64_t entry, uint64_t context);
__attribute__((noreturn)) void vcpu_off(struct vcpu *v);
bool vcpu_is_on(struct vcpu *v);
/* After an interrupt taken from a guest: leave it if its partition ended
 * or its vCPU was turned off meanwhile. */
void vcpu_after_interrupt(void);

/* Make intid pending for vCPU index `vcpu` of p (or an SPI's target) and
 * get it delivered: now if it runs here, else by waking its CPU. */
void vcpu_inject(struct partition *p, unsigned int vcpu, unsigned int intid);
/* Before returning to the running guest: move its pending interrupts into
 * list registers. Cheap when nothing is pending. */
void vcpu_flush_interrupts(void);
/* The guest's virtual timer fired (physical PPI) on this CPU. */
void vcpu_vtimer_fired(void);
/* Wake the vCPUs a vGIC register write made something pending for. */
void vcpu_kick_pending(struct partition *p);
/* A guest's SGI request (its ICC_SGI1R_EL1 write, decoded). */
void vcpu_send_sgi(struct vcpu *v, const struct sgi_request *req);

/* Where its device tree is built: the last PARTITION_DTB_SIZE bytes of its
 * RAM (dtb_ipa in its own space). */
static inline void *partition_dtb(const struct partition *p)
{
	return pa_ptr(pa_add(p->ram, p->plan->mem_size - PARTITION_DTB_SIZE));
}

/* The partition with this plan id, or NULL. */
struct partition *partition_by_id(unsigned int id);

/* Host pointer to [ipa, ipa + len) if it lies in the partition's RAM. */
void *partition_guest_ptr(struct partition *p, ipaddr_t ipa, uint64_t len);

/* Hypercall and PSCI emulation: regs are x0-x3 in, results out. */
void hypercall_dispatch(struct vcpu *v, uint64_t *regs);
bool vpsci_handle(struct vcpu *v, uint64_t *regs);

/* The partition's console output: line-buffered, sanitized, prefixed. */
void partition_console_write(struct partition *p, const char *s, uint64_t len);
/* From the tick of a CPU running p: a partial line that waited long
 * enough goes out. */
void partition_console_tick(struct partition *p);
/* May the hypervisor log one more line that p's guest caused (a refused
 * SMC, a trapped register)? Rate-limited per partition; when lines were
 * held back, says how many first. */
bool partition_log_allowed(struct partition *p);
/* The run ended: say how many of its lines were held back, if any. */
void partition_log_end(struct partition *p);

/* Passthrough (core/passthrough.c): map p's devices and claim their
 * interrupts at boot; start delivering them (at each (re)start); a shared
 * interrupt taken at EL2; the guest finished with one. */
int passthrough_build(struct partition *p, char *err, size_t errlen);
void passthrough_start(struct partition *p);
/* The first device passed through to p whose registers overlap
 * [base, base + size) or whose interrupts include intid; or NULL. For the
 * windows of emulated devices, which a mapped device would hide. */
const struct board_device *passthrough_overlap(const struct partition *p, uint64_t base,
					       uint64_t size, unsigned int intid);
/* The partition ended: stop its devices that may do DMA (a virtio-mmio
 * device is reset), before its memory is wiped (core/device_quiesce.c). */
void device_quiesce(struct partition *p);
void passthrough_irq(unsigned int intid);
void passthrough_eoi(unsigned int intid);
/* A vCPU gone for good: unmask the device interrupts it still held (its
 * partition locked: CPU_ON may not reset it meanwhile). */
void vcpu_release_device_irqs(struct partition_locked locked, struct vcpu *v);
/* A maintenance interrupt: the running guest ended some interrupts. */
void vcpu_maintenance(void);

/* The partition an event table belongs to. */
static inline struct partition *partition_of_events(struct event_table *t)
{
	return (struct partition *)((char *)t - __builtin_offsetof(struct partition, events));
}

/* Channels (core/channels.c): at boot, after every partition is built,
 * give each its event table and pending page, and map the shared regions
 * into both ends. parts[i] is the partition of plan->parts[i]. */
struct memcarve;
int channels_build(const struct plan *plan, struct partition *parts, struct memcarve *mc,
		   char *err, size_t errlen);
/* Before a (re)start: zero what the guest could write in its event page
 * besides the live pending words. */
void channels_scrub_event_page(struct partition *p);
/* BH_HC_CHANNEL_LOOKUP. */
void channel_lookup(struct vcpu *v, uint64_t *regs);

/* At boot: the virtual GIC's registers into p's MMIO table (vgic_regs.c). */
int vgic_regs_register(struct partition *p);

/* Build the partition's device tree at its place in the partition's RAM. */
int guest_dt_build(struct partition *p, void *buf, uint64_t size);

#endif
