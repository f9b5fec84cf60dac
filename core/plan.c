/*
 * Partition plan parsing and validation. Runs at boot on the boot CPU, and
 * on the host in the unit tests; the build-time checks of tools/mkplan.py
 * mirror these rules with Kconfig option names. Both work from one table of
 * rules (bulkhead/plan_rules.h): every refusal here names its rule.
 */
#include <libfdt.h>
#include <string.h>
#include <bulkhead/format.h>
#include <bulkhead/abi/events.h>
#include <bulkhead/plan.h>
#include <bulkhead/range.h>
#include <bulkhead/vgic.h>

/* Every refusal names its rule (bulkhead/plan_rules.h) in plan->rule. */
#define ERR(r, ...) (plan->rule = PLAN_RULE_##r, fmt_snprintf(err, errlen, __VA_ARGS__), -1)

/* PLAN_VGIC_IPA/SIZE (plan.h) hold every register of the virtual GIC. */
#define PLAN_VGIC_END (PLAN_VGIC_IPA + PLAN_VGIC_SIZE)
_Static_assert(PLAN_VGIC_IPA == VGIC_DIST_IPA && PLAN_VGIC_IPA % PLAN_ALIGN == 0 &&
		       PLAN_VGIC_SIZE == PLAN_ALIGN,
	       "the virtual GIC's block is one 2 MiB block");
_Static_assert(VGIC_REDIST_IPA + VGIC_MAX_VCPUS * VGIC_REDIST_STRIDE <= PLAN_VGIC_END &&
		       VGIC_V2_CPU_IPA + VGIC_V2_CPU_SIZE <= PLAN_VGIC_END,
	       "every vGIC register lies in its block");

const char *plan_rule_name(enum plan_rule r)
{
#define PLAN_RULE_NAME(id, name, where) [PLAN_RULE_##id] = name,
	static const char *const names[PLAN_NR_RULES] = { [PLAN_RULE_NONE] = "none",
							  PLAN_RULES(PLAN_RULE_NAME) };
#undef PLAN_RULE_NAME

	return (unsigned int)r < PLAN_NR_RULES ? names[r] : "unknown";
}

const char *plan_role_name(enum plan_role r)
{
	switch (r) {
	case PLAN_ROLE_GUEST:
		return "guest";
	case PLAN_ROLE_DRIVER:
		return "driver";
	case PLAN_ROLE_CONSOLE:
		return "console";
	case PLAN_ROLE_CONTROL:
		return "control";
	}
	return "?";
}

const char *plan_policy_name(enum plan_policy p)
{
	switch (p) {
	case PLAN_POLICY_RESTART_ON_FAULT: return "restart-on-fault";
	case PLAN_POLICY_RESTART_ALWAYS: return "restart-always";
	default: return "stop";
	}
}

/* A NUL-terminated string property that fits in len bytes, or NULL. */
static const char *get_string(const void *fdt, int node, const char *prop, size_t len)
{
	int plen;
	const char *s = fdt_getprop(fdt, node, prop, &plen);

	if (!s || plen < 2 || (size_t)plen > len || s[plen - 1] != '\0' ||
	    strnlen(s, (size_t)plen) != (size_t)plen - 1)
		return NULL;
	return s;
}

static bool get_u32(const void *fdt, int node, const char *prop, uint32_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	if (!p || len != 4)
		return false;
	*v = fdt32_to_cpu(*p);
	return true;
}

static bool get_u64(const void *fdt, int node, const char *prop, uint64_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	if (!p || len != 8)
		return false;
	*v = ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
	return true;
}

static bool valid_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* What the parse of one partition node needs, and where its error goes. */
struct part_parse {
	const void *fdt;
	int node;
	const char *node_name;
	struct plan *plan;
	struct plan_partition *p;
	char *err;
	size_t errlen;
};

/* Refuse under rule r, naming the node, the partition and the property. */
#define PERR(r, prop, ...)                                                                         \
	(c->plan->rule = PLAN_RULE_##r,                                                            \
	 fmt_snprintf(c->err, c->errlen, "%s (\"%s\"): " prop ": ", c->node_name, c->p->name),     \
	 fmt_snprintf(c->err + strlen(c->err), c->errlen - strlen(c->err), __VA_ARGS__), -1)

