/*
 * SMCCC calls through HVC and SMC: random function IDs from every owner's
 * range (Bulkhead's hypercalls, PSCI, the Arm architecture calls, other
 * owners, yielding calls, plain noise), with arguments from hostile
 * patterns. Each answer is checked against docs/abi.md, and registers
 * x4-x17 must come back unchanged (the ABI preserves them).
 *
 * Left out of the random stream, because they end or stall the caller by
 * design: PSCI CPU_OFF, SYSTEM_OFF, SYSTEM_RESET, SYSTEM_RESET2,
 * SYSTEM_OFF2, SYSTEM_SUSPEND, CPU_FREEZE, CPU_SUSPEND and
 * CPU_DEFAULT_SUSPEND on vCPU 0, and BH_HC_FAULT (fuzz.c ends its runs
 * with these on purpose). vCPU 1 makes the suspend calls, with its own
 * entry point to resume at. CPU_ON for one of the partition's own vCPUs
 * with an entry point in its RAM is pointed at fuzz_secondary_entry;
 * every other CPU_ON (a vCPU it does not have, an entry point outside its
 * RAM or misaligned) is made as generated, since it must fail.
 */
#include <string.h>
#include "bulkhead.h"
#include "fuzz.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_CPU_FREEZE 0x8400000bu
#define PSCI_CPU_DEFAULT_SUSPEND 0x8400000cu
#define PSCI_SYSTEM_SUSPEND 0x8400000eu
#define PSCI_SYSTEM_RESET2 0x84000012u
#define PSCI_SYSTEM_OFF2 0x84000015u
#define SMC64 0x40000000u

#define PSCI_INVALID_PARAMETERS -2
#define PSCI_DENIED -3
#define PSCI_ALREADY_ON -4
#define PSCI_ON_PENDING -5
#define PSCI_INVALID_ADDRESS -9

#define NOT_SUPPORTED ((uint64_t)-1)

/* Text for the console writes that would succeed: never a newline or a
 * word a test looks for, so the console gets a few dots and nothing else. */
static const char dots[8] = "........";

static bool in_ram(uint64_t addr, uint64_t len)
{
	const struct fuzz_env *e = &fuzz_env;

	return addr >= e->ram_base && len <= e->ram_size && addr - e->ram_base <= e->ram_size - len;
}

uint64_t fuzz_address(uint64_t *rng)
{
	const struct fuzz_env *e = &fuzz_env;
	uint64_t a;

	switch (rng_below(rng, 16)) {
	case 0: /* anywhere in its own RAM */ a = e->ram_base + rng_below(rng, e->ram_size); break;
	case 1: /* just inside or past its end */
		a = e->ram_base + e->ram_size - rng_below(rng, 32) + rng_below(rng, 16);
		break;
	case 2: /* just below its start */ a = e->ram_base - 1 - rng_below(rng, 64); break;
	case 3: /* the device tree at the top */
		a = e->ram_base + e->ram_size - 0x10000 + rng_below(rng, 0x10000);
		break;
	case 4: /* other partitions' RAM, as the host sees it (carved from
		 * the top of a 1 GiB board), and the hypervisor's image */
		a = 0x7f000000UL - 0x1000000UL * rng_below(rng, 6) + rng_below(rng, 0x1000000);
		break;
	case 5: a = 0x40200000UL + rng_below(rng, 0x800000); break;
	case 6: /* the virtual GIC, the UART, the RTC */
		a = 0x08000000UL + rng_below(rng, 0x200000);
		break;
	case 7: a = 0x09000000UL + rng_below(rng, 0x20000); break;
	case 8: /* the hypervisor window: event page, shared regions */
		a = BH_WINDOW_IPA + rng_below(rng, 4) * 0x100000 + rng_below(rng, 0x2000);
		break;
	case 9:
		a = e->shared ? e->shared + rng_below(rng, e->shared_size + 16) : BH_WINDOW_IPA;
		break;
	case 10: /* the top of the address space, wrapping */
		a = ~0UL - rng_below(rng, 0x1000);
		break;
	case 11: /* just past the 39-bit guest-physical space, and 48 bits */
		a = (rng_below(rng, 2) ? 1UL << 39 : 1UL << 48) - 8 + rng_below(rng, 16);
		break;
	case 12: a = 1UL << 63 | (e->ram_base + rng_below(rng, e->ram_size)); break;
	case 13: /* low memory (flash on virt) */ a = rng_below(rng, 0x4000000); break;
	case 14: /* its own RAM with high bits set: a tagged or sign-extended pointer */
		a = (rng_next(rng) & 0xff00000000000000UL) |
		    (e->ram_base + rng_below(rng, e->ram_size));
		break;
	default: a = rng_next(rng); break;
	}
	/* A quarter misaligned. */
	if (!rng_below(rng, 4))
		a += 1 + rng_below(rng, 7);
	return a;
}

