/*
 * fuzz: a guest that throws random calls at the hypervisor from a seeded
 * generator (docs/guest-fuzzer.md): SMCCC calls through HVC and SMC,
 * system register accesses and system instructions, emulated MMIO to its
 * virtual GIC, stores and atomics to its event page. It checks what it
 * can (answers against docs/abi.md, preserved registers, no exception but
 * the UNDEFINED ones it provokes), and prints
 *
 *	fuzz: seed 0x...		at the start
 *	fuzz: N calls: ...		every so many calls (two lines)
 *	fuzz: run R of M ends: ...	before each deliberate ending
 *	fuzz: done N calls: ...		at the end; then it idles
 *	fuzz: ERROR ...			for anything that broke an expectation
 *
 * Configuration: the partition's arguments (the plan's "args"), words
 * separated by spaces: calls=<count>[k|m] (vCPU 0's calls; default 1m),
 * runs=<n> (default one per 100k calls), seed=<hex> (default a fixed one)
 * or seed=clock, from-run=<n> (start there, to replay a run: a run's calls
 * on vCPU 0 depend only on the seed and the run). E.g. "calls=100m
 * seed=clock", "calls=1m seed=5eedb01c4eadf00d from-run=7".
 *
 * The calls are split into runs; each run but the last ends the partition
 * on purpose in one of several ways (PSCI SYSTEM_RESET by HVC and by SMC,
 * SYSTEM_OFF, CPU_OFF of the last vCPU, BH_HC_FAULT, a stage-2 fault, and
 * MMIO without a syndrome: LDP, writeback, SIMD, DC ZVA), and the plan's
 * restart-always policy brings it back. The partition's RAM does not
 * survive that, so what must is kept in the shared region of its channel
 * named "fuzz" (to any partition; events on it are fuzzed too): the
 * seed, the run to do next, the totals, and whether a run was under way
 * (a restart in the middle of a run was not the fuzzer's doing: an error).
 *
 * vCPU 0 makes the counted calls. Now and then it starts vCPU 1 (PSCI
 * CPU_ON at fuzz_secondary_entry), which makes a burst of calls of its
 * own, concurrently, and turns itself off.
 */
#include <libfdt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bulkhead.h"
#include "fuzz.h"
#include "runtime.h"

#define DEFAULT_SEED 0x5eedb01c4eadf00dUL
#define DEFAULT_CALLS 1000000UL
#define CALLS_PER_RUN 100000UL
#define MAX_ERRORS 20
#define STATE_MAGIC 0x6675727a6b6c6862UL

#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

struct fuzz_env fuzz_env;

/* Per vCPU index; [0] makes the counted calls. */
static struct fuzz_cpu cpus[8];
static volatile uint64_t secondary_starts;
static volatile unsigned int errors;
static uint8_t scratch[0x10000] __attribute__((aligned(4096)));

enum ending {
	END_RESET_HVC,
	END_RESET_SMC,
	END_SYSTEM_OFF,
	END_CPU_OFF,
	END_FAULT_CALL,
	END_STAGE2,
	END_LDP,
	END_WRITEBACK,
	END_SIMD,
	END_DC_ZVA,
	NR_ENDINGS
};

static const char *const ending_short[NR_ENDINGS] = {
	"reset/HVC", "reset/SMC", "off",       "cpu-off", "fault-call",
	"stage-2",   "ldp",	  "writeback", "simd",	  "dc-zva",
};

static const char *const ending_name[NR_ENDINGS] = {
	"PSCI SYSTEM_RESET by HVC",
	"PSCI SYSTEM_RESET by SMC",
	"PSCI SYSTEM_OFF",
	"PSCI CPU_OFF of its last vCPU",
	"BH_HC_FAULT",
	"a stage-2 fault",
	"LDP from the virtual GIC (no syndrome)",
	"LDR with writeback from the virtual GIC (no syndrome)",
	"SIMD load from the virtual GIC (no syndrome)",
	"DC ZVA on the virtual GIC (no syndrome)",
};