/* reg, partition-name, role. */
static int parse_identity(struct part_parse *c)
{
	struct plan_partition *p = c->p;
	const char *s;
	uint32_t v;

	memcpy(p->name, "?", 2);
	if (!get_u32(c->fdt, c->node, "reg", &v) || v >= PLAN_MAX_PARTITIONS)
		return PERR(PART_ID, "reg", "missing, or not a partition id below %d",
			    PLAN_MAX_PARTITIONS);
	p->id = v;
	s = get_string(c->fdt, c->node, "partition-name", sizeof(p->name));
	if (!s || !valid_name(s))
		return PERR(PART_NAME, "partition-name",
			    "missing, longer than %d, or not letters, digits, "
			    "'-' and '_'",
			    PLAN_NAME_LEN - 1);
	memcpy(p->name, s, strlen(s) + 1);

	s = get_string(c->fdt, c->node, "role", 16);
	if (s && !strcmp(s, "guest"))
		p->role = PLAN_ROLE_GUEST;
	else if (s && !strcmp(s, "driver"))
		p->role = PLAN_ROLE_DRIVER;
	else if (s && !strcmp(s, "console"))
		p->role = PLAN_ROLE_CONSOLE;
	else if (s && !strcmp(s, "control"))
		p->role = PLAN_ROLE_CONTROL;
	else
		return PERR(PART_ROLE, "role",
			    "must be \"guest\", \"driver\", \"console\" or \"control\"");

	/* Optional: what the partition finds in its /chosen/bootargs. */
	if (fdt_getprop(c->fdt, c->node, "args", NULL)) {
		s = get_string(c->fdt, c->node, "args", sizeof(p->args));
		for (const char *q = s; q && *q; q++)
			if (*q < 0x20 || *q > 0x7e)
				s = NULL;
		if (!s)
			return PERR(PART_ARGS, "args", "empty, longer than %d, or not printable characters",
				    PLAN_ARGS_LEN - 1);
		memcpy(p->args, s, strlen(s) + 1);
	}
	/* Optional: who is told when it ends (resolved by check_pairs). */
	p->supervisor = -1;
	p->supervisor_name[0] = 0;
	if (fdt_getprop(c->fdt, c->node, "supervisor", NULL)) {
		s = get_string(c->fdt, c->node, "supervisor", sizeof(p->supervisor_name));
		if (!s)
			return PERR(PART_SUPERVISOR, "supervisor", "not a partition name");
		memcpy(p->supervisor_name, s, strlen(s) + 1);
	}
	return 0;
}

static int parse_cpus(struct part_parse *c, unsigned int nr_cpus)
{
	struct plan_partition *p = c->p;
	const fdt32_t *cells;
	int len;

	cells = fdt_getprop(c->fdt, c->node, "cpus", &len);
	if (!cells || len <= 0 || len % 4 || len / 4 > PLAN_MAX_CPUS)
		return PERR(CPU_LIST, "cpus", "must list 1 to %d CPU indices", PLAN_MAX_CPUS);
	p->nr_cpus = (unsigned int)len / 4;
	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		p->cpus[i] = fdt32_to_cpu(cells[i]);
		if (p->cpus[i] >= nr_cpus)
			return PERR(CPU_EXISTS, "cpus", "CPU %u is not online (CPUs 0-%u are)",
				    p->cpus[i], nr_cpus - 1);
		for (unsigned int j = 0; j < i; j++)
			if (p->cpus[j] == p->cpus[i])
				return PERR(CPU_TWICE, "cpus", "CPU %u is listed twice",
					    p->cpus[i]);
	}
	return 0;
}

static int parse_memory(struct part_parse *c)
{
	struct plan_partition *p = c->p;
	uint64_t base;

	if (!get_u64(c->fdt, c->node, "memory-base", &base) ||
	    !get_u64(c->fdt, c->node, "memory-size", &p->mem_size))
		return PERR(MEM_FORMAT, "memory-base/memory-size", "missing or not 64-bit");
	p->mem_base = ipa_from(base);
	if (p->mem_size == 0 || p->mem_size % PLAN_ALIGN || base % PLAN_ALIGN)
		return PERR(MEM_ALIGN, "memory",
			    "base 0x%lx and size 0x%lx must be non-zero multiples of 2 MiB",
			    (unsigned long)base, (unsigned long)p->mem_size);
	if (base >= PLAN_IPA_LIMIT || p->mem_size > PLAN_IPA_LIMIT - base)
		return PERR(MEM_LIMIT, "memory", "must lie below 512 GiB of guest-physical space");
	if (ranges_overlap(base, p->mem_size, BH_WINDOW_IPA, BH_WINDOW_SIZE))
		return PERR(MEM_WINDOW, "memory",
			    "overlaps the hypervisor window at 0x%lx-0x%lx (event page, "
			    "shared regions)",
			    BH_WINDOW_IPA, BH_WINDOW_IPA + BH_WINDOW_SIZE - 1);
	/* Its vGIC registers are emulated where they are not mapped: RAM there
	 * would hide them, and the guest would lose its interrupt controller. */
	if (ranges_overlap(base, p->mem_size, PLAN_VGIC_IPA, PLAN_VGIC_SIZE))
		return PERR(MEM_VGIC, "memory",
			    "overlaps the virtual GIC at 0x%lx-0x%lx (the "
			    "partition's interrupt controller)",
			    PLAN_VGIC_IPA, PLAN_VGIC_IPA + PLAN_VGIC_SIZE - 1);
	return 0;
}

