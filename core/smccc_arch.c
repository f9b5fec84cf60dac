/*
 * The Arm architecture calls of SMCCC (function IDs 0x8000_xxxx) for
 * guests, over HVC or SMC: SMCCC_VERSION, SMCCC_ARCH_FEATURES and the
 * Spectre workarounds (docs/security.md, "Speculation").
 *
 * On a Cortex-A72 the branch predictor can only be cleaned by firmware at
 * EL3 (SMCCC_ARCH_WORKAROUND_1, and _3 for branch history). Bulkhead offers
 * a workaround to guests exactly when the firmware has it, and passes the
 * call on; it uses it itself when a core switches between partitions. On a
 * machine whose firmware has none (QEMU's built-in PSCI), guests are told
 * so, and Linux reports itself vulnerable rather than falsely safe.
 */
#include <arch/psci.h>
#include <bulkhead/board.h>
#include <bulkhead/log.h>
#include <bulkhead/partition.h>
#include <bulkhead/smccc_arch.h>

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu
#define SMCCC_VERSION_1_1 0x10001
#define SMCCC_NOT_SUPPORTED ((uint64_t)-1)

static bool fw_workaround_1, fw_workaround_3;

void smccc_arch_init(void)
{
	int64_t version;

	if (board.psci != PSCI_CONDUIT_SMC)
		return;
	version = arch_psci_call(board.psci, SMCCC_VERSION, 0, 0, 0);
	if (version < SMCCC_VERSION_1_1)
		return;
	fw_workaround_1 =
		arch_psci_call(board.psci, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0) >= 0;
	fw_workaround_3 =
		arch_psci_call(board.psci, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_3, 0, 0) >= 0;
	log_info("firmware: SMCCC %ld.%ld, Spectre workaround 1 %s, 3 %s", version >> 16,
		 version & 0xffff, fw_workaround_1 ? "yes" : "no", fw_workaround_3 ? "yes" : "no");
}

void smccc_arch_switch_partition(void)
{
	/* What one partition trained the branch predictor with must not steer
	 * the next one on this core. */
	if (fw_workaround_3)
		arch_psci_call(board.psci, SMCCC_ARCH_WORKAROUND_3, 0, 0, 0);
	else if (fw_workaround_1)
		arch_psci_call(board.psci, SMCCC_ARCH_WORKAROUND_1, 0, 0, 0);
}

static uint64_t features(uint32_t fn)
{
	switch (fn) {
	case SMCCC_VERSION:
	case SMCCC_ARCH_FEATURES: return 0;
	case SMCCC_ARCH_WORKAROUND_1: return fw_workaround_1 ? 0 : SMCCC_NOT_SUPPORTED;
	case SMCCC_ARCH_WORKAROUND_3: return fw_workaround_3 ? 0 : SMCCC_NOT_SUPPORTED;
	default: return SMCCC_NOT_SUPPORTED;
	}
}

bool smccc_arch_handle(struct vcpu *v, uint64_t *regs)
{
	uint32_t fn = (uint32_t)regs[0];

	(void)v;
	if (regs[0] >> 32 || (fn & 0xffff0000u) != 0x80000000u)
		return false;
	switch (fn) {
	case SMCCC_VERSION: regs[0] = SMCCC_VERSION_1_1; return true;
	case SMCCC_ARCH_FEATURES: regs[0] = features((uint32_t)regs[1]); return true;
	case SMCCC_ARCH_WORKAROUND_1:
	case SMCCC_ARCH_WORKAROUND_3:
		/* Only called by a guest that was told it exists. */
		if (features(fn) == 0)
			arch_psci_call(board.psci, fn, 0, 0, 0);
		return true;   /* no return value */
	default: return false; /* ARCH_WORKAROUND_2 and the rest: not offered */
	}
}
