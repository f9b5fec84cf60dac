/*
 * The system register accesses the fuzzer makes, generated at build time
 * by assembler macros: MRS and MSR take their register as an immediate,
 * so each access is a tiny function of its own ("mrs x0, <reg>; ret" or
 * "msr <reg>, x0; ret", 8 bytes), called through a pointer. (Assembly in
 * a C file: the domain build compiles a domain's .c files only.)
 *
 * A block is the 128 registers of one (op0, op1, CRn): CRm 0-15 x op2
 * 0-7, stub i = CRm * 8 + op2. Each block has a descriptor { op0, op1,
 * CRn, stubs } in fuzz_rd_blocks (reads) or fuzz_wr_blocks (writes).
 *
 * Reads: the whole op0 = 3 space and the debug registers (op0 = 2, op1 0,
 * 3 and 4, CRn 0, 1 and 7). Reads do the fuzzer no harm.
 * Writes: only blocks where most registers trap, are UNDEFINED at EL1 or
 * are the fuzzer's to spoil (sysreg.c's write_ok() picks within them);
 * never the translation registers (CRn 2 of op1 0), PSTATE's (CRn 4).
 *
 * Then the system instructions (cache, TLB and address translation
 * maintenance, EL2/EL3-only ones, IMPLEMENTATION DEFINED ones) and a few
 * accesses through other registers than x0 (XZR, x9, x17, x30), each in
 * a 16-byte slot, in the order of sysreg.c's sys_ops[].
 *
 * Everything lies between fuzz_stubs_start and fuzz_stubs_end, where the
 * fuzzer's vectors (vectors.c) skip an UNDEFINED instruction.
 */
#include <stdint.h>

