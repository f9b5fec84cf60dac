/*
 * hello: the smallest guest. Greets, then counts on the console so a test
 * can watch it keep running while other partitions do their worst.
 */
#include <stdio.h>
#include "bulkhead.h"

int main(void)
{
	uint64_t freq = bh_counter_freq();

	printf("hello from %s (partition %u)\n", bh_partition_name(), bh_partition_id());
	for (unsigned int i = 1;; i++) {
		uint64_t until = bh_counter() + freq / 10;

		while (bh_counter() < until)
			bh_hvc(BH_HC_YIELD, 0, 0, 0);
		printf("%s: tick %u\n", bh_partition_name(), i);
	}
}
