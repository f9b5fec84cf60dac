/*
 * Self-tests of the hypervisor's own failure paths.
 *   fault  - a data abort at EL2 (load from an unmapped address)
 *   undef  - an undefined instruction at EL2
 */
#include <stdint.h>
#include <string.h>
#include <arch/cpu.h>
#include <bulkhead/cmdline.h>
#include <bulkhead/log.h>
#include <bulkhead/selftest.h>

/* Above the 39-bit space the EL2 map covers, so never mapped. */
#define UNMAPPED_ADDRESS 0x000000dead000000UL

void selftest_run(const char *cmdline)
{
	char name[32];

	if (!cmdline_get(cmdline, "bulkhead.selftest", name, sizeof(name)))
		return;
	if (!strcmp(name, "fault")) {
		log_info("selftest: taking a deliberate data abort at EL2");
		(void)*(volatile uint64_t *)UNMAPPED_ADDRESS;
	} else if (!strcmp(name, "undef")) {
		log_info("selftest: executing an undefined instruction at EL2");
		arch_undefined_instruction();
	} else {
		log_warn("selftest: unknown test \"%s\" (known: fault, undef)", name);
		return;
	}
	log_err("selftest: %s did not trap", name);
}
