/*
 * Partitions at run time: building them from the plan at boot (RAM carved
 * from the board, stage-2 tables, image and device tree loaded), running
 * their vCPUs, and the fault policy (stop, or restart from the pristine
 * image with a limit and a doubling back-off).
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <arch/cpu.h>
#include <arch/psci.h>
#include <arch/stage2.h>
#include <arch/vgic_hw.h>
#include <bulkhead/board.h>
#include <bulkhead/cmdline.h>
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/irqs.h>
#include <bulkhead/log.h>
#include <bulkhead/memcarve.h>
#include <bulkhead/partition.h>
#include <bulkhead/payload.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>

/* Bytes of RAM partition_wipe() zeroes between looks at the run queue. */
#define PARTITION_WIPE_STEP (2UL << 20)

/* Plans given at boot (bulkhead.plan=ADDR) may be at most this large. */
#define PLAN_BLOB_MAX 0x10000

static struct plan plan;
static struct partition partitions[PLAN_MAX_PARTITIONS];
static unsigned int nr_partitions;
static pt_table_t s2_tables[PLAN_MAX_PARTITIONS][PARTITION_S2_TABLES]
	__attribute__((aligned(4096)));

extern char _text[], _end[];

const struct payload_image *payload_find_image(const char *name)
{
	for (uint64_t i = 0; i < payload_nr_images; i++)
		if (!strcmp(payload_images[i].name, name))
			return &payload_images[i];
	return NULL;
}


void *partition_guest_ptr(struct partition *p, uint64_t ipa, uint64_t len)
{
	uint64_t base = p->plan->mem_base, size = p->plan->mem_size;

	if (ipa < base || len > size || ipa - base > size - len)
		return NULL;
	return (void *)(p->ram_pa + (ipa - base));
}

/*
 * Put the pristine image and a fresh device tree into the partition's RAM,
 * which partition_wipe() has zeroed, and reset what the hypervisor keeps
 * for it.
 */
static int partition_load(struct partition *p)
{
	uint64_t size = p->plan->mem_size;
	void *ram = (void *)p->ram_pa;
	void *dtb = (uint8_t *)ram + size - PARTITION_DTB_SIZE;

	vgic_reset(&p->vgic, p->plan->nr_cpus, arch_vgic_is_v2() ? VGIC_V2 : VGIC_V3);
	event_table_reset(&p->events);
	channels_scrub_event_page(p);
	memcpy(ram, p->image, p->image_size);
	if (guest_dt_build(p, dtb, PARTITION_DTB_SIZE))
		return -1;
	arch_dcache_clean_invalidate(ram, p->image_size);
	arch_dcache_clean_invalidate(dtb, PARTITION_DTB_SIZE);
	return 0;
}

/*
 * Zero all of the partition's RAM before each start, the first included:
 * nothing the boot loader, a previous run or a compromised driver left
 * there may reach the next run. Done by vCPU 0's own CPU, a step at a time:
 * between steps, interrupts are let in, and a vCPU of higher priority that
 * is ready on this CPU runs first (the wipe goes on when the CPU is idle
 * again), so a large restarting partition cannot delay its neighbour by
 * more than one step. Returns true once all of it is zero.
 */
static bool partition_wipe(struct partition *p)
{
	uint64_t size = p->plan->mem_size;

	if (!p->wiped)
		p->start_ticks = 0;
	while (p->wiped < size) {
		uint64_t n = size - p->wiped < PARTITION_WIPE_STEP ? size - p->wiped
								   : PARTITION_WIPE_STEP;
		uint64_t t0 = arch_counter_now();

		arch_mem_zero_to_poc((uint8_t *)p->ram_pa + p->wiped, n);
		p->wiped += n;
		p->start_ticks += arch_counter_now() - t0;
		if (p->wiped < size && sched_higher_ready(p->plan->priority))
			return false;
	}
	return true;
}

static void vcpu_prepare(struct vcpu *v)
{
	struct partition *p = v->part;

	arch_vcpu_reset(&v->arch, p->plan->mem_base, p->dtb_ipa, p->id + 1,
			(uint64_t)p->s2_root, v->index);
}

