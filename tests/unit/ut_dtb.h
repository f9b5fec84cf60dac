/*
 * Shared by the device-tree tests: load a compiled fixture (or QEMU's dumped
 * tree) from UT_DATA_DIR, the build's tests/unit directory.
 * Include after <cmocka.h> and the C library headers it needs.
 */
#ifndef UT_DTB_H
#define UT_DTB_H

#include <stdio.h>
#include <stdlib.h>

/* Read a whole file from UT_DATA_DIR; the caller frees it. */
static inline void *load_dtb(const char *name)
{
	char path[512];
	FILE *f;
	long size;
	void *blob;

	snprintf(path, sizeof(path), "%s/%s", UT_DATA_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (built by `make unit-tests`)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	blob = malloc((size_t)size);
	assert_non_null(blob);
	assert_int_equal(fread(blob, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return blob;
}

#endif
