/*
 * Unit tests for arch/arm64/esr.c: ESR_ELx and SPSR decoding into words.
 * ESR values are built from their fields (Arm ARM D17.2.37, ESR_EL2) so
 * that each test reads as the exception it describes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arch/exception.h>

/* ESR_ELx: EC[31:26], IL[25], ISS[24:0]. */
#define ESR(ec, il, iss) (((uint64_t)(ec) << 26) | ((uint64_t)(il) << 25) | (uint64_t)(iss))

#define EC_UNKNOWN 0x00
#define EC_SVC64 0x15
#define EC_HVC32 0x12
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_BRK64 0x3c

/* Data/instruction abort ISS fields. */
#define ISS_ISV (1u << 24)
#define ISS_SAS(log2_bytes) ((uint32_t)(log2_bytes) << 22)
#define ISS_SRT(reg) ((uint32_t)(reg) << 16)
#define ISS_FNV (1u << 10)
#define ISS_S1PTW (1u << 7)
#define ISS_WNR (1u << 6)
#define FSC_ADDR_SIZE(level) (0x00 + (level))
#define FSC_TRANSLATION(level) (0x04 + (level))
#define FSC_ACCESS_FLAG(level) (0x08 + (level))
#define FSC_PERMISSION(level) (0x0c + (level))

/* System register trap ISS (EC 0x18). */
#define ISS_SYSREG(op0, op1, crn, crm, op2, rt, read)                                              \
	(((uint32_t)(op0) << 20) | ((uint32_t)(op2) << 17) | ((uint32_t)(op1) << 14) |             \
	 ((uint32_t)(crn) << 10) | ((uint32_t)(rt) << 5) | ((uint32_t)(crm) << 1) |                \
	 (uint32_t)(read))

#define EXPECT_DESC(esr, want)                                                                     \
	do {                                                                                       \
		char buf_[160];                                                                    \
		assert_ptr_equal(esr_describe((esr), buf_, sizeof(buf_)), buf_);                   \
		assert_string_equal(buf_, (want));                                                 \
	} while (0)

static void data_abort_read_write(void **state)
{
	(void)state;
	/* The example of the header comment. */
	EXPECT_DESC(ESR(EC_DABT_CUR, 1, ISS_WNR | FSC_TRANSLATION(2)),
		    "data abort (same EL), write, translation fault level 2, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_LOW, 1, FSC_TRANSLATION(2)),
		    "data abort (lower EL), read, translation fault level 2, IL=32-bit");
}

static void data_abort_fault_levels(void **state)
{
	(void)state;
	for (unsigned int level = 0; level <= 3; level++) {
		char want[96], got[160];

		snprintf(want, sizeof(want),
			 "data abort (lower EL), read, translation fault level %u, IL=32-bit",
			 level);
		esr_describe(ESR(EC_DABT_LOW, 1, FSC_TRANSLATION(level)), got, sizeof(got));
		assert_string_equal(got, want);
	}
	EXPECT_DESC(ESR(EC_DABT_CUR, 1, FSC_ADDR_SIZE(0)),
		    "data abort (same EL), read, address size fault level 0, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_CUR, 1, ISS_WNR | FSC_ACCESS_FLAG(1)),
		    "data abort (same EL), write, access flag fault level 1, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_CUR, 1, ISS_WNR | FSC_PERMISSION(3)),
		    "data abort (same EL), write, permission fault level 3, IL=32-bit");
}

static void data_abort_other_fault_status(void **state)
{
	(void)state;
	/* Fault status codes without a level. */
	EXPECT_DESC(ESR(EC_DABT_LOW, 1, 0x10),
		    "data abort (lower EL), read, synchronous external abort, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_LOW, 1, ISS_WNR | 0x21),
		    "data abort (lower EL), write, alignment fault, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_LOW, 1, 0x30),
		    "data abort (lower EL), read, TLB conflict abort, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_LOW, 1, 0x3f),
		    "data abort (lower EL), read, unknown fault status, IL=32-bit");
}

