#!/usr/bin/python3
"""Make a bootable disk image without root: an MBR with one bootable FAT32
partition (at 1 MiB) holding the given files, as u-boot's distro boot and
the Raspberry Pi firmware expect. Uses mkfs.vfat and mcopy from dosfstools
and mtools on a separate file, then places it behind the MBR.

usage: mkdisk.py DISK.img FILE[=NAME]...   (NAME: name on the partition; a
       NAME with slashes, e.g. overlays/x.dtbo, creates its directories)
"""
import os
import struct
import subprocess
import sys
import tempfile

SECTOR = 512
PART_START = 2048  # sectors: 1 MiB, the usual alignment
PART_SIZE_MIB = 64  # FAT32 needs at least ~33 MiB with 512-byte clusters


def mbr(part_sectors):
    entry = struct.pack(
        "<B3sB3sII",
        0x80,  # bootable: distro boot scans bootable partitions first
        b"\xfe\xff\xff",  # CHS start: use LBA
        0x0C,  # FAT32 with LBA
        b"\xfe\xff\xff",
        PART_START,
        part_sectors,
    )
    disk_id = struct.pack("<I", 0xB01C4EAD)
    boot = bytearray(SECTOR)
    boot[440:444] = disk_id
    boot[446:462] = entry
    boot[510:512] = b"\x55\xaa"
    return bytes(boot)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    disk = argv[1]
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
            out.write(mbr(part_sectors))
            out.seek(PART_START * SECTOR)
            while True:
                chunk = part.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
        os.replace(tmpdisk, disk)


if __name__ == "__main__":
    main(sys.argv)
