/*
 * Secondary CPU release through a spin table (enable-method =
 * "spin-table"): the CPU waits in firmware, with its MMU off, for a
 * non-zero entry address at its cpu-release-addr, then jumps there at EL2.
 * Used on boards whose firmware offers no PSCI, such as a Raspberry Pi 4
 * booted without TF-A. A released CPU cannot be stopped or restarted.
 */
#include <stdint.h>
#include <arch/cpu.h>

void secondary_spin_entry(void);

/*
 * MPIDR affinity of each CPU index, read by secondary_spin_entry (head.S)
 * with the MMU off to learn its index; all ones in slots never filled,
 * which no MPIDR's affinity fields match.
 */
uint64_t spin_table_mpidr[CONFIG_NR_CPUS] __attribute__((aligned(64))) = {
	[0 ... CONFIG_NR_CPUS - 1] = ~0UL,
};

void arch_spin_table_release(unsigned int idx, uint64_t mpidr, uint64_t release_addr)
{
	volatile uint64_t *release = (volatile uint64_t *)release_addr;

	spin_table_mpidr[idx] = mpidr & 0xff00ffffffUL;
	arch_dcache_clean(&spin_table_mpidr[idx], sizeof(spin_table_mpidr[idx]));
	/* The hypervisor's map is an identity map: this is the physical entry. */
	*release = (uint64_t)secondary_spin_entry;
	/* The waiting CPU reads memory, not our cache; then wake it from WFE
	 * (arch_dcache_clean ends with a DSB, so the write is visible first). */
	arch_dcache_clean((const void *)release_addr, sizeof(*release));
	__asm__ volatile("sev" ::: "memory");
}