static int partition_build(struct partition *p, const struct plan_partition *pp,
			   struct memcarve *mc, char *err, size_t errlen)
{
	const struct payload_image *img = payload_find_image(pp->image);

	p->plan = pp;
	p->id = pp->id;
	p->lock = (spinlock_t)SPINLOCK_INIT;
	p->console_lock = (spinlock_t)SPINLOCK_INIT;
	/* Once: each load resets it under its lock (vgic_reset). */
	vgic_init(&p->vgic, pp->nr_cpus, arch_vgic_is_v2() ? VGIC_V2 : VGIC_V3);
	if (!img) {
		fmt_snprintf(err, errlen, "image \"%s\" is not in the hypervisor image", pp->image);
		return -1;
	}
	if (img->size > pp->mem_size - PARTITION_DTB_SIZE) {
		fmt_snprintf(err, errlen, "image \"%s\" (%lu bytes) does not fit in %lu MiB",
			     pp->image, img->size, pp->mem_size >> 20);
		return -1;
	}
	if (pp->mem_base + pp->mem_size > (1UL << arch_s2_ipa_bits())) {
		fmt_snprintf(err, errlen, "RAM ends above this CPU's %u-bit guest-physical space",
			     arch_s2_ipa_bits());
		return -1;
	}
	p->image = img->start;
	p->image_size = img->size;
	p->ram_pa = memcarve_take(mc, pp->mem_size);
	if (!p->ram_pa) {
		fmt_snprintf(err, errlen, "not enough free RAM for %lu MiB (largest free piece: "
					  "%lu MiB)",
			     pp->mem_size >> 20, memcarve_largest(mc) >> 20);
		return -1;
	}
	p->s2_pool.tables = s2_tables[pp->id];
	p->s2_pool.nr = PARTITION_S2_TABLES;
	p->s2_pool.used = 0;
	p->s2_root = s2_create(&p->s2_pool);
	if (!p->s2_root ||
	    s2_map(&p->s2_pool, p->s2_root, pp->mem_base, p->ram_pa, pp->mem_size, S2_RAM)) {
		fmt_snprintf(err, errlen, "stage-2 tables for its RAM do not fit");
		return -1;
	}
	/* On GICv2 hosts the guest's CPU interface is the hardware's GICV
	 * frame, mapped where the guest expects its GICC. */
	if (arch_vgic_is_v2() &&
	    s2_map(&p->s2_pool, p->s2_root, VGIC_V2_CPU_IPA, board.gic.vcpu.base, VGIC_V2_CPU_SIZE,
		   S2_DEVICE)) {
		fmt_snprintf(err, errlen, "cannot map the virtual CPU interface");
		return -1;
	}
	if (passthrough_build(p, err, errlen))
		return -1;
	p->dtb_ipa = pp->mem_base + pp->mem_size - PARTITION_DTB_SIZE;
	p->backoff_ticks = arch_counter_freq() / 1000 * pp->backoff_ms;
	for (unsigned int i = 0; i < pp->nr_cpus; i++) {
		struct vcpu *v = &p->vcpus[i];

		v->part = p;
		v->index = i;
		v->cpu = pp->cpus[i];
		v->state = VCPU_OFF;
	}
	return 0;
}

/* The plan: the one packed in the image, or one the boot loader put in
 * memory and named with bulkhead.plan=ADDR (checked like any other). */
static const void *plan_blob(const char *cmdline, char *err, size_t errlen)
{
	char arg[24];
	uint64_t addr;
	bool in_ram = false;

	if (!cmdline_get(cmdline, "bulkhead.plan", arg, sizeof(arg)))
		return payload_plan;
	addr = strtoul(arg, NULL, 0);
	for (unsigned int i = 0; i < board.nr_mem; i++)
		if (addr >= board.mem[i].base && addr % 8 == 0 &&
		    addr - board.mem[i].base <= board.mem[i].size - PLAN_BLOB_MAX)
			in_ram = true;
	if (!in_ram) {
		fmt_snprintf(err, errlen, "bulkhead.plan=%s is not an 8-byte aligned address in RAM",
			     arg);
		return NULL;
	}
	if (fdt_magic((const void *)addr) == FDT_MAGIC &&
	    fdt_totalsize((const void *)addr) > PLAN_BLOB_MAX) {
		fmt_snprintf(err, errlen, "plan at %s is larger than %d bytes", arg, PLAN_BLOB_MAX);
		return NULL;
	}
	log_info("plan: using the plan at %s from the command line", arg);
	return (const void *)addr;
}