__asm__(".macro fz_rd8 op0, op1, crn, crm\n"
	"	.irp op2, 0, 1, 2, 3, 4, 5, 6, 7\n"
	"	mrs	x0, s\\op0\\()_\\op1\\()_c\\crn\\()_c\\crm\\()_\\op2\n"
	"	ret\n"
	"	.endr\n"
	".endm\n"
	".macro fz_wr8 op0, op1, crn, crm\n"
	"	.irp op2, 0, 1, 2, 3, 4, 5, 6, 7\n"
	"	msr	s\\op0\\()_\\op1\\()_c\\crn\\()_c\\crm\\()_\\op2, x0\n"
	"	ret\n"
	"	.endr\n"
	".endm\n"
	/* One block and its descriptor. */
	".macro fz_block kind, op0, op1, crn\n"
	"0:\n"
	"	.irp crm, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
	"	fz_\\kind\\()8 \\op0, \\op1, \\crn, \\crm\n"
	"	.endr\n"
	"	.pushsection .rodata.fuzz_\\kind, \"a\"\n"
	"	.byte	\\op0, \\op1, \\crn, 0, 0, 0, 0, 0\n"
	"	.quad	0b\n"
	"	.popsection\n"
	".endm\n"
	".macro fz_blocks kind, op0, op1, crns:vararg\n"
	"	.irp crn, \\crns\n"
	"	fz_block \\kind, \\op0, \\op1, \\crn\n"
	"	.endr\n"
	".endm\n"
	/* A system instruction or special access in a 16-byte slot. */
	".macro fz_op insn:vararg\n"
	"	.balign	16\n"
	"	\\insn\n"
	"	ret\n"
	".endm\n"
	".macro fz_op2 insn1, insn2\n"
	"	.balign	16\n"
	"	\\insn1\n"
	"	\\insn2\n"
	"	ret\n"
	".endm\n"

	"	.pushsection .rodata.fuzz_rd, \"a\"\n"
	"	.balign	8\n"
	"	.globl	fuzz_rd_blocks\n"
	"fuzz_rd_blocks:\n"
	"	.popsection\n"
	"	.pushsection .rodata.fuzz_wr, \"a\"\n"
	"	.balign	8\n"
	"	.globl	fuzz_wr_blocks\n"
	"fuzz_wr_blocks:\n"
	"	.popsection\n"

	"	.pushsection .text.fuzz_stubs, \"ax\"\n"
	"	.balign	16\n"
	"	.globl	fuzz_stubs_start\n"
	"fuzz_stubs_start:\n"
	/* Reads. */
	"	.irp op1, 0, 1, 2, 3, 4, 5, 6, 7\n"
	"	fz_blocks rd, 3, \\op1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
	"	.endr\n"
	"	.irp op1, 0, 3, 4\n"
	"	fz_blocks rd, 2, \\op1, 0, 1, 7\n"
	"	.endr\n"
	/* Writes: EL1 (ID registers, ACTLR, ESR/FAR/PAR, PMU, IMPDEF, GIC
	 * CPU interface, thread IDs, timer control), the others' registers
	 * (EL2, EL12, EL3), EL0 (PMU, thread IDs, timers), debug. */
	"	fz_blocks wr, 3, 0, 0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n"
	"	fz_blocks wr, 3, 1, 0, 11, 15\n"
	"	fz_blocks wr, 3, 2, 0\n"
	"	fz_blocks wr, 3, 3, 0, 4, 9, 13, 14, 15\n"
	"	fz_blocks wr, 3, 4, 0, 1, 2, 12, 14\n"
	"	fz_blocks wr, 3, 5, 1, 14\n"
	"	fz_blocks wr, 3, 6, 1, 12\n"
	"	fz_blocks wr, 3, 7, 11, 15\n"
	"	.irp op1, 0, 3, 4\n"
	"	fz_blocks wr, 2, \\op1, 0, 1, 7\n"
	"	.endr\n"

	/* System instructions, in sysreg.c's sys_ops[] order. */
	"	.balign	16\n"
	"	.globl	fuzz_sys_stubs\n"
	"fuzz_sys_stubs:\n"
	"	fz_op dc isw, x0\n"
	"	fz_op dc csw, x0\n"
	"	fz_op dc cisw, x0\n"
	"	fz_op dc cvac, x0\n"
	"	fz_op dc cvau, x0\n"
	"	fz_op dc civac, x0\n"
	"	fz_op dc ivac, x0\n"
	"	fz_op dc zva, x0\n"
	"	fz_op ic ivau, x0\n"
	"	fz_op ic iallu\n"
	"	fz_op ic ialluis\n"
	"	fz_op tlbi vmalle1\n"
	"	fz_op tlbi vmalle1is\n"
	"	fz_op tlbi vae1, x0\n"
	"	fz_op tlbi vae1is, x0\n"
	"	fz_op tlbi aside1is, x0\n"
	"	fz_op tlbi vaae1is, x0\n"
	"	fz_op tlbi vale1is, x0\n"
	"	fz_op at s1e1r, x0\n"
	"	fz_op at s1e1w, x0\n"
	"	fz_op at s1e0r, x0\n"
	"	fz_op at s1e0w, x0\n"
	"	fz_op at s12e1r, x0\n"
	"	fz_op at s1e2r, x0\n"
	"	fz_op tlbi alle2\n"
	"	fz_op tlbi vmalls12e1is\n"
	"	fz_op tlbi ipas2e1is, x0\n"
	"	fz_op tlbi alle3\n"
	"	fz_op sys #0, c11, c0, #0, x0\n"
	"	fz_op sys #3, c15, c2, #1, x0\n"
	"	fz_op sysl x0, #0, c15, c0, #0\n"
	"	fz_op msr s3_0_c12_c11_5, xzr\n" /* ICC_SGI1R_EL1 */
	"	fz_op2 \"mov x9, x0\", \"msr s3_0_c12_c11_5, x9\"\n"
	"	fz_op msr s3_0_c12_c11_5, x30\n"
	"	fz_op2 \"mov x17, x0\", \"msr s3_0_c12_c11_6, x17\"\n" /* ICC_ASGI1R_EL1 */
	"	fz_op msr s3_0_c12_c11_7, xzr\n"		       /* ICC_SGI0R_EL1 */
	"	fz_op mrs xzr, mdscr_el1\n"
	"	fz_op msr mdscr_el1, xzr\n"
	"	fz_op dc isw, xzr\n"
	"	fz_op dc cisw, x30\n"
	"	fz_op2 \"mov x9, x0\", \"msr s3_0_c9_c14_1, x9\"\n"   /* PMINTENSET_EL1 */
	"	fz_op2 \"mov x17, x0\", \"msr s3_3_c14_c2_1, x17\"\n" /* CNTP_CTL_EL0 */
	"	.balign	16\n"
	"	.globl	fuzz_sys_stubs_end\n"
	"fuzz_sys_stubs_end:\n"
	"	.globl	fuzz_stubs_end\n"
	"fuzz_stubs_end:\n"
	"	.popsection\n"

	"	.pushsection .rodata.fuzz_rd, \"a\"\n"
	"	.globl	fuzz_rd_blocks_end\n"
	"fuzz_rd_blocks_end:\n"
	"	.popsection\n"
	"	.pushsection .rodata.fuzz_wr, \"a\"\n"
	"	.globl	fuzz_wr_blocks_end\n"
	"fuzz_wr_blocks_end:\n"
	"	.popsection\n");
