/*
 * PSCI calls through the SMC or HVC conduit.
 */
#include <arch/psci.h>

int64_t psci_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t psci_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

int64_t arch_psci_call(enum psci_conduit conduit, uint32_t fn, uint64_t a1, uint64_t a2,
		       uint64_t a3)
{
	switch (conduit) {
	case PSCI_CONDUIT_SMC: return psci_smc(fn, a1, a2, a3);
	case PSCI_CONDUIT_HVC: return psci_hvc(fn, a1, a2, a3);
	default: return PSCI_NOT_SUPPORTED;
	}
}

const char *psci_error_name(int64_t err)
{
	switch (err) {
	case PSCI_SUCCESS: return "success";
	case PSCI_NOT_SUPPORTED: return "not supported";
	case PSCI_INVALID_PARAMETERS: return "invalid parameters";
	case PSCI_DENIED: return "denied";
	case PSCI_ALREADY_ON: return "already on";
	case PSCI_ON_PENDING: return "on pending";
	case PSCI_INTERNAL_FAILURE: return "internal failure";
	default: return "unknown error";
	}
}