static int carve_init(struct memcarve *mc, const void *blob)
{
	struct mem_range excl[BOARD_MAX_RESERVED + 3];
	unsigned int n = 0;

	excl[n++] = (struct mem_range){ (uint64_t)_text, (uint64_t)(_end - _text) };
	excl[n++] = (struct mem_range){ board.dtb_base, board.dtb_size };
	excl[n++] = (struct mem_range){ (uint64_t)blob, PLAN_BLOB_MAX };
	for (unsigned int i = 0; i < board.nr_reserved; i++)
		excl[n++] = board.reserved[i];
	/* A failure leaves exclusions unapplied: nothing may be carved then. */
	return memcarve_init(mc, board.mem, board.nr_mem, excl, n);
}

void partitions_init(const char *cmdline)
{
	static struct memcarve mc;
	char err[160];
	const void *blob = plan_blob(cmdline, err, sizeof(err));
	unsigned int nr_online = 0;

	for (unsigned int i = 0; i < CONFIG_NR_CPUS; i++)
		if (percpu[i].online)
			nr_online = i + 1;
	if (!blob || plan_parse(blob, nr_online, &plan, err, sizeof(err))) {
		log_err("plan rejected: %s; no partition started", err);
		return;
	}
	for (unsigned int i = 0; i < plan.nr; i++)
		for (unsigned int j = 0; j < plan.parts[i].nr_cpus; j++)
			if (!percpu[plan.parts[i].cpus[j]].online) {
				log_err("plan rejected: partition@%u (\"%s\"): cpus: CPU %u did not "
					"come online; no partition started",
					plan.parts[i].id, plan.parts[i].name, plan.parts[i].cpus[j]);
				return;
			}
	if (carve_init(&mc, blob)) {
		log_err("plan rejected: the memory map is too fragmented to carve safely; no "
			"partition started");
		return;
	}
	log_info("partitions: %u-bit guest-physical space, %s", arch_s2_ipa_bits(),
		 !arch_vgic_available() ? "no virtual GIC" : arch_vgic_is_v2() ? "virtual GICv2"
										 : "virtual GICv3");
	for (unsigned int i = 0; i < plan.nr; i++) {
		const struct plan_partition *pp = &plan.parts[i];
		struct partition *p = &partitions[i];

		if (partition_build(p, pp, &mc, err, sizeof(err))) {
			log_err("plan rejected: partition@%u (\"%s\"): %s; no partition started",
				pp->id, pp->name, err);
			nr_partitions = 0;
			return;
		}
		log_info("partition %u \"%s\": %s on CPU %u, %lu MiB at 0x%lx (guest 0x%lx), "
			 "image \"%s\" (%lu KiB), on fault: %s",
			 p->id, pp->name, pp->role == PLAN_ROLE_GUEST ? "guest" : "driver domain",
			 pp->cpus[0], pp->mem_size >> 20, p->ram_pa, pp->mem_base, pp->image,
			 p->image_size >> 10, plan_policy_name(pp->policy));
		nr_partitions++;
	}
	/* Channels join built partitions; then each is loaded, its device
	 * tree naming its channels. */
	if (channels_build(&plan, partitions, &mc, err, sizeof(err))) {
		log_err("plan rejected: %s; no partition started", err);
		nr_partitions = 0;
		return;
	}
	/* Each device tree is built once here to refuse a plan whose trees do
	 * not fit; the partition's own CPU builds it again after the wipe. */
	for (unsigned int i = 0; i < nr_partitions; i++) {
		struct partition *p = &partitions[i];

		if (guest_dt_build(p, (uint8_t *)p->ram_pa + p->plan->mem_size - PARTITION_DTB_SIZE,
				   PARTITION_DTB_SIZE)) {
			log_err("plan rejected: partition@%u (\"%s\"): its device tree does not fit; "
				"no partition started",
				p->id, p->plan->name);
			nr_partitions = 0;
			return;
		}
	}
	/* Every vCPU joins its CPU's run queue before any starts: a vCPU enters
	 * with WFI trapped only if its CPU is shared, and that must be known. */
	for (unsigned int i = 0; i < nr_partitions; i++)
		for (unsigned int j = 0; j < partitions[i].plan->nr_cpus; j++)
			sched_add(&partitions[i].vcpus[j]);
	/* vCPU 0's CPU wipes, loads and starts each partition, as it does
	 * for a restart; its other vCPUs wait for CPU_ON. */
	for (unsigned int i = 0; i < nr_partitions; i++) {
		struct partition *p = &partitions[i];

		p->wiped = 0;
		p->restart_at = 0;
		__atomic_store_n(&p->state, PART_RESTART_WAIT, __ATOMIC_RELEASE);
		irq_wake_cpu(p->vcpus[0].cpu);
	}
}

