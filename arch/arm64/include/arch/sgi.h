/*
 * A guest's write to ICC_SGI1R_EL1 (GICv3), decoded: which SGI, and to
 * whom. The encoding is the architecture's; the virtual GIC only needs the
 * answer. Pure, so host tests use it as it is.
 */
#ifndef ARCH_SGI_H
#define ARCH_SGI_H

#include <stdbool.h>
#include <stdint.h>

struct sgi_request {
	unsigned int intid;   /* 0-15 */
	bool all_but_self;    /* IRM: every PE but the sender */
	bool cluster_zero;    /* Aff3.Aff2.Aff1 = 0 and RS = 0: target_list is Aff0 */
	uint16_t target_list; /* a bit per Aff0 value */
};

static inline struct sgi_request arch_sgi1r_decode(uint64_t sgi1r)
{
	return (struct sgi_request){
		.intid = (unsigned int)((sgi1r >> 24) & 0xf),
		.all_but_self = (sgi1r >> 40) & 1,
		.cluster_zero = ((sgi1r >> 16) & 0xff) == 0 && ((sgi1r >> 32) & 0xff) == 0 &&
				((sgi1r >> 48) & 0xff) == 0 && ((sgi1r >> 44) & 0xf) == 0,
		.target_list = (uint16_t)(sgi1r & 0xffff),
	};
}

#endif