/* image, initrd, fault-policy, restart-limit, restart-backoff-ms, priority. */
static int parse_policy(struct part_parse *c)
{
	struct plan_partition *p = c->p;
	const char *s;

	s = get_string(c->fdt, c->node, "image", sizeof(p->image));
	if (!s)
		return PERR(IMAGE_NAME, "image", "missing or longer than %d", PLAN_NAME_LEN - 1);
	memcpy(p->image, s, strlen(s) + 1);
	if (fdt_getprop(c->fdt, c->node, "initrd", NULL)) {
		s = get_string(c->fdt, c->node, "initrd", sizeof(p->initrd));
		if (!s || !s[0])
			return PERR(IMAGE_NAME, "initrd", "empty or longer than %d",
				    PLAN_NAME_LEN - 1);
		memcpy(p->initrd, s, strlen(s) + 1);
	}

	s = get_string(c->fdt, c->node, "fault-policy", 32);
	if (s && !strcmp(s, "stop"))
		p->policy = PLAN_POLICY_STOP;
	else if (s && !strcmp(s, "restart-on-fault"))
		p->policy = PLAN_POLICY_RESTART_ON_FAULT;
	else if (s && !strcmp(s, "restart-always"))
		p->policy = PLAN_POLICY_RESTART_ALWAYS;
	else
		return PERR(POLICY, "fault-policy",
			    "must be \"stop\", \"restart-on-fault\" or "
			    "\"restart-always\"");
	if (!get_u32(c->fdt, c->node, "restart-limit", &p->restart_limit) ||
	    !get_u32(c->fdt, c->node, "restart-backoff-ms", &p->backoff_ms) ||
	    !get_u32(c->fdt, c->node, "priority", &p->priority))
		return PERR(RESTART, "restart-limit/restart-backoff-ms/priority",
			    "missing or not 32-bit");
	if (p->backoff_ms > 60000 || p->priority > 255)
		return PERR(RESTART, "restart-backoff-ms/priority", "out of range (60000 ms, 255)");
	return 0;
}

/* devices and devices-whole-page, both optional. */
static int parse_devices(struct part_parse *c)
{
	struct plan_partition *p = c->p;
	const fdt32_t *cells;
	const char *s;
	int len;

	/* Optional: the devices passed through, as a string list. */
	if (fdt_getprop(c->fdt, c->node, "devices", &len)) {
		int n = fdt_stringlist_count(c->fdt, c->node, "devices");

		if (n < 0 || n > PLAN_MAX_DEVICES)
			return PERR(DEVICES, "devices", "must be a list of at most %d device paths",
				    PLAN_MAX_DEVICES);
		for (int i = 0; i < n; i++) {
			s = fdt_stringlist_get(c->fdt, c->node, "devices", i, &len);
			if (!s || len < 1 || len >= PLAN_DEVICE_LEN)
				return PERR(DEVICES, "devices",
					    "entry %d is empty or longer than %d", i,
					    PLAN_DEVICE_LEN - 1);
			memcpy(p->devices[i], s, (size_t)len + 1);
		}
		p->nr_devices = (unsigned int)n;
	}
	/* Optional: per device, whether its whole 4 KiB pages are granted,
	 * the registers of other devices in them included. */
	cells = fdt_getprop(c->fdt, c->node, "devices-whole-page", &len);
	if (cells) {
		if (len != 4 * (int)p->nr_devices)
			return PERR(WHOLE_PAGE, "devices-whole-page",
				    "must be one flag (0 or 1) per entry of devices");
		for (unsigned int i = 0; i < p->nr_devices; i++) {
			if (fdt32_to_cpu(cells[i]) > 1)
				return PERR(WHOLE_PAGE, "devices-whole-page",
					    "must be one flag (0 or 1) per entry of devices");
			p->whole_page[i] = fdt32_to_cpu(cells[i]) == 1;
		}
	}
	return 0;
}

