/*
 * Secondary CPU bring-up through PSCI CPU_ON, with the conduit the device
 * tree names. A CPU that does not come up is reported and left out; the
 * rest of the system carries on.
 */
#include <arch/cpu.h>
#include <arch/psci.h>
#include <bulkhead/board.h>
#include <bulkhead/log.h>
#include <bulkhead/panic.h>
#include <bulkhead/percpu.h>
#include <bulkhead/smp.h>

#define CPU_ON_TIMEOUT_MS 1000

static bool wait_online(const struct percpu *pc)
{
	uint64_t freq = arch_counter_freq();
	uint64_t deadline = arch_counter_now() + freq / 1000 * CPU_ON_TIMEOUT_MS;

	while (!pc->online) {
		if (arch_counter_now() > deadline || panic_in_progress())
			return false;
		__asm__ volatile("yield");
	}
	return true;
}

static bool start_cpu(unsigned int idx, const struct board_cpu *c)
{
	struct percpu *pc = &percpu[idx];
	int64_t rc;

	pc->id = idx;
	pc->mpidr = c->mpidr;
	switch (c->method) {
	case CPU_ENABLE_PSCI:
		if (board.psci == PSCI_CONDUIT_NONE) {
			log_err("cpu%u: enable-method is psci but there is no /psci node", idx);
			return false;
		}
		if (board.psci == PSCI_CONDUIT_HVC) {
			log_err("cpu%u: PSCI method \"hvc\" cannot reach firmware from EL2", idx);
			return false;
		}
		/* Affinity fields only: QEMU rejects bit 31 set. */
		rc = arch_psci_call(board.psci, PSCI_CPU_ON_64, c->mpidr & 0xff00ffffffUL,
				    arch_secondary_entry_pa(), idx);
		if (rc != PSCI_SUCCESS) {
			log_err("cpu%u: PSCI CPU_ON(0x%lx) failed: %s (%ld)", idx, c->mpidr,
				psci_error_name(rc), rc);
			return false;
		}
		break;
	case CPU_ENABLE_SPIN_TABLE:
		log_err("cpu%u: spin-table start is not supported yet; boot with PSCI "
			"firmware (TF-A)",
			idx);
		return false;
	default: log_err("cpu%u: no enable-method in the device tree", idx); return false;
	}
	if (!wait_online(pc)) {
		log_err("cpu%u: did not come online within %d ms", idx, CPU_ON_TIMEOUT_MS);
		return false;
	}
	return true;
}

unsigned int smp_boot_secondaries(void)
{
	unsigned int online = 1, idx = 1;
	uint64_t self = arch_cpu_mpidr();

	if (board.nr_cpus_ignored)
		log_warn("%u CPUs beyond the first %d in the device tree are left off",
			 board.nr_cpus_ignored, BOARD_MAX_CPUS);
	if (board.nr_cpus > CONFIG_NR_CPUS)
		log_warn("the device tree lists %u CPUs; CONFIG_NR_CPUS=%d leaves the rest off",
			 board.nr_cpus, CONFIG_NR_CPUS);
	for (unsigned int i = 0; i < board.nr_cpus && idx < CONFIG_NR_CPUS; i++) {
		if ((board.cpus[i].mpidr & 0xff00ffffffUL) == self)
			continue;
		if (start_cpu(idx, &board.cpus[i]))
			online++;
		idx++;
	}
	return online;
}