/* vCPU 0's CPU (re)starts a partition whose start is due, once none of
 * its vCPUs is left in the guest. */
void partition_restart_if_due(struct partition *p)
{
	bool load_failed, first = !p->started_at;
	uint64_t flags, t0;

	if (p->state != PART_RESTART_WAIT || p->nr_in_guest ||
	    arch_counter_now() < p->restart_at)
		return;
	if (!partition_wipe(p))
		return; /* a higher-priority vCPU runs first */
	t0 = arch_counter_now();
	load_failed = partition_load(p) != 0;
	p->start_ticks += arch_counter_now() - t0;
	flags = arch_irq_save();
	spin_lock(&p->lock);
	if (load_failed) {
		p->state = PART_STOPPED;
	} else {
		/* Only vCPU 0 starts; the others wait for CPU_ON again, whatever
		 * they were doing when the partition ended. */
		for (unsigned int i = 1; i < p->plan->nr_cpus; i++)
			p->vcpus[i].state = VCPU_OFF;
		vcpu_prepare(&p->vcpus[0]);
		p->vcpus[0].state = VCPU_READY;
		p->state = PART_RUNNING;
		p->started_at = arch_counter_now() | 1; /* never 0: 0 is "not yet" */
	}
	spin_unlock(&p->lock);
	arch_irq_restore(flags);
	if (!load_failed)
		passthrough_start(p); /* now that its interrupts have a home */
	if (load_failed)
		log_err("partition %u \"%s\": cannot rebuild its device tree; stopped", p->id,
			p->plan->name);
	else if (!first)
		log_info("partition %u \"%s\": restarted (%u so far)", p->id, p->plan->name,
			 p->restarts);
	/* make bench reads this: the cost of a (re)start on this CPU. */
	if (!load_failed && IS_ENABLED(CONFIG_BOOT_TIMING))
		log_info("partition %u \"%s\": %lu MiB wiped and loaded in %lu counter ticks",
			 p->id, p->plan->name, p->plan->mem_size >> 20, p->start_ticks);
}

/* Leave the guest for good on this CPU (the vCPU ended or was turned
 * off) and continue with whatever else the CPU has. */
static __attribute__((noreturn)) void vcpu_park(struct vcpu *v)
{
	sched_leave(v, VCPU_OFF);
}

void vcpu_after_interrupt(void)
{
	struct vcpu *v = vcpu_current();

	if (!v)
		return;
	/* Another CPU ended the partition, or turned this vCPU off. */
	if (v->state != VCPU_RUNNING || v->part->state != PART_RUNNING)
		vcpu_park(v);
	sched_preempt_if_needed(v);
}

/*
 * The delay before a restart the guest asked for (PSCI SYSTEM_RESET). Not a
 * fault, so it counts toward no limit; but a guest that resets again and
 * again within a second of starting gets the fault back-off (at least a
 * millisecond), doubling each time, so that it cannot keep a CPU wiping
 * and the console printing. A run that lasts a second starts afresh.
 */
static uint64_t reset_backoff(struct partition *p)
{
	uint64_t ms = arch_counter_freq() / 1000;
	uint64_t base = p->backoff_ticks > ms ? p->backoff_ticks : ms;

	if (arch_counter_now() - p->started_at >= 1000 * ms) {
		p->quick_resets = 0;
		return 0;
	}
	return base << (p->quick_resets < 10 ? p->quick_resets++ : 10);
}