/* disk-backend, disk-slice, disk-read-only, watchdog-ms, fault-injector:
 * all optional. The backend's name is resolved once every partition is
 * known (resolve_disks). */
static int parse_services(struct part_parse *c)
{
	struct plan_partition *p = c->p;
	uint32_t v;
	int len;

	p->disk_backend = -1;
	if (fdt_getprop(c->fdt, c->node, "disk-backend", NULL)) {
		const fdt32_t *cells = fdt_getprop(c->fdt, c->node, "disk-slice", &len);
		const char *s = get_string(c->fdt, c->node, "disk-backend",
					   sizeof(p->disk_backend_name));

		if (!s)
			return PERR(DISK_BACKEND, "disk-backend", "not a partition name");
		memcpy(p->disk_backend_name, s, strlen(s) + 1);
		if (!cells || len != 16)
			return PERR(DISK_FORMAT, "disk-slice",
				    "missing, or not two 64-bit numbers (first sector, sectors)");
		p->disk_start = (uint64_t)fdt32_to_cpu(cells[0]) << 32 | fdt32_to_cpu(cells[1]);
		p->disk_sectors = (uint64_t)fdt32_to_cpu(cells[2]) << 32 | fdt32_to_cpu(cells[3]);
		if (!p->disk_sectors || p->disk_start >= PLAN_DISK_SECTORS_MAX ||
		    p->disk_sectors > PLAN_DISK_SECTORS_MAX - p->disk_start)
			return PERR(DISK_SLICE, "disk-slice",
				    "empty, or beyond sector 2^40 (first sector %lu, %lu sectors)",
				    (unsigned long)p->disk_start, (unsigned long)p->disk_sectors);
		if (fdt_getprop(c->fdt, c->node, "disk-read-only", NULL)) {
			if (!get_u32(c->fdt, c->node, "disk-read-only", &v) || v > 1)
				return PERR(DISK_FORMAT, "disk-read-only", "must be 0 or 1");
			p->disk_read_only = v;
		}
		if (ranges_overlap(ipa_bits(p->mem_base), p->mem_size, PLAN_DISK_IPA,
				   PLAN_DISK_PAGE))
			return PERR(DISK_WINDOW, "memory",
				    "overlaps its disk's registers at 0x%lx-0x%lx", PLAN_DISK_IPA,
				    PLAN_DISK_IPA + PLAN_DISK_PAGE - 1);
	}
	if (fdt_getprop(c->fdt, c->node, "watchdog-ms", NULL) &&
	    (!get_u32(c->fdt, c->node, "watchdog-ms", &p->watchdog_ms) ||
	     (p->watchdog_ms &&
	      (p->watchdog_ms < PLAN_WATCHDOG_MIN_MS || p->watchdog_ms > PLAN_WATCHDOG_MAX_MS))))
		return PERR(WATCHDOG, "watchdog-ms", "must be 0 (none) or %d-%d ms",
			    PLAN_WATCHDOG_MIN_MS, PLAN_WATCHDOG_MAX_MS);
	if (fdt_getprop(c->fdt, c->node, "fault-injector", NULL)) {
		if (!get_u32(c->fdt, c->node, "fault-injector", &v) || v > 1)
			return PERR(FAULT_INJECTOR, "fault-injector", "must be 0 or 1");
		p->fault_injector = v;
	}
	return 0;
}

/* virtual-uart, optional; its registers clear of the partition's RAM. */
static int parse_uart(struct part_parse *c)
{
	struct plan_partition *p = c->p;
	uint32_t v;

	if (fdt_getprop(c->fdt, c->node, "virtual-uart", NULL)) {
		if (!get_u32(c->fdt, c->node, "virtual-uart", &v) || v > 1)
			return PERR(UART_FORMAT, "virtual-uart", "must be 0 or 1");
		p->virtual_uart = v;
	}
	if (p->virtual_uart && ranges_overlap(ipa_bits(p->mem_base), p->mem_size, PLAN_VUART_IPA,
					      PLAN_VUART_PAGE))
		return PERR(UART_WINDOW, "memory",
			    "overlaps its virtual UART's registers at 0x%lx-0x%lx", PLAN_VUART_IPA,
			    PLAN_VUART_IPA + PLAN_VUART_PAGE - 1);
	return 0;
}

