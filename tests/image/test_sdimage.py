#!/usr/bin/python3
"""Inspects the Raspberry Pi 4 SD card image that `make sdimage` writes,
since no emulator in reach runs a Pi 4: the partition table, the files on
the FAT partition and config.txt, the firmware pieces and how they fit each
other, the boot script (the one QEMU's u-boot path also runs), the
hypervisor's arm64 Image header and where u-boot will put it in the Pi's
RAM, and the partition plan packed in it against the board's device tree.

usage: test_sdimage.py BUILD_DIR   (an rpi4_defconfig build after `make sdimage`)
Prints one line per check and ends with "N passed, M failed".
"""
import binascii
import os
import re
import struct
import subprocess
import sys
import tempfile

import fdt

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECTOR = 512
MIB = 1 << 20
SZ_2M = 2 * MIB

# The smallest Pi 4 (1 GB): the firmware gives the ARM cores RAM from 0 up
# to the GPU's default 76 MiB at the top of the first gigabyte.
PI4_MIN_RAM_END = 0x3B400000
# TF-A's bl31 keeps its first 512 KiB (reserved-memory atf@0).
TFA_RESERVED_END = 0x80000
# tools/mkplan.py keeps this much RAM for the hypervisor, the boot device
# tree and the loader when it checks a plan.
HYP_RESERVE = 16 * MIB

# Files the boot chain reads, by whom.
REQUIRED = {
    "start4.elf": "the Pi 4's GPU firmware",
    "fixup4.dat": "its memory split for start4.elf",
    "bcm2711-rpi-4-b.dtb": "the board device tree the firmware loads",
    "overlays/bulkhead-uart0.dtbo": "config.txt's dtoverlay=bulkhead-uart0",
    "config.txt": "the firmware's settings",
    "bl31.bin": "TF-A, config.txt's armstub",
    "u-boot.bin": "u-boot, config.txt's kernel",
    "boot.scr": "the boot script u-boot's distro boot runs",
    "bulkhead.bin": "the hypervisor with its plan and domains",
}


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"  PASS  {name}")
        else:
            self.failed += 1
            print(f"  FAIL  {name}" + (f": {detail}" if detail else ""))
        return ok


def partition_table(c, disk, data_mib):
    """One bootable FAT32 (LBA) partition at 1 MiB, inside the file, then
    (CONFIG_RPI4_SD_DATA_MB) the guests' data partition right after it:
    type 0xda, not bootable, of that size, inside the file."""
    mbr = disk[:SECTOR]
    c.check("MBR boot signature 55 aa", mbr[510:512] == b"\x55\xaa")
    entries = [struct.unpack_from("<B3sB3sII", mbr, 446 + 16 * i) for i in range(4)]
    used = [e for e in entries if e[2] != 0]
    want = 2 if data_mib else 1
    c.check(f"{want} partition(s)", len(used) == want, f"{len(used)} partitions")
    if not used:
        return None
    if data_mib and len(used) == 2:
        first, data = used
        status, _, ptype, _, start, count = data
        c.check("partition 2 is the data partition (type 0xda)", ptype == 0xDA,
                f"type {ptype:#x}")
        c.check("partition 2 is not bootable", status == 0, f"status {status:#x}")
        c.check("partition 2 follows partition 1", start == first[4] + first[5],
                f"LBA {start}")
        c.check(f"partition 2 is {data_mib} MiB", count * SECTOR == data_mib * MIB,
                f"{count} sectors")
        c.check("partition 2 lies within the image", (start + count) * SECTOR <= len(disk),
                f"ends at {(start + count) * SECTOR}, image is {len(disk)} bytes")
    status, _, ptype, _, start, count = used[0]
    c.check("partition 1 is FAT32 with LBA (type 0x0c)", ptype == 0x0C, f"type {ptype:#x}")
    c.check("partition 1 starts at 1 MiB", start * SECTOR == MIB, f"LBA {start}")
    c.check("partition 1 lies within the image", (start + count) * SECTOR <= len(disk),
            f"ends at {(start + count) * SECTOR}, image is {len(disk)} bytes")
    c.check("partition 1 is marked bootable", status == 0x80, f"status {status:#x}")
    boot = disk[start * SECTOR:(start + 1) * SECTOR]
    c.check("partition 1 holds a FAT32 file system", boot[82:90] == b"FAT32   "
            and boot[510:512] == b"\x55\xaa", repr(boot[82:90]))
    return start * SECTOR


