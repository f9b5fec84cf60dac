#!/usr/bin/python3
"""Bulkhead test runner: host unit tests (cmocka binaries) and QEMU
integration tests (a folder per scenario, tests/qemu/<name>/: its test file
`test`, and its plan.dts where it has one), one summary line at the end:
"N passed, M failed". Exits non-zero if anything failed.

A QEMU test file is a list of "key: value" lines (# starts a comment):
  boot:     uboot | direct | spintable  how QEMU starts the hypervisor (spintable:
                                      secondaries in a firmware spin table, as on a
                                      Raspberry Pi without TF-A; tools/qemu.sh)
            | rpi4 | rpi4-miniuart      the SD card image on QEMU 10's raspi4b
                                      (tools/qemu-rpi4.sh)
  config:   name                      rpi4 boots: the configuration whose card image
                                      boots (build/configs/<name>; default rpi4)
  gic:      2 | 3                     GIC version of the virt machine
  machine:  virt,...                  replaces the board's machine options
  append:   words                     /chosen/bootargs (direct and rpi4 boots; on the
                                      Pi, through the device tree u-boot hands on)
  smp, mem: QEMU -smp / -m              instead of the board's defaults
  image:    path                      another hypervisor image, relative to the build
                                      directory (e.g. one of the other defconfigs')
  timeout:  seconds                   for the whole test (default 30)
  expect:   text                      must appear, in this order
  also:     text                      must appear, anywhere (e.g. per-CPU lines)
  reject:   text                      fails the test as soon as it appears
  most:     N text                    fails the test if text appears more than N times
  measure:  name=text                 record the wall time when text appears
  plan:     file.dts                  boot with this partition plan (relative to the
                                      scenario's folder: plan.dts, or ../other/plan.dts),
                                      loaded by QEMU at PLAN_ADDR and named on the
                                      command line (direct and rpi4 boots)
  disk:     SIZE [ro]                 a data disk (tools/qemu.sh DISK=): a fresh sparse
                                      file of SIZE (e.g. 64M; K, M, G) for this run only,
                                      in a temporary folder; "ro": attached read-only
"""
import argparse
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAIL_LINES = 40
# Where a test's plan is loaded: in QEMU virt's RAM, clear of the image
# (0x40200000), its device tree (0x48000000 with 1 GiB) and the partitions (carved from
# the top of RAM).
PLAN_ADDR = 0x50000000
# On the emulated Pi 4, in the first 1 GiB (all the firmware's device tree
# gives as memory on raspi4b), clear of u-boot's load addresses (below
# 0x03000000), its relocated self and the partitions (at the top).
PLAN_ADDR_RPI4 = 0x10000000