/* controls: the control domain's targets, by name (resolved later). */
static int parse_controls(struct part_parse *c)
{
	struct plan_partition *p = c->p;
	int len, n;

	if (!fdt_getprop(c->fdt, c->node, "controls", &len))
		return 0;
	if (p->role != PLAN_ROLE_CONTROL)
		return PERR(CONTROLS, "controls", "only a partition with the role \"control\" "
						  "controls others");
	n = fdt_stringlist_count(c->fdt, c->node, "controls");
	if (n < 0 || n > PLAN_MAX_PARTITIONS)
		return PERR(CONTROLS, "controls", "must be a list of at most %d partition names",
			    PLAN_MAX_PARTITIONS);
	for (int i = 0; i < n; i++) {
		const char *s = fdt_stringlist_get(c->fdt, c->node, "controls", i, &len);

		if (!s || len >= PLAN_NAME_LEN || !valid_name(s))
			return PERR(CONTROLS, "controls", "entry %d is not a partition name", i);
		memcpy(p->controls[i], s, (size_t)len + 1);
	}
	p->nr_controls = (unsigned int)n;
	return 0;
}

#undef PERR

static int parse_partition(const void *fdt, int node, unsigned int nr_cpus, struct plan *plan,
			   struct plan_partition *p, char *err, size_t errlen)
{
	struct part_parse c = { fdt, node, fdt_get_name(fdt, node, NULL), plan, p, err, errlen };

	if (parse_identity(&c) || parse_cpus(&c, nr_cpus) || parse_memory(&c) || parse_policy(&c) ||
	    parse_devices(&c) || parse_services(&c) || parse_uart(&c) || parse_controls(&c))
		return -1;
	return 0;
}

/* Rules between partitions: unique ids and names, guests' CPUs their own,
 * RAM ranges distinct in each partition's own space is not needed (each
 * has its own guest-physical space). */
/* Each supervisor names another partition of the plan. */
static int resolve_supervisors(struct plan *plan, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < plan->nr; i++) {
		struct plan_partition *a = &plan->parts[i];

		if (!a->supervisor_name[0])
			continue;
		for (unsigned int j = 0; j < plan->nr; j++)
			if (j != i && !strcmp(plan->parts[j].name, a->supervisor_name))
				a->supervisor = (int)j;
		if (a->supervisor < 0)
			return ERR(PART_SUPERVISOR,
				   "partition@%u (\"%s\"): supervisor: \"%s\" is not another "
				   "partition of the plan",
				   a->id, a->name, a->supervisor_name);
	}
	return 0;
}

/* Each disk's backend is another partition, a driver domain with room
 * for its link; two guests' slices on one backend do not overlap. */
static int resolve_disks(struct plan *plan, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < plan->nr; i++) {
		struct plan_partition *a = &plan->parts[i];
		const struct plan_partition *b;

		if (!a->disk_backend_name[0])
			continue;
		for (unsigned int j = 0; j < plan->nr; j++)
			if (j != i && !strcmp(plan->parts[j].name, a->disk_backend_name))
				a->disk_backend = (int)j;
		if (a->disk_backend < 0 || plan->parts[a->disk_backend].role != PLAN_ROLE_DRIVER)
			return ERR(DISK_BACKEND,
				   "partition@%u (\"%s\"): disk-backend: \"%s\" is not another "
				   "partition of the plan with the role \"driver\"",
				   a->id, a->name, a->disk_backend_name);
		b = &plan->parts[a->disk_backend];
		if (b->mem_size < PLAN_DISK_BACKEND_MEM)
			return ERR(DISK_BACKEND_MEMORY,
				   "partition@%u (\"%s\"): memory-size: serves disks, so needs at "
				   "least %lu MiB",
				   b->id, b->name, PLAN_DISK_BACKEND_MEM >> 20);
		for (unsigned int j = 0; j < i; j++) {
			const struct plan_partition *o = &plan->parts[j];

			if (o->disk_backend == a->disk_backend &&
			    ranges_overlap(a->disk_start, a->disk_sectors, o->disk_start,
					   o->disk_sectors))
				return ERR(DISK_OVERLAP,
					   "partition@%u (\"%s\"): disk-slice: overlaps the slice "
					   "of partition@%u (\"%s\") on \"%s\"",
					   a->id, a->name, o->id, o->name, b->name);
		}
	}
	return 0;
}

/* One console domain and one control domain at most; the control
 * domain's targets are partitions of the plan. */
