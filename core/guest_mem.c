/*
 * A partition's RAM as the hypervisor reaches it: guest-physical ranges a
 * guest names (hypercall buffers, PSCI entry points) checked against its
 * RAM, wrap-around included.
 */
#include <bulkhead/partition.h>

void *partition_guest_ptr(struct partition *p, uint64_t ipa, uint64_t len)
{
	uint64_t base = p->plan->mem_base, size = p->plan->mem_size;

	if (ipa < base || len > size || ipa - base > size - len)
		return NULL;
	return (void *)(p->ram_pa + (ipa - base));
}
