#!/usr/bin/python3
"""Tests for tools/mkplan.py, the build-time plan checker and generator.

Each case writes a small .config into a fresh temporary directory, runs
mkplan.py on it as a subprocess (as the Makefile does) and checks its exit
status, the exact "plan error: ..." lines on stderr, and for valid plans the
plan.dts and payload.S it writes.

mkplan.py looks for built-in domains as directories under domains/ in the
source tree (relative to its working directory, so it runs from the
repository root here) and for their built images under --domains: each case
gets a fake build directory holding hello/hello.bin, a few bytes.

usage: tests/plan/test_mkplan.py [-v]   (from anywhere; Python 3, no pytest)
Prints one line per case and "N passed, M failed"; exits 1 on any failure.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKPLAN = os.path.join(REPO, "tools", "mkplan.py")

# The board every case starts from unless it says otherwise: qemu-virt's.
BOARD = {"BOARD_NR_CPUS": 4, "NR_CPUS": 4, "BOARD_RAM_MB": 1024}
HELLO_BIN = b"\x00\x00\x00\x14hello"  # "b ." and a tag: a few bytes
SZ_2M = 2 << 20
DTB_RESERVE = 64 << 10


class Skip(Exception):
    """Raised by a case that cannot run here (a missing host tool)."""


class Hex(int):
    """An int option written in hex, as Kconfig writes hex options."""


# --- Writing .config files ---------------------------------------------------------


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def value(v):
    """A Python value as Kconfig writes it in .config."""
    if v is True:
        return "y"
    if isinstance(v, Hex):
        return hex(v)
    if isinstance(v, int):
        return str(v)
    return quote(v)


def part(slot, **opts):
    """A valid guest partition in slot `slot` (on CPU `slot`, running the
    built-in hello domain) with opts overriding its options, named by their
    suffix (NAME, CPUS, ...); a value of None leaves the option out."""
    o = {"NAME": f"part{slot}", "ROLE_GUEST": True, "CPUS": str(slot), "MEM_MB": 16,
         "MEM_BASE": Hex(0x40000000), "IMAGE": "hello", "DEVICES": "",
         "RESTART_NEVER": True, "PRIORITY": 100}
    o.update(opts)
    lines = [f"CONFIG_PART{slot}=y"]
    lines += [f"CONFIG_PART{slot}_{k}={value(v)}" for k, v in o.items() if v is not None]
    return lines


def chan(slot, **opts):
    """A channel in slot `slot` from part0 to part1, events only, with opts
    overriding its options, named by their suffix (NAME, END_A, ...); a value
    of None leaves the option out. Kconfig only writes the WRITERS choice
    and the addresses when SHARED_KB is not 0: give them when it is not."""
    o = {"NAME": f"chan{slot}", "END_A": "part0", "END_B": "part1", "SHARED_KB": 0}
    o.update(opts)
    lines = [f"CONFIG_CHAN{slot}=y"]
    lines += [f"CONFIG_CHAN{slot}_{k}={value(v)}" for k, v in o.items() if v is not None]
    return lines


def shared(kb, writers="BOTH", addr_a=0, addr_b=0):
    """The options of a channel's shared region, as Kconfig writes them."""
    return {"SHARED_KB": kb, f"WRITERS_{writers}": True, "ADDR_A": Hex(addr_a),
            "ADDR_B": Hex(addr_b)}


# Overrides that make a partition a driver domain.
DRIVER = {"ROLE_GUEST": None, "ROLE_DRIVER": True}


def config(*parts, **board):
    """A .config: the board options (BOARD overridden by `board`; None
    leaves one out), then the partitions, each a list from part()."""
    b = dict(BOARD)
    b.update(board)
    lines = [f"CONFIG_{k}={value(v)}" for k, v in b.items() if v is not None]
    for p in parts:
        lines += p
    return "\n".join(lines) + "\n"


# --- Running mkplan.py ------------------------------------------------------------------


class Result:
    def __init__(self, proc, out):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.out = out

    def errors(self):
        return self.stderr.splitlines()

    def read(self, name):
        with open(os.path.join(self.out, name)) as f:
            return f.read()

    def wrote(self, name):
        return os.path.exists(os.path.join(self.out, name))


class Case:
    """One case's scratch directory: a fake domain build and its files."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.domains = os.path.join(tmp, "domains-build")
        self.file("domains-build/hello/hello.bin", HELLO_BIN)
        self.runs = 0

    def file(self, name, data):
        """Write tmp/name (bytes) and return its absolute path."""
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def run(self, cfg, *extra, check_only=False):
        """mkplan.py on the .config text cfg, into a fresh output directory."""
        self.runs += 1
        cfg_path = self.file(f"config{self.runs}", cfg.encode())
        out = os.path.join(self.tmp, f"out{self.runs}")
        args = [sys.executable, MKPLAN, "--config", cfg_path, "--out", out,
                "--domains", self.domains] + list(extra)
        if check_only:
            args.append("--check-only")
        proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60)
        return Result(proc, out)


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def expect_ok(r):
    check(r.rc == 0 and r.stderr == "",
          f"expected success, got exit {r.rc} with stderr:\n{r.stderr}")


def expect_errors(r, *lines):
    """Exit status 1, exactly these errors (in order), and nothing written."""
    want = [f"plan error: {line}" for line in lines]
    check(r.rc == 1 and r.errors() == want,
          f"expected exit 1 and\n  " + "\n  ".join(want) +
          f"\ngot exit {r.rc} and\n  " + "\n  ".join(r.errors()))
    check(not r.wrote("plan.dts") and not r.wrote("payload.S"),
          "an invalid plan still wrote plan.dts or payload.S")


def partition_block(dts, slot):
    """The lines of partition@slot's node in plan.dts, stripped."""
    lines = [l.strip() for l in dts.splitlines()]
    start = lines.index(f"partition@{slot} {{")
    end = lines.index("};", start)
    return lines[start + 1:end]


def channel_block(dts, slot):
    """The lines of channel@slot's node in plan.dts, stripped."""
    lines = [l.strip() for l in dts.splitlines()]
    start = lines.index(f"channel@{slot} {{")
    end = lines.index("};", start)
    return lines[start + 1:end]


def compile_dts(r):
    """dtc on the plan.dts of result r (what the build does next): the path
    of the plan.dtb, or None without dtc."""
    if not shutil.which("dtc"):
        return None
    dtb = os.path.join(r.out, "plan.dtb")
    proc = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb,
                           os.path.join(r.out, "plan.dts")], capture_output=True, text=True)
    check(proc.returncode == 0, f"dtc refused plan.dts:\n{proc.stderr}")
    return dtb


def fdtget(dtb, node, prop, fmt="x"):
    """A property of the compiled plan as fdtget shows it (hex cells), or None
    without fdtget."""
    if not shutil.which("fdtget"):
        return None
    proc = subprocess.run(["fdtget", "-t", fmt, dtb, node, prop], capture_output=True, text=True)
    check(proc.returncode == 0, f"fdtget {node} {prop}: {proc.stderr}")
    return proc.stdout.strip()

def known_domains():
    # What mkplan.py offers in its "known:" list: the domains in the source
    # tree, which the project adds to over time.
    d = os.path.join(REPO, "domains")
    return sorted(n for n in os.listdir(d)
                  if n != "runtime" and os.path.isdir(os.path.join(d, n)))