static void data_abort_syndrome_valid(void **state)
{
	(void)state;
	/* ISV: the access size (SAS, log2 of bytes) and register (SRT). */
	EXPECT_DESC(ESR(EC_DABT_LOW, 1,
			ISS_ISV | ISS_SAS(2) | ISS_SRT(5) | ISS_WNR | FSC_TRANSLATION(3)),
		    "data abort (lower EL), write, translation fault level 3, "
		    "4-byte access to x5, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_LOW, 1, ISS_ISV | ISS_SAS(0) | ISS_SRT(0) | FSC_TRANSLATION(1)),
		    "data abort (lower EL), read, translation fault level 1, "
		    "1-byte access to x0, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_LOW, 1, ISS_ISV | ISS_SAS(1) | ISS_SRT(17) | FSC_TRANSLATION(1)),
		    "data abort (lower EL), read, translation fault level 1, "
		    "2-byte access to x17, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_LOW, 1,
			ISS_ISV | ISS_SAS(3) | ISS_SRT(31) | ISS_WNR | FSC_PERMISSION(2)),
		    "data abort (lower EL), write, permission fault level 2, "
		    "8-byte access to x31, IL=32-bit");
	/* Without ISV, SAS and SRT are not valid and not shown. */
	EXPECT_DESC(ESR(EC_DABT_LOW, 1, ISS_SAS(3) | ISS_SRT(9) | FSC_TRANSLATION(3)),
		    "data abort (lower EL), read, translation fault level 3, IL=32-bit");
}

static void data_abort_walk_and_far(void **state)
{
	(void)state;
	EXPECT_DESC(ESR(EC_DABT_CUR, 1, ISS_S1PTW | FSC_TRANSLATION(1)),
		    "data abort (same EL), read, translation fault level 1, "
		    "on stage-1 table walk, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_CUR, 1, ISS_FNV | 0x10),
		    "data abort (same EL), read, synchronous external abort, "
		    "FAR not valid, IL=32-bit");
	EXPECT_DESC(ESR(EC_DABT_LOW, 0,
			ISS_ISV | ISS_SAS(2) | ISS_SRT(3) | ISS_S1PTW | ISS_FNV | ISS_WNR |
				FSC_ACCESS_FLAG(2)),
		    "data abort (lower EL), write, access flag fault level 2, "
		    "4-byte access to x3, on stage-1 table walk, FAR not valid, IL=16-bit");
}

static void instruction_abort(void **state)
{
	(void)state;
	EXPECT_DESC(ESR(EC_IABT_LOW, 1, FSC_TRANSLATION(3)),
		    "instruction abort (lower EL), translation fault level 3, IL=32-bit");
	EXPECT_DESC(ESR(EC_IABT_CUR, 1, FSC_PERMISSION(2)),
		    "instruction abort (same EL), permission fault level 2, IL=32-bit");
	/* Data-abort-only bits mean nothing for an instruction abort. */
	EXPECT_DESC(ESR(EC_IABT_LOW, 1, ISS_ISV | ISS_SAS(2) | ISS_WNR | FSC_TRANSLATION(0)),
		    "instruction abort (lower EL), translation fault level 0, IL=32-bit");
}

static void hvc_smc_svc_brk_immediates(void **state)
{
	(void)state;
	EXPECT_DESC(ESR(EC_HVC64, 1, 0x1234), "HVC #0x1234, IL=32-bit");
	EXPECT_DESC(ESR(EC_HVC64, 1, 0), "HVC #0x0, IL=32-bit");
	EXPECT_DESC(ESR(EC_SMC64, 1, 0xffff), "SMC #0xffff, IL=32-bit");
	EXPECT_DESC(ESR(EC_SVC64, 1, 0x80), "SVC #0x80, IL=32-bit");
	EXPECT_DESC(ESR(EC_BRK64, 1, 0x3e8), "BRK instruction #0x3e8, IL=32-bit");
	/* The immediate is ISS[15:0] only. */
	EXPECT_DESC(ESR(EC_HVC64, 1, 0x1abcd), "HVC #0xabcd, IL=32-bit");
	/* An AArch32 HVC is named but its immediate is not decoded. */
	EXPECT_DESC(ESR(EC_HVC32, 1, 0x12), "HVC, IL=32-bit");
}

