#!/usr/bin/python3
"""Turns the Kconfig partition options (.config) into the partition plan:
a device tree source (plan.dts) and the assembly file (payload.S) that packs
the compiled plan and every partition's image into the hypervisor image.

The plan is checked here, at build time, with errors that name the option
to fix; the hypervisor checks it again at boot (docs/plan.md). Every error
belongs to a rule of the table both checkers share,
core/include/bulkhead/plan_rules.h. With --board-dtb (the board's device
tree) the devices passed through are checked as the boot checks them:
that they exist, are given once, and that the 4 KiB pages stage 2 maps for
them reach no other device.

usage: mkplan.py --config .config --out DIR --domains DIR [--board-dtb DTB]
                 [--check-only]
exit status: 0 ok, 1 the plan is invalid (errors on stderr), 2 usage
"""
import argparse
import glob
import os
import re
import struct
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
VGIC_IPA, VGIC_SIZE = 0x08000000, 0x200000  # PLAN_VGIC_IPA/SIZE, bulkhead/plan.h
DISK_IPA, DISK_PAGE = 0x0a000000, 0x1000  # PLAN_DISK_IPA/PAGE, bulkhead/plan.h
DISK_BACKEND_MEM = 4 << 20  # PLAN_DISK_BACKEND_MEM
VUART_IPA, VUART_PAGE = 0x09000000, 0x1000  # PLAN_VUART_IPA/PAGE
SECTORS_PER_MB = 2048
PAGE = 0x1000
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES_H = os.path.join(TOP, "core", "include", "bulkhead", "plan_rules.h")
KCONFIG_PARTITIONS = os.path.join(TOP, "core", "Kconfig.partitions")


def read_rules(path=RULES_H):
    """The rule table: {name: where} from the R(ID, "name", WHERE) lines."""
    with open(path) as f:
        return {name: where for _, name, where in
                re.findall(r'^\s*R\((\w+), "([a-z0-9-]+)", (\w+)\)', f.read(), re.M)}


RULES = read_rules()
# The rules this side checks: all but the boot's own.
BUILD_SIDES = ("BOTH", "DEVICE", "LOAD", "BUILD")


def read_ranges(path=KCONFIG_PARTITIONS):
    """{option: (low, high)} for each `range` of the generated partition and
    channel menus (their ranges are unconditional)."""
    ranges, sym = {}, None
    with open(path) as f:
        for line in f:
            words = line.split()
            if len(words) == 2 and words[0] in ("config", "menuconfig"):
                sym = "CONFIG_" + words[1]
            elif len(words) == 3 and words[0] == "range" and sym:
                ranges[sym] = (int(words[1], 0), int(words[2], 0))
    return ranges


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
        self.rules = []  # the rule of each error, in step
        self.parts = []
        self.channels = []

    def error(self, rule, option, message):
        if RULES.get(rule) not in BUILD_SIDES:
            raise ValueError(f"rule {rule!r} is not a build-time rule of {RULES_H}")
        self.errors.append(f"{option}: {message}")
        self.rules.append(rule)


def parse_int(text, default=None):
    try:
        return int(text, 0)
    except (TypeError, ValueError):
        return default


def image_file(plan, opt, image, domains_dir, out_dir, base, cfg=None):
    """The flat binary for an image option, or None after reporting why."""
    builtin = os.path.join(domains_dir, image, image + ".bin")
    if re.match(r"^[A-Za-z0-9_-]+$", image):
        if image not in known_domains(cfg):
            plan.error("image-known", opt, f"no domain '{image}' in domains/ "
                                           f"(known: {', '.join(known_domains(cfg))})")
            return None
        if base != DOMAIN_RAM_BASE:
            plan.error("image-entry", opt, f"built-in domain '{image}' is linked at "
                                           f"{DOMAIN_RAM_BASE:#x}: set the memory base to that")
            return None
        return builtin
    if not os.path.isfile(image):
        plan.error("image-known", opt, f"image file '{image}' does not exist")
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
        plan.error("image-entry", opt, f"ELF image '{image}' must be entered at the "
                                       f"partition's RAM base {base:#x}")
        return None
    subprocess.run(["aarch64-linux-gnu-objcopy", "-O", "binary", image, out], check=True)
    return out


def test_domains():
    """Domains written for one QEMU scenario, kept in its folder
    (tests/qemu/<scenario>/<domain>/*.c): in the image only with
    CONFIG_TEST_DOMAINS, which the test configurations set."""
    return sorted(os.path.basename(os.path.dirname(d))
                  for d in glob.glob("tests/qemu/*/*/") if glob.glob(d + "*.c"))