static int resolve_roles(struct plan *plan, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < plan->nr; i++) {
		struct plan_partition *a = &plan->parts[i];

		if (a->role == PLAN_ROLE_CONSOLE || a->role == PLAN_ROLE_CONTROL)
			for (unsigned int j = 0; j < i; j++)
				if (plan->parts[j].role == a->role)
					return ERR(ROLE_ONCE,
						   "partition@%u (\"%s\"): role: partition@%u "
						   "(\"%s\") is already the plan's %s domain",
						   a->id, a->name, plan->parts[j].id,
						   plan->parts[j].name, plan_role_name(a->role));
		for (unsigned int k = 0; k < a->nr_controls; k++) {
			int found = -1;

			for (unsigned int j = 0; j < plan->nr; j++)
				if (!strcmp(plan->parts[j].name, a->controls[k]))
					found = (int)j;
			if (found < 0)
				return ERR(CONTROLS,
					   "partition@%u (\"%s\"): controls: \"%s\" is not a "
					   "partition of the plan",
					   a->id, a->name, a->controls[k]);
			a->controls_mask |= 1u << plan->parts[found].id;
		}
	}
	return 0;
}

static int check_pairs(struct plan *plan, char *err, size_t errlen)
{
	if (resolve_supervisors(plan, err, errlen) || resolve_disks(plan, err, errlen) ||
	    resolve_roles(plan, err, errlen))
		return -1;
	for (unsigned int i = 0; i < plan->nr; i++) {
		const struct plan_partition *a = &plan->parts[i];

		for (unsigned int j = 0; j < i; j++) {
			const struct plan_partition *b = &plan->parts[j];

			if (a->id == b->id)
				return ERR(PART_ID,
					   "partition@%u (\"%s\"): reg: id %u is used twice", a->id,
					   a->name, a->id);
			if (!strcmp(a->name, b->name))
				return ERR(
					PART_NAME_TWICE,
					"partition@%u (\"%s\"): partition-name: also the name of "
					"partition@%u",
					a->id, a->name, b->id);
			if (a->role != PLAN_ROLE_GUEST || b->role != PLAN_ROLE_GUEST)
				continue;
			for (unsigned int x = 0; x < a->nr_cpus; x++)
				for (unsigned int y = 0; y < b->nr_cpus; y++)
					if (a->cpus[x] == b->cpus[y])
						return ERR(CPU_GUESTS,
							   "partition@%u (\"%s\"): cpus: CPU %u is "
							   "already given to guest partition@%u "
							   "(\"%s\")",
							   a->id, a->name, a->cpus[x], b->id,
							   b->name);
		}
	}
	return 0;
}

static int part_index(const struct plan *plan, uint32_t id)
{
	for (unsigned int i = 0; i < plan->nr; i++)
		if (plan->parts[i].id == id)
			return (int)i;
	return -1;
}

/* An explicit guest address for a shared region at end e: page-aligned,
 * and clear of the end's RAM, its virtual GIC and the hypervisor window. */
static const char *bad_shared_ipa(const struct plan_partition *p, uint64_t ipa, uint64_t size,
				  enum plan_rule *rule)
{
	if (ipa % PLAN_SHARED_ALIGN)
		return *rule = PLAN_RULE_CHAN_ADDR_ALIGN, "is not 4 KiB aligned";
	if (ipa >= PLAN_IPA_LIMIT || size > PLAN_IPA_LIMIT - ipa)
		return *rule = PLAN_RULE_CHAN_ADDR_LIMIT, "does not lie below 512 GiB";
	if (ranges_overlap(ipa, size, ipa_bits(p->mem_base), p->mem_size))
		return *rule = PLAN_RULE_CHAN_ADDR_RAM, "overlaps the partition's RAM";
	if (ranges_overlap(ipa, size, PLAN_VGIC_IPA, PLAN_VGIC_SIZE))
		return *rule = PLAN_RULE_CHAN_ADDR_VGIC, "overlaps the virtual GIC";
	if (ranges_overlap(ipa, size, BH_WINDOW_IPA, BH_WINDOW_SIZE))
		return *rule = PLAN_RULE_CHAN_ADDR_WINDOW,
		       "lies in the hypervisor window (use 0 to be placed there)";
	return NULL;
}

