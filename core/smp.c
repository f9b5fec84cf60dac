/*
 * Secondary CPU bring-up, by each CPU's enable-method in the device tree:
 * PSCI CPU_ON with the conduit the tree names, or a release through the
 * firmware's spin table. A CPU that does not come up is reported and left
 * out; the rest of the system carries on.
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
		arch_cpu_relax();
	}
	return true;
}

/* A spin-table release address must be RAM the hypervisor maps (so that
 * the write and the cache clean reach memory) and hold an aligned 64-bit
 * entry address. */
static bool release_addr_ok(uint64_t addr)
{
	if (!addr || (addr & 7))
		return false;
	for (unsigned int i = 0; i < board.nr_mem; i++)
		if (addr >= board.mem[i].base && addr - board.mem[i].base + 8 <= board.mem[i].size)
			return true;
	return false;
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
		rc = arch_psci_call(board.psci, PSCI_CPU_ON_64, arch_mpidr_affinity(c->mpidr),
				    arch_secondary_entry_pa(), idx);
		if (rc != PSCI_SUCCESS) {
			log_err("cpu%u: PSCI CPU_ON(0x%lx) failed: %s (%ld)", idx, c->mpidr,
				psci_error_name(rc), rc);
			return false;
		}
		break;
	case CPU_ENABLE_SPIN_TABLE:
		if (!release_addr_ok(c->release_addr)) {
			log_err("cpu%u: spin-table release address 0x%lx is not aligned RAM", idx,
				c->release_addr);
			return false;
		}
		arch_spin_table_release(idx, c->mpidr, c->release_addr);
		break;
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
		if (arch_mpidr_affinity(board.cpus[i].mpidr) == self)
			continue;
		if (start_cpu(idx, &board.cpus[i]))
			online++;
		idx++;
	}
	return online;
}