static void system_register_trap(void **state)
{
	(void)state;
	/* MSR SCTLR_EL1, x2 */
	EXPECT_DESC(ESR(EC_SYSREG, 1, ISS_SYSREG(3, 0, 1, 0, 0, 2, 0)),
		    "system register access, write op0=3 op1=0 CRn=1 CRm=0 op2=0 x2, IL=32-bit");
	/* MRS x7, ID_AA64MMFR0_EL1 */
	EXPECT_DESC(ESR(EC_SYSREG, 1, ISS_SYSREG(3, 0, 0, 7, 0, 7, 1)),
		    "system register access, read op0=3 op1=0 CRn=0 CRm=7 op2=0 x7, IL=32-bit");
	/* A distinct value in every field catches swapped shifts. */
	EXPECT_DESC(ESR(EC_SYSREG, 1, ISS_SYSREG(2, 5, 9, 13, 6, 17, 1)),
		    "system register access, read op0=2 op1=5 CRn=9 CRm=13 op2=6 x17, IL=32-bit");
}

static void brk_and_unknown_classes(void **state)
{
	(void)state;
	EXPECT_DESC(ESR(EC_UNKNOWN, 1, 0), "unknown reason, IL=32-bit");
	EXPECT_DESC(ESR(EC_UNKNOWN, 0, 0x1ffffff), "unknown reason, IL=16-bit");
	/* Unallocated exception classes. */
	EXPECT_DESC(ESR(0x3f, 1, 0), "reserved exception class, IL=32-bit");
	EXPECT_DESC(ESR(0x0a, 1, 0), "reserved exception class, IL=32-bit");
	/* ESR_EL2 is 64 bits; bits above 31 (ISS2, RES0) change nothing. */
	EXPECT_DESC(ESR(EC_HVC64, 1, 5) | (0xffffffffUL << 32), "HVC #0x5, IL=32-bit");
}

