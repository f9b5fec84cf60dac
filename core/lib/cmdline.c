/*
 * Command-line option lookup.
 */
#include <string.h>
#include <bulkhead/cmdline.h>

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	bool found = false;
	const char *p = cmdline;

	while (p && *p) {
		const char *end;

		while (*p == ' ')
			p++;
		end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) >= klen && !strncmp(p, key, klen) &&
		    (p + klen == end || p[klen] == '=')) {
			const char *v = p + klen == end ? end : p + klen + 1;
			size_t n = (size_t)(end - v);

			found = true;
			if (len) {
				if (n >= len)
					n = len - 1;
				memcpy(val, v, n);
				val[n] = '\0';
			}
		}
		p = end;
	}
	return found;
}