def known_domains(cfg=None):
    """The built-in domains a plan may name: the product's (domains/), and
    the test-only ones when the configuration carries them."""
    names = [d for d in os.listdir("domains")
             if d != "runtime" and os.path.isdir(os.path.join("domains", d))]
    if cfg and cfg.get("CONFIG_TEST_DOMAINS") == "y":
        names += test_domains()
    return sorted(names)


def check_ranges(cfg, plan):
    """Kconfig would quietly replace a number outside its range (or not a
    number) by the default; the plan is built from .config as it is, so
    such a value stops the build here."""
    for opt, (low, high) in sorted(read_ranges().items(), key=lambda kv: option_order(kv[0])):
        slot = re.match(r"^CONFIG_(PART|CHAN)(\d+)_", opt)
        if opt not in cfg or (slot and cfg.get(f"CONFIG_{slot[1]}{slot[2]}") != "y"):
            continue
        v = parse_int(cfg[opt])
        if v is None:
            plan.error("kconfig-range", opt, f"'{cfg[opt]}' is not a number")
        elif not low <= v <= high:
            plan.error("kconfig-range", opt, f"{cfg[opt]} is outside its range {low}-{high} "
                                             "(core/Kconfig.partitions)")


def option_order(opt):
    """Partitions, then channels, each in slot order, as the other checks."""
    m = re.match(r"^CONFIG_(PART|CHAN)(\d+)_", opt)
    return (0 if m[1] == "PART" else 1, int(m[2]), opt) if m else (2, 0, opt)


