/*
 * The guest-side fuzzer (docs/guest-fuzzer.md): what its parts share.
 *
 * fuzz.c      main loop, configuration, runs and their endings, vCPU 1
 * smccc.c     HVC and SMC calls: function IDs, argument patterns, checks
 * sysreg.c    system register and system instruction accesses
 * sysreg_table.c  the accesses themselves, one tiny function each
 * mmio.c      emulated MMIO (the virtual GIC) and the event page
 * vectors.c   the fuzzer's own exception vectors and vCPU 1's entry
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stdint.h>

/* xorshift64*, one state per vCPU; never 0. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dUL;
}

/* A uniform number below n (n > 0; the bias is irrelevant here). */
static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

/* Spread a seed (and a stream number) into a non-zero state. */
static inline uint64_t rng_seed(uint64_t seed, uint64_t stream)
{
	uint64_t z = seed + (stream + 1) * 0x9e3779b97f4a7c15UL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	z ^= z >> 31;
	return z ? z : 0x1badb002UL;
}

/* What the fuzzer knows about its partition (from its device tree). */
struct fuzz_env {
	uint64_t ram_base, ram_size;
	unsigned int nr_vcpus;
	unsigned int partition_id;
	bool gic_v2;
	uint64_t gicd, gicd_size; /* distributor */
	uint64_t gicr;		  /* GICv3: redistributors, 128 KiB per vCPU */
	uint64_t gicc, gicc_size; /* GICv2: the (hardware) CPU interface */
	unsigned int nr_ports;
	uint64_t shared, shared_size; /* the fuzz channel's region, if any */
	uint64_t scratch;	      /* 64 KiB of the fuzzer's RAM, for cache ops */
	uint64_t dev, dev_size;	      /* a device passed through, if any */
	bool dev_pl031;
};
extern struct fuzz_env fuzz_env;

/* Call classes, for the statistics. */
enum fuzz_class {
	FC_HVC,
	FC_SMC,
	FC_SYSREG_READ,
	FC_SYSREG_WRITE,
	FC_SYSINSN,
	FC_MMIO,
	FC_EVENT_PAGE,
	FC_DEVICE,
	FC_CPU_ON,
	FC_NR
};

/* Per vCPU: its random stream and what it did. */
struct fuzz_cpu {
	uint64_t rng;
	uint64_t calls;
	uint64_t by_class[FC_NR];
	uint64_t refused; /* SMCCC calls answered "not supported" */
	uint64_t last_fn; /* for error reports: the last call made */
	uint64_t last_arg[3];
	enum fuzz_class last_class;
};

/* UNDEFINED exceptions taken in the access table, per vCPU (vectors.c). */
extern volatile uint64_t fuzz_undefs[8];

/* One call of each kind, on behalf of vCPU c. */
void smccc_fuzz(struct fuzz_cpu *c, bool smc, bool secondary);
void sysreg_fuzz_read(struct fuzz_cpu *c);
void sysreg_fuzz_write(struct fuzz_cpu *c);
void sysinsn_fuzz(struct fuzz_cpu *c);
void mmio_fuzz(struct fuzz_cpu *c);
void event_page_fuzz(struct fuzz_cpu *c);
void device_fuzz(struct fuzz_cpu *c);
void sysreg_init(bool verbose);
void mmio_init(void);

/* A value from the argument patterns (0, ~0, 1 << 63, addresses...). */
uint64_t fuzz_pattern(uint64_t *rng);
/* An address from the address patterns (own RAM and its edges, other
 * partitions', the hypervisor's, the GIC, the hypervisor window...). */
uint64_t fuzz_address(uint64_t *rng);

/* Report a broken expectation (an ERROR line, which the test rejects). */
void fuzz_error(struct fuzz_cpu *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* This vCPU's index (MPIDR Aff0, as the hypervisor gives it). */
static inline unsigned int fuzz_vcpu(void)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	return (unsigned int)(mpidr & 0xff);
}

/* vectors.c: the vectors, and the entry of vCPUs started by CPU_ON (x0 =
 * a seed; MMU off), each on a stack of its own. */
extern char fuzz_vectors[];
void fuzz_secondary_entry(void);
#define FUZZ_STACK_SIZE 16384
extern uint8_t fuzz_secondary_stack[8][FUZZ_STACK_SIZE];
/* Before a CPU_ON at fuzz_secondary_entry: the stacks to memory. */
void fuzz_prepare_cpu_on(void);

/* Name of system instruction n of sysreg_table.c, for reports. */
const char *sysinsn_name(uint64_t n);

#endif
