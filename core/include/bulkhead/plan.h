/*
 * The partition plan: what each partition is given. Comes from the plan
 * device tree that tools/mkplan.py generates from Kconfig (docs/plan.md),
 * and is input, not trusted: plan_parse() checks every rule and names the
 * offending partition and property.
 */
#ifndef BULKHEAD_PLAN_H
#define BULKHEAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bulkhead/addr.h>
#include <bulkhead/plan_rules.h>

#define PLAN_MAX_PARTITIONS 8
#define PLAN_MAX_CPUS 8
#define PLAN_NAME_LEN 32
#define PLAN_ARGS_LEN 64
#define PLAN_VERSION 1
/* Guest-physical addresses are 39 bits (stage-2 starts at level 1). */
#define PLAN_IPA_LIMIT (1UL << 39)
#define PLAN_ALIGN (2UL << 20)
#define PLAN_MAX_DEVICES 4
#define PLAN_DEVICE_LEN 64
#define PLAN_MAX_CHANNELS 16
/* Shared regions: 4 KiB pages, at most 64 MiB each. */
#define PLAN_SHARED_ALIGN 0x1000UL
#define PLAN_SHARED_MAX (64UL << 20)
/* The 2 MiB block of every partition's guest-physical space where its
 * virtual GIC is emulated (distributor, and the redistributors of as many
 * vCPUs as it may have): RAM, which is 2 MiB aligned, and shared regions
 * must stay clear of it, or the guest loses its interrupt controller. */
#define PLAN_VGIC_IPA 0x08000000UL
#define PLAN_VGIC_SIZE 0x200000UL
/* A guest's disk: its virtio-mmio window (one 4 KiB page, emulated) and
 * interrupt (SPI 16). RAM must stay clear of the window, and no device
 * passed through to the guest may use either. */
#define PLAN_DISK_IPA 0x0a000000UL
#define PLAN_DISK_PAGE 0x1000UL
#define PLAN_DISK_INTID 48
/* Disk slices: in 512-byte sectors, below 2^40 sectors (512 TiB). */
#define PLAN_DISK_SECTORS_MAX (1ULL << 40)
/* A block driver domain's RAM holds its image, its link's area (2 MiB
 * and a page of rings) and its device tree: at least 4 MiB. */
#define PLAN_DISK_BACKEND_MEM (4UL << 20)
/* A guest's virtual PL011: one page of registers, emulated, and SPI 1, as
 * QEMU virt has its own. RAM must stay clear of the page. */
#define PLAN_VUART_IPA 0x09000000UL
#define PLAN_VUART_PAGE 0x1000UL
#define PLAN_VUART_INTID 33
#define PLAN_WATCHDOG_MIN_MS 10
#define PLAN_WATCHDOG_MAX_MS 60000

/* A driver domain owns devices; the console domain owns the board's
 * console UART (core/console_domain.c); the control domain steers the
 * partitions its "controls" names (core/control.c). */
enum plan_role { PLAN_ROLE_GUEST, PLAN_ROLE_DRIVER, PLAN_ROLE_CONSOLE, PLAN_ROLE_CONTROL };
enum plan_policy { PLAN_POLICY_STOP, PLAN_POLICY_RESTART_ON_FAULT, PLAN_POLICY_RESTART_ALWAYS };

struct plan_partition {
	unsigned int id;
	char name[PLAN_NAME_LEN];
	enum plan_role role;
	char args[PLAN_ARGS_LEN]; /* its /chosen/bootargs; "" if none */
	/* The partition told when this one ends ("supervisor"): an index into
	 * plan.parts, or -1. */
	int supervisor;
	char supervisor_name[PLAN_NAME_LEN];
	unsigned int cpus[PLAN_MAX_CPUS];
	unsigned int nr_cpus;
	ipaddr_t mem_base; /* where its RAM is in its own guest-physical space */
	uint64_t mem_size;
	char image[PLAN_NAME_LEN];
	/* An initial RAM disk ("initrd", an image of the payload; "" for
	 * none): loaded below the device tree, named in /chosen. */
	char initrd[PLAN_NAME_LEN];
	enum plan_policy policy;
	unsigned int restart_limit; /* 0: unlimited */
	unsigned int backoff_ms;
	unsigned int priority;
	/* Board device tree paths (or aliases) of the devices it owns. */
	char devices[PLAN_MAX_DEVICES][PLAN_DEVICE_LEN];
	unsigned int nr_devices;
	/* The plan grants the device's whole 4 KiB pages, with whatever other
	 * devices' registers share them ("devices-whole-page"). */
	bool whole_page[PLAN_MAX_DEVICES];
	/* Its disk (a guest's virtio-blk device): served by the block driver
	 * domain "disk-backend" (an index into plan.parts, or -1 for none),
	 * sectors [disk_start, disk_start + disk_sectors) of that domain's
	 * device, seen by the guest from sector 0. */
	int disk_backend;
	char disk_backend_name[PLAN_NAME_LEN];
	uint64_t disk_start, disk_sectors;
	bool disk_read_only;
	/* A hang is no heartbeat for this long ("watchdog-ms"; 0: none). */
	unsigned int watchdog_ms;
	/* May inject faults into others (debug builds, "fault-injector"). */
	bool fault_injector;
	/* A virtual PL011 UART ("virtual-uart"): bulkhead/vuart.h. */
	bool virtual_uart;
	/* The control domain's: the partitions it may stop, start and restart
	 * ("controls", names; resolved to a bit per partition id). */
	char controls[PLAN_MAX_PARTITIONS][PLAN_NAME_LEN];
	unsigned int nr_controls;
	uint32_t controls_mask;
};

/*
 * A channel joins two partitions: an event port at each end and, if
 * shared_size is not 0, a region of memory mapped into both (docs/plan.md).
 */
struct plan_channel {
	unsigned int id;
	char name[PLAN_NAME_LEN];
	unsigned int end[2];  /* indices into plan.parts */
	unsigned int port[2]; /* the port number at each end */
	uint64_t shared_size;
	bool writable[2];
	ipaddr_t shared_ipa[2]; /* 0: placed in the hypervisor window */
};

struct plan {
	unsigned int nr;
	struct plan_partition parts[PLAN_MAX_PARTITIONS];
	unsigned int nr_channels;
	struct plan_channel channels[PLAN_MAX_CHANNELS];
	/* When plan_parse() refuses the plan: the rule it breaks. */
	enum plan_rule rule;
};

/*
 * Parse and check a plan blob for a machine with nr_cpus CPUs. Returns 0,
 * or -1 with a message in err such as
 *   partition@1 ("net"): cpus: CPU 1 is already given to guest partition@0 ("hello0")
 * and the rule broken in out->rule (bulkhead/plan_rules.h).
 */
int plan_parse(const void *blob, unsigned int nr_cpus, struct plan *out, char *err,
	       size_t errlen);

const char *plan_policy_name(enum plan_policy p);
const char *plan_role_name(enum plan_role r);

#endif