def build_plan(cfg, domains_dir, out_dir, board=None):
    plan = Plan()
    board_cpus = parse_int(cfg.get("CONFIG_BOARD_NR_CPUS"), 1)
    nr_cpus = min(board_cpus, parse_int(cfg.get("CONFIG_NR_CPUS"), 1))
    board_ram = parse_int(cfg.get("CONFIG_BOARD_RAM_MB"), 0)
    names = {}
    owners = {}
    guest_cpus = {}
    total_mb = 0

    check_ranges(cfg, plan)
    for i in range(MAX_SLOTS):
        p = f"CONFIG_PART{i}"
        if cfg.get(p) != "y":
            continue
        part = {"slot": i}
        name = cfg.get(p + "_NAME", "")
        if not NAME_RE.match(name):
            plan.error("partition-name", p + "_NAME",
                       f"'{name}' must be 1-31 letters, digits, '-' or '_'")
        elif name in names:
            plan.error("partition-name-twice", p + "_NAME",
                       f"'{name}' is already the name of partition {names[name]} "
                       f"(CONFIG_PART{names[name]}_NAME)")
        names.setdefault(name, i)
        part["name"] = name
        args = cfg.get(p + "_ARGS", "")
        if len(args) > 63 or any(not 32 <= ord(ch) < 127 or ch == '"' or ch == "\\" for ch in args):
            plan.error("partition-args", p + "_ARGS",
                       f"'{args}' must be at most 63 printable characters, without quotes "
                       "or backslashes")
        part["args"] = args
        part["supervisor"] = cfg.get(p + "_SUPERVISOR", "")
        part["role"] = next((r for r in ("driver", "console", "control")
                             if cfg.get(p + "_ROLE_" + r.upper()) == "y"), "guest")
        part["controls"] = [n for n in cfg.get(p + "_CONTROLS", "").replace(" ", "").split(",")
                            if n] if part["role"] == "control" else []

        cpus = []
        text = cfg.get(p + "_CPUS", "").replace(" ", "")
        for tok in [t for t in text.split(",") if t] or [""]:
            cpu = parse_int(tok)
            if cpu is None or cpu < 0:
                plan.error("cpu-list", p + "_CPUS",
                           f"'{text}' is not a comma-separated list of CPU indices")
                break
            if cpu >= nr_cpus:
                plan.error("cpu-exists", p + "_CPUS",
                           f"CPU {cpu} does not exist (the board has CPUs "
                           f"0-{nr_cpus - 1} with CONFIG_NR_CPUS)")
                continue
            if cpu in cpus:
                plan.error("cpu-twice", p + "_CPUS", f"CPU {cpu} is listed twice")
                continue
            cpus.append(cpu)
            if part["role"] == "guest":
                if cpu in guest_cpus:
                    o = guest_cpus[cpu]
                    plan.error("cpu-guest-shared", p + "_CPUS",
                               f"CPU {cpu} is already given to guest partition {o} "
                               f"(CONFIG_PART{o}_CPUS); guests do not share CPUs")
                guest_cpus.setdefault(cpu, i)
        part["cpus"] = cpus

        mem_mb = parse_int(cfg.get(p + "_MEM_MB"), 0)
        base = parse_int(cfg.get(p + "_MEM_BASE"), DOMAIN_RAM_BASE)
        if mem_mb * (1 << 20) % SZ_2M:
            plan.error("memory-align", p + "_MEM_MB", f"{mem_mb} MiB is not a multiple of 2 MiB")
        if base % SZ_2M:
            plan.error("memory-align", p + "_MEM_BASE", f"{base:#x} is not 2 MiB aligned")
        if base + mem_mb * (1 << 20) > 1 << 39:
            plan.error("memory-512g", p + "_MEM_BASE",
                       "RAM must lie below 512 GiB (39-bit guest addresses)")
        if overlaps(base, mem_mb << 20, WINDOW_IPA, WINDOW_SIZE):
            plan.error("memory-window", p + "_MEM_BASE",
                       f"RAM overlaps the hypervisor window at "
                       f"{WINDOW_IPA:#x}-{WINDOW_IPA + WINDOW_SIZE - 1:#x}")
        # Its vGIC's registers are emulated where nothing is mapped: RAM
        # there hides them, and the guest loses its interrupt controller.
        if overlaps(base, mem_mb << 20, VGIC_IPA, VGIC_SIZE):
            plan.error("memory-vgic", p + "_MEM_BASE",
                       f"RAM overlaps the virtual GIC at {VGIC_IPA:#x}-"
                       f"{VGIC_IPA + VGIC_SIZE - 1:#x} (the partition's interrupt controller)")
        total_mb += mem_mb
        part["mem_size"] = mem_mb << 20
        part["mem_base"] = base

        image = cfg.get(p + "_IMAGE", "")
        part["image"] = image
        part["image_file"] = image_file(plan, p + "_IMAGE", image, domains_dir, out_dir, base, cfg) \
            if image else None
        if not image:
            plan.error("image-name", p + "_IMAGE", "no image given")
        part["initrd"] = cfg.get(p + "_INITRD", "")
        if part["initrd"] and not os.path.isfile(part["initrd"]):
            plan.error("image-known", p + "_INITRD", f"initrd file '{part['initrd']}' does not exist")
            part["initrd"] = ""
        f = part["image_file"]
        rd = os.path.getsize(part["initrd"]) if part["initrd"] else 0
        if f and os.path.exists(f) and os.path.getsize(f) + rd > part["mem_size"] - DTB_RESERVE:
            plan.error("image-fits", p + "_IMAGE",
                       f"image is {os.path.getsize(f)} bytes"
                       + (f" and its initrd {rd}" if rd else "") + ", more than the "
                       f"partition's {mem_mb} MiB less 64 KiB for its device tree")

        devices = split_list(cfg.get(p + "_DEVICES", ""))
        part["devices"] = devices
        if len(devices) > 4:
            plan.error("devices-list", p + "_DEVICES",
                       f"{len(devices)} devices: at most 4 per partition")
        for d in devices:
            if len(d) > 63 or '"' in d or "\\" in d:
                plan.error("devices-list", p + "_DEVICES",
                           f"'{d}' is not a device tree path or alias (at most 63 characters)")
            elif board is None and d in owners:
                # With the board's tree, check_devices() compares nodes.
                plan.error("device-twice", p + "_DEVICES",
                           f"'{d}' is already given to partition {owners[d]} "
                           f"(CONFIG_PART{owners[d]}_DEVICES)")
            elif board is None and same_node_by_name(d, owners):
                o = same_node_by_name(d, owners)
                plan.error("device-twice", p + "_DEVICES",
                           f"'{d}' names the device '{o}', already given to partition "
                           f"{owners[o]} (CONFIG_PART{owners[o]}_DEVICES)")
            owners.setdefault(d, i)
        whole = split_list(cfg.get(p + "_DEVICES_WHOLE_PAGE", ""))
        for d in whole:
            if d not in devices:
                plan.error("devices-whole-page", p + "_DEVICES_WHOLE_PAGE",
                           f"'{d}' is not one of the devices in {p}_DEVICES")
        part["whole_page"] = [d in whole for d in devices]

        if cfg.get(p + "_RESTART_ON_FAULT") == "y":
            part["policy"] = "restart-on-fault"
        elif cfg.get(p + "_RESTART_ALWAYS") == "y":
            part["policy"] = "restart-always"
        else:
            part["policy"] = "stop"
        part["restart_limit"] = parse_int(cfg.get(p + "_RESTART_LIMIT"), 0)
        part["backoff_ms"] = parse_int(cfg.get(p + "_RESTART_BACKOFF_MS"), 0)
        part["priority"] = parse_int(cfg.get(p + "_PRIORITY"), 100)
        part["watchdog_ms"] = parse_int(cfg.get(p + "_WATCHDOG_MS"), 0)
        part["fault_injector"] = cfg.get(p + "_FAULT_INJECTOR") == "y"
        part["virtual_uart"] = cfg.get(p + "_VIRTUAL_UART") == "y"
        if part["virtual_uart"] and overlaps(base, mem_mb << 20, VUART_IPA, VUART_PAGE):
            plan.error("uart-window", p + "_MEM_BASE",
                       f"RAM overlaps its virtual UART's registers at {VUART_IPA:#x}-"
                       f"{VUART_IPA + VUART_PAGE - 1:#x}")
        part["disk"] = None
        if cfg.get(p + "_DISK") == "y":
            part["disk"] = {
                "backend": cfg.get(p + "_DISK_BACKEND", ""),
                "start": parse_int(cfg.get(p + "_DISK_OFFSET_MB"), 0) * SECTORS_PER_MB,
                "sectors": parse_int(cfg.get(p + "_DISK_SIZE_MB"), 0) * SECTORS_PER_MB,
                "ro": cfg.get(p + "_DISK_READ_ONLY") == "y",
            }
            if overlaps(base, mem_mb << 20, DISK_IPA, DISK_PAGE):
                plan.error("disk-window", p + "_MEM_BASE",
                           f"RAM overlaps its disk's registers at {DISK_IPA:#x}-"
                           f"{DISK_IPA + DISK_PAGE - 1:#x}")
        plan.parts.append(part)

    for part in plan.parts:
        sup = part.get("supervisor", "")
        if sup and (sup == part["name"] or sup not in [q["name"] for q in plan.parts]):
            plan.error("partition-supervisor", f"CONFIG_PART{part['slot']}_SUPERVISOR",
                       f"'{sup}' is not the name of another partition")
    check_roles(plan)
    check_disks(plan)
    if board is not None:
        check_devices(plan, board)
    build_channels(cfg, plan)
    # The hypervisor carves all shared regions in one piece, in 2 MiB steps.
    shared_mb = (sum(c["size"] for c in plan.channels) + SZ_2M - 1) // SZ_2M * 2
    if board_ram and total_mb + shared_mb + HYP_RESERVE_MB > board_ram:
        plan.error("ram-fits", "CONFIG_BOARD_RAM_MB",
                   f"the partitions need {total_mb + shared_mb} MiB"
                   + (f" ({shared_mb} MiB of it shared memory)" if shared_mb else "")
                   + f", and with {HYP_RESERVE_MB} MiB kept for the hypervisor that is more "
                   f"than the board's {board_ram} MiB")
    return plan