/*
 * End v's partition: stop it, or schedule its restart. Every other vCPU is
 * turned off and its CPU interrupted, so that it leaves the guest; vCPU
 * 0's CPU does the restart once all have. If another vCPU already ended
 * the partition, this one just leaves.
 */
static __attribute__((noreturn)) void partition_end(struct vcpu *v, bool restart, bool counted,
						       const char *why)
{
	struct partition *p = v->part;
	const struct plan_partition *pp = p->plan;
	uint64_t delay = 0;

	arch_irq_disable();
	spin_lock(&p->lock);
	if (p->state != PART_RUNNING) {
		spin_unlock(&p->lock);
		vcpu_park(v);
	}
	if (restart && counted && pp->restart_limit && p->restarts >= pp->restart_limit) {
		restart = false;
		why = "restart limit reached";
	}
	if (restart) {
		if (counted) {
			delay = p->backoff_ticks << (p->restarts < 16 ? p->restarts : 16);
			p->restarts++;
		} else {
			delay = reset_backoff(p);
		}
		p->restart_at = arch_counter_now() + delay;
		p->wiped = 0;
		p->state = PART_RESTART_WAIT;
	} else {
		p->state = PART_STOPPED;
	}
	for (unsigned int i = 0; i < pp->nr_cpus; i++) {
		struct vcpu *o = &p->vcpus[i];

		if (o != v && o->state == VCPU_RUNNING)
			irq_wake_cpu(o->cpu);
		if (o != v && o->state == VCPU_READY)
			o->state = VCPU_OFF;
	}
	spin_unlock(&p->lock);

	/* What the guest printed before it ended comes first. */
	partition_console_write(p, "", 0);
	partition_log_end(p);
	if (restart)
		log_info("partition %u \"%s\": %s; restarting in %lu ms", p->id, pp->name, why,
			 delay / (arch_counter_freq() / 1000));
	else if (!strcmp(why, "restart limit reached"))
		log_warn("partition %u \"%s\": fault; restart limit (%u) reached, stopped", p->id,
			 pp->name, pp->restart_limit);
	else
		log_info("partition %u \"%s\": %s; stopped", p->id, pp->name, why);
	vcpu_park(v);
}

void partition_fault(struct vcpu *v, const char *what, uint64_t pc)
{
	struct partition *p = v->part;

	log_warn("partition %u \"%s\" vCPU %u: %s at PC 0x%lx", p->id, p->plan->name, v->index,
		 what, pc);
	partition_end(v, p->plan->policy != PLAN_POLICY_STOP, true, "fault");
}

void partition_stop(struct vcpu *v)
{
	partition_end(v, v->part->plan->policy == PLAN_POLICY_RESTART_ALWAYS, true,
		      "stopped itself");
}

void partition_reset(struct vcpu *v)
{
	/* A reset the guest asks for is not a fault: no limit, no back-off. */
	partition_end(v, true, false, "reset requested");
}

int64_t vcpu_on(struct vcpu *v, uint64_t target, uint64_t entry, uint64_t context)
{
	struct partition *p = v->part;
	struct vcpu *t;
	int64_t rc = PSCI_SUCCESS;

	if (target >= p->plan->nr_cpus)
		return PSCI_INVALID_PARAMETERS;
	if (!partition_guest_ptr(p, entry, 4) || entry % 4)
		return PSCI_INVALID_ADDRESS;
	t = &p->vcpus[target];
	spin_lock(&p->lock);
	if (p->state != PART_RUNNING)
		rc = PSCI_DENIED;
	else if (t->state != VCPU_OFF || t->in_guest) /* in_guest: still turning off */
		rc = t->state == VCPU_READY ? PSCI_ON_PENDING : PSCI_ALREADY_ON;
	if (rc == PSCI_SUCCESS) {
		arch_vcpu_reset(&t->arch, entry, context, p->id + 1, (uint64_t)p->s2_root,
				t->index);
		t->state = VCPU_READY;
	}
	spin_unlock(&p->lock);
	if (rc == PSCI_SUCCESS)
		sched_wake(t);
	return rc;
}