class Result:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def record(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append((name, detail))


def run_unit(build, result):
    """Run each cmocka binary; count its individual test cases."""
    unit_dir = os.path.join(build, "tests", "unit")
    bins = sorted(
        os.path.join(unit_dir, f)
        for f in (os.listdir(unit_dir) if os.path.isdir(unit_dir) else [])
        if f.startswith("test_") and os.access(os.path.join(unit_dir, f), os.X_OK)
        and not f.endswith((".d", ".o"))
    )
    if not bins:
        result.record("unit tests", False, "no unit test binaries in " + unit_dir)
        return
    for path in bins:
        name = os.path.basename(path)
        proc = subprocess.run([path], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300)
        out = proc.stdout
        passed = sum(int(n) for n in re.findall(r"\[  PASSED  \] (\d+) test", out))
        failed_names = re.findall(r"\[  FAILED  \] (\S+)$", out, re.M)
        # cmocka names each failure twice (as it fails and in its summary).
        failed_names = sorted({n for n in failed_names if not n[0].isdigit()})
        ok = proc.returncode == 0
        print(f"  {'PASS' if ok else 'FAIL'}  unit/{name}: {passed} passed"
              + (f", {len(failed_names)} failed" if failed_names else ""))
        result.passed += passed
        if not ok:
            result.failed += max(1, len(failed_names))
            result.failures.append((f"unit/{name}", out[-4000:]))
            print(out[-4000:])


def run_fuzz_replay(build, result):
    """Replay each fuzz harness's corpus (tests/fuzz/corpus/<name>/) with its
    replay binary (gcc, ASan, UBSan; tests/fuzz/fuzz.mk): every input the
    fuzzer kept, and every crash it found, stays a test. One result per
    harness tests/fuzz/fuzz_<name>.c."""
    corpus = os.path.join(TOP, "tests", "fuzz", "corpus")
    names = sorted(f[len("fuzz_"):-len(".c")] for f in os.listdir(os.path.join(TOP, "tests", "fuzz"))
                   if f.startswith("fuzz_") and f.endswith(".c"))
    for name in names:
        path = os.path.join(build, "tests", "fuzz", "replay_" + name)
        if not os.access(path, os.X_OK):
            ok, out = False, f"no replay binary {path} (built by make unit-test / make test)"
        else:
            proc = subprocess.run([path, os.path.join(corpus, name)], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=300)
            ok, out = proc.returncode == 0, proc.stdout
        m = re.search(r"^(\d+) inputs replayed$", out, re.M)
        print(f"  {'PASS' if ok else 'FAIL'}  fuzz/{name}: {m.group(1) if m else 0} inputs replayed")
        if not ok:
            print("\n".join("        | " + l for l in out.splitlines()[-TAIL_LINES:]))
        result.record(f"fuzz/{name}", ok, out[-4000:])


def board_test_settings(out):
    """What a board asks of the runner, from the TEST_* lines of its
    boards/<board>/board.mk (read as text): more make targets to build with
    a configuration of it (TEST_TARGETS, with TEST_VARS, where {build} is
    the main build directory), a script that checks what they made
    (TEST_IMAGE_CHECK), and Kconfig symbols for a second build of each of
    its configurations, for tests (TEST_VARIANT). The board is the one the configuration in out names."""
    board = ""
    with open(os.path.join(out, ".config")) as f:
        for line in f:
            m = re.match(r'^CONFIG_BOARD_NAME="(.*)"$', line.strip())
            if m:
                board = m.group(1)
    settings = {"TEST_TARGETS": "", "TEST_VARS": "", "TEST_IMAGE_CHECK": "", "TEST_VARIANT": ""}
    path = os.path.join(TOP, "boards", board, "board.mk")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                m = re.match(r"^(TEST_[A-Z_]+)\s*:=\s*(.*)$", line.strip())
                if m and m.group(1) in settings:
                    settings[m.group(1)] = m.group(2)
    return settings


def build_config(build, config, out, options=()):
    """Configure and build one defconfig in out, with what its board adds;
    options: Kconfig symbols set on top (e.g. CONFIG_TEST_DOMAINS=y).
    Returns (ok, log, the board's test settings)."""
    # Share the main build's newlib rather than build it again, and the
    # Linux files tools/fetch-linux.sh fetched (a config that uses them
    # fetches them there once).
    newlib = "NEWLIB_OUT=" + os.path.join(build, "newlib")
    linux = "LINUX_FILES=" + os.path.join(build, "linux-files")
    log = ""
    proc = subprocess.run(["make", "-s", "O=" + out, config + "_defconfig"], cwd=TOP,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log += proc.stdout
    ok = proc.returncode == 0
    if ok and options:
        path = os.path.join(out, ".config")
        with open(path) as f:
            lines = f.read().splitlines()
        for opt in options:
            name = opt.split("=", 1)[0]
            lines = [l for l in lines if l != f"# {name} is not set"
                     and not l.startswith(name + "=")] + [opt]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    settings = board_test_settings(out) if ok else {}
    steps = [["make", "-s", "O=" + out, newlib, linux, "image"]]
    if settings.get("TEST_TARGETS"):
        steps.append(["make", "-s", "O=" + out, newlib, linux]
                     + settings["TEST_VARS"].replace("{build}", build).split()
                     + settings["TEST_TARGETS"].split())
    for cmd in steps if ok else []:
        proc = subprocess.run(cmd, cwd=TOP, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        log += proc.stdout
        if proc.returncode != 0:
            ok = False
            break
    return ok, log, settings


def run_build_tests(build, result):
    """The other defconfigs (boards, example plans) must not rot: configure
    and build each one in its own directory under the build directory, with
    what its board adds (board_test_settings); a board's TEST_VARIANT is
    built too, as <config>_test (its QEMU scenarios name it with config:).
    Returns the configurations whose board has an image check, with their
    settings."""
    with open(os.path.join(TOP, "configs", "DEFAULT")) as f:
        default = f.read().strip()  # the main build's own: built already
    configs = sorted(f[:-len("_defconfig")] for f in os.listdir(os.path.join(TOP, "configs"))
                     if f.endswith("_defconfig") and f != default)
    checks = []
    for config in configs:
        out = os.path.join(build, "configs", config)
        ok, log, settings = build_config(build, config, out)
        builds = [(f"build/{config}_defconfig", ok, log)]
        if ok and settings.get("TEST_VARIANT"):
            vok, vlog, _ = build_config(build, config, out + "_test",
                                        settings["TEST_VARIANT"].split())
            builds.append((f"build/{config}_defconfig ({settings['TEST_VARIANT']})", vok, vlog))
        for name, bok, blog in builds:
            print(f"  {'PASS' if bok else 'FAIL'}  {name}")
            if not bok:
                print("\n".join("        | " + l for l in blog.splitlines()[-TAIL_LINES:]))
            result.record(name, bok, blog[-3000:])
        if ok and settings.get("TEST_IMAGE_CHECK"):
            checks.append((config, out, settings["TEST_IMAGE_CHECK"]))
    return checks


def run_tool_tests(result):
    """Tests of the build tools: the plan checker (tests/plan/), and that
    the generated Kconfig partition menu is up to date."""
    checks = [
        ("tools/mkplan.py", [sys.executable, os.path.join(TOP, "tests", "plan", "test_mkplan.py")]),
        ("core/Kconfig.partitions", [sys.executable,
                                     os.path.join(TOP, "tools", "gen-partitions-kconfig.py"),
                                     "--check", os.path.join(TOP, "core", "Kconfig.partitions")]),
    ]
    for name, cmd in checks:
        proc = subprocess.run(cmd, cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        m = re.search(r"^(\d+) passed, (\d+) failed$", proc.stdout, re.M)
        passed, failed = (int(m.group(1)), int(m.group(2))) if m else (1, 0)
        ok = proc.returncode == 0
        if not ok and failed == 0:
            passed, failed = 0, 1
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {passed} passed"
              + (f", {failed} failed" if failed else ""))
        result.passed += passed
        if not ok:
            result.failed += failed
            result.failures.append((f"tools/{name}", proc.stdout[-3000:]))
            print(proc.stdout[-3000:])


def run_image_tests(checks, result):
    """Images that boards make and no emulator here boots (the Raspberry Pi
    4's SD card: tests/image/test_sdimage.py), checked piece by piece by the
    script the board names."""
    for config, out, script in checks:
        proc = subprocess.run([sys.executable, os.path.join(TOP, script), out], cwd=TOP,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        m = re.search(r"^(\d+) passed, (\d+) failed$", proc.stdout, re.M)
        passed, failed = (int(m.group(1)), int(m.group(2))) if m else (0, 1)
        ok = proc.returncode == 0 and failed == 0
        print(f"  {'PASS' if ok else 'FAIL'}  image/{config}: {passed} passed"
              + (f", {failed} failed" if failed else ""))
        result.passed += passed
        if not ok:
            result.failed += max(1, failed)
            result.failures.append((f"image/{config}", proc.stdout[-3000:]))
            print("\n".join("        | " + l for l in proc.stdout.splitlines()
                            if not l.startswith("  PASS")))


def parse_test(path):
    spec = {"expect": [], "also": [], "reject": [], "measure": [], "most": [],
            "send": [], "numbered": [], "between": [], "timeout": 30, "boot": "direct", "gic": "3"}
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key in ("expect", "also", "reject"):
                spec[key].append(value)
            elif key == "measure":
                name, _, text = value.partition("=")
                spec["measure"].append((name.strip(), text.strip()))
            elif key == "most":
                count, _, text = value.partition(" ")
                spec["most"].append((int(count), text.strip()))
            elif key == "send":
                # send: AFTER [&& AFTER...] => TEXT  (TEXT with Python escapes:
                # \x01, \r): typed once every AFTER has appeared since the
                # previous send's AFTERs
                after, sep, text = value.partition("=>")
                if not sep:
                    raise ValueError(f"{path}: send: '{value}' is not AFTER => TEXT")
                text = text.strip().encode("latin-1").decode("unicode_escape")
                spec["send"].append(([a.strip() for a in after.split("&&")],
                                     text.encode("latin-1")))
            elif key == "between":
                # between: MIN TEXT @ START .. END  (TEXT at least MIN times
                # after START and before the END that follows it)
                m = re.fullmatch(r"(\d+) (.+) @ (.+) \.\. (.+)", value)
                if not m:
                    raise ValueError(f"{path}: between: '{value}' is not MIN TEXT @ START .. END")
                spec["between"].append((int(m.group(1)), m.group(2), m.group(3), m.group(4)))
            elif key == "numbered":
                # numbered: TEXT COUNT  (lines TEXT1 .. TEXTCOUNT, each once, in order)
                text, _, count = value.rpartition(" ")
                spec["numbered"].append((text, int(count)))
            elif key == "timeout":
                spec["timeout"] = float(value)
            elif key == "disk":
                m = re.fullmatch(r"(\d+)([KMG])(\s+ro)?", value)
                if not m:
                    raise ValueError(f"{path}: disk: '{value}' is not SIZE[K|M|G] [ro]")
                spec["disk"] = int(m.group(1)) << {"K": 10, "M": 20, "G": 30}[m.group(2)]
                spec["disk_ro"] = bool(m.group(3))
            elif key in ("boot", "gic", "machine", "append", "smp", "mem", "plan", "image",
                         "config"):
                spec[key] = value
            else:
                raise ValueError(f"{path}: unknown key '{key}'")
    if not spec["expect"] and not spec["also"]:
        raise ValueError(f"{path}: no 'expect' or 'also' line: the test could never fail")
    return spec


def check_numbered(output, numbered):
    """Each (TEXT, COUNT): the lines holding TEXT and a number are TEXT1 to
    TEXTCOUNT, each exactly once and in order (more may follow COUNT)."""
    for text, count in numbered:
        pattern = re.compile(re.escape(text) + r"\s*(\d+)(?!\d)")
        seen = [int(m.group(1)) for line in output.splitlines()
                for m in [pattern.search(line)] if m]
        for i, n in enumerate(seen[:count]):
            if n != i + 1:
                return (f"{text!r}: line {i + 1} of its kind says {n} "
                        f"(lines {max(1, i - 2)}-{i + 1}: {seen[max(0, i - 3):i + 1]})")
        if len(seen) < count:
            return f"{text!r}: only {len(seen)} lines of {count}"
    return None


def check_between(output, between):
    """Each (MIN, TEXT, START, END): TEXT appears at least MIN times after
    the first START and before the first END after it."""
    for least, text, start, end in between:
        a = output.find(start)
        b = output.find(end, a + len(start)) if a >= 0 else -1
        if a < 0 or b < 0:
            return f"between: {start!r} .. {end!r} not found"
        n = output.count(text, a, b)
        if n < least:
            return f"{text!r} {n} times between {start!r} and {end!r}, fewer than {least}"
    return None


def run_qemu_test(build, path, result, timings):
    """Run one scenario: path is its folder's test (or soak) file."""
    name = os.path.basename(os.path.dirname(path))
    spec = parse_test(path)
    env = dict(os.environ, GIC=spec["gic"])
    if "machine" in spec:
        env["MACHINE"] = spec["machine"]
    if "smp" in spec:
        env["SMP"] = spec["smp"]
    if "mem" in spec:
        env["MEM"] = spec["mem"]
    if "append" in spec:
        env["APPEND"] = spec["append"]
    if spec["boot"] == "uboot":
        cmd = [os.path.join(TOP, "tools", "qemu.sh"), "uboot",
               os.path.join(build, "bulkhead-disk.img")]
    elif spec["boot"] in ("rpi4", "rpi4-miniuart"):
        # The emulated Pi 4 (QEMU 10's raspi4b) boots the card image the
        # configurations' build test made, through the Pi's u-boot, with the
        # board's device tree as our card's overlay leaves it (console on
        # the PL011), or as it comes (rpi4-miniuart: console on the mini
        # UART, QEMU's second serial line, which then goes to stdio).
        rpi4 = os.path.join(build, "configs", spec.get("config", "rpi4"))
        files = os.path.join(build, "rpi4-files")
        dtb = os.path.join(rpi4, "plan", "board.dtb") if spec["boot"] == "rpi4" else \
            os.path.join(files, "bcm2711-rpi-4-b.dtb")
        cmd = [os.path.join(TOP, "tools", "qemu-rpi4.sh"), os.path.join(rpi4, "bulkhead-rpi4.img"),
               dtb, os.path.join(build, "qemu10"), files]
        if spec["boot"] == "rpi4-miniuart":
            cmd += ["-serial", "null", "-serial", "mon:stdio"]
    else:
        # direct, or spintable (CPUs in a firmware spin table).
        cmd = [os.path.join(TOP, "tools", "qemu.sh"), spec["boot"],
               os.path.join(build, spec.get("image", "bulkhead.bin"))]

    log_dir = os.path.join(build, "tests", "qemu")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, name + ".log")
    if "plan" in spec:
        dtb = os.path.join(log_dir, name + ".plan.dtb")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb,
                        os.path.join(os.path.dirname(path), spec["plan"])],
                       check=True)
        addr = PLAN_ADDR_RPI4 if spec["boot"].startswith("rpi4") else PLAN_ADDR
        cmd += ["-device", f"loader,file={dtb},addr={addr:#x},force-raw=on"]
        env["APPEND"] = (env.get("APPEND", "") + f" bulkhead.plan={addr:#x}").strip()

    if spec["boot"] in ("rpi4", "rpi4-miniuart") and env.get("APPEND"):
        # No -append on the Pi: u-boot hands on the device tree's
        # /chosen/bootargs, as the firmware would have filled it from
        # cmdline.txt. A copy of the tree gets them.
        dtb = os.path.join(log_dir, name + ".board.dtb")
        shutil.copyfile(cmd[2], dtb)
        subprocess.run(["fdtput", "-t", "s", dtb, "/chosen", "bootargs", env["APPEND"]],
                       check=True)
        cmd[2] = dtb

    disk_dir = None
    if "disk" in spec:
        # A fresh sparse file per run: nothing an earlier run wrote is there.
        disk_dir = tempfile.mkdtemp(prefix=f"bulkhead-{name}-")
        env["DISK"] = os.path.join(disk_dir, "data.img")
        with open(env["DISK"], "wb") as f:
            f.truncate(spec["disk"])
        if spec["disk_ro"]:
            env["DISK_RO"] = "1"

    start = time.monotonic()
    # A session of its own: the wrapper script and the QEMU it starts are
    # killed together at the end (a QEMU left running would slow every
    # test after it).
    proc = subprocess.Popen(cmd, env=env,
                            stdin=subprocess.PIPE if spec["send"] else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    sends = list(spec["send"])
    sent_at = 0  # the end of the last send's AFTERs: the next send's come later
    output = ""
    pending = list(spec["expect"]) + list(spec["also"])
    measures = {}
    error = None
    buf = b""
    try:
        while pending and error is None:
            left = spec["timeout"] - (time.monotonic() - start)
            if left <= 0:
                error = f"timed out after {spec['timeout']:.0f} s waiting for: {pending[0]!r}"
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
            if not ready:
                if proc.poll() is not None:
                    error = f"QEMU exited ({proc.returncode}) before: {pending[0]!r}"
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                proc.wait()
                error = f"QEMU exited ({proc.returncode}) before: {pending[0]!r}"
                break
            buf += chunk
            output = buf.decode("utf-8", "replace").replace("\r", "")
            now = time.monotonic() - start
            for mname, text in spec["measure"]:
                if mname not in measures and text in output:
                    measures[mname] = now
            while sends and all(output.find(a, sent_at) >= 0 for a in sends[0][0]):
                # Typed on the serial line, once what it answers has appeared.
                sent_at = max(output.find(a, sent_at) + len(a) for a in sends[0][0])
                proc.stdin.write(sends[0][1])
                proc.stdin.flush()
                sends.pop(0)
            for bad in spec["reject"]:
                if bad in output:
                    error = f"rejected output appeared: {bad!r}"
            for most, text in spec["most"]:
                if output.count(text) > most:
                    error = f"{text!r} appeared more than {most} times"
            # Expectations must appear in order.
            pos = 0
            remaining = []
            for i, text in enumerate(spec["expect"]):
                idx = output.find(text, pos)
                if idx < 0:
                    remaining = spec["expect"][i:]
                    break
                pos = idx + len(text)
            pending = remaining + [t for t in spec["also"] if t not in output]
            if not pending and sends:
                pending = [f"(send after) {' && '.join(sends[0][0])}"]
        if error is None:
            error = check_numbered(output, spec["numbered"]) or \
                check_between(output, spec["between"])
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        with open(log_path, "w") as f:
            f.write(output)
        if disk_dir:
            shutil.rmtree(disk_dir, ignore_errors=True)

    elapsed = time.monotonic() - start
    ok = error is None
    extra = "".join(f", {k} at {v:.2f} s" for k, v in measures.items())
    print(f"  {'PASS' if ok else 'FAIL'}  qemu/{name} ({elapsed:.1f} s{extra})")
    for k, v in measures.items():
        timings[f"{name}:{k}"] = v
    if not ok:
        tail = "\n".join(output.splitlines()[-TAIL_LINES:])
        print(f"        {error}\n        console tail ({log_path}):")
        print("\n".join("        | " + l for l in tail.splitlines()))
    result.record(f"qemu/{name}", ok, error or "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="build directory (O=)")
    ap.add_argument("--unit-only", action="store_true")
    ap.add_argument("--qemu-only", action="store_true")
    ap.add_argument("--soak", action="store_true",
                    help="run the scenarios' long variants (their soak files) only")
    ap.add_argument("tests", nargs="*", help="QEMU test names to run (default: all)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)

    result = Result()
    timings = {}
    t0 = time.monotonic()
    if args.soak:
        args.qemu_only = True
    if not args.qemu_only:
        print("Host unit tests:")
        run_unit(build, result)
        print("Fuzz corpus replay:")
        run_fuzz_replay(build, result)
    if not args.qemu_only:
        print("Build tools:")
        run_tool_tests(result)
    if not args.unit_only and not args.qemu_only:
        print("Other configurations:")
        checks = run_build_tests(build, result)
        if checks:
            print("Board images:")
            run_image_tests(checks, result)
    if not args.unit_only:
        print("QEMU integration tests:")
        qdir = os.path.join(TOP, "tests", "qemu")
        kind = "soak" if args.soak else "test"
        names = sorted(d for d in os.listdir(qdir)
                       if os.path.isfile(os.path.join(qdir, d, kind)))
        if args.tests:
            names = [n for n in names if n in args.tests]
        for n in names:
            try:
                run_qemu_test(build, os.path.join(qdir, n, kind), result, timings)
            except ValueError as e:
                print(f"  FAIL  qemu/{n}: {e}")
                result.record(n, False, str(e))
    print(f"Test wall time: {time.monotonic() - t0:.1f} s")
    if result.failures:
        print("Failed: " + ", ".join(n for n, _ in result.failures))
    print(f"{result.passed} passed, {result.failed} failed")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
