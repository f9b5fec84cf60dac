#!/usr/bin/python3
"""Make a bootable disk image without root: an MBR with one bootable FAT32
partition (at 1 MiB) holding the given files, as u-boot's distro boot and
the Raspberry Pi firmware expect. Uses mkfs.vfat and mcopy from dosfstools
and mtools on a separate file, then places it behind the MBR.

With --data-mib N, a second partition of N MiB follows, of type 0xda
("non-FS data"): the one the SD card's block driver domain serves, whose
slices are the guests' disks (drivers/block/mbr.h). It is left zeroed
(sparse in the image file).

usage: mkdisk.py [--data-mib N] DISK.img FILE[=NAME]...   (NAME: name on
       the partition; a NAME with slashes, e.g. overlays/x.dtbo, creates
       its directories)
"""
import os
import struct
import subprocess
import sys
import tempfile

SECTOR = 512
PART_START = 2048  # sectors: 1 MiB, the usual alignment
PART_SIZE_MIB = 64  # FAT32 needs at least ~33 MiB with 512-byte clusters
TYPE_DATA = 0xDA


def entry(bootable, ptype, start, sectors):
    return struct.pack(
        "<B3sB3sII",
        0x80 if bootable else 0,
        b"\xfe\xff\xff",  # CHS start: use LBA
        ptype,
        b"\xfe\xff\xff",
        start,
        sectors,
    )


def mbr(part_sectors, data_sectors=0):
    # Bootable (distro boot scans those first), FAT32 with LBA.
    first = entry(True, 0x0C, PART_START, part_sectors)
    disk_id = struct.pack("<I", 0xB01C4EAD)
    boot = bytearray(SECTOR)
    boot[440:444] = disk_id
    boot[446:462] = first
    if data_sectors:
        boot[462:478] = entry(False, TYPE_DATA, PART_START + part_sectors, data_sectors)
    boot[510:512] = b"\x55\xaa"
    return bytes(boot)


def main(argv):
    data_mib = 0
    if len(argv) > 2 and argv[1] == "--data-mib":
        data_mib = int(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) < 3:
        sys.exit(__doc__)
    disk = argv[1]
    data_sectors = data_mib * 1024 * 1024 // SECTOR
    part_sectors = PART_SIZE_MIB * 1024 * 1024 // SECTOR
    with tempfile.TemporaryDirectory() as tmp:
        fat = os.path.join(tmp, "fat.img")
        subprocess.run(
            ["mkfs.vfat", "-F", "32", "-n", "BULKHEAD", "-C", fat,
             str(part_sectors * SECTOR // 1024)],
            check=True, stdout=subprocess.DEVNULL)
        made = set()
        for spec in argv[2:]:
            src, _, name = spec.partition("=")
            name = name or os.path.basename(src)
            parts = name.split("/")[:-1]
            for i in range(len(parts)):
                d = "/".join(parts[:i + 1])
                if d not in made:
                    subprocess.run(["mmd", "-i", fat, "::" + d], check=True)
                    made.add(d)
            subprocess.run(["mcopy", "-o", "-i", fat, src, "::" + name], check=True)
        tmpdisk = disk + ".tmp"
        with open(tmpdisk, "wb") as out, open(fat, "rb") as part:
            out.write(mbr(part_sectors, data_sectors))
            out.seek(PART_START * SECTOR)
            while True:
                chunk = part.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
            if data_sectors:
                # Zeroes, without writing them: a sparse tail.
                out.truncate((PART_START + part_sectors + data_sectors) * SECTOR)
        os.replace(tmpdisk, disk)


if __name__ == "__main__":
    main(sys.argv)
