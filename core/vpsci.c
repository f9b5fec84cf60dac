/*
 * PSCI for guests, over HVC or SMC: a partition may only power its own
 * vCPUs, and SYSTEM_OFF / SYSTEM_RESET mean "stop / restart this
 * partition", never the machine.
 */
#include <arch/cpu.h>
#include <arch/psci.h>
#include <bulkhead/partition.h>

#define PSCI_0_2_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_64 0xc4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au

#define PSCI_VERSION_1_0 0x10000
#define MIGRATE_NOT_REQUIRED 2
#define AFFINITY_ON 0
#define AFFINITY_OFF 1

static bool is_psci(uint32_t fn)
{
	return (fn >= 0x84000000u && fn <= 0x8400001fu) || (fn >= 0xc4000000u && fn <= 0xc400001fu);
}

static int64_t features(uint32_t fn)
{
	switch (fn) {
	case PSCI_0_2_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_CPU_ON_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

bool vpsci_handle(struct vcpu *v, uint64_t *regs)
{
	uint32_t fn = (uint32_t)regs[0];
	struct partition *p = v->part;
	int64_t ret;

	if (!is_psci(fn))
		return false;
	switch (fn) {
	case PSCI_0_2_VERSION:
		ret = PSCI_VERSION_1_0;
		break;
	case PSCI_FEATURES:
		ret = features((uint32_t)regs[1]);
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = MIGRATE_NOT_REQUIRED;
		break;
	case PSCI_AFFINITY_INFO_64: {
		/* vCPU n has MPIDR affinity n (Aff0), as its device tree says. */
		uint64_t idx = arch_mpidr_affinity(regs[1]);

		if (idx >= p->plan->nr_cpus || regs[2] != 0)
			ret = PSCI_INVALID_PARAMETERS;
		else
			ret = vcpu_is_on(&p->vcpus[idx]) ? AFFINITY_ON : AFFINITY_OFF;
		break;
	}
	case PSCI_CPU_ON_64:
		ret = vcpu_on(v, arch_mpidr_affinity(regs[1]), regs[2], regs[3]);
		break;
	case PSCI_CPU_OFF:
		vcpu_off(v);
	case PSCI_SYSTEM_OFF:
		partition_stop(v);
	case PSCI_SYSTEM_RESET:
		partition_reset(v);
	default:
		/* CPU_SUSPEND and the rest: not offered. */
		ret = PSCI_NOT_SUPPORTED;
		break;
	}
	regs[0] = (uint64_t)ret;
	return true;
}
