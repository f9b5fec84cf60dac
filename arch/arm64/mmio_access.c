/*
 * Decoding trapped data aborts (see arch/mmio_access.h): ESR_EL2's ISS for
 * the size, direction, register and extension, HPFAR_EL2 and FAR_EL2 for
 * the guest-physical address.
 */
#include <arch/exception.h>
#include <arch/mmio_access.h>
#include <arch/sysreg.h>

#define ISS_ISV (1u << 24)
#define ISS_SAS_SHIFT 22
#define ISS_SSE (1u << 21)
#define ISS_SRT_SHIFT 16
#define ISS_SF (1u << 15)
#define ISS_WNR (1u << 6)

bool arch_mmio_decode(const struct exception_frame *f, struct mmio_access *a)
{
	uint64_t iss = f->esr & 0x1ffffff;

	if (!(iss & ISS_ISV))
		return false;
	a->ipa = ((read_sysreg(hpfar_el2) >> 4) << 12) | (f->far & 0xfff);
	a->size = 1u << ((iss >> ISS_SAS_SHIFT) & 3);
	a->reg = (unsigned int)((iss >> ISS_SRT_SHIFT) & 0x1f);
	a->write = iss & ISS_WNR;
	a->sign_extend = iss & ISS_SSE;
	a->wide = iss & ISS_SF;
	a->value = (a->write && a->reg != 31) ? f->x[a->reg] : 0;
	if (a->size < 8)
		a->value &= (1UL << (8 * a->size)) - 1;
	return true;
}

void arch_mmio_complete(struct exception_frame *f, const struct mmio_access *a)
{
	uint64_t val = a->value;

	if (!a->write && a->reg != 31) {
		if (a->size < 8)
			val &= (1UL << (8 * a->size)) - 1;
		if (a->sign_extend && a->size < 8 && (val >> (8 * a->size - 1)) & 1)
			val |= ~0UL << (8 * a->size);
		if (!a->wide)
			val &= 0xffffffffUL;
		f->x[a->reg] = val;
	}
	f->elr += 4;
}