uint64_t fuzz_pattern(uint64_t *rng)
{
	static const uint64_t lengths[] = {
		0,   1,	   2,	 31,	32,	   255,	      256,
		257, 4095, 4096, 65536, 1UL << 32, 1UL << 40, 0x7fffffffffffffffUL
	};
	static const uint64_t indices[] = { 0,
					    1,
					    2,
					    3,
					    7,
					    8,
					    9,
					    15,
					    16,
					    31,
					    32,
					    63,
					    64,
					    255,
					    256,
					    0x10000,
					    0x100000000UL,
					    0xff00000001UL };

	switch (rng_below(rng, 16)) {
	case 0: return 0;
	case 1: return ~0UL;
	case 2: return 1UL << 63;
	case 3: return 1;
	case 4: return rng_below(rng, 17);
	case 5: return rng_next(rng) & 0xffffffffUL;
	case 6: return 1UL << rng_below(rng, 64);
	case 7: return rng_below(rng, 2) ? 0xffffffffUL : 0x80000000UL;
	case 8:
	case 9: return lengths[rng_below(rng, sizeof(lengths) / sizeof(lengths[0]))];
	case 10:
	case 11: /* ports, vCPU indices, MPIDR affinities: in and out of range */
		return indices[rng_below(rng, sizeof(indices) / sizeof(indices[0]))];
	case 12:
	case 13:
	case 14: return fuzz_address(rng);
	default: return rng_next(rng);
	}
}

/* A function ID: every owner's range, both calling conventions. */
static uint64_t function_id(uint64_t *rng)
{
	uint32_t fn;

	switch (rng_below(rng, 20)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4: /* Bulkhead: the calls it has, then anything in its range */
		fn = BH_HC(rng_below(rng, 4) ? (uint32_t)rng_below(rng, 16)
					     : (uint32_t)rng_below(rng, 0x10000));
		if (!rng_below(rng, 10))
			fn &= ~SMC64; /* the 32-bit convention: not Bulkhead's */
		break;
	case 5:
	case 6:
	case 7:
	case 8: /* PSCI, 32- and 64-bit */
		fn = 0x84000000u | (uint32_t)rng_below(rng, rng_below(rng, 8) ? 0x20 : 0x100);
		if (rng_below(rng, 2))
			fn |= SMC64;
		break;
	case 9:
	case 10: /* Arm architecture calls (SMCCC_VERSION, ARCH_FEATURES, the
		  * workarounds) and the standard hypervisor service */
		fn = (rng_below(rng, 4) ? 0x80000000u : 0x85000000u) |
		     (rng_below(rng, 2) ? (uint32_t)rng_below(rng, 4)
					: 0x7fffu - (uint32_t)rng_below(rng, 2) * 0x4000u);
		if (rng_below(rng, 2))
			fn |= SMC64;
		break;
	case 11:
	case 12:
	case 13: /* fast calls of any owner: SiP, OEM, trusted OS... */
		fn = 0x80000000u | (uint32_t)rng_below(rng, 2) * SMC64 |
		     (uint32_t)rng_below(rng, 64) << 24 | (uint32_t)rng_below(rng, 0x10000);
		break;
	case 14:
	case 15: /* yielding calls */ fn = (uint32_t)rng_next(rng) & 0x7fffffffu; break;
	default: fn = (uint32_t)rng_next(rng); break;
	}
	/* SMCCC: only W0 is the function ID; the upper half is noise. */
	if (!rng_below(rng, 5))
		return (rng_next(rng) & ~0xffffffffUL) | fn;
	return fn;
}

