/*
 * A partition's RAM as the hypervisor reaches it: guest-physical ranges a
 * guest names (hypercall buffers, PSCI entry points) checked against its
 * RAM, wrap-around included.
 */
#include <bulkhead/partition.h>

void *partition_guest_ptr(struct partition *p, ipaddr_t where, uint64_t len)
{
	uint64_t base = ipa_bits(p->plan->mem_base), size = p->plan->mem_size;
	uint64_t ipa = ipa_bits(where);

	if (ipa < base || len > size || ipa - base > size - len)
		return NULL;
	return pa_ptr(pa_add(p->ram, ipa - base));
}
