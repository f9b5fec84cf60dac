/*
 * The rules a partition plan must obey: one table for both checkers.
 * tools/mkplan.py reads this file (the R(...) lines) and tags each error it
 * reports at build time with a rule of it; core/plan.c and the passthrough
 * checks tag each boot-time refusal the same way. tests/plan/rules/ holds,
 * for every rule checked on both sides, a bad .config and the same plan as
 * a .dts, and each side's tests insist on their rule and exact message
 * (docs/plan.md, "Checks, twice").
 *
 * R(id, name, where): where is
 *   BOTH    mkplan.py and plan_parse()
 *   DEVICE  mkplan.py when it has the board's device tree, and the boot's
 *           device checks (passthrough_check())
 *   LOAD    mkplan.py, and partition_build() at boot
 *   BOOT    the boot only (what Kconfig cannot express wrongly)
 *   BUILD   mkplan.py only (Kconfig and the build's own inputs)
 * Keep one R(...) per line: mkplan.py parses them with a regular expression.
 */
#ifndef BULKHEAD_PLAN_RULES_H
#define BULKHEAD_PLAN_RULES_H

#define PLAN_RULES(R)                                                                              \
	R(BLOB, "plan-blob", BOOT)                                                                 \
	R(PART_ID, "partition-id", BOOT)                                                           \
	R(PART_NAME, "partition-name", BOTH)                                                       \
	R(PART_NAME_TWICE, "partition-name-twice", BOTH)                                           \
	R(PART_ROLE, "partition-role", BOOT)                                                       \
	R(PART_ARGS, "partition-args", BOTH)                                                       \
	R(PART_SUPERVISOR, "partition-supervisor", BOTH)                                           \
	R(CPU_LIST, "cpu-list", BOTH)                                                              \
	R(CPU_EXISTS, "cpu-exists", BOTH)                                                          \
	R(CPU_TWICE, "cpu-twice", BOTH)                                                            \
	R(CPU_GUESTS, "cpu-guest-shared", BOTH)                                                    \
	R(MEM_FORMAT, "memory-format", BOOT)                                                       \
	R(MEM_ALIGN, "memory-align", BOTH)                                                         \
	R(MEM_LIMIT, "memory-512g", BOTH)                                                          \
	R(MEM_WINDOW, "memory-window", BOTH)                                                       \
	R(MEM_VGIC, "memory-vgic", BOTH)                                                           \
	R(IMAGE_NAME, "image-name", BOTH)                                                          \
	R(IMAGE_KNOWN, "image-known", LOAD)                                                        \
	R(IMAGE_FITS, "image-fits", LOAD)                                                          \
	R(IMAGE_ENTRY, "image-entry", BUILD)                                                       \
	R(RAM_FITS, "ram-fits", LOAD)                                                              \
	R(POLICY, "fault-policy", BOOT)                                                            \
	R(RESTART, "restart-values", BOOT)                                                         \
	R(KCONFIG_RANGE, "kconfig-range", BUILD)                                                   \
	R(DEVICES, "devices-list", BOTH)                                                           \
	R(WHOLE_PAGE, "devices-whole-page", BOTH)                                                  \
	R(DEVICE_EXISTS, "device-exists", DEVICE)                                                  \
	R(DEVICE_TWICE, "device-twice", DEVICE)                                                    \
	R(DEVICE_HYP, "device-hypervisor", DEVICE)                                                 \
	R(DEVICE_MEMORY, "device-memory", DEVICE)                                                  \
	R(DEVICE_COLLIDES, "device-collides", DEVICE)                                              \
	R(PAGE_SHARED, "page-shared", DEVICE)                                                      \
	R(PAGE_NEIGHBOUR, "page-neighbour", DEVICE)                                                \
	R(DEVICE_IRQ, "device-interrupt", BOOT)                                                    \
	R(CHAN_FORMAT, "channel-format", BOOT)                                                     \
	R(CHAN_NAME, "channel-name", BOTH)                                                         \
	R(CHAN_NAME_TWICE, "channel-name-twice", BOTH)                                             \
	R(CHAN_END, "channel-end", BOTH)                                                           \
	R(CHAN_SAME_ENDS, "channel-same-ends", BOTH)                                               \
	R(CHAN_PORTS, "channel-ports", BOOT)                                                       \
	R(CHAN_SIZE, "channel-size", BOTH)                                                         \
	R(CHAN_ADDR_ALIGN, "channel-address-align", BOTH)                                          \
	R(CHAN_ADDR_LIMIT, "channel-address-512g", BOTH)                                           \
	R(CHAN_ADDR_RAM, "channel-address-ram", BOTH)                                              \
	R(CHAN_ADDR_VGIC, "channel-address-vgic", BOTH)                                            \
	R(CHAN_ADDR_WINDOW, "channel-address-window", BOTH)                                        \
	R(CHAN_ADDR_OVERLAP, "channel-address-overlap", BOTH)                                      \
	R(DISK_FORMAT, "disk-format", BOOT)                                                        \
	R(DISK_BACKEND, "disk-backend", BOTH)                                                      \
	R(DISK_SLICE, "disk-slice", BOOT)                                                          \
	R(DISK_OVERLAP, "disk-overlap", BOTH)                                                      \
	R(DISK_WINDOW, "disk-window", BOTH)                                                        \
	R(DISK_BACKEND_MEMORY, "disk-backend-memory", BOTH)                                        \
	R(WATCHDOG, "watchdog", BOOT)                                                              \
	R(FAULT_INJECTOR, "fault-injector", BOOT)                                                  \
	R(UART_FORMAT, "virtual-uart", BOOT)                                                       \
	R(UART_WINDOW, "uart-window", BOTH)                                                        \
	R(ROLE_ONCE, "role-once", BOTH)                                                            \
	R(CONTROLS, "controls", BOTH)

/* PLAN_RULE_NONE (0): no rule broken. */
enum plan_rule {
	PLAN_RULE_NONE,
#define PLAN_RULE_ENUM(id, name, where) PLAN_RULE_##id,
	PLAN_RULES(PLAN_RULE_ENUM)
#undef PLAN_RULE_ENUM
		PLAN_NR_RULES
};

/* The rule's name, as in docs/plan.md ("memory-vgic"); "none" for 0. */
const char *plan_rule_name(enum plan_rule r);

#endif