static bool ends_caller(uint32_t fn, bool secondary)
{
	switch (fn & ~SMC64) {
	case PSCI_CPU_OFF:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2:
	case PSCI_SYSTEM_OFF2:
	case PSCI_SYSTEM_SUSPEND:
	case PSCI_CPU_FREEZE: return true;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_DEFAULT_SUSPEND: return !secondary;
	}
	return fn == BH_HC_FAULT;
}

/*
 * Make the call with x0-x17 from x[]; they come back in x[]. The
 * immediate is 0 but for a few calls, which SMCCC reserves and Bulkhead
 * should treat like 0 or refuse.
 */
#define LOAD_X0_X17                                                                                \
	"ldp x0, x1, [x19]\n ldp x2, x3, [x19, #16]\n ldp x4, x5, [x19, #32]\n"                    \
	"ldp x6, x7, [x19, #48]\n ldp x8, x9, [x19, #64]\n ldp x10, x11, [x19, #80]\n"             \
	"ldp x12, x13, [x19, #96]\n ldp x14, x15, [x19, #112]\n ldp x16, x17, [x19, #128]\n"
#define STORE_X0_X17                                                                               \
	"stp x0, x1, [x19]\n stp x2, x3, [x19, #16]\n stp x4, x5, [x19, #32]\n"                    \
	"stp x6, x7, [x19, #48]\n stp x8, x9, [x19, #64]\n stp x10, x11, [x19, #80]\n"             \
	"stp x12, x13, [x19, #96]\n stp x14, x15, [x19, #112]\n stp x16, x17, [x19, #128]\n"
