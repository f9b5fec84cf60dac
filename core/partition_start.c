/*
 * Starting a partition, the first time and after it ended: vCPU 0's CPU
 * zeroes all of its RAM (a step at a time, giving way to higher-priority
 * vCPUs), loads the pristine image and a fresh device tree, resets what the
 * hypervisor keeps for it, and makes vCPU 0 ready.
 *
 * Locks: the partition lock, alone; the vGIC lock inside vgic_reset(), not
 * under it.
 */
#include <string.h>
#include <arch/cpu.h>
#include <arch/vgic_hw.h>
#include <bulkhead/irq.h>
#include <bulkhead/log.h>
#include <bulkhead/partition.h>
#include <bulkhead/sched.h>
#include <bulkhead/vuart.h>

/* Bytes of RAM partition_wipe() zeroes between looks at the run queue. */
#define PARTITION_WIPE_STEP (2UL << 20)

/*
 * Put the pristine image and a fresh device tree into the partition's RAM,
 * which partition_wipe() has zeroed, and reset what the hypervisor keeps
 * for it.
 */
static int partition_load(struct partition *p)
{
	void *ram = pa_ptr(p->ram), *dtb = partition_dtb(p);

	vgic_reset(&p->vgic, p->plan->nr_cpus, arch_vgic_is_v2() ? VGIC_V2 : VGIC_V3);
	event_table_reset(&p->events);
	if (vuart_of(p)) {
		vuart_reset(vuart_of(p));
		/* Told of the guest's EOI: its interrupt is a level (vuart_eoi). */
		vgic_set_hw(&p->vgic, PLAN_VUART_INTID);
	}
	channels_scrub_event_page(p);
	memcpy(ram, p->image, p->image_size);
	if (p->initrd) {
		void *rd = (uint8_t *)ram + (ipa_bits(p->initrd_ipa) - ipa_bits(p->plan->mem_base));

		memcpy(rd, p->initrd, p->initrd_size);
		arch_dcache_clean_invalidate(rd, p->initrd_size);
	}
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

		arch_mem_zero_to_poc(pa_ptr(pa_add(p->ram, p->wiped)), n);
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

	/* The boot protocol: at the start of its RAM, x0 its device tree. */
	arch_vcpu_reset(&v->arch, ipa_bits(p->plan->mem_base), ipa_bits(p->dtb_ipa), p->id + 1,
			pa_of(p->s2_root), v->index);
}

/* vCPU 0's CPU (re)starts a partition whose start is due, once none of
 * its vCPUs is left in the guest. */
void partition_start_if_due(struct partition *p)
{
	bool load_failed, first = !p->has_run;
	struct partition_locked locked;
	uint64_t t0;

	if (p->state != PART_RESTART_WAIT || p->nr_in_guest || arch_counter_now() < p->restart_at)
		return;
	if (!partition_wipe(p))
		return; /* a higher-priority vCPU runs first */
	t0 = arch_counter_now();
	load_failed = partition_load(p) != 0;
	p->start_ticks += arch_counter_now() - t0;
	locked = partition_lock(p);
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
		p->started_at = arch_counter_now();
		p->last_beat = 0;
		p->hung = false;
		/* An injection armed for a run that ended goes with it; one
		 * armed before the first start (the injector may start first)
		 * is for this run. */
		if (!first)
			p->inject_kind = p->inject_after = 0;
		p->has_run = true;
	}
	partition_unlock(locked);
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
		log_info("partition %u \"%s\": %lu MiB wiped and loaded in %lu counter ticks, "
			 "entered at counter %lu",
			 p->id, p->plan->name, p->plan->mem_size >> 20, p->start_ticks,
			 p->started_at);
}

bool partition_start_by_control(struct partition *p)
{
	struct partition_locked locked = partition_lock(p);
	bool stopped = p->state == PART_STOPPED;

	if (stopped) {
		/* Started afresh by a person or a tool: what it did before
		 * counts no more against its limit. */
		p->restarts = 0;
		p->quick_resets = 0;
		p->wiped = 0;
		p->restart_at = arch_counter_now();
		p->state = PART_RESTART_WAIT;
	}
	partition_unlock(locked);
	if (stopped)
		irq_wake_cpu(p->vcpus[0].cpu); /* vCPU 0's CPU may be idle */
	return stopped;
}