/* What survives a restart, in the "fuzz" channel's shared region. */
struct fuzz_state {
	uint64_t magic;
	uint64_t seed;
	uint64_t calls;	     /* configured */
	uint32_t runs;	     /* configured */
	uint32_t run;	     /* the run to do next */
	uint32_t in_run;     /* a run began and has not ended on purpose */
	uint32_t unexpected; /* restarts that were not the fuzzer's doing */
	uint32_t errors;     /* in runs that ended */
	uint32_t pad;
	uint64_t done;	      /* vCPU 0's calls in runs that ended */
	uint64_t done_others; /* the other vCPUs' */
	uint64_t starts;      /* of vCPU 1 */
	uint64_t undefs;
	uint64_t refused;
	uint64_t by_class[FC_NR];
	uint32_t endings[NR_ENDINGS];
	uint64_t check;
};

static struct fuzz_state local_state; /* without a shared region */
static struct fuzz_state *state = &local_state;

static struct {
	uint64_t seed;
	bool seed_from_clock;
	uint64_t calls;
	unsigned int runs;
	unsigned int first_run; /* 1-based; 0: from the start */
} cfg = { DEFAULT_SEED, false, DEFAULT_CALLS, 0, 0 };

/* Whole lines to the console from any vCPU, 256 bytes per hypercall. */
static void console_line(const char *s)
{
	size_t len = strlen(s);

	while (len) {
		size_t n = len > BH_CONSOLE_WRITE_MAX ? BH_CONSOLE_WRITE_MAX : len;

		bh_hvc(BH_HC_CONSOLE_WRITE, (uint64_t)s, n, 0);
		s += n;
		len -= n;
	}
}

void fuzz_error(struct fuzz_cpu *c, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	int n;

	if (__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED) > MAX_ERRORS)
		return;
	/* Where, on a line of its own (the console cuts lines at 160). */
	n = snprintf(line, sizeof(line),
		     "\nfuzz: ERROR on vCPU %u, run %u, call %lu of the run, seed 0x%016lx:\n"
		     "fuzz: ERROR ",
		     fuzz_vcpu(), state->run + 1, c ? (unsigned long)c->calls + 1 : 0UL,
		     (unsigned long)state->seed);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	console_line(line);
}

static const char *class_name(enum fuzz_class cls)
{
	static const char *const names[FC_NR] = {
		"HVC",	"SMC",	      "sysreg read", "sysreg write", "system instruction",
		"MMIO", "event page", "device",	     "CPU_ON"
	};

	return cls < FC_NR ? names[cls] : "?";
}

/*
 * Any exception but the UNDEFINED ones of the access table (vectors.c):
 * report it with the call that caused it, then stop this vCPU. The test
 * sees the ERROR line; stopping rather than faulting keeps the evidence
 * on the console and the partition as it was.
 */
void fuzz_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
	__attribute__((noreturn));
void fuzz_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	struct fuzz_cpu *c = &cpus[fuzz_vcpu() & 7];

	fuzz_error(c,
		   "exception %lu (ESR 0x%lx, ELR 0x%lx, FAR 0x%lx) during a %s call%s%s: "
		   "0x%lx 0x%lx 0x%lx",
		   (unsigned long)kind, (unsigned long)esr, (unsigned long)elr, (unsigned long)far,
		   class_name(c->last_class), c->last_class == FC_SYSINSN ? " " : "",
		   c->last_class == FC_SYSINSN ? sysinsn_name(c->last_fn) : "",
		   (unsigned long)c->last_fn, (unsigned long)c->last_arg[0],
		   (unsigned long)c->last_arg[1]);
	if (c != &cpus[0])
		bh_hvc(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

static uint64_t state_check(const struct fuzz_state *s)
{
	const uint64_t *w = (const uint64_t *)s;
	uint64_t h = 0x84222325cbf29ce4UL;

	for (size_t i = 0; i < offsetof(struct fuzz_state, check) / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3UL;
	return h;
}

static void state_save(void)
{
	state->check = state_check(state);
	__asm__ volatile("dmb ish" ::: "memory");
}

/* --- Configuration and the partition's device tree ------------------------ */

static uint64_t prop_u64(const fdt32_t *p)
{
	return (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]);
}

/* The partition's arguments: key=value words (see the top). */
static void parse_args(const char *args)
{
	const char *p = args;

	while (*p) {
		const char *word = p, *value = NULL;
		char *end;
		uint64_t v;
		size_t len;

		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - word);
		while (*p == ' ')
			p++;
		for (const char *q = word; q < word + len; q++)
			if (*q == '=') {
				value = q + 1;
				break;
			}
		if (!value)
			goto unknown;
		if (!strncmp(word, "seed=clock", len) && len == 10) {
			cfg.seed_from_clock = true;
			continue;
		}
		v = strtoull(value, &end, !strncmp(word, "seed=", 5) ? 16 : 10);
		if (!strncmp(word, "calls=", 6) && (*end == 'k' || *end == 'm'))
			v *= *end++ == 'k' ? 1000 : 1000000;
		if (end != word + len)
			goto unknown;
		if (!strncmp(word, "calls=", 6))
			cfg.calls = v ? v : 1;
		else if (!strncmp(word, "runs=", 5))
			cfg.runs = (unsigned int)v;
		else if (!strncmp(word, "seed=", 5))
			cfg.seed = v;
		else if (!strncmp(word, "from-run=", 9))
			cfg.first_run = (unsigned int)v;
		else
			goto unknown;
		continue;
	unknown:
		printf("fuzz: argument \"%.*s\" not understood (calls=, runs=, seed=, from-run=)\n",
		       (int)len, word);
	}
}