def fat_files(c, image, offset, out):
    """Copies every file off the FAT partition into out; their names."""
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    spec = f"{image}@@{offset}"
    listing = subprocess.run(["mdir", "-i", spec, "-b", "-/", "::"], env=env,
                             capture_output=True, text=True)
    c.check("mtools reads the FAT partition", listing.returncode == 0, listing.stderr.strip())
    names = sorted(line.strip()[3:] for line in listing.stdout.splitlines()
                   if line.strip().startswith("::/") and not line.strip().endswith("/"))
    subprocess.run(["mcopy", "-s", "-n", "-i", spec, "::*", out], env=env, check=False,
                   capture_output=True)
    return names


def required_files(c, names, out):
    for name, why in REQUIRED.items():
        path = os.path.join(out, name)
        c.check(f"FAT has {name} ({why})", name in names and os.path.getsize(path) > 0,
                "missing or empty")


def read(out, name):
    path = os.path.join(out, name)
    return open(path, "rb").read() if os.path.exists(path) else b""


def config_txt(c, out, names):
    """The settings the boot chain depends on, in the [pi4] section (or
    [all]), and every file config.txt names is on the card."""
    settings = {}
    section = "all"
    for raw in read(out, "config.txt").decode("ascii", "replace").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section in ("all", "pi4") and "=" in line:
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    want = {
        "arm_64bit": "1",           # AArch64 at EL2
        "kernel": "u-boot.bin",      # the firmware starts u-boot
        "armstub": "bl31.bin",       # TF-A for PSCI
        "enable_gic": "1",           # TF-A expects the GIC in non-secure mode
        "enable_uart": "1",          # the console UART on
        "dtoverlay": "bulkhead-uart0",
        "gpio": "14,15=a0",          # UART0 (PL011) on the header pins
    }
    for key, value in want.items():
        c.check(f"config.txt: {key}={value}", value in settings.get(key, []),
                f"has {settings.get(key)}")
    for key in ("kernel", "armstub"):
        for value in settings.get(key, []):
            c.check(f"config.txt's {key} file {value} is on the card", value in names)
    for value in settings.get("dtoverlay", []):
        c.check(f"config.txt's overlay {value} is on the card",
                f"overlays/{value.split(',')[0]}.dtbo" in names)
    c.check("config.txt sets no arm_peri_high (Bulkhead's early console is the "
            "low-peripheral UART0)", "arm_peri_high" not in settings)


def firmware(c, out):
    c.check("start4.elf is an ELF file", read(out, "start4.elf")[:4] == b"\x7fELF")
    # The firmware loads the armstub at 0 and, finding this magic at 0xf0,
    # writes the device tree's address and the kernel's entry after it; TF-A
    # for the Pi 4 reads them from there.
    bl31 = read(out, "bl31.bin")
    c.check("bl31.bin carries the armstub magic 0x5afe570b at 0xf0",
            len(bl31) > 0xF4 and struct.unpack_from("<I", bl31, 0xF0)[0] == 0x5AFE570B)
    c.check("bl31.bin is TF-A's Pi 4 build that rewrites the device tree for PSCI",
            b"Changed device tree to advertise PSCI" in bl31)
    c.check("bl31.bin fits below the kernel load address (0x80000)",
            0 < len(bl31) <= TFA_RESERVED_END, f"{len(bl31)} bytes")


def uboot_env(c, out):
    """u-boot's built-in environment, read from the u-boot.bin on the card."""
    blob = read(out, "u-boot.bin")
    env = {}
    for key in ("board", "fdt_high", "kernel_addr_r", "scriptaddr", "fdt_addr_r",
                "ramdisk_addr_r", "boot_targets", "boot_scripts", "bootdelay"):
        m = re.search(rb"\0" + key.encode() + rb"=([^\0]*)\0", blob)
        if m:
            env[key] = m.group(1).decode()
    c.check("u-boot.bin is u-boot for the Raspberry Pi (board=rpi)", env.get("board") == "rpi",
            f"board={env.get('board')}")
    c.check("u-boot looks for boot.scr", "boot.scr" in env.get("boot_scripts", "").split())
    c.check("u-boot boots the SD card first (boot_targets starts with mmc0)",
            env.get("boot_targets", "").split()[:1] == ["mmc0"], env.get("boot_targets"))
    return env