void vcpu_off(struct vcpu *v)
{
	struct partition *p = v->part;
	unsigned int others = 0;

	/* Count and turn off under one lock hold, so that two vCPUs turning
	 * off at once cannot both think the other stays on. */
	spin_lock(&p->lock);
	for (unsigned int i = 0; i < p->plan->nr_cpus; i++)
		if (&p->vcpus[i] != v && p->vcpus[i].state != VCPU_OFF)
			others++;
	if (others)
		v->state = VCPU_OFF;
	spin_unlock(&p->lock);
	if (!others)
		partition_stop(v); /* the last one out stops the partition */
	vcpu_park(v);
}

void vcpu_inject(struct partition *p, unsigned int vcpu, unsigned int intid)
{
	int target = vgic_inject(&p->vgic, vcpu, intid);

	if (target >= 0)
		sched_wake(&p->vcpus[target]);
}

void vcpu_kick_pending(struct partition *p)
{
	uint32_t targets = __atomic_exchange_n(&p->vgic.kick, 0, __ATOMIC_ACQ_REL);

	for (unsigned int i = 0; i < p->plan->nr_cpus; i++)
		if (targets & (1u << i))
			sched_wake(&p->vcpus[i]);
}

void vcpu_send_sgi(struct vcpu *v, uint64_t sgi1r)
{
	struct partition *p = v->part;
	uint32_t targets = vgic_send_sgi(&p->vgic, v->index, sgi1r);

	for (unsigned int i = 0; i < p->plan->nr_cpus; i++)
		if (targets & (1u << i))
			sched_wake(&p->vcpus[i]);
}

static void process_retired(struct vcpu *v)
{
	struct arch_vgic_cpu *c = &v->arch.vgic;

	for (unsigned int w = 0; w < 2; w++)
		while (c->retired[w]) {
			unsigned int bit = (unsigned int)__builtin_ctzll(c->retired[w]);

			c->retired[w] &= c->retired[w] - 1;
			passthrough_eoi(64 * w + bit);
		}
}

void vcpu_flush_interrupts(void)
{
	struct vcpu *v = vcpu_current();
	uint64_t any = 0;

	if (!v || !arch_vgic_available())
		return;
	for (unsigned int i = 0; i < sizeof(v->part->vgic.cpu[0].pending) / 8; i++)
		any |= v->part->vgic.cpu[v->index].pending[i];
	if (any) {
		arch_vgic_flush(&v->arch.vgic, &v->part->vgic, v->index);
		process_retired(v);
	}
}

void vcpu_release_device_irqs(struct vcpu *v)
{
	/* A device interrupt still in this vCPU's list registers would stay
	 * masked at the GIC for good: give it back. */
	if (!arch_vgic_available())
		return;
	for (unsigned int i = 0; i < ARCH_VGIC_MAX_LRS; i++) {
		int intid = v->arch.vgic.lr_intid[i];

		if (intid >= 0 && vgic_is_hw(&v->part->vgic, (unsigned int)intid))
			passthrough_eoi((unsigned int)intid);
	}
}

void vcpu_maintenance(void)
{
	struct vcpu *v = vcpu_current();

	if (!arch_vgic_available())
		return;
	if (!v) {
		/* Nobody to act for: whatever raised it (an LR left with its
		 * EOI bit) must stop asserting it, or it is taken forever. */
		arch_vgic_disable();
		return;
	}
	arch_vgic_flush(&v->arch.vgic, &v->part->vgic, v->index);
	process_retired(v);
}

void vcpu_vtimer_fired(void)
{
	struct vcpu *v = vcpu_current();

	/* The guest's timer condition stays true until it rearms: mask it so
	 * that it does not fire again at once, and give the guest its
	 * interrupt. */
	arch_vtimer_mask();
	if (v && arch_vgic_available())
		vgic_inject(&v->part->vgic, v->index, VGIC_PPI_VTIMER);
}

bool vcpu_is_on(struct vcpu *v)
{
	/* A vCPU that turned itself off is ON until its CPU has left it. */
	return v->state != VCPU_OFF || __atomic_load_n(&v->in_guest, __ATOMIC_ACQUIRE);
}

