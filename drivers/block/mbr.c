/* The MBR partition table (mbr.h). */
#include "mbr.h"

#define TABLE 446
#define ENTRY 16
#define TYPE_GPT_PROTECTIVE 0xee

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int mbr_find(const uint8_t mbr[MBR_SECTOR], uint64_t disk_sectors, uint8_t type,
	     struct mbr_partition *out)
{
	if (mbr[510] != 0x55 || mbr[511] != 0xaa)
		return -1;
	for (unsigned int i = 0; i < 4; i++) {
		const uint8_t *e = mbr + TABLE + ENTRY * i;

		if (e[4] == TYPE_GPT_PROTECTIVE)
			return -1;
	}
	for (unsigned int i = 0; i < 4; i++) {
		const uint8_t *e = mbr + TABLE + ENTRY * i;
		uint64_t start = le32(e + 8), sectors = le32(e + 12);

		if (e[4] != type)
			continue;
		if (!start || !sectors || start >= disk_sectors || sectors > disk_sectors - start)
			return -3;
		/* No other entry may share its sectors (the boot partition). */
		for (unsigned int j = 0; j < 4; j++) {
			const uint8_t *o = mbr + TABLE + ENTRY * j;
			uint64_t os = le32(o + 8), on = le32(o + 12);

			if (j != i && o[4] && on && os < start + sectors && start < os + on)
				return -4;
		}
		out->index = i + 1;
		out->type = type;
		out->start = start;
		out->sectors = sectors;
		return 0;
	}
	return -2;
}