static void read_env(void)
{
	const void *fdt = bh_device_tree();
	struct fuzz_env *e = &fuzz_env;
	const fdt32_t *reg;
	int node, sub, len;

	node = fdt_path_offset(fdt, "/memory");
	reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
	if (reg && len >= 16) {
		e->ram_base = prop_u64(reg);
		e->ram_size = prop_u64(reg + 2);
	}
	node = fdt_path_offset(fdt, "/cpus");
	for (sub = node >= 0 ? fdt_first_subnode(fdt, node) : -1; sub >= 0;
	     sub = fdt_next_subnode(fdt, sub))
		e->nr_vcpus++;
	if (!e->nr_vcpus)
		e->nr_vcpus = 1;
	e->partition_id = bh_partition_id();

	node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (node < 0) {
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic");
		e->gic_v2 = node >= 0;
	}
	reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
	if (reg && len >= 32) {
		e->gicd = prop_u64(reg);
		e->gicd_size = prop_u64(reg + 2);
		if (e->gic_v2) {
			e->gicc = prop_u64(reg + 4);
			e->gicc_size = prop_u64(reg + 6);
		} else {
			e->gicr = prop_u64(reg + 4);
		}
	}

	node = fdt_path_offset(fdt, "/hypervisor/channels");
	for (sub = node >= 0 ? fdt_first_subnode(fdt, node) : -1; sub >= 0;
	     sub = fdt_next_subnode(fdt, sub))
		e->nr_ports++;
	e->scratch = (uint64_t)scratch;

	/* A device passed through: a node of the root with registers and
	 * an interrupt that is not the GIC or the timer. */
	for (sub = fdt_first_subnode(fdt, 0); sub >= 0 && !e->dev;
	     sub = fdt_next_subnode(fdt, sub)) {
		if (!fdt_getprop(fdt, sub, "interrupts", NULL) ||
		    fdt_getprop(fdt, sub, "interrupt-controller", NULL))
			continue;
		reg = fdt_getprop(fdt, sub, "reg", &len);
		if (!reg || len < 16)
			continue;
		e->dev = prop_u64(reg);
		e->dev_size = prop_u64(reg + 2);
		e->dev_pl031 = !fdt_node_check_compatible(fdt, sub, "arm,pl031");
	}
}

static void open_state(void)
{
	struct bh_channel ch;

	if (bh_channel_lookup("fuzz", &ch) != BH_OK || !ch.shared || !ch.writable ||
	    ch.shared_size < sizeof(struct fuzz_state))
		return;
	fuzz_env.shared = (uint64_t)ch.shared;
	fuzz_env.shared_size = ch.shared_size;
	state = ch.shared;
}

/* A fresh start, or where the last run left off. False if there is
 * nothing left to do. */
