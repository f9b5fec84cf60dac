/*
 * Device tree compatible-list matching for driver lookup.
 */
#include <string.h>
#include <bulkhead/compat.h>

bool compat_match(const char *compat, int len, const char *const *drv_list)
{
	int pos = 0;

	while (pos < len) {
		size_t n = strnlen(compat + pos, (size_t)(len - pos));

		for (int i = 0; drv_list[i]; i++)
			if (n == strlen(drv_list[i]) && !memcmp(compat + pos, drv_list[i], n))
				return true;
		pos += (int)n + 1;
	}
	return false;
}