def elf(entry, code=b"\x1f\x20\x03\xd5" * 4):
    """A minimal AArch64 ELF executable: one PT_LOAD segment and one .text
    section holding `code` (NOPs) at `entry`. Enough for readelf -h and for
    objcopy -O binary, which needs a section."""
    ehsize, phsize, shsize = 64, 56, 64
    text_off = ehsize + phsize
    shstrtab = b"\0.text\0.shstrtab\0"
    shstr_off = text_off + len(code)
    sh_off = (shstr_off + len(shstrtab) + 7) & ~7
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # 64-bit, little-endian
    # e_type EXEC, e_machine AArch64 (183); 1 program header, 3 sections,
    # section names in section 2.
    hdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 183, 1, entry, ehsize, sh_off, 0,
                              ehsize, phsize, 1, shsize, 3, 2)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, text_off, entry, entry, len(code), len(code), 0x1000)
    text = struct.pack("<IIQQQQIIQQ", 1, 1, 6, entry, text_off, len(code), 0, 0, 4, 0)
    names = struct.pack("<IIQQQQIIQQ", 7, 3, 0, 0, shstr_off, len(shstrtab), 0, 0, 1, 0)
    body = hdr + phdr + code + shstrtab
    return body + bytes(sh_off - len(body)) + bytes(shsize) + text + names


# --- Valid plans ------------------------------------------------------------------------


def test_valid_plan_writes_dts_and_payload(c):
    raw = c.file("images/netdrv.bin", b"\xaa" * 100)
    r = c.run(config(
        part(0, NAME="hello0", CPUS="1"),
        # Slots need not be contiguous; CPUs with spaces; the other policies.
        part(2, NAME="Big_2-x", CPUS="2, 3", MEM_MB=32, RESTART_NEVER=None,
             RESTART_ALWAYS=True, RESTART_LIMIT=10, RESTART_BACKOFF_MS=60000, PRIORITY=255),
        part(5, NAME="net", CPUS="0,1", MEM_MB=4, MEM_BASE=Hex(0x80000000), IMAGE=raw,
             RESTART_NEVER=None, RESTART_ON_FAULT=True, RESTART_LIMIT=3,
             RESTART_BACKOFF_MS=250, PRIORITY=0, **DRIVER)))
    expect_ok(r)
    dts = r.read("plan.dts")
    for line in ('compatible = "bulkhead,plan";', "bulkhead,plan-version = <1>;"):
        check(line in dts, f"plan.dts lacks {line}")
    check(partition_block(dts, 0) == [
        "reg = <0>;", 'partition-name = "hello0";', 'role = "guest";', "cpus = <1>;",
        "memory-base = /bits/ 64 <0x40000000>;", "memory-size = /bits/ 64 <0x1000000>;",
        'image = "hello";', 'fault-policy = "stop";', "restart-limit = <0>;",
        "restart-backoff-ms = <0>;", "priority = <100>;"],
        "partition@0:\n" + "\n".join(partition_block(dts, 0)))
    check(partition_block(dts, 2) == [
        "reg = <2>;", 'partition-name = "Big_2-x";', 'role = "guest";', "cpus = <2 3>;",
        "memory-base = /bits/ 64 <0x40000000>;", "memory-size = /bits/ 64 <0x2000000>;",
        'image = "hello";', 'fault-policy = "restart-always";', "restart-limit = <10>;",
        "restart-backoff-ms = <60000>;", "priority = <255>;"],
        "partition@2:\n" + "\n".join(partition_block(dts, 2)))
    # The driver shares CPU 1 with guest hello0; its external image is
    # known by its slot and file name less ".bin" (unique, at most 31).
    check(partition_block(dts, 5) == [
        "reg = <5>;", 'partition-name = "net";', 'role = "driver";', "cpus = <0 1>;",
        "memory-base = /bits/ 64 <0x80000000>;", "memory-size = /bits/ 64 <0x400000>;",
        'image = "part5-netdrv";', 'fault-policy = "restart-on-fault";', "restart-limit = <3>;",
        "restart-backoff-ms = <250>;", "priority = <0>;"],
        "partition@5:\n" + "\n".join(partition_block(dts, 5)))
    check("partition@1 {" not in dts, "an unused slot is in plan.dts")

    # dtc accepts it (what the build does next), if dtc is here.
    if shutil.which("dtc"):
        proc = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o",
                               os.path.join(r.out, "plan.dtb"), os.path.join(r.out, "plan.dts")],
                              capture_output=True, text=True)
        check(proc.returncode == 0, f"dtc refused plan.dts:\n{proc.stderr}")

    s = r.read("payload.S")
    check(f'.incbin "{os.path.join(r.out, "plan.dtb")}"' in s, "payload.S lacks the plan")
    # Every domain of the source tree (whether the plan uses it or not),
    # and the external image.
    names = known_domains() + ["part5-netdrv"]
    for d in known_domains():
        path = os.path.join(c.domains, d, d + ".bin")
        check(f'.incbin "{path}"' in s, f"payload.S lacks domain {d} ({path})")
    check(f'.incbin "{raw}"' in s, "payload.S lacks the external image")
    for n in names:
        check(f'.asciz "{n}"' in s, f"payload.S lacks the name {n}")
    check(f"payload_nr_images:\n\t.quad {len(names)}\n" in s,
          f"payload.S does not count {len(names)} images")


def test_check_only_writes_nothing(c):
    r = c.run(config(part(0)), check_only=True)
    expect_ok(r)
    check(not r.wrote("plan.dts") and not r.wrote("payload.S"), "--check-only wrote files")