static bool begin(void)
{
	bool ours = state != &local_state && state->magic == STATE_MAGIC &&
		    state->check == state_check(state) && state->calls == cfg.calls &&
		    state->runs == cfg.runs && (cfg.seed_from_clock || state->seed == cfg.seed);

	if (ours && state->run >= cfg.runs) {
		fuzz_error(NULL, "restarted after it was done");
		return false;
	}
	if (!ours) {
		unsigned int run = state == &local_state ? bh_restart_count() : 0;

		memset(state, 0, sizeof(*state));
		state->magic = STATE_MAGIC;
		/* A seed from the clock is 32 bits: short to type back in. */
		state->seed = cfg.seed_from_clock
				      ? rng_seed(bh_counter(), bh_entry_counter()) & 0xffffffffUL
				      : cfg.seed;
		state->calls = cfg.calls;
		state->runs = cfg.runs;
		/* Without a region to keep state in, only the restart count
		 * survives: runs end in counted ways only, and are numbered by
		 * it. Option j starts at a given run, to replay it. */
		if (cfg.first_run)
			run = cfg.first_run - 1;
		state->run = run < cfg.runs ? run : cfg.runs - 1;
		state->done = state->run * (cfg.calls / cfg.runs);
		if (state->run == 0 || cfg.first_run)
			printf("\nfuzz: seed 0x%016lx%s, %lu calls in %u runs; %u vCPUs, GICv%u, "
			       "%u ports%s\n",
			       (unsigned long)state->seed,
			       cfg.seed_from_clock ? " (from the clock)" : "",
			       (unsigned long)cfg.calls, cfg.runs, fuzz_env.nr_vcpus,
			       fuzz_env.gic_v2 ? 2 : 3, fuzz_env.nr_ports,
			       fuzz_env.shared ? "" : "; no shared region: counted endings only");
	} else if (state->in_run) {
		state->unexpected++;
		fuzz_error(NULL,
			   "run %u was ended by something else than the fuzzer (see the log above)",
			   state->run + 1);
		if (state->run + 1 < cfg.runs)
			state->run++;
	}
	state->in_run = 0;
	state_save();
	return true;
}

/* --- The calls ------------------------------------------------------------- */

