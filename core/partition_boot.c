/*
 * Partitions at boot: the plan (the one packed in the image, or one named on
 * the command line), RAM carved from the board for each partition, its
 * stage-2 tables, devices and channels, and each partition queued for its
 * first start on its own CPU (partition_start.c).
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <arch/cpu.h>
#include <arch/stage2.h>
#include <arch/vgic_hw.h>
#include <bulkhead/board.h>
#include <bulkhead/cmdline.h>
#include <bulkhead/format.h>
#include <bulkhead/irq.h>
#include <bulkhead/console_domain.h>
#include <bulkhead/log.h>
#include <bulkhead/memcarve.h>
#include <bulkhead/blk.h>
#include <bulkhead/fault_inject.h>
#include <bulkhead/partition.h>
#include <bulkhead/payload.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
#include <bulkhead/vuart.h>

/* Plans given at boot (bulkhead.plan=ADDR) may be at most this large. */
#define PLAN_BLOB_MAX 0x10000

static struct plan plan;
static struct partition partitions[PLAN_MAX_PARTITIONS];
static pt_table_t s2_tables[PLAN_MAX_PARTITIONS][PARTITION_S2_TABLES]
	__attribute__((aligned(4096)));

extern char _text[], _end[];

struct partition *partition_by_id(unsigned int id)
{
	for (unsigned int i = 0; i < plan.nr; i++)
		if (partitions[i].plan && partitions[i].id == id)
			return &partitions[i];
	return NULL;
}

const struct payload_image *payload_find_image(const char *name)
{
	for (uint64_t i = 0; i < payload_nr_images; i++)
		if (!strcmp(payload_images[i].name, name))
			return &payload_images[i];
	return NULL;
}

/* The initrd, if the plan gives one: in the payload, page-aligned below the
 * device tree, and clear of the image. (A Linux kernel needs more than its
 * file, its BSS: the plan must leave room, and the kernel says so if not.) */
