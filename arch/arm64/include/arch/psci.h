/*
 * PSCI calls made by the hypervisor itself (to firmware at EL3, or to
 * QEMU's built-in PSCI), through the conduit the device tree names.
 */
#ifndef ARCH_PSCI_H
#define ARCH_PSCI_H

#include <stdint.h>

#define PSCI_VERSION 0x84000000U
#define PSCI_CPU_ON_64 0xc4000003U
#define PSCI_SYSTEM_OFF 0x84000008U

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED -1
#define PSCI_INVALID_PARAMETERS -2
#define PSCI_DENIED -3
#define PSCI_ALREADY_ON -4
#define PSCI_ON_PENDING -5
#define PSCI_INTERNAL_FAILURE -6
#define PSCI_INVALID_ADDRESS -9

enum psci_conduit { PSCI_CONDUIT_NONE, PSCI_CONDUIT_SMC, PSCI_CONDUIT_HVC };

/* Returns the firmware's result (a PSCI_* code for most calls). */
int64_t arch_psci_call(enum psci_conduit conduit, uint32_t fn, uint64_t a1, uint64_t a2,
		       uint64_t a3);
const char *psci_error_name(int64_t err);

#endif