#define CALL(insn)                                                                                 \
	__asm__ volatile("mov x19, %0\n" LOAD_X0_X17 insn "\n" STORE_X0_X17                        \
			 :                                                                         \
			 : "r"(x)                                                                  \
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",      \
			   "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x19", "memory")

static void raw_call(unsigned int conduit, uint64_t *x)
{
	switch (conduit) {
	case 0: CALL("hvc #0"); break;
	case 1: CALL("hvc #1"); break;
	case 2: CALL("hvc #0xffff"); break;
	case 3: CALL("smc #0"); break;
	default: CALL("smc #0xffff"); break;
	}
}

static uint64_t valid_ports(void)
{
	return fuzz_env.nr_ports >= 64 ? ~0UL : (1UL << fuzz_env.nr_ports) - 1;
}

/*
 * What docs/abi.md says the answer to a Bulkhead hypercall must be.
 * Returns NULL if x[] (the results) fits, or what was expected.
 */
static const char *check_bulkhead(const uint64_t *a, const uint64_t *x)
{
	int64_t r = (int64_t)x[0];
	uint64_t port = a[1];
	bool port_ok = port < fuzz_env.nr_ports;

	switch ((uint32_t)a[0] & 0xffff) {
	case 0: /* ABI_VERSION */
		return r == BH_OK && x[1] >> 16 == BH_ABI_VERSION_MAJOR ? NULL
									: "BH_OK, the ABI version";
	case 1: /* NULL */
	case 3: /* YIELD */ return r == BH_OK ? NULL : "BH_OK";
	case 2: /* CONSOLE_WRITE */
		if (a[2] > BH_CONSOLE_WRITE_MAX)
			return r == BH_E_INVALID ? NULL : "BH_E_INVALID (too long)";
		if (!in_ram(a[1], a[2]))
			return r == BH_E_FAULT ? NULL : "BH_E_FAULT (not its RAM)";
		return r == BH_OK && x[1] == a[2] ? NULL : "BH_OK, x1 = length";
	case 4: /* PARTITION_ID */
		return r == BH_OK && x[1] == fuzz_env.partition_id && x[2] == fuzz_vcpu()
			       ? NULL
			       : "BH_OK, its partition id and vCPU index";
	case 6: /* EVENT_SEND */
		if (!port_ok)
			return r == BH_E_INVALID ? NULL : "BH_E_INVALID (not its port)";
		return r == BH_OK || r == BH_E_CLOSED ? NULL : "BH_OK or BH_E_CLOSED";
	case 7:	 /* EVENT_MASK */
	case 8:	 /* EVENT_UNMASK */
	case 10: /* EVENT_CLOSE */
		if (!port_ok)
			return r == BH_E_INVALID ? NULL : "BH_E_INVALID (not its port)";
		return r == BH_OK ? NULL : "BH_OK";
	case 9: /* EVENT_PENDING */
		return r == BH_OK && !((x[1] | x[2] | x[3]) & ~valid_ports())
			       ? NULL
			       : "BH_OK, only its own ports' bits";
	case 11: /* EVENT_BIND */
		if (!port_ok || a[2] >= fuzz_env.nr_vcpus)
			return r == BH_E_INVALID ? NULL : "BH_E_INVALID (port or vCPU)";
		return r == BH_OK ? NULL : "BH_OK";
	case 12: /* CHANNEL_LOOKUP */
		if (a[2] == 0 || a[2] > BH_CHANNEL_NAME_MAX)
			return r == BH_E_INVALID ? NULL : "BH_E_INVALID (name length)";
		if (!in_ram(a[1], a[2]))
			return r == BH_E_FAULT ? NULL : "BH_E_FAULT (not its RAM)";
		return r == BH_OK || r == BH_E_NOT_FOUND ? NULL : "BH_OK or BH_E_NOT_FOUND";
	default:
		/* Not a call today (BH_E_UNKNOWN_CALL); a call added later
		 * still answers with a status. */
		return r <= BH_OK && r >= BH_E_NOT_FOUND ? NULL : "a BH_E_* status";
	}
}

/* PSCI 1.0 as docs/abi.md offers it. */
static const char *check_psci(const uint64_t *a, const uint64_t *x)
{
	int64_t r = (int64_t)x[0];
	uint64_t target;

	switch ((uint32_t)a[0]) {
	case PSCI_VERSION: return r == 0x10000 ? NULL : "version 1.0";
	case PSCI_FEATURES: return r == 0 || r == -1 ? NULL : "SUCCESS or NOT_SUPPORTED";
	case PSCI_MIGRATE_INFO_TYPE: return r == 2 ? NULL : "2 (migration not required)";
	case PSCI_AFFINITY_INFO | SMC64:
		target = a[1] & 0xff00ffffffUL;
		if (target >= fuzz_env.nr_vcpus || a[2] != 0)
			return r == PSCI_INVALID_PARAMETERS ? NULL : "INVALID_PARAMETERS";
		if (target == fuzz_vcpu())
			return r == 0 ? NULL : "ON (the caller itself)";
		return r >= 0 && r <= 2 ? NULL : "ON, OFF or ON_PENDING";
	case PSCI_CPU_ON | SMC64:
		target = a[1] & 0xff00ffffffUL;
		if (target >= fuzz_env.nr_vcpus)
			return r == PSCI_INVALID_PARAMETERS ? NULL : "INVALID_PARAMETERS";
		if (!in_ram(a[2], 4) || a[2] % 4)
			return r == PSCI_INVALID_ADDRESS ? NULL : "INVALID_ADDRESS";
		if (target == fuzz_vcpu())
			return r == PSCI_ALREADY_ON ? NULL : "ALREADY_ON (the caller itself)";
		return r == 0 || r == PSCI_ALREADY_ON || r == PSCI_ON_PENDING || r == PSCI_DENIED
			       ? NULL
			       : "SUCCESS, ALREADY_ON, ON_PENDING or DENIED";
	default: return x[0] == NOT_SUPPORTED ? NULL : "NOT_SUPPORTED";
	}
}

static bool is_psci(uint32_t fn)
{
	return (fn & ~SMC64) >= 0x84000000u && (fn & ~SMC64) <= 0x8400001fu;
}

static const char *check(unsigned int conduit, const uint64_t *a, const uint64_t *x)
{
	uint32_t fn = (uint32_t)a[0], owner = (fn >> 24) & 0x3f;
	const char *want;

	if (conduit <= 2 && (fn & 0xffff0000u) == BH_HC(0))
		want = check_bulkhead(a, x);
	else if (is_psci(fn))
		want = check_psci(a, x);
	else if ((fn & 0x80000000u) && (owner == 0 || owner == 5))
		want = NULL; /* Arm architecture and standard hypervisor calls:
			      * SMCCC_VERSION and friends may come one day */
	else
		want = x[0] == NOT_SUPPORTED ? NULL : "NOT_SUPPORTED";
	/* SMCCC reserves immediates other than 0: refusing is fine too. */
	if (want && (conduit == 1 || conduit == 2 || conduit == 4) && x[0] == NOT_SUPPORTED)
		want = NULL;
	return want;
}

void smccc_fuzz(struct fuzz_cpu *c, bool smc, bool secondary)
{
	static const char *const conduit_name[] = { "HVC #0", "HVC #1", "HVC #0xffff", "SMC #0",
						    "SMC #0xffff" };
	uint64_t a[18], x[18];
	unsigned int conduit;
	uint32_t fn;
	const char *want;

	if (smc)
		conduit = rng_below(&c->rng, 8) ? 3 : 4;
	else
		conduit = rng_below(&c->rng, 16) ? 0 : 1 + (unsigned int)rng_below(&c->rng, 2);
	do
		a[0] = function_id(&c->rng);
	while (ends_caller((uint32_t)a[0], secondary));
	for (unsigned int i = 1; i < 18; i++)
		a[i] = fuzz_pattern(&c->rng);
	fn = (uint32_t)a[0];

	/* Event calls: half of them on a port and a vCPU it has, so that
	 * events flow; closing (until the next run) only now and then. */
	if ((fn & 0xffff0000u) == BH_HC(0) && fn >= BH_HC_EVENT_SEND && fn <= BH_HC_EVENT_BIND &&
	    rng_below(&c->rng, 2)) {
		a[1] = rng_below(&c->rng, fuzz_env.nr_ports + 1);
		a[2] = rng_below(&c->rng, fuzz_env.nr_vcpus + 1);
		if (fn == BH_HC_EVENT_CLOSE && rng_below(&c->rng, 16))
			a[0] = fn = BH_HC_EVENT_SEND;
	}
	switch (fn & ~SMC64) {
	case BH_HC_CONSOLE_WRITE & ~SMC64:
		/* A write that would succeed prints a few dots, no more. */
		if (a[2] <= BH_CONSOLE_WRITE_MAX && in_ram(a[1], a[2])) {
			a[1] = (uint64_t)dots;
			a[2] = rng_below(&c->rng, sizeof(dots) + 1);
		}
		break;
	case PSCI_CPU_ON:
		/* One of its own vCPUs, an entry point in its RAM: the known
		 * entry, with a seed for vCPU 1's stream. */
		if ((a[1] & 0xff) < fuzz_env.nr_vcpus && in_ram(a[2], 4) && a[2] % 4 == 0) {
			fuzz_prepare_cpu_on();
			a[2] = (uint64_t)fuzz_secondary_entry;
			a[3] = rng_next(&c->rng);
		}
		break;
	case PSCI_CPU_SUSPEND: /* vCPU 1 only: resume (if ever) at its entry */
		a[2] = (uint64_t)fuzz_secondary_entry;
		a[3] = rng_next(&c->rng);
		break;
	case PSCI_CPU_DEFAULT_SUSPEND:
		a[1] = (uint64_t)fuzz_secondary_entry;
		a[2] = rng_next(&c->rng);
		break;
	}

	memcpy(x, a, sizeof(x));
	c->last_class = smc ? FC_SMC : FC_HVC;
	c->last_fn = a[0];
	memcpy(c->last_arg, &a[1], sizeof(c->last_arg));
	raw_call(conduit, x);
	c->by_class[c->last_class]++;
	if (x[0] == NOT_SUPPORTED)
		c->refused++;

	for (unsigned int i = 4; i < 18; i++)
		if (x[i] != a[i]) {
			fuzz_error(c, "%s 0x%lx changed x%u: 0x%lx -> 0x%lx", conduit_name[conduit],
				   (unsigned long)a[0], i, (unsigned long)a[i],
				   (unsigned long)x[i]);
			break;
		}
	want = check(conduit, a, x);
	if (want)
		fuzz_error(
			c,
			"%s 0x%lx (x1 0x%lx, x2 0x%lx, x3 0x%lx) -> x0 0x%lx x1 0x%lx; expected %s",
			conduit_name[conduit], (unsigned long)a[0], (unsigned long)a[1],
			(unsigned long)a[2], (unsigned long)a[3], (unsigned long)x[0],
			(unsigned long)x[1], want);
}