void fuzz_prepare_cpu_on(void)
{
	for (uint64_t p = (uint64_t)fuzz_secondary_stack;
	     p < (uint64_t)fuzz_secondary_stack + sizeof(fuzz_secondary_stack); p += 64)
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

/* Start vCPU 1 for a burst of calls of its own. */
static void start_secondary(struct fuzz_cpu *c)
{
	uint64_t seed = rng_next(&c->rng);
	int64_t r;

	c->last_class = FC_CPU_ON;
	c->last_fn = PSCI_CPU_ON_64;
	c->by_class[FC_CPU_ON]++;
	if (fuzz_env.nr_vcpus < 2)
		return;
	fuzz_prepare_cpu_on();
	r = bh_hvc(PSCI_CPU_ON_64, 1, (uint64_t)fuzz_secondary_entry, seed).status;
	if (r == 0)
		secondary_starts++;
	else if (r != -4 && r != -5) /* ALREADY_ON, ON_PENDING */
		fuzz_error(c, "CPU_ON(1) of a vCPU it has, at a good entry point -> %ld", (long)r);
}

static void one_call(struct fuzz_cpu *c, bool secondary)
{
	uint64_t r = rng_below(&c->rng, 2000);

	if (r < 600)
		smccc_fuzz(c, false, secondary);
	else if (r < 800)
		smccc_fuzz(c, true, secondary);
	else if (r < 1100)
		sysreg_fuzz_read(c);
	else if (r < 1300)
		sysreg_fuzz_write(c);
	else if (r < 1400)
		sysinsn_fuzz(c);
	else if (r < 1900)
		mmio_fuzz(c);
	else if (r < 1920)
		device_fuzz(c);
	else if (r < 1999 || secondary)
		event_page_fuzz(c);
	else
		start_secondary(c);
	c->calls++;
}

/* Another vCPU (started by CPU_ON): a burst of calls, then CPU_OFF
 * (vectors.c). */
void fuzz_secondary_main(uint64_t seed);
void fuzz_secondary_main(uint64_t seed)
{
	struct fuzz_cpu *c = &cpus[fuzz_vcpu() & 7];
	uint64_t n;

	c->rng = rng_seed(seed, 1);
	n = 100 + rng_below(&c->rng, 1900);
	for (uint64_t i = 0; i < n; i++)
		one_call(c, true);
}

/* --- Runs and their endings ------------------------------------------------ */

/* This run's count of class i, all vCPUs. */
static uint64_t run_class(unsigned int i)
{
	uint64_t n = 0;

	for (unsigned int c = 0; c < 8; c++)
		n += cpus[c].by_class[i];
	return n;
}

/* This run's calls by the other vCPUs; UNDEFINED exceptions and refused
 * calls of all. */
static void run_others(uint64_t *calls, uint64_t *undefs, uint64_t *refused)
{
	*calls = 0;
	*undefs = fuzz_undefs[0];
	*refused = cpus[0].refused;
	for (unsigned int c = 1; c < 8; c++) {
		*calls += cpus[c].calls;
		*undefs += fuzz_undefs[c];
		*refused += cpus[c].refused;
	}
}

/* Two lines of totals: calls by class, then how they were answered. */
static void progress(const char *what, uint64_t calls, uint64_t t0)
{
	const uint64_t *s = state->by_class;
	uint64_t others, undefs, refused, us = 0;

	run_others(&others, &undefs, &refused);
	if (t0)
		us = (bh_counter() - t0) / (bh_counter_freq() / 1000000);
	printf("\nfuzz: %s%lu calls: HVC %lu, SMC %lu, sysreg %lu/%lu, sys %lu, MMIO %lu, event "
	       "page %lu, device %lu\n",
	       what, (unsigned long)calls, (unsigned long)(s[FC_HVC] + run_class(FC_HVC)),
	       (unsigned long)(s[FC_SMC] + run_class(FC_SMC)),
	       (unsigned long)(s[FC_SYSREG_READ] + run_class(FC_SYSREG_READ)),
	       (unsigned long)(s[FC_SYSREG_WRITE] + run_class(FC_SYSREG_WRITE)),
	       (unsigned long)(s[FC_SYSINSN] + run_class(FC_SYSINSN)),
	       (unsigned long)(s[FC_MMIO] + run_class(FC_MMIO)),
	       (unsigned long)(s[FC_EVENT_PAGE] + run_class(FC_EVENT_PAGE)),
	       (unsigned long)(s[FC_DEVICE] + run_class(FC_DEVICE)));
	printf("fuzz: UNDEFINED %lu, NOT_SUPPORTED %lu; vCPU 1: %lu calls in %lu starts",
	       (unsigned long)(state->undefs + undefs), (unsigned long)(state->refused + refused),
	       (unsigned long)(state->done_others + others),
	       (unsigned long)(state->starts + secondary_starts));
	if (us)
		printf("; %lu calls/s", (unsigned long)(cpus[0].calls * 1000000 / us));
	printf("\n");
}

/* Fold this run's counts into the state before it ends. */
static void account(void)
{
	uint64_t others, undefs, refused;

	run_others(&others, &undefs, &refused);
	state->done += cpus[0].calls;
	state->done_others += others;
	state->undefs += undefs;
	state->refused += refused;
	state->starts += secondary_starts;
	state->errors += errors;
	errors = 0;
	for (unsigned int i = 0; i < FC_NR; i++)
		state->by_class[i] += run_class(i);
}

static __attribute__((noreturn)) void end_run(enum ending how)
{
	uint64_t gic = fuzz_env.gicd;
	uint64_t hole =
		fuzz_env.gic_v2 ? gic + 0x1000 : fuzz_env.gicr + 0x20000UL * fuzz_env.nr_vcpus;
	register uint64_t x0 __asm__("x0");

	fflush(stdout);
	switch (how) {
	case END_RESET_HVC: bh_hvc(PSCI_SYSTEM_RESET, 0, 0, 0); break;
	case END_RESET_SMC:
		x0 = PSCI_SYSTEM_RESET;
		__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
		break;
	case END_SYSTEM_OFF: bh_hvc(PSCI_SYSTEM_OFF, 0, 0, 0); break;
	case END_CPU_OFF:
		/* vCPU 1 may be on: then the partition ends when it turns
		 * itself off at the end of its burst. */
		bh_hvc(PSCI_CPU_OFF, 0, 0, 0);
		break;
	case END_FAULT_CALL: bh_hvc(BH_HC_FAULT, 0, (uint64_t)end_run, 0); break;
	case END_STAGE2: {
		static const uint64_t victims[] = { 0x7f000000UL, 0x09000000UL,
						    BH_WINDOW_IPA + 0x1000 };
		uint64_t at = state->run % 4 == 3 || !gic ? victims[state->run % 3] : hole;

		(void)*(volatile uint64_t *)at;
		break;
	}
	case END_LDP: {
		uint64_t a, b;

		__asm__ volatile("ldp %0, %1, [%2]" : "=r"(a), "=r"(b) : "r"(gic) : "memory");
		break;
	}
	case END_WRITEBACK: {
		uint64_t a, p = gic;

		__asm__ volatile("ldr %0, [%1], #8" : "=r"(a), "+r"(p) : : "memory");
		break;
	}
	case END_SIMD: __asm__ volatile("ldr q0, [%0]" : : "r"(gic) : "v0", "memory"); break;
	case END_DC_ZVA: __asm__ volatile("dc zva, %0" : : "r"(gic) : "memory"); break;
	default: break;
	}
	/* CPU_OFF with vCPU 1 still on returns only when vCPU 0 is turned on
	 * again, which nothing does; anything else coming back is wrong. */
	fuzz_error(&cpus[0], "ending \"%s\" came back; resetting instead", ending_name[how]);
	bh_restart();
}

static enum ending pick_ending(unsigned int run)
{
	unsigned int n = NR_ENDINGS;
	enum ending e = (enum ending)((state->seed + run) % n);

	/* Without a shared region a reset would repeat the run forever:
	 * only endings the restart count sees. */
	if (state == &local_state && (e == END_RESET_HVC || e == END_RESET_SMC))
		e = END_SYSTEM_OFF;
	/* Endings through the virtual GIC need one. */
	if (!fuzz_env.gicd && e >= END_LDP)
		e = END_FAULT_CALL;
	return e;
}

/* The fuzzer's thread (the runtime's main() calls it, with interrupts
 * unmasked: the fuzzer masks them, relying on polling only; its vectors
 * take none). */
void thread(void)
{
	struct fuzz_cpu *c = &cpus[0];
	uint64_t calls, every, t0;
	unsigned int run;

	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	read_env();
	parse_args(bh_args());
	if (!cfg.runs)
		cfg.runs = (unsigned int)((cfg.calls + CALLS_PER_RUN - 1) / CALLS_PER_RUN);
	if (!cfg.runs)
		cfg.runs = 1;
	open_state();
	if (!begin()) {
		for (;;)
			__asm__ volatile("wfi");
	}

	__asm__ volatile("msr vbar_el1, %0; isb" : : "r"(fuzz_vectors));
	mmio_init();
	sysreg_init(state->run == 0);

	run = state->run;
	calls = run + 1 == cfg.runs ? cfg.calls - state->done : cfg.calls / cfg.runs;
	every = cfg.calls / 100 > 100000 ? cfg.calls / 100 : 100000; /* 1%, or 100k */
	printf("\nfuzz: run %u of %u: calls %lu to %lu (seed 0x%016lx, restart count %u)\n",
	       run + 1, cfg.runs, (unsigned long)state->done + 1,
	       (unsigned long)(state->done + calls), (unsigned long)state->seed,
	       bh_restart_count());
	state->in_run = 1;
	state_save();

	c->rng = rng_seed(state->seed, 2 * (uint64_t)run);
	t0 = bh_counter();
	for (uint64_t i = 0; i < calls; i++) {
		one_call(c, false);
		if ((state->done + c->calls) % every == 0 && i + 1 < calls)
			progress("", state->done + c->calls, t0);
	}

	if (run + 1 < cfg.runs) {
		enum ending e = pick_ending(run);

		progress("", state->done + c->calls, t0);
		account();
		state->endings[e]++;
		state->run = run + 1;
		state->in_run = 0;
		state_save();
		printf("\nfuzz: run %u of %u ends: %s\n", run + 1, cfg.runs, ending_name[e]);
		end_run(e);
	}

	/* Let vCPU 1 finish its burst, then the totals. */
	while (fuzz_env.nr_vcpus > 1 && bh_cpu_is_on(1) == 1)
		;
	account();
	state->run = cfg.runs;
	state->in_run = 0;
	state_save();
	memset(cpus, 0, sizeof(cpus));
	memset((void *)fuzz_undefs, 0, sizeof(fuzz_undefs));
	secondary_starts = 0;
	printf("\nfuzz: %u runs, %u unexpected restarts, %u errors\nfuzz: endings:", cfg.runs,
	       state->unexpected, state->errors);
	for (unsigned int i = 0; i < NR_ENDINGS; i++)
		if (state->endings[i])
			printf(" %s %u", ending_short[i], state->endings[i]);
	progress("done ", state->done, 0);
	fflush(stdout);
	for (;;)
		__asm__ volatile("wfi");
}