def boot_script(c, out):
    """boot.scr: a u-boot legacy script image of boards/common/boot.cmd,
    byte for byte the script QEMU's u-boot path runs."""
    scr = read(out, "boot.scr")
    if not c.check("boot.scr has a u-boot image header", len(scr) >= 64
                   and struct.unpack_from(">I", scr, 0)[0] == 0x27051956):
        return ""
    hcrc, _, size, _, _, dcrc, os_, arch, itype, comp = struct.unpack_from(">IIIIIIBBBB", scr, 4)
    header = bytearray(scr[:64])
    header[4:8] = b"\0\0\0\0"
    c.check("boot.scr header CRC", binascii.crc32(bytes(header)) == hcrc)
    c.check("boot.scr data CRC", binascii.crc32(scr[64:64 + size]) == dcrc)
    c.check("boot.scr is an uncompressed arm64 script image (type 6, arch 22)",
            (itype, arch, comp) == (6, 22, 0), f"type {itype}, arch {arch}, comp {comp}")
    # A script image's data: a zero-terminated list of part lengths, then parts.
    first = struct.unpack_from(">I", scr, 64)[0]
    text = scr[72:72 + first].decode("utf-8", "replace")
    with open(os.path.join(TOP, "boards", "common", "boot.cmd")) as f:
        shared = f.read()
    c.check("boot.scr is boards/common/boot.cmd, the script QEMU's u-boot path runs",
            text == shared)
    c.check("the script starts Bulkhead with booti and a device tree",
            "booti ${kernel_addr_r} - ${bulkhead_fdt}" in text)
    c.check("the script hands the Pi's firmware device tree (fdt_addr) over",
            'test "${board}" = "rpi"' in text and "setenv bulkhead_fdt ${fdt_addr}" in text)
    return text


def image_header(c, out, build):
    """The arm64 Image header that booti reads, and where booti puts the
    image on the Pi."""
    image = read(out, "bulkhead.bin")
    with open(os.path.join(build, "bulkhead.bin"), "rb") as f:
        c.check("bulkhead.bin on the card is the build's", image == f.read())
    if not c.check("bulkhead.bin has the arm64 Image magic", len(image) >= 64
                   and image[56:60] == b"ARM\x64"):
        return None
    code0, _, text_offset, image_size, flags = struct.unpack_from("<IIQQQ", image, 0)
    c.check("Image code0 is a branch", code0 >> 26 == 0b000101, f"{code0:#x}")
    c.check("Image text_offset is 0", text_offset == 0, f"{text_offset:#x}")
    c.check("Image size covers the file (and .bss)", image_size >= len(image),
            f"{image_size} < {len(image)}")
    c.check("Image flags: little-endian, 4 KiB pages, anywhere in RAM",
            flags & 1 == 0 and (flags >> 1) & 3 == 1 and flags & 8,
            f"flags {flags:#x}")
    return len(image), text_offset, image_size


def placement(c, env, hdr):
    """u-boot loads the file to kernel_addr_r; booti then moves an image
    that may sit anywhere in RAM to the next 2 MiB boundary (plus
    text_offset) and runs it there. Both spans must be RAM on the smallest
    Pi 4, clear of TF-A, and below the script that is running (at
    scriptaddr) and the other load addresses."""
    if hdr is None or "kernel_addr_r" not in env:
        c.check("load addresses known", False, "no Image header or no kernel_addr_r")
        return
    file_size, text_offset, image_size = hdr
    load = int(env["kernel_addr_r"], 16)
    run_at = ((load - text_offset + SZ_2M - 1) & ~(SZ_2M - 1)) + text_offset
    limit = min(int(env[k], 16) for k in ("scriptaddr", "fdt_addr_r", "ramdisk_addr_r")
                if k in env)
    print(f"        loaded at {load:#x} ({file_size} bytes), runs at {run_at:#x} "
          f"({image_size} bytes with .bss); next load address {limit:#x}")
    c.check("loaded image is clear of TF-A's reserved 512 KiB", load >= TFA_RESERVED_END)
    c.check("loaded image ends below scriptaddr/fdt_addr_r/ramdisk_addr_r",
            load + file_size <= limit)
    c.check("running image is clear of TF-A", run_at >= TFA_RESERVED_END)
    c.check("running image (with .bss) ends below scriptaddr/fdt_addr_r/ramdisk_addr_r",
            run_at + image_size <= limit)
    c.check("running image is within the 1 GB model's RAM", run_at + image_size <= PI4_MIN_RAM_END)


