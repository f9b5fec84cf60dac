/*
 * ESR_EL2 and SPSR decoding into words for crash reports and guest fault
 * logs. Pure logic, unit-tested on the host.
 */
#include <arch/exception.h>
#include <bulkhead/format.h>

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL(esr) (((esr) >> 25) & 1)
#define ESR_ISS(esr) ((esr)&0x1ffffff)

const char *esr_class_name(uint64_t esr)
{
	switch (ESR_EC(esr)) {
	case 0x00: return "unknown reason";
	case 0x01: return "WFI/WFE";
	case 0x07: return "FP/SIMD access";
	case 0x0e: return "illegal execution state";
	case 0x11:
	case 0x15: return "SVC";
	case 0x12:
	case 0x16: return "HVC";
	case 0x13:
	case 0x17: return "SMC";
	case 0x18: return "system register access";
	case 0x20: return "instruction abort (lower EL)";
	case 0x21: return "instruction abort (same EL)";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort (lower EL)";
	case 0x25: return "data abort (same EL)";
	case 0x26: return "SP alignment fault";
	case 0x2c: return "FP exception";
	case 0x2f: return "SError";
	case 0x30:
	case 0x31: return "breakpoint";
	case 0x32:
	case 0x33: return "software step";
	case 0x34:
	case 0x35: return "watchpoint";
	case 0x3c: return "BRK instruction";
	default: return "reserved exception class";
	}
}

static const char *fault_status_name(uint64_t fsc)
{
	switch (fsc & 0x3c) {
	case 0x00: return "address size fault";
	case 0x04: return "translation fault";
	case 0x08: return "access flag fault";
	case 0x0c: return "permission fault";
	}
	switch (fsc) {
	case 0x10: return "synchronous external abort";
	case 0x11: return "synchronous tag check fault";
	case 0x18: return "synchronous parity/ECC error";
	case 0x21: return "alignment fault";
	case 0x30: return "TLB conflict abort";
	case 0x31: return "unsupported atomic hardware update";
	default: return "unknown fault status";
	}
}

static int is_abort(uint64_t ec)
{
	return ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
}

char *esr_describe(uint64_t esr, char *buf, size_t len)
{
	uint64_t ec = ESR_EC(esr), iss = ESR_ISS(esr);
	size_t n = 0;

	n += fmt_snprintf(buf + n, len - n, "%s", esr_class_name(esr));
	if (n < len && is_abort(ec)) {
		uint64_t fsc = iss & 0x3f;
		bool data = ec == 0x24 || ec == 0x25;

		if (data)
			n += fmt_snprintf(buf + n, len - n, ", %s",
					  (iss & (1u << 6)) ? "write" : "read");
		n += fmt_snprintf(buf + n, len - n, ", %s", fault_status_name(fsc));
		if (n < len && fsc < 0x10)
			n += fmt_snprintf(buf + n, len - n, " level %u", (unsigned int)(fsc & 3));
		if (n < len && data && (iss & (1u << 24)))
			n += fmt_snprintf(buf + n, len - n, ", %u-byte access to x%u",
					  1u << ((iss >> 22) & 3),
					  (unsigned int)((iss >> 16) & 0x1f));
		if (n < len && (iss & (1u << 7)))
			n += fmt_snprintf(buf + n, len - n, ", on stage-1 table walk");
		if (n < len && (iss & (1u << 10)))
			n += fmt_snprintf(buf + n, len - n, ", FAR not valid");
	} else if (n < len && (ec == 0x16 || ec == 0x17 || ec == 0x15 || ec == 0x3c)) {
		n += fmt_snprintf(buf + n, len - n, " #0x%x", (unsigned int)(iss & 0xffff));
	} else if (n < len && ec == 0x18) {
		n += fmt_snprintf(buf + n, len - n, ", %s op0=%u op1=%u CRn=%u CRm=%u op2=%u x%u",
				  (iss & 1) ? "read" : "write", (unsigned int)((iss >> 20) & 3),
				  (unsigned int)((iss >> 14) & 7),
				  (unsigned int)((iss >> 10) & 0xf),
				  (unsigned int)((iss >> 1) & 0xf), (unsigned int)((iss >> 17) & 7),
				  (unsigned int)((iss >> 5) & 0x1f));
	}
	if (n < len)
		fmt_snprintf(buf + n, len - n, ", IL=%s", ESR_IL(esr) ? "32-bit" : "16-bit");
	return buf;
}

const char *exception_kind_name(unsigned int kind)
{
	static const char *const names[] = {
		"synchronous (EL2, SP_EL0)",
		"IRQ (EL2, SP_EL0)",
		"FIQ (EL2, SP_EL0)",
		"SError (EL2, SP_EL0)",
		"synchronous (EL2)",
		"IRQ (EL2)",
		"FIQ (EL2)",
		"SError (EL2)",
		"synchronous (lower EL, AArch64)",
		"IRQ (lower EL, AArch64)",
		"FIQ (lower EL, AArch64)",
		"SError (lower EL, AArch64)",
		"synchronous (lower EL, AArch32)",
		"IRQ (lower EL, AArch32)",
		"FIQ (lower EL, AArch32)",
		"SError (lower EL, AArch32)",
	};
	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

const char *spsr_mode_name(uint64_t spsr)
{
	if (spsr & (1u << 4))
		return "AArch32";
	switch (spsr & 0xf) {
	case 0x0: return "EL0t";
	case 0x4: return "EL1t";
	case 0x5: return "EL1h";
	case 0x8: return "EL2t";
	case 0x9: return "EL2h";
	case 0xc: return "EL3t";
	case 0xd: return "EL3h";
	default: return "invalid";
	}
}