def check_roles(plan):
    """One console domain and one control domain at most; the control
    domain controls partitions of the plan."""
    for role in ("console", "control"):
        first = None
        for part in plan.parts:
            if part["role"] != role:
                continue
            if first is not None:
                plan.error("role-once", f"CONFIG_PART{part['slot']}_ROLE_{role.upper()}",
                           f"partition {first['slot']} (CONFIG_PART{first['slot']}_ROLE_"
                           f"{role.upper()}) is already the plan's {role} domain")
            first = first or part
    names = [q["name"] for q in plan.parts]
    for part in plan.parts:
        for n in part.get("controls", []):
            if n not in names:
                plan.error("controls", f"CONFIG_PART{part['slot']}_CONTROLS",
                           f"'{n}' is not the name of a partition")


def check_disks(plan):
    """Each disk's backend is another partition, a driver domain with room for
    its link; two guests' slices on one backend do not overlap."""
    by_name = {q["name"]: q for q in plan.parts}
    seen = []
    for part in plan.parts:
        d = part.get("disk")
        if not d:
            continue
        opt = f"CONFIG_PART{part['slot']}_DISK"
        b = by_name.get(d["backend"])
        if b is None or b is part or b["role"] != "driver":
            plan.error("disk-backend", opt + "_BACKEND",
                       f"'{d['backend']}' is not another partition with the role driver")
            continue
        if b["mem_size"] < DISK_BACKEND_MEM:
            plan.error("disk-backend-memory", f"CONFIG_PART{b['slot']}_MEM_MB",
                       f"serves disks, so needs at least {DISK_BACKEND_MEM >> 20} MiB")
        for o in seen:
            od = o["disk"]
            if od["backend"] == d["backend"] and overlaps(d["start"], d["sectors"],
                                                          od["start"], od["sectors"]):
                plan.error("disk-overlap", opt + "_OFFSET_MB",
                           f"the slice overlaps that of partition {o['slot']} "
                           f"(CONFIG_PART{o['slot']}_DISK_OFFSET_MB) on '{d['backend']}'")
        seen.append(part)


def split_list(text):
    return [d.strip() for d in text.split(",") if d.strip()]