static int initrd_place(struct partition *p, const struct plan_partition *pp, char *err,
			size_t errlen)
{
	const struct payload_image *img;
	uint64_t at;

	p->initrd = NULL;
	p->initrd_size = 0;
	if (!pp->initrd[0])
		return 0;
	img = payload_find_image(pp->initrd);
	if (!img) {
		fmt_snprintf(err, errlen, "initrd \"%s\" is not in the hypervisor image",
			     pp->initrd);
		return -1;
	}
	at = (pp->mem_size - PARTITION_DTB_SIZE - img->size) & ~0xfffUL;
	if (img->size > pp->mem_size - PARTITION_DTB_SIZE || at < p->image_size) {
		fmt_snprintf(err, errlen, "initrd \"%s\" (%lu bytes) and image do not fit in %lu MiB",
			     pp->initrd, img->size, pp->mem_size >> 20);
		return -1;
	}
	p->initrd = img->start;
	p->initrd_size = img->size;
	p->initrd_ipa = ipa_add(pp->mem_base, at);
	return 0;
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
	if (vgic_regs_register(p)) {
		fmt_snprintf(err, errlen, "its virtual GIC's registers do not fit its MMIO table");
		return -1;
	}
	if (!img) {
		fmt_snprintf(err, errlen, "image \"%s\" is not in the hypervisor image", pp->image);
		return -1;
	}
	if (img->size > pp->mem_size - PARTITION_DTB_SIZE) {
		fmt_snprintf(err, errlen, "image \"%s\" (%lu bytes) does not fit in %lu MiB",
			     pp->image, img->size, pp->mem_size >> 20);
		return -1;
	}
	if (ipa_bits(pp->mem_base) + pp->mem_size > (1UL << arch_s2_ipa_bits())) {
		fmt_snprintf(err, errlen, "RAM ends above this CPU's %u-bit guest-physical space",
			     arch_s2_ipa_bits());
		return -1;
	}
	p->image = img->start;
	p->image_size = img->size;
	if (initrd_place(p, pp, err, errlen))
		return -1;
	p->ram = memcarve_take(mc, pp->mem_size);
	if (pa_is_null(p->ram)) {
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
	    s2_map(&p->s2_pool, p->s2_root, pp->mem_base, p->ram, pp->mem_size, S2_RAM)) {
		fmt_snprintf(err, errlen, "stage-2 tables for its RAM do not fit");
		return -1;
	}
	/* On GICv2 hosts the guest's CPU interface is the hardware's GICV
	 * frame, mapped where the guest expects its GICC. */
	if (arch_vgic_is_v2() &&
	    s2_map(&p->s2_pool, p->s2_root, ipa_from(VGIC_V2_CPU_IPA), pa_from(board.gic.vcpu.base),
		   VGIC_V2_CPU_SIZE, S2_DEVICE)) {
		fmt_snprintf(err, errlen, "cannot map the virtual CPU interface");
		return -1;
	}
	if (passthrough_build(p, err, errlen))
		return -1;
	p->dtb_ipa = ipa_add(pp->mem_base, pp->mem_size - PARTITION_DTB_SIZE);
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

/* Every CPU the plan names must have come online. */
static int plan_cpus_online(void)
{
	for (unsigned int i = 0; i < plan.nr; i++)
		for (unsigned int j = 0; j < plan.parts[i].nr_cpus; j++)
			if (!percpu[plan.parts[i].cpus[j]].online) {
				log_err("plan rejected: partition@%u (\"%s\"): cpus: CPU %u did not "
					"come online; no partition started",
					plan.parts[i].id, plan.parts[i].name, plan.parts[i].cpus[j]);
				return -1;
			}
	return 0;
}

static int build_all(struct memcarve *mc)
{
	char err[160];

	for (unsigned int i = 0; i < plan.nr; i++) {
		const struct plan_partition *pp = &plan.parts[i];
		struct partition *p = &partitions[i];

		if (partition_build(p, pp, mc, err, sizeof(err))) {
			log_err("plan rejected: partition@%u (\"%s\"): %s; no partition started",
				pp->id, pp->name, err);
			return -1;
		}
		log_info("partition %u \"%s\": %s on CPU %u, %lu MiB at 0x%lx (guest 0x%lx), "
			 "image \"%s\" (%lu KiB), on fault: %s",
			 p->id, pp->name, pp->role == PLAN_ROLE_GUEST ? "guest" : pp->role == PLAN_ROLE_DRIVER ? "driver domain" : pp->role == PLAN_ROLE_CONSOLE ? "console domain" : "control domain",
			 pp->cpus[0], pp->mem_size >> 20, pa_bits(p->ram), ipa_bits(pp->mem_base), pp->image,
			 p->image_size >> 10, plan_policy_name(pp->policy));
	}
	/* Channels join built partitions; then each is loaded, its device
	 * tree naming its channels. */
	if (channels_build(&plan, partitions, mc, err, sizeof(err)) ||
	    blk_build(partitions, plan.nr, err, sizeof(err)) ||
	    vuart_build(partitions, plan.nr, err, sizeof(err))) {
		log_err("plan rejected: %s; no partition started", err);
		return -1;
	}
	return 0;
}

/* Each device tree is built once here to refuse a plan whose trees do not
 * fit; the partition's own CPU builds it again after the wipe. */
static int device_trees_fit(void)
{
	for (unsigned int i = 0; i < plan.nr; i++) {
		struct partition *p = &partitions[i];

		if (guest_dt_build(p, partition_dtb(p), PARTITION_DTB_SIZE)) {
			log_err("plan rejected: partition@%u (\"%s\"): its device tree does not fit; "
				"no partition started",
				p->id, p->plan->name);
			return -1;
		}
	}
	return 0;
}

/* Each partition the plan supervises is joined to its supervisor, which
 * learns of it in its device tree (built after this, at its start). */
static void join_supervisors(void)
{
	for (unsigned int i = 0; i < plan.nr; i++) {
		struct partition *p = &partitions[i];
		int s = plan.parts[i].supervisor;

		p->ended.lock = (spinlock_t)SPINLOCK_INIT;
		p->supervisor = s >= 0 ? &partitions[s] : NULL;
		if (p->supervisor)
			p->supervisor->supervised[p->supervisor->nr_supervised++] = p;
	}
}

/* vCPU 0's CPU wipes, loads and starts each partition, as it does for a
 * restart; its other vCPUs wait for CPU_ON. */
static void queue_first_starts(void)
{
	/* Every vCPU joins its CPU's run queue before any starts: a vCPU enters
	 * with WFI trapped only if its CPU is shared, and that must be known. */
	for (unsigned int i = 0; i < plan.nr; i++)
		for (unsigned int j = 0; j < partitions[i].plan->nr_cpus; j++)
			sched_add(&partitions[i].vcpus[j]);
	for (unsigned int i = 0; i < plan.nr; i++) {
		struct partition *p = &partitions[i];

		p->wiped = 0;
		p->restart_at = 0;
		__atomic_store_n(&p->state, PART_RESTART_WAIT, __ATOMIC_RELEASE);
		irq_wake_cpu(p->vcpus[0].cpu);
	}
}

/* bulkhead.args.NAME=WORD on the boot command line: one more word for
 * partition NAME's /chosen/bootargs (a kernel option for a test, say),
 * printable and without quotes, as the plan's own. */
static void more_args(const char *cmdline)
{
	for (unsigned int i = 0; i < plan.nr; i++) {
		char key[PLAN_NAME_LEN + 16], *val = partitions[i].more_args;
		bool ok = true;

		fmt_snprintf(key, sizeof(key), "bulkhead.args.%s", plan.parts[i].name);
		if (!cmdline_get(cmdline, key, val, PLAN_ARGS_LEN))
			continue;
		for (const char *q = val; *q; q++)
			ok &= *q > 0x20 && *q < 0x7f && *q != '"';
		if (!ok) { /* the buffer's bound cut it to 63 characters already */
			log_warn("%s: not one printable word; ignored", key);
			val[0] = '\0';
			continue;
		}
		log_info("partition %u \"%s\": bootargs also \"%s\" (boot command line)",
			 plan.parts[i].id, plan.parts[i].name, val);
	}
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
	if (plan_cpus_online())
		return;
	if (console_domain_plan(&plan, &board, err, sizeof(err))) {
		log_err("plan rejected: %s; no partition started", err);
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
	if (build_all(&mc) || device_trees_fit())
		return;
	join_supervisors();
	console_domain_build(partitions, plan.nr);
	more_args(cmdline);
	fault_inject_init(cmdline, partitions, plan.nr);
	queue_first_starts();
	console_domain_announce();
}
