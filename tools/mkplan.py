#!/usr/bin/python3
"""Turns the Kconfig partition options (.config) into the partition plan:
a device tree source (plan.dts) and the assembly file (payload.S) that packs
the compiled plan and every partition's image into the hypervisor image.

The plan is checked here, at build time, with errors that name the option
to fix; the hypervisor checks it again at boot (docs/plan.md).

usage: mkplan.py --config .config --out DIR --domains DIR [--check-only]
exit status: 0 ok, 1 the plan is invalid (errors on stderr), 2 usage
"""
import argparse
import os
import re
import subprocess
import sys

MAX_SLOTS = 8
DOMAIN_RAM_BASE = 0x40000000  # domains/runtime/domain.lds
DTB_RESERVE = 0x10000  # the partition's device tree, at the top of its RAM
HYP_RESERVE_MB = 16  # hypervisor image, board device tree, boot loader
SZ_2M = 2 << 20
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,31}$")
MAX_CHANNELS = 8  # Kconfig slots (the plan format allows 16)
WINDOW_IPA, WINDOW_SIZE = 0x1000000000, 0x40000000  # bulkhead/events.h
VGIC_IPA, VGIC_SIZE = 0x08000000, 0x200000


def read_config(path):
    cfg = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = re.match(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$", line)
            if not m:
                continue
            key, val = m.groups()
            if val.startswith('"') and val.endswith('"'):
                val = val[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            cfg[key] = val
    return cfg


class Plan:
    def __init__(self):
        self.errors = []
        self.parts = []
        self.channels = []

    def error(self, option, message):
        self.errors.append(f"{option}: {message}")


def parse_int(text, default=None):
    try:
        return int(text, 0)
    except (TypeError, ValueError):
        return default


def image_file(plan, opt, image, domains_dir, out_dir, base):
    """The flat binary for an image option, or None after reporting why."""
    builtin = os.path.join(domains_dir, image, image + ".bin")
    if re.match(r"^[A-Za-z0-9_-]+$", image):
        if not os.path.isdir(os.path.join("domains", image)):
            plan.error(opt, f"no domain '{image}' in domains/ "
                            f"(known: {', '.join(known_domains())})")
            return None
        if base != DOMAIN_RAM_BASE:
            plan.error(opt, f"built-in domain '{image}' is linked at "
                            f"{DOMAIN_RAM_BASE:#x}: set the memory base to that")
            return None
        return builtin
    if not os.path.isfile(image):
        plan.error(opt, f"image file '{image}' does not exist")
        return None
    with open(image, "rb") as f:
        magic = f.read(4)
    if magic != b"\x7fELF":
        return os.path.abspath(image)  # raw: loaded at the RAM base, entered there
    # ELF: flatten it, and insist that it starts where it is entered.
    out = os.path.join(out_dir, os.path.basename(image) + ".bin")
    hdr = subprocess.run(["aarch64-linux-gnu-readelf", "-h", image],
                         capture_output=True, text=True)
    m = re.search(r"Entry point address:\s+(0x[0-9a-f]+)", hdr.stdout)
    if not m or int(m.group(1), 16) != base:
        plan.error(opt, f"ELF image '{image}' must be entered at the partition's "
                        f"RAM base {base:#x}")
        return None
    subprocess.run(["aarch64-linux-gnu-objcopy", "-O", "binary", image, out], check=True)
    return out


def known_domains():
    return sorted(d for d in os.listdir("domains")
                  if d != "runtime" and os.path.isdir(os.path.join("domains", d)))


def build_plan(cfg, domains_dir, out_dir):
    plan = Plan()
    board_cpus = parse_int(cfg.get("CONFIG_BOARD_NR_CPUS"), 1)
    nr_cpus = min(board_cpus, parse_int(cfg.get("CONFIG_NR_CPUS"), 1))
    board_ram = parse_int(cfg.get("CONFIG_BOARD_RAM_MB"), 0)
    names = {}
    owners = {}
    guest_cpus = {}
    total_mb = 0

    for i in range(MAX_SLOTS):
        p = f"CONFIG_PART{i}"
        if cfg.get(p) != "y":
            continue
        part = {"slot": i}
        name = cfg.get(p + "_NAME", "")
        if not NAME_RE.match(name):
            plan.error(p + "_NAME", f"'{name}' must be 1-31 letters, digits, '-' or '_'")
        elif name in names:
            plan.error(p + "_NAME", f"'{name}' is already the name of partition "
                                    f"{names[name]} (CONFIG_PART{names[name]}_NAME)")
        names.setdefault(name, i)
        part["name"] = name
        part["role"] = "driver" if cfg.get(p + "_ROLE_DRIVER") == "y" else "guest"

        cpus = []
        text = cfg.get(p + "_CPUS", "").replace(" ", "")
        for tok in [t for t in text.split(",") if t] or [""]:
            cpu = parse_int(tok)
            if cpu is None or cpu < 0:
                plan.error(p + "_CPUS", f"'{text}' is not a comma-separated list of CPU indices")
                break
            if cpu >= nr_cpus:
                plan.error(p + "_CPUS", f"CPU {cpu} does not exist (the board has CPUs "
                                        f"0-{nr_cpus - 1} with CONFIG_NR_CPUS)")
                continue
            if cpu in cpus:
                plan.error(p + "_CPUS", f"CPU {cpu} is listed twice")
                continue
            cpus.append(cpu)
            if part["role"] == "guest":
                if cpu in guest_cpus:
                    o = guest_cpus[cpu]
                    plan.error(p + "_CPUS", f"CPU {cpu} is already given to guest "
                                            f"partition {o} (CONFIG_PART{o}_CPUS); "
                                            "guests do not share CPUs")
                guest_cpus.setdefault(cpu, i)
        part["cpus"] = cpus

        mem_mb = parse_int(cfg.get(p + "_MEM_MB"), 0)
        base = parse_int(cfg.get(p + "_MEM_BASE"), DOMAIN_RAM_BASE)
        if mem_mb * (1 << 20) % SZ_2M:
            plan.error(p + "_MEM_MB", f"{mem_mb} MiB is not a multiple of 2 MiB")
        if base % SZ_2M:
            plan.error(p + "_MEM_BASE", f"{base:#x} is not 2 MiB aligned")
        if base + mem_mb * (1 << 20) > 1 << 39:
            plan.error(p + "_MEM_BASE", "RAM must lie below 512 GiB (39-bit guest addresses)")
        if overlaps(base, mem_mb << 20, WINDOW_IPA, WINDOW_SIZE):
            plan.error(p + "_MEM_BASE", f"RAM overlaps the hypervisor window at "
                                        f"{WINDOW_IPA:#x}-{WINDOW_IPA + WINDOW_SIZE - 1:#x}")
        total_mb += mem_mb
        part["mem_size"] = mem_mb << 20
        part["mem_base"] = base

        image = cfg.get(p + "_IMAGE", "")
        part["image"] = image
        part["image_file"] = image_file(plan, p + "_IMAGE", image, domains_dir, out_dir, base) \
            if image else None
        if not image:
            plan.error(p + "_IMAGE", "no image given")
        f = part["image_file"]
        if f and os.path.exists(f) and os.path.getsize(f) > part["mem_size"] - DTB_RESERVE:
            plan.error(p + "_IMAGE", f"image is {os.path.getsize(f)} bytes, more than the "
                                     f"partition's {mem_mb} MiB less 64 KiB for its device tree")

        devices = [d.strip() for d in cfg.get(p + "_DEVICES", "").split(",") if d.strip()]
        part["devices"] = devices
        if len(devices) > 4:
            plan.error(p + "_DEVICES", f"{len(devices)} devices: at most 4 per partition")
        for d in devices:
            if len(d) > 63 or '"' in d or "\\" in d:
                plan.error(p + "_DEVICES", f"'{d}' is not a device tree path or alias "
                                           "(at most 63 characters)")
            elif d in owners:
                plan.error(p + "_DEVICES", f"'{d}' is already given to partition "
                                           f"{owners[d]} (CONFIG_PART{owners[d]}_DEVICES)")
            owners.setdefault(d, i)

        if cfg.get(p + "_RESTART_ON_FAULT") == "y":
            part["policy"] = "restart-on-fault"
        elif cfg.get(p + "_RESTART_ALWAYS") == "y":
            part["policy"] = "restart-always"
        else:
            part["policy"] = "stop"
        part["restart_limit"] = parse_int(cfg.get(p + "_RESTART_LIMIT"), 0)
        part["backoff_ms"] = parse_int(cfg.get(p + "_RESTART_BACKOFF_MS"), 0)
        part["priority"] = parse_int(cfg.get(p + "_PRIORITY"), 100)
        plan.parts.append(part)

    build_channels(cfg, plan)
    # The hypervisor carves all shared regions in one piece, in 2 MiB steps.
    shared_mb = (sum(c["size"] for c in plan.channels) + SZ_2M - 1) // SZ_2M * 2
    if board_ram and total_mb + shared_mb + HYP_RESERVE_MB > board_ram:
        plan.error("CONFIG_BOARD_RAM_MB",
                   f"the partitions need {total_mb + shared_mb} MiB"
                   + (f" ({shared_mb} MiB of it shared memory)" if shared_mb else "")
                   + f", and with {HYP_RESERVE_MB} MiB kept for the hypervisor that is more "
                   f"than the board's {board_ram} MiB")
    return plan


def overlaps(a, asize, b, bsize):
    return a < b + bsize and b < a + asize


def build_channels(cfg, plan):
    by_name = {p["name"]: p for p in plan.parts}
    names = {}
    for i in range(MAX_CHANNELS):
        c = f"CONFIG_CHAN{i}"
        if cfg.get(c) != "y":
            continue
        name = cfg.get(c + "_NAME", "")
        if not NAME_RE.match(name):
            plan.error(c + "_NAME", f"'{name}' must be 1-31 letters, digits, '-' or '_'")
        elif name in names:
            plan.error(c + "_NAME", f"'{name}' is already the name of channel {names[name]} "
                                    f"(CONFIG_CHAN{names[name]}_NAME)")
        names.setdefault(name, i)
        ch = {"slot": i, "name": name, "ends": [None, None], "size": 0,
              "writable": [1, 1], "addr": [0, 0]}
        for e, opt in enumerate(("_END_A", "_END_B")):
            end = cfg.get(c + opt, "")
            if end not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                plan.error(c + opt, f"'{end}' is not the name of an enabled partition "
                                    f"(partitions: {known})")
                continue
            ch["ends"][e] = by_name[end]
        if ch["ends"][0] is not None and ch["ends"][0] is ch["ends"][1]:
            plan.error(c + "_END_B", "both ends are the same partition; a channel joins two")
        kb = parse_int(cfg.get(c + "_SHARED_KB"), 0)
        if kb % 4:
            plan.error(c + "_SHARED_KB", f"{kb} KiB is not a multiple of 4 KiB (a page)")
        ch["size"] = kb << 10
        if kb:
            ch["writable"] = [0 if cfg.get(c + "_WRITERS_B") == "y" else 1,
                              0 if cfg.get(c + "_WRITERS_A") == "y" else 1]
            for e, opt in enumerate(("_ADDR_A", "_ADDR_B")):
                addr = parse_int(cfg.get(c + opt), 0)
                ch["addr"][e] = addr
                if not addr or ch["ends"][e] is None:
                    continue
                part = ch["ends"][e]
                if addr % 4096:
                    plan.error(c + opt, f"{addr:#x} is not 4 KiB aligned")
                elif addr + ch["size"] > 1 << 39:
                    plan.error(c + opt, "the region must lie below 512 GiB")
                elif overlaps(addr, ch["size"], part["mem_base"], part["mem_size"]):
                    plan.error(c + opt, f"{addr:#x} overlaps the RAM of '{part['name']}'")
                elif overlaps(addr, ch["size"], VGIC_IPA, VGIC_SIZE):
                    plan.error(c + opt, f"{addr:#x} overlaps the virtual GIC")
                elif overlaps(addr, ch["size"], WINDOW_IPA, WINDOW_SIZE):
                    plan.error(c + opt, f"{addr:#x} lies in the hypervisor window; use 0 to "
                                        "be placed there automatically")
        plan.channels.append(ch)


def dts(plan):
    out = ["/* Generated by tools/mkplan.py from .config: the partition plan. */",
           "/dts-v1/;", "", "/ {", '\tcompatible = "bulkhead,plan";',
           "\tbulkhead,plan-version = <1>;", "", "\tpartitions {",
           "\t\t#address-cells = <1>;", "\t\t#size-cells = <0>;"]
    for p in plan.parts:
        out += [
            "",
            f"\t\tpartition@{p['slot']} {{",
            f"\t\t\treg = <{p['slot']}>;",
            f"\t\t\tpartition-name = \"{p['name']}\";",
            f"\t\t\trole = \"{p['role']}\";",
            f"\t\t\tcpus = <{' '.join(str(c) for c in p['cpus'])}>;",
            f"\t\t\tmemory-base = /bits/ 64 <{p['mem_base']:#x}>;",
            f"\t\t\tmemory-size = /bits/ 64 <{p['mem_size']:#x}>;",
            f"\t\t\timage = \"{image_key(p)}\";",
            f"\t\t\tfault-policy = \"{p['policy']}\";",
            f"\t\t\trestart-limit = <{p['restart_limit']}>;",
            f"\t\t\trestart-backoff-ms = <{p['backoff_ms']}>;",
            f"\t\t\tpriority = <{p['priority']}>;",
        ] + ([f"\t\t\tdevices = {', '.join(chr(34) + d + chr(34) for d in p['devices'])};"]
             if p["devices"] else []) + [
            "\t\t};",
        ]
    out += ["\t};"]
    if plan.channels:
        out += ["", "\tchannels {", "\t\t#address-cells = <1>;", "\t\t#size-cells = <0>;"]
        for c in plan.channels:
            out += ["", f"\t\tchannel@{c['slot']} {{",
                    f"\t\t\treg = <{c['slot']}>;",
                    f"\t\t\tchannel-name = \"{c['name']}\";",
                    f"\t\t\tends = <{c['ends'][0]['slot']} {c['ends'][1]['slot']}>;"]
            if c["size"]:
                out += [f"\t\t\tshared-size = /bits/ 64 <{c['size']:#x}>;",
                        f"\t\t\tshared-writable = <{c['writable'][0]} {c['writable'][1]}>;",
                        f"\t\t\tshared-address = /bits/ 64 <{c['addr'][0]:#x} "
                        f"{c['addr'][1]:#x}>;"]
            out += ["\t\t};"]
        out += ["\t};"]
    out += ["};", ""]
    return "\n".join(out)


def image_key(p):
    """The name the payload knows an image by: a built-in domain's name, or
    for an external file one made unique by the slot (two files may share a
    name, or share one with a domain) and short enough for the plan (31)."""
    if re.match(r"^[A-Za-z0-9_-]+$", p["image"]):
        return p["image"]
    base = os.path.basename(p["image"]).removesuffix(".bin")
    return f"part{p['slot']}-{base}"[:31]


def payload(plan, plan_dtb, domains_dir):
    # Every built domain goes in, so that a plan given at boot (tests, or a
    # board's plan on its SD card) can use any of them; plus external images.
    images = {d: os.path.join(domains_dir, d, d + ".bin") for d in known_domains()}
    for p in plan.parts:
        images.setdefault(image_key(p), p["image_file"])
    out = ["/* Generated by tools/mkplan.py: the plan and images inside the hypervisor. */",
           '\t.section .rodata.payload, "a"', "\t.balign 8",
           "\t.globl payload_plan, payload_plan_end",
           "payload_plan:", f'\t.incbin "{plan_dtb}"', "payload_plan_end:"]
    for n, (key, path) in enumerate(sorted(images.items())):
        out += ["\t.balign 4096", f"image_{n}:", f'\t.incbin "{path}"', f"image_{n}_end:"]
    out += ["\t.balign 8", "\t.globl payload_images, payload_nr_images", "payload_images:"]
    for n, key in enumerate(sorted(images)):
        out.append(f"\t.quad name_{n}, image_{n}, image_{n}_end - image_{n}")
    out += ["payload_nr_images:", f"\t.quad {len(images)}"]
    for n, key in enumerate(sorted(images)):
        out.append(f'name_{n}:\t.asciz "{key}"')
    return "\n".join(out) + "\n"


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--domains", required=True, help="built domains (O/domains)")
    ap.add_argument("--check-only", action="store_true")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    plan = build_plan(read_config(args.config), args.domains, args.out)
    if plan.errors:
        for e in plan.errors:
            print(f"plan error: {e}", file=sys.stderr)
        return 1
    if args.check_only:
        return 0
    write_if_changed(os.path.join(args.out, "plan.dts"), dts(plan))
    write_if_changed(os.path.join(args.out, "payload.S"),
                     payload(plan, os.path.join(args.out, "plan.dtb"), args.domains))
    return 0


if __name__ == "__main__":
    sys.exit(main())