def same_node_by_name(d, owners):
    """Without the board's tree: a device given before that d surely names
    too, a path and its node's name ("/pl031@9010000", "pl031@9010000").
    A name without a unit address may be an alias, so only names with
    one count."""
    def last(x):
        return x.rstrip("/").rsplit("/", 1)[-1]
    for o in owners:
        if o != d and ("/" in o) != ("/" in d) and "@" in last(d) and last(o) == last(d):
            return o
    return None


def overlaps(a, asize, b, bsize):
    return asize > 0 and bsize > 0 and a < b + bsize and b < a + asize


# --- The board's device tree ------------------------------------------------------------


class Node:
    def __init__(self, name, parent, index):
        self.name, self.parent, self.index = name, parent, index
        self.props, self.children = {}, []

    def path(self):
        if self.parent is None:
            return "/"
        up = self.parent.path()
        return (up if up != "/" else "") + "/" + self.name

    def ancestors(self):
        n, out = self.parent, []
        while n is not None:
            out.append(n)
            n = n.parent
        return out

    def cells(self):
        """The #address-cells/#size-cells it sets for its children."""
        return (prop_u32(self, "#address-cells", 2), prop_u32(self, "#size-cells", 1))


def prop_u32(node, name, default):
    v = node.props.get(name)
    return struct.unpack(">I", v)[0] if v is not None and len(v) == 4 else default


def read_cells(data, off, n):
    v = 0
    for k in range(n):
        v = (v << 32) | struct.unpack_from(">I", data, off + 4 * k)[0]
    return v


