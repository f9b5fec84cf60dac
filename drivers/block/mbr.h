/*
 * The MBR partition table (the card's sector 0), for block driver domains
 * that serve one partition of a disk rather than all of it: the Raspberry
 * Pi's SD card holds the firmware and Bulkhead in its first partition,
 * which no guest's slice may reach.
 *
 * The sector comes from the disk, which anyone who had the card could
 * have written: every entry is checked against the disk's size.
 */
#ifndef MBR_H
#define MBR_H

#include <stdint.h>

#define MBR_SECTOR 512
/* "Non-FS data": the partition type of the data partition Bulkhead's card
 * image makes for the guests' disks (tools/mkdisk.py --data-mib). */
#define MBR_TYPE_DATA 0xda

struct mbr_partition {
	unsigned int index; /* 1-4, as Linux and u-boot number them */
	uint8_t type;
	uint64_t start, sectors;
};

/*
 * Find the first partition of `type` in the MBR sector `mbr` of a disk of
 * disk_sectors. 0 with *out filled; -1 if the sector is not an MBR (no
 * 0x55aa signature, or a GPT's protective entry); -2 if it has no such
 * partition; -3 if the partition found is empty, starts at sector 0, or
 * runs past the disk's end; -4 if it overlaps another entry's sectors.
 */
int mbr_find(const uint8_t mbr[MBR_SECTOR], uint64_t disk_sectors, uint8_t type,
	     struct mbr_partition *out);

#endif