static int parse_channel(const void *fdt, int node, struct plan *plan, struct plan_channel *c,
			 char *err, size_t errlen)
{
	const char *node_name = fdt_get_name(fdt, node, NULL);
	enum plan_rule rule = PLAN_RULE_NONE;
	const fdt32_t *cells;
	const char *s;
	uint32_t v;
	int len;

#define CERR_AS(rule_value, prop, ...)                                                             \
	(plan->rule = (rule_value),                                                                \
	 fmt_snprintf(err, errlen, "channel %s (\"%s\"): " prop ": ", node_name, c->name),         \
	 fmt_snprintf(err + strlen(err), errlen - strlen(err), __VA_ARGS__), -1)
#define CERR(r, prop, ...) CERR_AS(PLAN_RULE_##r, prop, __VA_ARGS__)

	memcpy(c->name, "?", 2);
	if (!get_u32(fdt, node, "reg", &v) || v >= PLAN_MAX_CHANNELS)
		return CERR(CHAN_FORMAT, "reg", "missing, or not a channel id below %d",
			    PLAN_MAX_CHANNELS);
	c->id = v;
	s = get_string(fdt, node, "channel-name", sizeof(c->name));
	if (!s || !valid_name(s))
		return CERR(CHAN_NAME, "channel-name",
			    "missing, longer than %d, or not letters, digits, '-' "
			    "and '_'",
			    PLAN_NAME_LEN - 1);
	memcpy(c->name, s, strlen(s) + 1);
	cells = fdt_getprop(fdt, node, "ends", &len);
	if (!cells || len != 8)
		return CERR(CHAN_FORMAT, "ends", "must be two partition ids");
	for (unsigned int e = 0; e < 2; e++) {
		int i = part_index(plan, fdt32_to_cpu(cells[e]));

		if (i < 0)
			return CERR(CHAN_END, "ends", "no partition@%u in the plan",
				    fdt32_to_cpu(cells[e]));
		c->end[e] = (unsigned int)i;
	}
	if (c->end[0] == c->end[1])
		return CERR(CHAN_SAME_ENDS, "ends",
			    "both ends are partition@%u; a channel joins two partitions",
			    plan->parts[c->end[0]].id);

	if (!fdt_getprop(fdt, node, "shared-size", NULL))
		return 0;
	if (!get_u64(fdt, node, "shared-size", &c->shared_size) || !c->shared_size ||
	    c->shared_size % PLAN_SHARED_ALIGN || c->shared_size > PLAN_SHARED_MAX)
		return CERR(CHAN_SIZE, "shared-size",
			    "must be a 64-bit multiple of 4 KiB, at most %lu MiB",
			    PLAN_SHARED_MAX >> 20);
	cells = fdt_getprop(fdt, node, "shared-writable", &len);
	if (!cells || len != 8 || fdt32_to_cpu(cells[0]) > 1 || fdt32_to_cpu(cells[1]) > 1)
		return CERR(CHAN_FORMAT, "shared-writable",
			    "must be two flags (0 or 1), one per end");
	cells = fdt_getprop(fdt, node, "shared-address", &len);
	if (!cells || len != 16)
		return CERR(CHAN_FORMAT, "shared-address",
			    "must be two 64-bit addresses (0: automatic)");
	for (unsigned int e = 0; e < 2; e++) {
		const fdt32_t *w = fdt_getprop(fdt, node, "shared-writable", NULL);
		const char *why;

		c->writable[e] = fdt32_to_cpu(w[e]) == 1;
		uint64_t ipa = ((uint64_t)fdt32_to_cpu(cells[2 * e]) << 32) |
			       fdt32_to_cpu(cells[2 * e + 1]);

		c->shared_ipa[e] = ipa_from(ipa);
		why = ipa ? bad_shared_ipa(&plan->parts[c->end[e]], ipa, c->shared_size, &rule)
			  : NULL;
		if (why)
			return CERR_AS(rule, "shared-address", "0x%lx for partition@%u %s",
				       (unsigned long)ipa, plan->parts[c->end[e]].id, why);
	}
	return 0;
#undef CERR
#undef CERR_AS
}