class BoardTree:
    """A flattened device tree, read as the hypervisor's libfdt reads it:
    enough to find devices and their registers in CPU physical addresses."""

    def __init__(self, path):
        with open(path, "rb") as f:
            blob = f.read()
        magic, total, off_struct, off_strings = struct.unpack_from(">IIII", blob, 0)
        if magic != 0xd00dfeed:
            raise ValueError(f"{path} is not a device tree blob")
        self.path = path
        self.nodes = []
        stack, pos, root = [], off_struct, None

        def string_at(off):
            return blob[off:blob.index(b"\0", off)].decode()

        while True:
            (tag,) = struct.unpack_from(">I", blob, pos)
            pos += 4
            if tag == 1:  # FDT_BEGIN_NODE
                end = blob.index(b"\0", pos)
                node = Node(blob[pos:end].decode(), stack[-1] if stack else None,
                            len(self.nodes))
                pos = (end + 1 + 3) & ~3
                if stack:
                    stack[-1].children.append(node)
                else:
                    root = node
                self.nodes.append(node)
                stack.append(node)
            elif tag == 2:  # FDT_END_NODE
                stack.pop()
            elif tag == 3:  # FDT_PROP
                length, nameoff = struct.unpack_from(">II", blob, pos)
                pos += 8
                stack[-1].props[string_at(off_strings + nameoff)] = blob[pos:pos + length]
                pos = (pos + length + 3) & ~3
            elif tag == 4:  # FDT_NOP
                continue
            elif tag == 9:  # FDT_END
                break
            else:
                raise ValueError(f"{path}: bad structure tag {tag}")
        self.root = root

    def prop_str(self, node, name):
        v = node.props.get(name)
        return v.split(b"\0")[0].decode() if v else None

    def find_path(self, path):
        """libfdt's fdt_path_offset(): a full path, or an alias and the rest;
        a component without a unit address matches one with."""
        if not path.startswith("/"):
            alias, _, rest = path.partition("/")
            aliases = self.child(self.root, "aliases")
            target = self.prop_str(aliases, alias) if aliases else None
            if not target or not target.startswith("/"):
                return None
            path = target.rstrip("/") + ("/" + rest if rest else "")
        node = self.root
        for comp in [c for c in path.split("/") if c]:
            node = self.child(node, comp)
            if node is None:
                return None
        return node

    @staticmethod
    def child(node, comp):
        for c in node.children:
            if c.name == comp or ("@" not in comp and c.name.split("@")[0] == comp):
                return c
        return None

    def device(self, name):
        """core/board_dt.c's board_dt_device() lookup: a path or alias, else
        (not starting with '/') the first node of that name."""
        node = self.find_path(name)
        if node is None and not name.startswith("/"):
            node = next((n for n in self.nodes if n.name == name), None)
        return node

    def translate(self, node, addr):
        """A bus address of node's through each ancestor bus's "ranges"."""
        for bus in node.ancestors()[:-1]:  # not the root
            ranges = bus.props.get("ranges")
            if ranges is None:
                return None
            if len(ranges) == 0:
                continue
            cac, csc = bus.cells()
            pac, _ = bus.parent.cells()
            if not (1 <= cac <= 2 and 1 <= csc <= 2 and 1 <= pac <= 2):
                return None
            entry = (cac + pac + csc) * 4
            for off in range(0, len(ranges) - entry + 1, entry):
                child = read_cells(ranges, off, cac)
                parent = read_cells(ranges, off + 4 * cac, pac)
                size = read_cells(ranges, off + 4 * (cac + pac), csc)
                if child <= addr < child + size:
                    addr = parent + (addr - child)
                    break
            else:
                return None
        return addr

    def regs(self, node, every=False):
        """Its registers as (base, size) in CPU physical addresses, up to
        the first the CPU cannot reach (as board_dt_device() reads a
        device), or every one it can reach (as board_dt_node_at() looks
        for neighbours)."""
        if node.parent is None or "reg" not in node.props:
            return []
        ac, sc = node.parent.cells()
        if not (1 <= ac <= 2 and 0 <= sc <= 2):
            return []
        reg, out = node.props["reg"], []
        step = (ac + sc) * 4
        # BOARD_DEV_MAX_REGS for a device; board_dt_node_at()'s bound else.
        for off in range(0, min(len(reg) // step, 64 if every else 4) * step, step):
            base = self.translate(node, read_cells(reg, off, ac))
            size = read_cells(reg, off + 4 * ac, sc) if sc else 0
            if base is not None:
                out.append((base, size))
            elif not every:
                break
        return out

    def nodes_at(self, base, size, skip):
        """Nodes, in tree order, with registers in [base, base + size), but
        not those in skip or below them."""
        out = []
        for n in self.nodes:
            if n in skip or any(a in skip for a in n.ancestors()):
                continue
            if any(overlaps(b, s, base, size) for b, s in self.regs(n, every=True)):
                out.append(n)
        return out

    def console_path(self):
        """stdout-path as written, without its options, or None."""
        chosen = self.child(self.root, "chosen")
        stdout = self.prop_str(chosen, "stdout-path") if chosen else None
        return stdout.split(":")[0] if stdout else None

    def console(self):
        """The node of the hypervisor's console (stdout-path), or None."""
        path = self.console_path()
        return self.find_path(path) if path else None

    def hypervisors(self):
        """The registers the hypervisor keeps: its console (stdout-path)
        and its interrupt controller."""
        out = []
        console = self.console()
        if console is not None:
            out += self.regs(console)
        gics = ("arm,gic-v3", "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a7-gic",
                "arm,cortex-a9-gic")
        for n in self.nodes:
            compat = n.props.get("compatible", b"").split(b"\0")
            if any(g.encode() in compat for g in gics) and \
                    self.prop_str(n, "status") in (None, "okay", "ok"):
                out += self.regs(n)
                break
        return out

    def memory(self):
        return [r for n in self.nodes if self.prop_str(n, "device_type") == "memory"
                for r in self.regs(n)]


def pages(base, size):
    start = base & ~(PAGE - 1)
    return start, ((base + size + PAGE - 1) & ~(PAGE - 1)) - start


def check_devices(plan, board):
    """The boot's device rules (core/passthrough_check.c), at build time:
    each device in the board's tree, given once, not the hypervisor's or
    memory, clear of the partition's RAM and virtual GIC, and its 4 KiB
    pages shared with no other partition's device and holding no device
    the partition is not given, unless it is given the whole page."""
    granted = []  # (node, partition, device as written, pages)
    hyp, mem = board.hypervisors(), board.memory()
    for part in plan.parts:
        check_partition_devices(plan, board, part, granted, hyp, mem)


def check_partition_devices(plan, board, part, granted, hyp, mem):
    """check_devices() for one partition, which stops at its first error."""
    opt = f"CONFIG_PART{part['slot']}_DEVICES"
    nodes = []
    for d in part["devices"]:
        node = board.device(d)
        if node is None:
            plan.error("device-exists", opt, f"'{d}' is not in the board's device tree")
            return
        if not board.regs(node):
            plan.error("device-exists", opt, f"'{d}' has no usable \"reg\"")
            return
        nodes.append(node)
    devices, whole_page = list(part["devices"]), list(part["whole_page"])
    console = board.console()
    if part["role"] == "console" and console is not None and console not in nodes:
        # The boot gives the console domain the console UART unlisted
        # (console_domain_plan()): its rules apply to it here too.
        devices.insert(0, board.console_path())
        nodes.insert(0, console)
        whole_page.insert(0, False)
    for d, node, whole in zip(devices, nodes, whole_page):
        prior = next((g for g in granted if g[0] is node), None)
        if prior:
            same = f"'{d}' is" if prior[2] == d else f"'{d}' names '{prior[2]}',"
            plan.error("device-twice", opt,
                       f"{same} already given to partition {prior[1]['slot']} "
                       f"(CONFIG_PART{prior[1]['slot']}_DEVICES)")
            return
        mine = []
        for base, size in board.regs(node):
            if not size:
                continue
            pbase, psize = pages(base, size)
            # The console domain alone may have the console UART, which the
            # hypervisor then uses only while that domain is down.
            console_uart = part["role"] == "console" and node is board.console()
            if not console_uart and any(overlaps(pbase, psize, b, s) for b, s in hyp):
                plan.error("device-hypervisor", opt, f"'{d}' is the hypervisor's own "
                                                     "(its console or interrupt controller)")
                return
            if any(overlaps(pbase, psize, b, s) for b, s in mem):
                plan.error("device-memory", opt, f"'{d}' is memory, not a device")
                return
            for g in granted:
                if g[1] is not part and any(overlaps(pbase, psize, b, s) for b, s in g[3]):
                    plan.error("page-shared", opt,
                               f"'{d}' shares a 4 KiB page with '{g[2]}' of partition "
                               f"{g[1]['slot']} (CONFIG_PART{g[1]['slot']}_DEVICES)")
                    return
            if overlaps(pbase, psize, part["mem_base"], part["mem_size"]) or \
                    overlaps(pbase, psize, VGIC_IPA, VGIC_SIZE):
                plan.error("device-collides", opt,
                           f"'{d}' at {pbase:#x} collides with the partition's RAM or "
                           "virtual GIC addresses")
                return
            mine.append((pbase, psize))
        if not whole:
            for pbase, psize in mine:
                others = board.nodes_at(pbase, psize, nodes)
                if others:
                    plan.error("page-neighbour", opt,
                               f"'{d}': its page {pbase:#x} also holds "
                               f"'{others[0].path()}', not given to this partition (give "
                               f"it too, or CONFIG_PART{part['slot']}_DEVICES_WHOLE_PAGE)")
                    return
        granted.append((node, part, d, mine))


def build_channels(cfg, plan):
    by_name = {p["name"]: p for p in plan.parts}
    names = {}
    explicit = []  # (partition, address, size, option) of explicit regions
    for i in range(MAX_CHANNELS):
        c = f"CONFIG_CHAN{i}"
        if cfg.get(c) != "y":
            continue
        name = cfg.get(c + "_NAME", "")
        if not NAME_RE.match(name):
            plan.error("channel-name", c + "_NAME",
                       f"'{name}' must be 1-31 letters, digits, '-' or '_'")
        elif name in names:
            plan.error("channel-name-twice", c + "_NAME",
                       f"'{name}' is already the name of channel {names[name]} "
                       f"(CONFIG_CHAN{names[name]}_NAME)")
        names.setdefault(name, i)
        ch = {"slot": i, "name": name, "ends": [None, None], "size": 0,
              "writable": [1, 1], "addr": [0, 0]}
        for e, opt in enumerate(("_END_A", "_END_B")):
            end = cfg.get(c + opt, "")
            if end not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                plan.error("channel-end", c + opt,
                           f"'{end}' is not the name of an enabled partition "
                           f"(partitions: {known})")
                continue
            ch["ends"][e] = by_name[end]
        if ch["ends"][0] is not None and ch["ends"][0] is ch["ends"][1]:
            plan.error("channel-same-ends", c + "_END_B",
                       "both ends are the same partition; a channel joins two")
        kb = parse_int(cfg.get(c + "_SHARED_KB"), 0)
        if kb % 4:
            plan.error("channel-size", c + "_SHARED_KB",
                       f"{kb} KiB is not a multiple of 4 KiB (a page)")
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
                    plan.error("channel-address-align", c + opt, f"{addr:#x} is not 4 KiB aligned")
                elif addr + ch["size"] > 1 << 39:
                    plan.error("channel-address-512g", c + opt,
                               "the region must lie below 512 GiB")
                elif overlaps(addr, ch["size"], part["mem_base"], part["mem_size"]):
                    plan.error("channel-address-ram", c + opt,
                               f"{addr:#x} overlaps the RAM of '{part['name']}'")
                elif overlaps(addr, ch["size"], VGIC_IPA, VGIC_SIZE):
                    plan.error("channel-address-vgic", c + opt,
                               f"{addr:#x} overlaps the virtual GIC")
                elif overlaps(addr, ch["size"], WINDOW_IPA, WINDOW_SIZE):
                    plan.error("channel-address-window", c + opt,
                               f"{addr:#x} lies in the hypervisor window; use 0 to "
                               "be placed there automatically")
                else:
                    # Stage 2 can map only one region at an address.
                    for o_part, o_addr, o_size, o_opt in explicit:
                        if o_part is part and overlaps(addr, ch["size"], o_addr, o_size):
                            plan.error("channel-address-overlap", c + opt,
                                       f"{addr:#x} overlaps the region at {o_addr:#x} "
                                       f"({o_opt}) in '{part['name']}'")
                            break
                    else:
                        explicit.append((part, addr, ch["size"], c + opt))
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
        ] + ([f"\t\t\tinitrd = \"{initrd_key(p)}\";"] if p.get("initrd") else []) + [
            f"\t\t\tfault-policy = \"{p['policy']}\";",
            f"\t\t\trestart-limit = <{p['restart_limit']}>;",
            f"\t\t\trestart-backoff-ms = <{p['backoff_ms']}>;",
            f"\t\t\tpriority = <{p['priority']}>;",
        ] + ([f"\t\t\targs = \"{p['args']}\";"] if p.get("args") else []) + (
            [f"\t\t\tsupervisor = \"{p['supervisor']}\";"] if p.get("supervisor") else []) + ([f"\t\t\tdevices = {', '.join(chr(34) + d + chr(34) for d in p['devices'])};"]
             if p["devices"] else []) + (
            [f"\t\t\tdevices-whole-page = <{' '.join(str(int(w)) for w in p['whole_page'])}>;"]
            if any(p["whole_page"]) else []) + disk_props(p) + [
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


def disk_props(p):
    out = []
    if p.get("watchdog_ms"):
        out.append(f"\t\t\twatchdog-ms = <{p['watchdog_ms']}>;")
    if p.get("fault_injector"):
        out.append("\t\t\tfault-injector = <1>;")
    if p.get("virtual_uart"):
        out.append("\t\t\tvirtual-uart = <1>;")
    if p.get("controls"):
        out.append(f"\t\t\tcontrols = {', '.join(chr(34) + n + chr(34) for n in p['controls'])};")
    d = p.get("disk")
    if d:
        out += [f"\t\t\tdisk-backend = \"{d['backend']}\";",
                f"\t\t\tdisk-slice = /bits/ 64 <{d['start']:#x} {d['sectors']:#x}>;"]
        if d["ro"]:
            out.append("\t\t\tdisk-read-only = <1>;")
    return out


def image_key(p):
    """The name the payload knows an image by: a built-in domain's name, or
    for an external file one made unique by the slot (two files may share a
    name, or share one with a domain) and short enough for the plan (31)."""
    if re.match(r"^[A-Za-z0-9_-]+$", p["image"]):
        return p["image"]
    base = os.path.basename(p["image"]).removesuffix(".bin")
    return f"part{p['slot']}-{base}"[:31]


def initrd_key(p):
    """The payload's name for a partition's initrd."""
    return f"part{p['slot']}-initrd"


def payload(plan, plan_dtb, domains_dir, cfg=None):
    # Every built domain goes in (the test-only ones with CONFIG_TEST_DOMAINS),
    # so that a plan given at boot (tests, or a board's plan on its SD card)
    # can use any of them; plus external images.
    images = {d: os.path.join(domains_dir, d, d + ".bin") for d in known_domains(cfg)}
    for p in plan.parts:
        images.setdefault(image_key(p), p["image_file"])
        if p.get("initrd"):
            images[initrd_key(p)] = os.path.abspath(p["initrd"])
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
    ap.add_argument("--board-dtb", help="the board's device tree, for the device checks")
    ap.add_argument("--linux-files", help="what tools/fetch-linux.sh fetched: where "
                    "image and initrd paths starting with @linux/ are")
    ap.add_argument("--check-only", action="store_true")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    board = None
    if args.board_dtb:
        try:
            board = BoardTree(args.board_dtb)
        except (OSError, ValueError, struct.error, IndexError) as e:
            print(f"plan error: --board-dtb: cannot read {args.board_dtb}: {e}", file=sys.stderr)
            return 1
    cfg = read_config(args.config)
    # Files tools/fetch-linux.sh fetched (a Linux guest's kernel and
    # initramfs) are named "@linux/FILE", wherever the build keeps them.
    for key, val in list(cfg.items()):
        if (key.endswith("_IMAGE") or key.endswith("_INITRD")) and val.startswith("@linux/"):
            if not args.linux_files:
                print(f"plan error: {key}: '{val}' needs tools/fetch-linux.sh's files "
                      "(--linux-files)", file=sys.stderr)
                return 1
            cfg[key] = os.path.join(args.linux_files, val[len("@linux/"):])
    plan = build_plan(cfg, args.domains, args.out, board)
    if plan.errors:
        for e in plan.errors:
            print(f"plan error: {e}", file=sys.stderr)
        return 1
    if args.check_only:
        return 0
    write_if_changed(os.path.join(args.out, "plan.dts"), dts(plan))
    write_if_changed(os.path.join(args.out, "payload.S"),
                     payload(plan, os.path.join(args.out, "plan.dtb"), args.domains, cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