static void class_names(void **state)
{
	static const struct {
		unsigned int ec;
		const char *name;
	} cases[] = {
		{ 0x00, "unknown reason" },
		{ 0x01, "WFI/WFE" },
		{ 0x07, "FP/SIMD access" },
		{ 0x0e, "illegal execution state" },
		{ 0x11, "SVC" },
		{ 0x15, "SVC" },
		{ 0x12, "HVC" },
		{ 0x16, "HVC" },
		{ 0x13, "SMC" },
		{ 0x17, "SMC" },
		{ 0x18, "system register access" },
		{ 0x20, "instruction abort (lower EL)" },
		{ 0x21, "instruction abort (same EL)" },
		{ 0x22, "PC alignment fault" },
		{ 0x24, "data abort (lower EL)" },
		{ 0x25, "data abort (same EL)" },
		{ 0x26, "SP alignment fault" },
		{ 0x2c, "FP exception" },
		{ 0x2f, "SError" },
		{ 0x30, "breakpoint" },
		{ 0x31, "breakpoint" },
		{ 0x32, "software step" },
		{ 0x33, "software step" },
		{ 0x34, "watchpoint" },
		{ 0x35, "watchpoint" },
		{ 0x3c, "BRK instruction" },
		{ 0x3b, "reserved exception class" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(esr_class_name(ESR(cases[i].ec, 1, 0x1ffffff)), cases[i].name);
}

static void truncation_small_buffers(void **state)
{
	/* The longest description in this file. */
	const uint64_t esr = ESR(EC_DABT_LOW, 1,
				 ISS_ISV | ISS_SAS(2) | ISS_SRT(3) | ISS_S1PTW | ISS_FNV | ISS_WNR |
					 FSC_ACCESS_FLAG(2));
	char full[256];
	size_t full_len;

	(void)state;
	esr_describe(esr, full, sizeof(full));
	full_len = strlen(full);
	assert_true(full_len > 100);

	/* Every size from 1 up: a heap block of exactly that many bytes, so
	 * ASan reports any write past it; the text is a NUL-terminated
	 * prefix of the full one. */
	for (size_t len = 1; len <= full_len + 2; len++) {
		char *buf = malloc(len);
		size_t want = len - 1 < full_len ? len - 1 : full_len;

		assert_non_null(buf);
		assert_ptr_equal(esr_describe(esr, buf, len), buf);
		assert_int_equal(strlen(buf), want);
		assert_memory_equal(buf, full, want);
		free(buf);
	}

	/* Other shapes of description, in a 12-byte buffer. */
	{
		static const uint64_t others[] = {
			ESR(EC_HVC64, 1, 0x1234),
			ESR(EC_SYSREG, 1, ISS_SYSREG(3, 0, 1, 0, 0, 2, 0)),
			ESR(EC_IABT_LOW, 1, FSC_TRANSLATION(3)),
			ESR(EC_UNKNOWN, 1, 0),
		};

		for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
			char *buf = malloc(12);

			assert_non_null(buf);
			esr_describe(others[i], full, sizeof(full));
			esr_describe(others[i], buf, 12);
			assert_int_equal(strlen(buf), 11);
			assert_memory_equal(buf, full, 11);
			free(buf);
		}
	}
}

static void zero_length_buffer(void **state)
{
	char guard[4] = { 'X', 'X', 'X', 'X' };

	(void)state;
	/* len 0: nothing is written. */
	assert_ptr_equal(esr_describe(ESR(EC_DABT_LOW, 1, ISS_ISV | FSC_TRANSLATION(3)), guard, 0),
			 guard);
	assert_memory_equal(guard, "XXXX", 4);
}

static void spsr_modes(void **state)
{
	(void)state;
	assert_string_equal(spsr_mode_name(0x0), "EL0t");
	assert_string_equal(spsr_mode_name(0x4), "EL1t");
	assert_string_equal(spsr_mode_name(0x5), "EL1h");
	assert_string_equal(spsr_mode_name(0x8), "EL2t");
	assert_string_equal(spsr_mode_name(0x9), "EL2h");
	assert_string_equal(spsr_mode_name(0xc), "EL3t");
	assert_string_equal(spsr_mode_name(0xd), "EL3h");
	/* DAIF masked and flags set: only M[4:0] counts. */
	assert_string_equal(spsr_mode_name(0x3c5), "EL1h");
	assert_string_equal(spsr_mode_name(0x600003c9), "EL2h");
	/* M[4] = 1: AArch32 (e.g. SVC mode 0x13, USR 0x10). */
	assert_string_equal(spsr_mode_name(0x1d3), "AArch32");
	assert_string_equal(spsr_mode_name(0x10), "AArch32");
	/* Reserved AArch64 encodings. */
	assert_string_equal(spsr_mode_name(0x1), "invalid");
	assert_string_equal(spsr_mode_name(0x2), "invalid");
	assert_string_equal(spsr_mode_name(0x6), "invalid");
	assert_string_equal(spsr_mode_name(0xf), "invalid");
}

static void exception_kinds(void **state)
{
	(void)state;
	assert_string_equal(exception_kind_name(EXC_SYNC_SP0), "synchronous (EL2, SP_EL0)");
	assert_string_equal(exception_kind_name(EXC_SYNC_SPX), "synchronous (EL2)");
	assert_string_equal(exception_kind_name(EXC_IRQ_SPX), "IRQ (EL2)");
	assert_string_equal(exception_kind_name(EXC_SERROR_SPX), "SError (EL2)");
	assert_string_equal(exception_kind_name(EXC_SYNC_A64), "synchronous (lower EL, AArch64)");
	assert_string_equal(exception_kind_name(EXC_FIQ_A64), "FIQ (lower EL, AArch64)");
	assert_string_equal(exception_kind_name(EXC_SERROR_A32), "SError (lower EL, AArch32)");
	assert_string_equal(exception_kind_name(16), "unknown");
	assert_string_equal(exception_kind_name(~0u), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(data_abort_read_write),
		cmocka_unit_test(data_abort_fault_levels),
		cmocka_unit_test(data_abort_other_fault_status),
		cmocka_unit_test(data_abort_syndrome_valid),
		cmocka_unit_test(data_abort_walk_and_far),
		cmocka_unit_test(instruction_abort),
		cmocka_unit_test(hvc_smc_svc_brk_immediates),
		cmocka_unit_test(system_register_trap),
		cmocka_unit_test(brk_and_unknown_classes),
		cmocka_unit_test(class_names),
		cmocka_unit_test(truncation_small_buffers),
		cmocka_unit_test(zero_length_buffer),
		cmocka_unit_test(spsr_modes),
		cmocka_unit_test(exception_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
