/*
 * What the hypervisor learns about the board from its device tree. Filled
 * once at boot by board_dt_parse(); read-only afterwards.
 */
#ifndef BULKHEAD_BOARD_H
#define BULKHEAD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/mmu.h>
#include <arch/psci.h>

#define BOARD_MAX_MEM 8
#define BOARD_MAX_RESERVED 16
#define BOARD_MAX_CPUS 16
#define BOARD_MAX_REDIST 4
#define BOARD_COMPAT_LEN 64

enum cpu_enable_method { CPU_ENABLE_NONE, CPU_ENABLE_PSCI, CPU_ENABLE_SPIN_TABLE };

struct board_cpu {
	uint64_t mpidr;
	enum cpu_enable_method method;
	uint64_t release_addr; /* spin-table only */
};

enum gic_version { GIC_NONE = 0, GIC_V2 = 2, GIC_V3 = 3 };

struct board_gic {
	enum gic_version version;
	char compatible[BOARD_COMPAT_LEN]; /* the matched compatible string */
	struct mem_range dist;
	/* GICv3: redistributor regions. */
	struct mem_range redist[BOARD_MAX_REDIST];
	unsigned int nr_redist;
	/* GICv2: CPU interface, and the virtualization interface if present. */
	struct mem_range cpuif;
	struct mem_range hyp;
	struct mem_range vcpu;
	unsigned int maint_intid; /* 0 when absent */
	int interrupt_cells;	  /* cells per interrupt specifier: 3 or 4 */
};

struct board_timer {
	unsigned int phys_intid;
	unsigned int virt_intid;
	unsigned int hyp_intid;
};

struct board_uart {
	char compatible[BOARD_COMPAT_LEN];
	char path[96];
	struct mem_range regs;
	bool found;
};

struct board_info {
	char model[64];
	struct mem_range mem[BOARD_MAX_MEM];
	unsigned int nr_mem;
	struct mem_range reserved[BOARD_MAX_RESERVED];
	unsigned int nr_reserved;
	/* Ranges beyond the table's size, kept by widening a kept one. */
	unsigned int nr_reserved_merged;
	struct board_cpu cpus[BOARD_MAX_CPUS];
	unsigned int nr_cpus;
	unsigned int nr_cpus_ignored; /* beyond BOARD_MAX_CPUS */
	enum psci_conduit psci;
	struct board_gic gic;
	struct board_timer timer;
	struct board_uart uart;
	char bootargs[256];
	/* Where the boot device tree itself lies (kept out of partitions). */
	uint64_t dtb_base;
	uint64_t dtb_size;
};

/* A device to pass through to a partition, as the board's tree describes
 * it: its registers (CPU physical addresses) and its shared interrupts. */
#define BOARD_DEV_MAX_REGS 4
#define BOARD_DEV_MAX_IRQS 4
struct board_device {
	int node;
	char name[48];		    /* node name, e.g. "pl031@9010000" */
	const char *compatible;	    /* points into the tree */
	int compatible_len;
	struct mem_range regs[BOARD_DEV_MAX_REGS];
	unsigned int nr_regs;
	unsigned int irqs[BOARD_DEV_MAX_IRQS]; /* INTIDs (SPIs) */
	uint32_t irq_flags[BOARD_DEV_MAX_IRQS];
	unsigned int nr_irqs;
};

/* Look up the device at path (or alias) in the board's tree. Returns 0, or
 * -1 with the reason in err. Interrupts must be SPIs of the board's GIC. */
int board_dt_device(const void *fdt, const struct board_info *b, const char *path,
		    struct board_device *out, char *err, size_t errlen);

/*
 * The first node after offset `after` (-1: the first of all) with a register
 * range (translated to a CPU physical address) that overlaps [base, base +
 * size), leaving out the nodes in skip[] and everything below them. Returns
 * its offset, or -1 when there is none. Disabled nodes count: their
 * registers are there all the same.
 */
int board_dt_node_at(const void *fdt, uint64_t base, uint64_t size, const int *skip,
		     unsigned int nr_skip, int after);

/*
 * Parse a flattened device tree. Returns 0, or -1 with a message naming the
 * missing or malformed node/property in err. Warnings (e.g. an unsupported
 * console) leave found=false rather than failing.
 */
int board_dt_parse(const void *fdt, struct board_info *out, char *err, size_t errlen);

/* The boot-time board description. */
extern struct board_info board;

#endif