/* Channels: unique ids and names; each end's ports numbered in plan order. */
static int parse_channels(const void *fdt, struct plan *plan, char *err, size_t errlen)
{
	unsigned int nr_ports[PLAN_MAX_PARTITIONS] = { 0 };
	int chans = fdt_subnode_offset(fdt, 0, "channels"), node;

	if (chans == -FDT_ERR_NOTFOUND)
		return 0;
	if (chans < 0)
		return ERR(CHAN_FORMAT, "/channels: %s", fdt_strerror(chans));
	fdt_for_each_subnode(node, fdt, chans)
	{
		struct plan_channel *c = &plan->channels[plan->nr_channels];

		if (plan->nr_channels == PLAN_MAX_CHANNELS)
			return ERR(CHAN_FORMAT, "/channels: more than %d channels",
				   PLAN_MAX_CHANNELS);
		if (parse_channel(fdt, node, plan, c, err, errlen))
			return -1;
		for (unsigned int j = 0; j < plan->nr_channels; j++) {
			const struct plan_channel *o = &plan->channels[j];

			/* Two explicit regions at one partition: stage 2 could
			 * map only one of them there. */
			for (unsigned int e = 0; e < 2 * 2; e++)
				if (c->end[e / 2] == o->end[e % 2] &&
				    !ipa_is_null(c->shared_ipa[e / 2]) &&
				    !ipa_is_null(o->shared_ipa[e % 2]) &&
				    ranges_overlap(ipa_bits(c->shared_ipa[e / 2]), c->shared_size,
						   ipa_bits(o->shared_ipa[e % 2]), o->shared_size))
					return ERR(CHAN_ADDR_OVERLAP,
						   "channel %s (\"%s\"): shared-address: 0x%lx for "
						   "partition@%u overlaps the region of channel@%u "
						   "(\"%s\") there",
						   fdt_get_name(fdt, node, NULL), c->name,
						   (unsigned long)ipa_bits(c->shared_ipa[e / 2]),
						   plan->parts[c->end[e / 2]].id, o->id, o->name);
			if (plan->channels[j].id == c->id)
				return ERR(CHAN_FORMAT,
					   "channel %s (\"%s\"): reg: id %u is used twice",
					   fdt_get_name(fdt, node, NULL), c->name, c->id);
			if (!strcmp(plan->channels[j].name, c->name))
				return ERR(CHAN_NAME_TWICE,
					   "channel %s (\"%s\"): channel-name: used twice",
					   fdt_get_name(fdt, node, NULL), c->name);
		}
		for (unsigned int e = 0; e < 2; e++) {
			if (nr_ports[c->end[e]] == BH_EVENT_MAX_PORTS)
				return ERR(
					CHAN_PORTS,
					"channel %s (\"%s\"): partition@%u has more than %d ports",
					fdt_get_name(fdt, node, NULL), c->name,
					plan->parts[c->end[e]].id, BH_EVENT_MAX_PORTS);
			c->port[e] = nr_ports[c->end[e]]++;
		}
		plan->nr_channels++;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return ERR(CHAN_FORMAT, "/channels: malformed structure (%s)", fdt_strerror(node));
	return 0;
}

int plan_parse(const void *blob, unsigned int nr_cpus, struct plan *out, char *err, size_t errlen)
{
	struct plan *plan = out; /* for ERR() */
	int rc = fdt_check_header(blob), parts, node;
	uint32_t version;

	memset(out, 0, sizeof(*out));
	if (rc)
		return ERR(BLOB, "not a device tree blob: %s", fdt_strerror(rc));
	/* Before version 16 names were full paths, and libfdt 1.6.1's
	 * fdt_check_full() dereferences the NULL fdt_get_name() returns for
	 * such a root node named without a '/' (found by tests/fuzz/fuzz_plan).
	 * dtc writes version 17. */
	if (fdt_version(blob) < 16)
		return ERR(BLOB, "not a device tree blob: version %u is older than 16",
			   fdt_version(blob));
	/* libfdt's node iterators report a damaged structure block as "no
	 * more nodes", which would silently drop partitions: check it all. */
	rc = fdt_check_full(blob, fdt_totalsize(blob));
	if (rc)
		return ERR(BLOB, "the plan's structure is damaged: %s", fdt_strerror(rc));
	if (fdt_node_check_compatible(blob, 0, "bulkhead,plan"))
		return ERR(BLOB, "/: compatible is not \"bulkhead,plan\"");
	if (!get_u32(blob, 0, "bulkhead,plan-version", &version) || version != PLAN_VERSION)
		return ERR(BLOB, "/: bulkhead,plan-version must be %d", PLAN_VERSION);
	parts = fdt_subnode_offset(blob, 0, "partitions");
	if (parts < 0)
		return ERR(BLOB, "no /partitions node");
	fdt_for_each_subnode(node, blob, parts)
	{
		if (out->nr == PLAN_MAX_PARTITIONS)
			return ERR(BLOB, "/partitions: more than %d partitions",
				   PLAN_MAX_PARTITIONS);
		if (parse_partition(blob, node, nr_cpus, out, &out->parts[out->nr], err, errlen))
			return -1;
		out->nr++;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return ERR(BLOB, "/partitions: malformed structure (%s)", fdt_strerror(node));
	if (check_pairs(out, err, errlen))
		return -1;
	return parse_channels(blob, out, err, errlen);
}