def board_tree(c, out):
    """The board tree on the card: what Bulkhead needs from it, and every
    place our overlay writes to exists in it."""
    blob = read(out, "bcm2711-rpi-4-b.dtb")
    try:
        root = fdt.parse(blob)
    except (ValueError, struct.error, IndexError):
        c.check("bcm2711-rpi-4-b.dtb is a device tree", False)
        return None
    c.check("the board tree is a BCM2711 Pi 4 B", "raspberrypi,4-model-b"
            in root.strings("compatible"))
    cpus = [n for n in root.child("cpus").children.values() if n.string("device_type") == "cpu"]
    c.check("the board tree lists 4 CPUs", len(cpus) == 4, f"{len(cpus)}")
    gic = root.child("soc/interrupt-controller@40041000")
    c.check("the board tree has a GIC-400 with its virtualization interface",
            gic is not None and "arm,gic-400" in gic.strings("compatible")
            and len(gic.cells("reg")) == 8)
    uart0 = root.child("soc/serial@7e201000")
    c.check("the board tree has UART0, a PL011", uart0 is not None
            and "arm,pl011" in uart0.strings("compatible"))
    overlay = fdt.parse(read(out, "overlays/bulkhead-uart0.dtbo"))
    for name, frag in sorted(overlay.children.items()):
        target = frag.string("target-path")
        c.check(f"overlay {name} targets {target}, which the board tree has",
                target is not None and root.child(target) is not None)
    return len(cpus)


def plan(c, out, board_cpus):
    """The partition plan packed in bulkhead.bin fits the smallest Pi 4:
    every partition's CPUs exist, and their RAM with the hypervisor's share
    fits what the firmware leaves the ARM cores on the 1 GB model."""
    plans = [root for _, root in fdt.find_all(read(out, "bulkhead.bin"))
             if "bulkhead,plan" in root.strings("compatible")]
    if not c.check("bulkhead.bin carries one partition plan", len(plans) == 1, f"{len(plans)}"):
        return
    parts = plans[0].child("partitions")
    parts = list(parts.children.values()) if parts else []
    c.check("the plan has partitions", len(parts) > 0)
    total = 0
    for p in parts:
        name = p.string("partition-name")
        cpus = p.cells("cpus")
        size = p.u64("memory-size")
        total += size
        c.check(f"partition {name}: CPUs {cpus} exist on the board ({board_cpus})",
                cpus and all(cpu < (board_cpus or 0) for cpu in cpus))
        c.check(f"partition {name}: {size >> 20} MiB, a multiple of 2 MiB",
                size > 0 and size % SZ_2M == 0)
    usable = PI4_MIN_RAM_END - TFA_RESERVED_END
    c.check(f"partitions' {total >> 20} MiB + {HYP_RESERVE >> 20} MiB for the hypervisor "
            f"fit the 1 GB model's {usable >> 20} MiB", total + HYP_RESERVE <= usable)
    guests = [cpu for p in parts if p.string("role") == "guest" for cpu in p.cells("cpus")]
    c.check("guests have CPUs of their own", len(guests) == len(set(guests)))


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    build = os.path.abspath(argv[1])
    image = os.path.join(build, "bulkhead-rpi4.img")
    c = Checks()
    if not c.check(f"{image} exists", os.path.isfile(image), "run make sdimage first"):
        print(f"{c.passed} passed, {c.failed} failed")
        return 1
    with open(image, "rb") as f:
        disk = f.read()
    print(f"        image: {len(disk)} bytes ({len(disk) / MIB:.1f} MiB)")
    data_mib = 0
    with open(os.path.join(build, ".config")) as f:
        for line in f:
            if line.startswith("CONFIG_RPI4_SD_DATA_MB="):
                data_mib = int(line.split("=", 1)[1])
    offset = partition_table(c, disk, data_mib)
    with tempfile.TemporaryDirectory() as out:
        names = fat_files(c, image, offset or MIB, out) if offset else []
        print("        files: " + ", ".join(
            f"{n} ({os.path.getsize(os.path.join(out, n))})" for n in names))
        required_files(c, names, out)
        config_txt(c, out, names)
        firmware(c, out)
        env = uboot_env(c, out)
        boot_script(c, out)
        hdr = image_header(c, out, build)
        placement(c, env, hdr)
        board_cpus = board_tree(c, out)
        plan(c, out, board_cpus)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