def test_usage_error_exit_2(c):
    proc = subprocess.run([sys.executable, MKPLAN, "--out", c.tmp, "--domains", c.domains],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    check(proc.returncode == 2, f"exit {proc.returncode} without --config")


def test_several_errors_reported_together(c):
    # One fault in each of three partitions: all are reported, in slot order.
    r = c.run(config(part(0, NAME="a b", DEVICES="rtc"), part(1, MEM_MB=3),
                     part(3, DEVICES="rtc")))
    expect_errors(r, "CONFIG_PART0_NAME: 'a b' must be 1-31 letters, digits, '-' or '_'",
                  "CONFIG_PART1_MEM_MB: 3 MiB is not a multiple of 2 MiB",
                  "CONFIG_PART3_DEVICES: 'rtc' is already given to partition 0 "
                  "(CONFIG_PART0_DEVICES)")


# --- Names ------------------------------------------------------------------------------


def test_bad_name(c):
    for name in ("bad name", "a.b", "", "x" * 32):
        expect_errors(c.run(config(part(0, NAME=name))),
                      f"CONFIG_PART0_NAME: '{name}' must be 1-31 letters, digits, '-' or '_'")
    # A missing option is the empty name.
    expect_errors(c.run(config(part(0, NAME=None))),
                  "CONFIG_PART0_NAME: '' must be 1-31 letters, digits, '-' or '_'")
    expect_ok(c.run(config(part(0, NAME="x" * 31))))


def test_duplicate_name(c):
    r = c.run(config(part(0, NAME="dup"), part(1, NAME="other"), part(2, NAME="dup")))
    expect_errors(r, "CONFIG_PART2_NAME: 'dup' is already the name of partition 0 "
                     "(CONFIG_PART0_NAME)")


# --- CPUs -------------------------------------------------------------------------------


def test_bad_cpu_list(c):
    # As shown in the message: spaces removed.
    for cpus, shown in (("1;2", "1;2"), ("one", "one"), ("", ""), ("-1", "-1"),
                        ("1, x", "1,x")):
        expect_errors(c.run(config(part(0, CPUS=cpus))),
                      f"CONFIG_PART0_CPUS: '{shown}' is not a comma-separated list of CPU "
                      "indices")
    expect_errors(c.run(config(part(0, CPUS=None))),
                  "CONFIG_PART0_CPUS: '' is not a comma-separated list of CPU indices")


def test_cpu_beyond_board(c):
    msg = "CONFIG_PART0_CPUS: CPU 2 does not exist (the board has CPUs 0-1 with CONFIG_NR_CPUS)"
    # The board has fewer CPUs than the hypervisor is built for, and the
    # other way round: the smaller counts.
    expect_errors(c.run(config(part(0, CPUS="2"), BOARD_NR_CPUS=2, NR_CPUS=4)), msg)
    expect_errors(c.run(config(part(0, CPUS="2"), BOARD_NR_CPUS=4, NR_CPUS=2)), msg)
    expect_errors(c.run(config(part(0, CPUS="1,4"))),
                  "CONFIG_PART0_CPUS: CPU 4 does not exist (the board has CPUs 0-3 with "
                  "CONFIG_NR_CPUS)")
    # Neither given: one CPU.
    expect_errors(c.run(config(part(0, CPUS="1"), BOARD_NR_CPUS=None, NR_CPUS=None)),
                  "CONFIG_PART0_CPUS: CPU 1 does not exist (the board has CPUs 0-0 with "
                  "CONFIG_NR_CPUS)")
    expect_ok(c.run(config(part(0, CPUS="3"))))


def test_cpu_listed_twice(c):
    expect_errors(c.run(config(part(0, CPUS="1,2,1"))),
                  "CONFIG_PART0_CPUS: CPU 1 is listed twice")


def test_guests_do_not_share_cpus(c):
    r = c.run(config(part(0, CPUS="1"), part(1, CPUS="2,1")))
    expect_errors(r, "CONFIG_PART1_CPUS: CPU 1 is already given to guest partition 0 "
                     "(CONFIG_PART0_CPUS); guests do not share CPUs")


def test_guest_and_driver_may_share_cpus(c):
    # Driver after the guest, and before it.
    r = c.run(config(part(0, CPUS="1"), part(1, CPUS="1", **DRIVER)))
    expect_ok(r)
    check('role = "driver";' in partition_block(r.read("plan.dts"), 1), "not a driver")
    expect_ok(c.run(config(part(0, CPUS="1,2", **DRIVER), part(1, CPUS="2"))))
    # Two drivers on one CPU too.
    expect_ok(c.run(config(part(0, CPUS="1", **DRIVER), part(1, CPUS="1", **DRIVER))))


# --- Memory -----------------------------------------------------------------------------


def test_memory_not_2m_multiple(c):
    expect_errors(c.run(config(part(0, MEM_MB=3))),
                  "CONFIG_PART0_MEM_MB: 3 MiB is not a multiple of 2 MiB")


def test_memory_base_unaligned(c):
    # An external image, so that the base is free to be anything.
    raw = c.file("images/guest.bin", b"\x01" * 16)
    expect_errors(c.run(config(part(0, MEM_BASE=Hex(0x40100000), IMAGE=raw))),
                  "CONFIG_PART0_MEM_BASE: 0x40100000 is not 2 MiB aligned")


def test_memory_beyond_512g(c):
    raw = c.file("images/guest.bin", b"\x01" * 16)
    msg = "CONFIG_PART0_MEM_BASE: RAM must lie below 512 GiB (39-bit guest addresses)"
    # Crossing 512 GiB, and starting there.
    expect_errors(c.run(config(part(0, MEM_BASE=Hex(0x7fffe00000), MEM_MB=4, IMAGE=raw))), msg)
    expect_errors(c.run(config(part(0, MEM_BASE=Hex(1 << 39), MEM_MB=2, IMAGE=raw))), msg)
    # Ending exactly there is fine.
    expect_ok(c.run(config(part(0, MEM_BASE=Hex(0x7fffc00000), MEM_MB=4, IMAGE=raw))))


def test_total_memory_over_board(c):
    # 512 + 498 = 1010 MiB, and 16 MiB for the hypervisor: 1026 > 1024.
    r = c.run(config(part(0, MEM_MB=512), part(1, MEM_MB=498)))
    expect_errors(r, "CONFIG_BOARD_RAM_MB: the partitions need 1010 MiB, and with 16 MiB kept "
                     "for the hypervisor that is more than the board's 1024 MiB")
    # 1008 + 16 = 1024 exactly fits.
    expect_ok(c.run(config(part(0, MEM_MB=512), part(1, MEM_MB=496))))
    # No board size given: not checked.
    expect_ok(c.run(config(part(0, MEM_MB=4096), BOARD_RAM_MB=None)))


# --- Images ------------------------------------------------------------------------------


def test_unknown_builtin_domain(c):
    r = c.run(config(part(0, IMAGE="nosuch")))
    expect_errors(r, "CONFIG_PART0_IMAGE: no domain 'nosuch' in domains/ "
                     f"(known: {', '.join(known_domains())})")


def test_builtin_domain_with_other_base(c):
    r = c.run(config(part(0, MEM_BASE=Hex(0x80000000))))
    expect_errors(r, "CONFIG_PART0_IMAGE: built-in domain 'hello' is linked at 0x40000000: "
                     "set the memory base to that")


def test_missing_external_image(c):
    path = os.path.join(c.tmp, "images", "nope.bin")
    expect_errors(c.run(config(part(0, IMAGE=path))),
                  f"CONFIG_PART0_IMAGE: image file '{path}' does not exist")


def test_external_raw_image_accepted(c):
    # Raw (not ELF): loaded at the RAM base, wherever that is.
    raw = c.file("images/rtos.img", b"\x7fNOTELF" * 10)
    r = c.run(config(part(0, MEM_BASE=Hex(0x80000000), IMAGE=raw)))
    expect_ok(r)
    check('image = "part0-rtos.img";' in partition_block(r.read("plan.dts"), 0), "image name")
    s = r.read("payload.S")
    check(f'.incbin "{raw}"' in s and '.asciz "part0-rtos.img"' in s, "payload.S lacks the image")


def test_external_elf_image(c):
    if not (shutil.which("aarch64-linux-gnu-readelf") and
            shutil.which("aarch64-linux-gnu-objcopy")):
        raise Skip("no aarch64-linux-gnu-readelf/objcopy")
    path = c.file("images/guest.elf", elf(0x80000000))
    # Entered at its RAM base: flattened into the output directory.
    r = c.run(config(part(0, MEM_BASE=Hex(0x80000000), IMAGE=path)))
    expect_ok(r)
    flat = os.path.join(r.out, "guest.elf.bin")
    with open(flat, "rb") as f:
        check(f.read() == b"\x1f\x20\x03\xd5" * 4, "the flattened image is not the code")
    check('image = "part0-guest.elf";' in partition_block(r.read("plan.dts"), 0),
          "image name")
    check(f'.incbin "{flat}"' in r.read("payload.S"), "payload.S lacks the flat image")
    # Entered anywhere else: refused.
    expect_errors(c.run(config(part(0, MEM_BASE=Hex(0x40000000), IMAGE=path))),
                  f"CONFIG_PART0_IMAGE: ELF image '{path}' must be entered at the "
                  "partition's RAM base 0x40000000")


def test_image_bigger_than_partition(c):
    limit = SZ_2M - DTB_RESERVE
    big = c.file("images/big.bin", b"\x02" * (limit + 1))
    expect_errors(c.run(config(part(0, MEM_MB=2, MEM_BASE=Hex(0x80000000), IMAGE=big))),
                  f"CONFIG_PART0_IMAGE: image is {limit + 1} bytes, more than the partition's "
                  "2 MiB less 64 KiB for its device tree")
    fits = c.file("images/fits.bin", b"\x02" * limit)
    expect_ok(c.run(config(part(0, MEM_MB=2, MEM_BASE=Hex(0x80000000), IMAGE=fits))))
    # A built domain too big for its partition: the same check.
    c.file("domains-build/hello/hello.bin", b"\x03" * (limit + 4))
    expect_errors(c.run(config(part(0, MEM_MB=2))),
                  f"CONFIG_PART0_IMAGE: image is {limit + 4} bytes, more than the partition's "
                  "2 MiB less 64 KiB for its device tree")


def test_no_image(c):
    expect_errors(c.run(config(part(0, IMAGE=""))), "CONFIG_PART0_IMAGE: no image given")
    expect_errors(c.run(config(part(0, IMAGE=None))), "CONFIG_PART0_IMAGE: no image given")


def test_devices(c):
    # Paths or aliases, comma-separated, written as a string list.
    r = c.run(config(part(0, DEVICES="/pl031@9010000, serial1")))
    expect_ok(r)
    check('devices = "/pl031@9010000", "serial1";' in partition_block(r.read("plan.dts"), 0),
          "devices line")
    # Blank is none, and no property.
    r = c.run(config(part(0, DEVICES="  ")))
    expect_ok(r)
    check(not any(l.startswith("devices") for l in partition_block(r.read("plan.dts"), 0)),
          "an empty devices property")
    # The same device twice, too many, a name that cannot be a path.
    expect_errors(c.run(config(part(0, DEVICES="rtc"), part(1, DEVICES="rtc"))),
                  "CONFIG_PART1_DEVICES: 'rtc' is already given to partition 0 "
                  "(CONFIG_PART0_DEVICES)")
    expect_errors(c.run(config(part(0, DEVICES="a,b,c,d,e"))),
                  "CONFIG_PART0_DEVICES: 5 devices: at most 4 per partition")
    expect_errors(c.run(config(part(0, DEVICES="/" + "x" * 63))),
                  f"CONFIG_PART0_DEVICES: '/{'x' * 63}' is not a device tree path or alias "
                  "(at most 63 characters)")


# --- Channels ------------------------------------------------------------------------------


def test_channels_in_plan(c):
    # Three partitions in slots 0, 2 and 5, and four channels in slots 0, 3,
    # 5 and 7 between them; ends are named by partition and written as
    # partition slots, channels in slot order (which numbers the ports).
    r = c.run(config(
        part(0), part(2, NAME="net", CPUS="2"), part(5, NAME="log", CPUS="3"),
        # 64 KiB written by the first end only; automatic at the first end,
        # and at part0 ending exactly where its RAM starts.
        chan(0, NAME="net-rx", END_A="net", END_B="part0",
             **shared(64, "A", addr_b=0x3fff0000)),
        chan(3, NAME="ctl", END_A="part0", END_B="log"),
        chan(5, NAME="Both_4k", END_A="log", END_B="part0", **shared(4)),
        # 64 MiB written by the second end only; at log ending exactly at
        # the hypervisor window, at net starting exactly after the vGIC.
        chan(7, NAME="big", END_A="log", END_B="net",
             **shared(65536, "B", addr_a=0xffc000000, addr_b=0x8200000))))
    expect_ok(r)
    dts = r.read("plan.dts")
    lines = [l.strip() for l in dts.splitlines()]
    check("channels {" in lines, "plan.dts has no channels node")
    check([l for l in lines if l.startswith("channel@")] ==
          ["channel@0 {", "channel@3 {", "channel@5 {", "channel@7 {"],
          "channels missing or out of slot order")
    check(channel_block(dts, 0) == [
        "reg = <0>;", 'channel-name = "net-rx";', "ends = <2 0>;",
        "shared-size = /bits/ 64 <0x10000>;", "shared-writable = <1 0>;",
        "shared-address = /bits/ 64 <0x0 0x3fff0000>;"],
        "channel@0:\n" + "\n".join(channel_block(dts, 0)))
    # No shared memory: no shared-* properties at all.
    check(channel_block(dts, 3) == ["reg = <3>;", 'channel-name = "ctl";', "ends = <0 5>;"],
          "channel@3:\n" + "\n".join(channel_block(dts, 3)))
    check(channel_block(dts, 5) == [
        "reg = <5>;", 'channel-name = "Both_4k";', "ends = <5 0>;",
        "shared-size = /bits/ 64 <0x1000>;", "shared-writable = <1 1>;",
        "shared-address = /bits/ 64 <0x0 0x0>;"],
        "channel@5:\n" + "\n".join(channel_block(dts, 5)))
    check(channel_block(dts, 7) == [
        "reg = <7>;", 'channel-name = "big";', "ends = <5 2>;",
        "shared-size = /bits/ 64 <0x4000000>;", "shared-writable = <0 1>;",
        "shared-address = /bits/ 64 <0xffc000000 0x8200000>;"],
        "channel@7:\n" + "\n".join(channel_block(dts, 7)))

    # Valid DTS, and the cells are what core/plan.c reads: 64-bit values
    # as two cells each.
    dtb = compile_dts(r)
    if dtb and fdtget(dtb, "/", "compatible", "s") is not None:
        for node, prop, want in (
                ("/channels/channel@0", "ends", "2 0"),
                ("/channels/channel@0", "shared-size", "0 10000"),
                ("/channels/channel@0", "shared-writable", "1 0"),
                ("/channels/channel@0", "shared-address", "0 0 0 3fff0000"),
                ("/channels/channel@7", "reg", "7"),
                ("/channels/channel@7", "shared-size", "0 4000000"),
                ("/channels/channel@7", "shared-address", "f fc000000 0 8200000")):
            got = fdtget(dtb, node, prop)
            check(got == want, f"{node} {prop} is <{got}> in plan.dtb, not <{want}>")
        check(fdtget(dtb, "/channels/channel@3", "channel-name", "s") == "ctl", "channel@3 name")


def test_no_channels_no_node(c):
    r = c.run(config(part(0), part(1)))
    expect_ok(r)
    dts = r.read("plan.dts")
    check("channels {" not in dts and "channel@" not in dts, "a channels node without channels")
    # A disabled slot's options are ignored.
    r = c.run(config(part(0), part(1), chan(0)[1:], chan(1, END_A="nosuch")[1:]))
    expect_ok(r)
    check("channels {" not in r.read("plan.dts"), "a disabled channel is in plan.dts")


def test_channel_shared_kb_zero_ignores_region_options(c):
    # SHARED_KB 0 with stray writer and address options (a hand-edited
    # .config): events only, and the addresses are not checked.
    r = c.run(config(part(0), part(1),
                     chan(0, SHARED_KB=0, WRITERS_A=True, ADDR_A=Hex(0x40000800))))
    expect_ok(r)
    check(channel_block(r.read("plan.dts"), 0) ==
          ["reg = <0>;", 'channel-name = "chan0";', "ends = <0 1>;"], "shared-* written")
    compile_dts(r)


def test_channel_unknown_end(c):
    expect_errors(c.run(config(part(0), part(1), chan(0, END_B="nosuch"))),
                  "CONFIG_CHAN0_END_B: 'nosuch' is not the name of an enabled partition "
                  "(partitions: part0, part1)")
    # Missing: the empty name. Both ends wrong: both reported.
    expect_errors(c.run(config(part(0), part(1), chan(0, END_A=None, END_B="PART1"))),
                  "CONFIG_CHAN0_END_A: '' is not the name of an enabled partition "
                  "(partitions: part0, part1)",
                  "CONFIG_CHAN0_END_B: 'PART1' is not the name of an enabled partition "
                  "(partitions: part0, part1)")
    # A partition whose slot is not enabled is no end.
    expect_errors(c.run(config(part(0), part(1), chan(0, END_B="part2"), part(2)[1:])),
                  "CONFIG_CHAN0_END_B: 'part2' is not the name of an enabled partition "
                  "(partitions: part0, part1)")


def test_channel_same_partition_both_ends(c):
    expect_errors(c.run(config(part(0), part(1), chan(0, END_A="part1", END_B="part1"))),
                  "CONFIG_CHAN0_END_B: both ends are the same partition; a channel joins two")


def test_channel_names(c):
    expect_errors(c.run(config(part(0), part(1), chan(0, NAME="x"), chan(1, NAME="y"),
                               chan(4, NAME="x"))),
                  "CONFIG_CHAN4_NAME: 'x' is already the name of channel 0 (CONFIG_CHAN0_NAME)")
    for name in ("a b", "", "x" * 32, "net.rx"):
        expect_errors(c.run(config(part(0), part(1), chan(0, NAME=name))),
                      f"CONFIG_CHAN0_NAME: '{name}' must be 1-31 letters, digits, '-' or '_'")
    # A channel may share a partition's name: they are looked up apart.
    expect_ok(c.run(config(part(0), part(1), chan(0, NAME="part0"), chan(1, NAME="x" * 31))))


def test_channel_shared_kb_not_page_multiple(c):
    for kb in (6, 1, 65535):
        expect_errors(c.run(config(part(0), part(1), chan(0, **shared(kb)))),
                      f"CONFIG_CHAN0_SHARED_KB: {kb} KiB is not a multiple of 4 KiB (a page)")
    expect_ok(c.run(config(part(0), part(1), chan(0, **shared(65536)))))


def test_channel_address_unaligned(c):
    expect_errors(c.run(config(part(0), part(1), chan(0, **shared(64, addr_a=0x3fff0800)))),
                  "CONFIG_CHAN0_ADDR_A: 0x3fff0800 is not 4 KiB aligned")


def test_channel_address_overlaps_ram(c):
    raw = c.file("images/guest.bin", b"\x01" * 16)
    # One page into part0's RAM at 0x40000000, and inside part1's (at
    # 0x80000000 here): each end is checked against its own partition.
    expect_errors(c.run(config(part(0), part(1, MEM_BASE=Hex(0x80000000), IMAGE=raw),
                               chan(0, **shared(64, addr_a=0x3fff1000, addr_b=0x80ff0000)))),
                  "CONFIG_CHAN0_ADDR_A: 0x3fff1000 overlaps the RAM of 'part0'",
                  "CONFIG_CHAN0_ADDR_B: 0x80ff0000 overlaps the RAM of 'part1'")
    # Where the other end's RAM is, but not its own: fine.
    expect_ok(c.run(config(part(0), part(1, MEM_BASE=Hex(0x80000000), IMAGE=raw),
                           chan(0, **shared(64, addr_a=0x80000000, addr_b=0x40000000)))))


def test_channel_address_overlaps_vgic(c):
    # The last page of the vGIC's 2 MiB, its first one, and a region the
    # vGIC lies inside of.
    for addr, kb in ((0x81f1000, 64), (0x7ff1000, 64), (0x5000000, 65536)):
        expect_errors(c.run(config(part(0), part(1), chan(0, **shared(kb, addr_b=addr)))),
                      f"CONFIG_CHAN0_ADDR_B: {addr:#x} overlaps the virtual GIC")
    # Right below and right after it.
    expect_ok(c.run(config(part(0), part(1),
                           chan(0, **shared(64, addr_a=0x7ff0000, addr_b=0x8200000)))))


def test_channel_address_in_window(c):
    msg = "lies in the hypervisor window; use 0 to be placed there automatically"
    expect_errors(c.run(config(part(0), part(1), chan(0, **shared(4, addr_b=0x1000200000)))),
                  f"CONFIG_CHAN0_ADDR_B: 0x1000200000 {msg}")
    # Its last page in the window's first; its first page in the window's
    # last.
    expect_errors(c.run(config(part(0), part(1),
                               chan(0, **shared(64, addr_a=0xfffff1000,
                                                addr_b=0x103ffff000)))),
                  f"CONFIG_CHAN0_ADDR_A: 0xfffff1000 {msg}",
                  f"CONFIG_CHAN0_ADDR_B: 0x103ffff000 {msg}")
    # Ending where it starts, starting where it ends: fine.
    expect_ok(c.run(config(part(0), part(1),
                           chan(0, **shared(64, addr_a=0xfffff0000, addr_b=0x1040000000)))))


def test_channel_address_beyond_512g(c):
    expect_errors(c.run(config(part(0), part(1), chan(0, **shared(64, addr_a=0x7ffffff000)))),
                  "CONFIG_CHAN0_ADDR_A: the region must lie below 512 GiB")
    # Ending exactly there is fine.
    expect_ok(c.run(config(part(0), part(1), chan(0, **shared(64, addr_a=0x7fffff0000)))))


def test_partition_ram_in_window(c):
    raw = c.file("images/guest.bin", b"\x01" * 16)
    msg = ("CONFIG_PART1_MEM_BASE: RAM overlaps the hypervisor window at "
           "0x1000000000-0x103fffffff")
    # Across its start, over its last 2 MiB, and all of it inside.
    for base, mb in ((0xfffe00000, 4), (0x103fe00000, 2), (0x1000000000, 1024)):
        expect_errors(c.run(config(part(0), part(1, MEM_BASE=Hex(base), MEM_MB=mb, IMAGE=raw),
                                   BOARD_RAM_MB=None)), msg)
    # Right below it and right above it: fine.
    r = c.run(config(part(0), part(1, MEM_BASE=Hex(0xfffc00000), MEM_MB=4, IMAGE=raw),
                     part(2, MEM_BASE=Hex(0x1040000000), MEM_MB=4, IMAGE=raw)))
    expect_ok(r)
    compile_dts(r)


def test_several_channel_errors_reported_together(c):
    # One fault in each of three channels: all reported, in slot order,
    # after the partitions'.
    r = c.run(config(part(0), part(1, MEM_MB=3),
                     chan(1, END_B="part0"), chan(2, NAME="bad name"),
                     chan(6, **shared(64, addr_b=0x8000000))))
    expect_errors(r, "CONFIG_PART1_MEM_MB: 3 MiB is not a multiple of 2 MiB",
                  "CONFIG_CHAN1_END_B: both ends are the same partition; a channel joins two",
                  "CONFIG_CHAN2_NAME: 'bad name' must be 1-31 letters, digits, '-' or '_'",
                  "CONFIG_CHAN6_ADDR_B: 0x8000000 overlaps the virtual GIC")


def test_channel_options_are_kconfig_options(c):
    """The options these tests write (and mkplan.py reads) are those
    tools/gen-partitions-kconfig.py defines for every channel slot, with a
    default writer choice of both ends, as mkplan.py assumes."""
    out = os.path.join(c.tmp, "Kconfig.partitions")
    subprocess.run([sys.executable, os.path.join(REPO, "tools", "gen-partitions-kconfig.py"),
                    out], check=True, cwd=REPO, timeout=60)
    with open(out) as f:
        text = f.read()
    defined = set()
    for line in text.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in ("config", "menuconfig"):
            defined.add(words[1])
    for slot in range(8):
        opts = [f"CHAN{slot}"] + [f"CHAN{slot}_{k}" for k in (
            "NAME", "END_A", "END_B", "SHARED_KB", "WRITERS_BOTH", "WRITERS_A", "WRITERS_B",
            "ADDR_A", "ADDR_B")]
        missing = [o for o in opts if o not in defined]
        check(not missing, f"Kconfig lacks {', '.join(missing)}")
        check(f"default CHAN{slot}_WRITERS_BOTH" in text, f"CHAN{slot}: writers default")
    check("CHAN8" not in defined, "more channel slots than mkplan.py reads (8)")


# --- Found while writing the channel tests -------------------------------------------------------


def test_channel_address_checked_against_its_own_end(c):
    """With END_A naming no partition, ADDR_A cannot be checked: it was
    checked against END_B's partition (the only end found), which blames
    the wrong partition; ADDR_B was then not checked at all."""
    r = c.run(config(part(0), part(1),
                     chan(0, END_A="nosuch", **shared(64, addr_a=0x40000000))))
    expect_errors(r, "CONFIG_CHAN0_END_A: 'nosuch' is not the name of an enabled partition "
                     "(partitions: part0, part1)")


def test_board_ram_message_counts_shared_memory(c):
    """512 + 496 MiB of partitions and 16 MiB for the hypervisor is exactly
    the board's 1024 MiB; a 4 KiB shared region tips it over, rightly (the
    hypervisor carves shared regions in 2 MiB steps), but the message must
    add up: it said "the partitions need 1008 MiB, and with 16 MiB kept for
    the hypervisor that is more than the board's 1024 MiB"."""
    r = c.run(config(part(0, MEM_MB=512), part(1, MEM_MB=496), chan(0, **shared(4))))
    check(r.rc == 1 and len(r.errors()) == 1 and
          r.errors()[0].startswith("plan error: CONFIG_BOARD_RAM_MB: "),
          f"expected one CONFIG_BOARD_RAM_MB error, got exit {r.rc}:\n{r.stderr}")
    m = re.search(r"need ([0-9.]+) MiB", r.errors()[0])
    check(m is not None and float(m.group(1)) + 16 > 1024,
          f"the message does not add up to more than 1024 MiB: {r.errors()[0]}")

# --- Regressions: image names in the payload ------------------------------------------------


def packed(r, path):
    return f'.incbin "{path}"' in r.read("payload.S")


def test_external_image_named_like_builtin_domain(c):
    """An external image called hello.bin was once dropped in favour of the
    built-in hello domain (images were keyed by file name): it must be packed."""
    ext = c.file("images/hello.bin", b"EXTERNAL")
    r = c.run(config(part(0, MEM_BASE=Hex(0x80000000), IMAGE=ext)))
    if r.rc == 0:
        check(packed(r, ext), "exit 0, but payload.S packs the built-in hello domain instead "
                              f"of {ext}")
    else:
        check(r.rc == 1 and "CONFIG_PART0_IMAGE" in r.stderr, f"exit {r.rc}:\n{r.stderr}")


def test_two_external_images_same_file_name(c):
    """a/guest.bin and b/guest.bin once shared one key, and only one was
    packed: both must be."""
    a = c.file("a/guest.bin", b"AAAA")
    b = c.file("b/guest.bin", b"BBBB")
    r = c.run(config(part(0, MEM_BASE=Hex(0x80000000), IMAGE=a),
                     part(1, MEM_BASE=Hex(0x80000000), IMAGE=b)))
    if r.rc == 0:
        check(packed(r, a) and packed(r, b), f"exit 0, but payload.S packs only one of {a} "
                                             f"and {b}")
    else:
        check(r.rc == 1 and "CONFIG_PART1_IMAGE" in r.stderr, f"exit {r.rc}:\n{r.stderr}")


def test_long_external_image_name_fits_the_plan(c):
    """The plan's image name is at most 31 characters (core/plan.c refuses
    longer ones at boot): an external file with a long name gets a short,
    unique key, and is packed."""
    name = "an-rtos-image-with-a-long-file-name"  # 35 characters
    raw = c.file(f"images/{name}.bin", b"\x01" * 16)
    r = c.run(config(part(0, MEM_BASE=Hex(0x80000000), IMAGE=raw)))
    expect_ok(r)
    key = [l for l in partition_block(r.read("plan.dts"), 0) if l.startswith("image = ")][0]
    check(len(key) - len('image = "";') <= 31, f"{key} is longer than 31 characters")
    check(packed(r, raw), f"payload.S does not pack {raw}")


# --- The rule table and its paired fixtures (tests/plan/rules/) ---------------------------

RULES_DIR = os.path.join(REPO, "tests", "plan", "rules")
_board_dtbs = {}


def qemu_virt_dtb():
    """QEMU virt's device tree as the Makefile dumps it for the plan (the
    board's qemu.conf options), once per run; Skip without QEMU."""
    if "qemu-virt" not in _board_dtbs:
        if not shutil.which("qemu-system-aarch64"):
            raise Skip("no qemu-system-aarch64 to dump QEMU virt's device tree")
        path = os.path.join(tempfile.mkdtemp(prefix="test_mkplan-board-"), "qemu-virt.dtb")
        proc = subprocess.run(["qemu-system-aarch64", "-M",
                               f"virt,virtualization=on,dumpdtb={path}", "-cpu", "cortex-a72",
                               "-smp", "4", "-m", "1G", "-nographic", "-nic", "none"],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60)
        check(proc.returncode == 0 and os.path.exists(path), f"QEMU dumpdtb:\n{proc.stderr}")
        _board_dtbs["qemu-virt"] = path
    return _board_dtbs["qemu-virt"]


def rpi4_dtb():
    """The Pi 4's Debian tree where tools/fetch-rpi4-files.sh put it for the
    default build (the unit tests use the same), with the SD card's UART0
    overlay applied, as the Makefile gives it to mkplan.py; or Skip."""
    if "rpi4" in _board_dtbs:
        return _board_dtbs["rpi4"]
    for tool in ("dtc", "fdtoverlay"):
        if not shutil.which(tool):
            raise Skip(f"no {tool}")
    for d in (os.environ.get("RPI4_FILES", ""), os.path.join(REPO, "build", "rpi4-files")):
        path = os.path.join(d, "bcm2711-rpi-4-b.dtb")
        if d and os.path.exists(path):
            break
    else:
        raise Skip("no fetched bcm2711-rpi-4-b.dtb (make rpi4_defconfig sdimage fetches it)")
    tmp = tempfile.mkdtemp(prefix="test_mkplan-board-")
    dtbo, out = os.path.join(tmp, "uart0.dtbo"), os.path.join(tmp, "rpi4.dtb")
    subprocess.run(["dtc", "-q", "-@", "-I", "dts", "-O", "dtb", "-o", dtbo,
                    os.path.join(REPO, "boards", "rpi4", "bulkhead-uart0.dts")], check=True)
    subprocess.run(["fdtoverlay", "-i", path, "-o", out, dtbo], check=True)
    _board_dtbs["rpi4"] = out
    return out


def load_mkplan():
    import importlib.util
    spec = importlib.util.spec_from_file_location("mkplan", MKPLAN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def rule_fixture(name):
    """(config text over base.config, expected errors, directives)."""
    with open(os.path.join(RULES_DIR, "base.config")) as f:
        base = f.read()
    with open(os.path.join(RULES_DIR, name + ".config")) as f:
        text = f.read()
    expect = [l[len("# expect: "):] for l in text.splitlines() if l.startswith("# expect: ")]
    directives = dict(l[2:].split(": ", 1) for l in text.splitlines()
                      if l.startswith("# ") and ": " in l and not l.startswith("# expect: ")
                      and l[2:].split(": ", 1)[0] in ("board-dtb", "hello-size"))
    return base + text, expect, directives


def test_rule_fixtures_cover_the_table(c):
    """Every rule both sides check has a bad .config and the same plan as a
    .dts; every build-time rule a .config; no fixture names a rule that is
    not in the table; the docs list every rule."""
    mk = load_mkplan()
    check(len(mk.RULES) >= 40, f"only {len(mk.RULES)} rules read from plan_rules.h")
    files = set(os.listdir(RULES_DIR)) - {"README.md", "base.config", "base.dtsi", "guest.img"}
    want = set()
    for rule, where in mk.RULES.items():
        check(where in ("BOTH", "DEVICE", "LOAD", "BOOT", "BUILD"), f"{rule}: where {where}")
        if where in ("BOTH", "DEVICE", "LOAD", "BUILD"):
            want.add(rule + ".config")
        if where in ("BOTH", "DEVICE"):
            want.add(rule + ".dts")
    check(files == want, f"missing: {sorted(want - files)}; not rules: {sorted(files - want)}")
    for f in files:
        if f.endswith(".dts"):
            with open(os.path.join(RULES_DIR, f)) as fh:
                check("bulkhead,test-expect" in fh.read(), f"{f} states no expected message")
    with open(os.path.join(REPO, "docs", "plan.md")) as f:
        doc = f.read()
    missing = [r for r in mk.RULES if f"`{r}`" not in doc]
    check(not missing, f"docs/plan.md does not list the rules {missing}")


def test_rule_fixtures_build_side(c):
    """Each rule's .config is refused by mkplan.py with exactly its expected
    errors, under that rule."""
    mk = load_mkplan()
    cwd = os.getcwd()
    for rule, where in sorted(mk.RULES.items()):
        if where == "BOOT":
            continue
        text, expect, directives = rule_fixture(rule)
        board = None
        if directives.get("board-dtb") == "qemu-virt":
            board = mk.BoardTree(qemu_virt_dtb())
        if "hello-size" in directives:
            c.file("domains-build/hello/hello.bin", b"\x01" * int(directives["hello-size"]))
        else:
            c.file("domains-build/hello/hello.bin", HELLO_BIN)
        out = os.path.join(c.tmp, "rule-" + rule)
        os.makedirs(out, exist_ok=True)
        cfg_path = c.file(f"rule-{rule}.config", text.encode())
        os.chdir(REPO)
        try:
            plan = mk.build_plan(mk.read_config(cfg_path), c.domains, out, board)
        finally:
            os.chdir(cwd)
        check(plan.errors == expect, f"{rule}.config:\n  expected " + "\n           ".join(expect)
              + "\n  got      " + "\n           ".join(plan.errors))
        check(set(plan.rules) == {rule}, f"{rule}.config: refused under {plan.rules}")


def test_rule_base_is_base_dtsi(c):
    """base.config and base.dtsi are the same plan: mkplan.py writes the
    plan base.dtsi spells out (compared as dtc reads both)."""
    if not shutil.which("dtc"):
        raise Skip("no dtc")
    with open(os.path.join(RULES_DIR, "base.config")) as f:
        r = c.run(f.read())
    expect_ok(r)

    def canon(path):
        proc = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dts", path],
                              capture_output=True, text=True)
        check(proc.returncode == 0, f"dtc {path}: {proc.stderr}")
        # The fixture's labels (p0, p1) are for the fixtures' overrides.
        return [re.sub(r"\bp[01]: ", "", l) for l in proc.stdout.splitlines()]
    check(canon(os.path.join(r.out, "plan.dts")) == canon(os.path.join(RULES_DIR, "base.dtsi")),
          "plan.dts from base.config differs from base.dtsi")


# --- Found by plans written from outside the project (issue 10) ------------------------------


def test_ram_over_vgic(c):
    """A guest's RAM over its own vGIC (0x8000000-0x81fffff) was accepted:
    the guest silently lost its interrupt controller."""
    raw = c.file("images/guest.bin", b"\x01" * 16)
    msg = ("CONFIG_PART1_MEM_BASE: RAM overlaps the virtual GIC at 0x8000000-0x81fffff "
           "(the partition's interrupt controller)")
    # Over it exactly, ending in it, all RAM from 0 (it covers it).
    for base, mb in ((0x8000000, 2), (0x7e00000, 4), (0, 1024)):
        expect_errors(c.run(config(part(0), part(1, MEM_BASE=Hex(base), MEM_MB=mb, IMAGE=raw),
                                   BOARD_RAM_MB=None)), msg)
    # Right below it and right after it.
    expect_ok(c.run(config(part(0), part(1, MEM_BASE=Hex(0x7000000), IMAGE=raw),
                           part(2, MEM_BASE=Hex(0x8200000), IMAGE=raw))))


def test_kconfig_number_out_of_range(c):
    """A Kconfig number outside its range (8192 MiB where the range stops at
    4096) was replaced by Kconfiglib with the default, and only warned
    about; mkplan.py read .config as it was. Now the build stops."""
    expect_errors(c.run(config(part(0, MEM_MB=8192), BOARD_RAM_MB=None)),
                  "CONFIG_PART0_MEM_MB: 8192 is outside its range 1-4096 "
                  "(core/Kconfig.partitions)")
    expect_errors(c.run(config(part(0, PRIORITY="high"))),
                  "CONFIG_PART0_PRIORITY: 'high' is not a number")
    expect_errors(c.run(config(part(0), part(1), chan(3, **shared(131072)))),
                  "CONFIG_CHAN3_SHARED_KB: 131072 is outside its range 0-65536 "
                  "(core/Kconfig.partitions)")
    # The limits themselves, and a disabled slot's stray options.
    expect_ok(c.run(config(part(0, MEM_MB=4096, PRIORITY=255, RESTART_LIMIT=1000,
                                RESTART_BACKOFF_MS=60000), BOARD_RAM_MB=None)))
    expect_ok(c.run(config(part(0), part(1, MEM_MB=8192)[1:])))


def test_kconfig_check_stops_defconfig(c):
    """tools/kconfig-check.py, which the Makefile runs before Kconfiglib's
    defconfig, olddefconfig and genconfig: the same refusal for every
    option, in a defconfig as in a .config."""
    try:
        import kconfiglib  # noqa: F401
    except ImportError:
        raise Skip(f"no kconfiglib for {sys.executable} (run with /usr/bin/python3)")
    tool = os.path.join(REPO, "tools", "kconfig-check.py")
    bad = c.file("bad_defconfig", b"CONFIG_PART0=y\nCONFIG_PART0_MEM_MB=8192\nCONFIG_HZ=abc\n")
    proc = subprocess.run([sys.executable, tool, "Kconfig", bad], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    check(proc.returncode == 1, f"exit {proc.returncode}")
    lines = proc.stderr.splitlines()
    check(f"kconfig error: CONFIG_PART0_MEM_MB=8192 in {bad} is outside its range 1-4096 "
          "(Kconfig would quietly use the default instead)" in lines, proc.stderr)
    check(any("'abc'" in l and "HZ" in l for l in lines), proc.stderr)
    for cfg in sorted(f for f in os.listdir(os.path.join(REPO, "configs"))
                      if f.endswith("_defconfig")):
        proc = subprocess.run([sys.executable, tool, "Kconfig", os.path.join("configs", cfg)],
                              cwd=REPO, capture_output=True, text=True, timeout=60)
        check(proc.returncode == 0 and not proc.stderr, f"configs/{cfg}:\n{proc.stderr}")


def test_device_named_two_ways(c):
    """The same device as a path and as its node name passed the build
    (the boot refused it). Without the board's tree: a path and a node
    name with a unit address that is its last component."""
    expect_errors(c.run(config(part(0, DEVICES="/pl031@9010000"),
                               part(1, DEVICES="pl031@9010000"))),
                  "CONFIG_PART1_DEVICES: 'pl031@9010000' names the device '/pl031@9010000', "
                  "already given to partition 0 (CONFIG_PART0_DEVICES)")
    expect_errors(c.run(config(part(0, DEVICES="pl031@9010000, /pl031@9010000"))),
                  "CONFIG_PART0_DEVICES: '/pl031@9010000' names the device 'pl031@9010000', "
                  "already given to partition 0 (CONFIG_PART0_DEVICES)")
    # An alias cannot be told from a node name without the tree.
    expect_ok(c.run(config(part(0, DEVICES="/soc/rtc"), part(1, DEVICES="rtc"))))
    # With it, by node: an alias too.
    dtb = qemu_virt_dtb()
    expect_errors(c.run(config(part(0, DEVICES="/pl031@9010000"),
                               part(1, DEVICES="/pl031")), "--board-dtb", dtb),
                  "CONFIG_PART1_DEVICES: '/pl031' names '/pl031@9010000', already given to "
                  "partition 0 (CONFIG_PART0_DEVICES)")


def test_channel_regions_overlap(c):
    """Two channels' explicit addresses over each other at one partition
    passed the build (the boot refused them)."""
    r = c.run(config(part(0), part(1),
                     chan(0, **shared(64, addr_a=0x30000000)),
                     chan(2, **shared(4, addr_a=0x3000f000)),
                     chan(5, **shared(64, addr_b=0x30000000))))
    expect_errors(r, "CONFIG_CHAN2_ADDR_A: 0x3000f000 overlaps the region at 0x30000000 "
                     "(CONFIG_CHAN0_ADDR_A) in 'part0'")
    # Touching, and the same address in two partitions (their own spaces).
    expect_ok(c.run(config(part(0), part(1),
                           chan(0, **shared(64, addr_a=0x30000000, addr_b=0x30000000)),
                           chan(1, **shared(4, addr_a=0x30010000, addr_b=0x2ffff000)))))


def test_whole_page_option(c):
    r = c.run(config(part(0, DEVICES="/pl031@9010000, /virtio_mmio@a000000",
                          DEVICES_WHOLE_PAGE="/virtio_mmio@a000000")))
    expect_ok(r)
    block = partition_block(r.read("plan.dts"), 0)
    check('devices = "/pl031@9010000", "/virtio_mmio@a000000";' in block and
          "devices-whole-page = <0 1>;" in block, "\n".join(block))
    dtb = compile_dts(r)
    if dtb and fdtget(dtb, "/", "compatible", "s") is not None:
        check(fdtget(dtb, "/partitions/partition@0", "devices-whole-page") == "0 1",
              "devices-whole-page cells")
    # None opted in: no property.
    r = c.run(config(part(0, DEVICES="/pl031@9010000")))
    expect_ok(r)
    check(not any(l.startswith("devices-whole-page") for l in
                  partition_block(r.read("plan.dts"), 0)), "an empty devices-whole-page")
    # Written otherwise than in DEVICES: refused.
    expect_errors(c.run(config(part(0, DEVICES="/virtio_mmio@a000000",
                                    DEVICES_WHOLE_PAGE="virtio_mmio@a000000"))),
                  "CONFIG_PART0_DEVICES_WHOLE_PAGE: 'virtio_mmio@a000000' is not one of the "
                  "devices in CONFIG_PART0_DEVICES")


def test_console_domain_may_list_the_console_uart(c):
    """The console UART is the hypervisor's, except for the console domain,
    which is given it anyway (listed or not)."""
    dtb = qemu_virt_dtb()
    expect_ok(c.run(config(part(0), part(1, ROLE_GUEST=None, ROLE_CONSOLE=True, MEM_MB=2,
                                       IMAGE="console", DEVICES="/pl011@9000000")),
                    "--board-dtb", dtb))
    expect_errors(c.run(config(part(0, DEVICES="/pl011@9000000")), "--board-dtb", dtb),
                  "CONFIG_PART0_DEVICES: '/pl011@9000000' is the hypervisor's own (its "
                  "console or interrupt controller)")


def test_page_neighbours_qemu_virt(c):
    """A grant rounded up to 4 KiB pages granted the device's neighbours:
    virtio transports 1-7 with transport 0."""
    dtb = qemu_virt_dtb()
    msg = ("CONFIG_PART0_DEVICES: '/virtio_mmio@a000000': its page 0xa000000 also holds "
           "'/virtio_mmio@a000200', not given to this partition (give it too, or "
           "CONFIG_PART0_DEVICES_WHOLE_PAGE)")
    expect_errors(c.run(config(part(0, DEVICES="/virtio_mmio@a000000")), "--board-dtb", dtb),
                  msg)
    # Without the tree the build cannot tell (the boot still refuses).
    expect_ok(c.run(config(part(0, DEVICES="/virtio_mmio@a000000"))))
    # The whole page, said so: accepted; so is a device with a page of its
    # own, and all eight transports of the page together.
    expect_ok(c.run(config(part(0, DEVICES="/virtio_mmio@a000000",
                                DEVICES_WHOLE_PAGE="/virtio_mmio@a000000"),
                           part(1, DEVICES="/pl031@9010000")), "--board-dtb", dtb))
    eight = [f"/virtio_mmio@a000{2 * k:x}00" for k in range(8)]
    expect_errors(c.run(config(part(0, DEVICES=",".join(eight[:4])),
                               part(1, DEVICES=",".join(eight[4:]))), "--board-dtb", dtb),
                  "CONFIG_PART0_DEVICES: '/virtio_mmio@a000000': its page 0xa000000 also "
                  "holds '/virtio_mmio@a000800', not given to this partition (give it too, "
                  "or CONFIG_PART0_DEVICES_WHOLE_PAGE)",
                  "CONFIG_PART1_DEVICES: '/virtio_mmio@a000800': its page 0xa000000 also "
                  "holds '/virtio_mmio@a000000', not given to this partition (give it too, "
                  "or CONFIG_PART1_DEVICES_WHOLE_PAGE)")
    # Unreadable tree: said so.
    junk = c.file("junk.dtb", b"not a tree")
    r = c.run(config(part(0)), "--board-dtb", junk)
    check(r.rc == 1 and "--board-dtb: cannot read" in r.stderr, r.stderr)


def test_page_neighbours_rpi4_aux(c):
    """The Pi 4's AUX page holds the mini UART, SPI1 and SPI2."""
    dtb = rpi4_dtb()
    board = {"BOARD_NR_CPUS": 4, "NR_CPUS": 4, "BOARD_RAM_MB": 4096}
    expect_errors(c.run(config(part(0, DEVICES="serial1"), **board), "--board-dtb", dtb),
                  "CONFIG_PART0_DEVICES: 'serial1': its page 0xfe215000 also holds "
                  "'/soc/aux@7e215000', not given to this partition (give it too, or "
                  "CONFIG_PART0_DEVICES_WHOLE_PAGE)")
    expect_ok(c.run(config(part(0, DEVICES="serial1, /soc/aux@7e215000, spi@7e215080, "
                                           "/soc/spi@7e2150c0"), **board), "--board-dtb", dtb))


def test_console_domain_unlisted_uart_checked(c):
    """The console domain is given the console UART even unlisted (the
    boot adds it): the page rules apply to it at build time as at boot.
    On the Pi, UART0's page also holds UART2-5."""
    dtb = rpi4_dtb()
    board = {"BOARD_NR_CPUS": 4, "NR_CPUS": 4, "BOARD_RAM_MB": 4096}
    console = part(1, ROLE_GUEST=None, ROLE_CONSOLE=True, MEM_MB=2, IMAGE="console")
    expect_errors(c.run(config(part(0), console, **board), "--board-dtb", dtb),
                  "CONFIG_PART1_DEVICES: 'serial0': its page 0xfe201000 also holds "
                  "'/soc/serial@7e201400', not given to this partition (give it too, or "
                  "CONFIG_PART1_DEVICES_WHOLE_PAGE)")
    # Listed with its whole page: accepted.
    expect_ok(c.run(config(part(0), part(1, ROLE_GUEST=None, ROLE_CONSOLE=True, MEM_MB=2,
                                         IMAGE="console", DEVICES="serial0",
                                         DEVICES_WHOLE_PAGE="serial0"), **board),
                    "--board-dtb", dtb))


# --- Runner ---------------------------------------------------------------------------------


def main():
    verbose = "-v" in sys.argv[1:]
    cases = [(n, f) for n, f in globals().items() if n.startswith("test_") and callable(f)]
    passed = failed = skipped = 0
    for name, fn in cases:
        tmp = tempfile.mkdtemp(prefix="test_mkplan-")
        try:
            fn(Case(tmp))
        except Skip as e:
            skipped += 1
            print(f"  SKIP  {name}: {e}")
        except Exception as e:  # an AssertionError, or mkplan.py crashing the case
            failed += 1
            print(f"  FAIL  {name}")
            detail = traceback.format_exc() if verbose or not isinstance(e, AssertionError) \
                else str(e)
            for line in detail.rstrip().splitlines():
                print(f"        {line}")
        else:
            passed += 1
            print(f"  PASS  {name}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    for path in _board_dtbs.values():
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    if skipped:
        print(f"{skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
