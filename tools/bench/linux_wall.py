#!/usr/bin/env python3
"""The Linux guest's wall-time figures for `make bench` (docs/benchmarks.md):
the same kernel and initramfs (tools/fetch-linux.sh) on bare QEMU and as a
partition under Bulkhead (qemu_virt_linux_defconfig), side by side, in
turns, three times each: the time from starting QEMU to init's marker, and
dd's throughput on /dev/vda (24 MiB each way; bare: QEMU's virtio-blk;
under Bulkhead: a slice served by the block driver domain). Prints the best
of each and the ratios. Wall time, so the host's load moves it: a ratio
measured in one run is what compares.

usage: linux_wall.py BULKHEAD_LINUX_IMAGE LINUX_FILES_DIR
"""
import os
import re
import select
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARK = b"bulkhead-linux: init reached"
DD = re.compile(rb"dd 24 MiB written in (\d+) ms, read in (\d+) ms")


def run(cmd, env):
    """Start QEMU; return (seconds to the init marker, write ms, read ms)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out, marked = b"", None
    try:
        while time.monotonic() - start < 120:
            # Never a blocking read: a guest that stops printing must not
            # hold the bench past its time limit.
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            if marked is None and MARK in out:
                marked = time.monotonic() - start
            m = DD.search(out)
            if m:
                return marked, int(m.group(1)), int(m.group(2))
    finally:
        proc.kill()
        proc.wait()
    sys.exit("linux_wall: no dd figures; the console said:\n" + out[-3000:].decode("utf-8", "replace"))


def main(image, files):
    disk = tempfile.NamedTemporaryFile(prefix="bulkhead-bench-", suffix=".img")
    disk.truncate(64 << 20)
    env = dict(os.environ, DISK=disk.name,
               APPEND="bulkhead.args.linux=bulkhead.test=dd")
    bulkhead = [os.path.join(TOP, "tools", "qemu.sh"), "direct", image]
    bare = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-smp", "2", "-m", "256M",
            "-nographic", "-nic", "none", "-kernel", os.path.join(files, "Image"),
            "-initrd", os.path.join(files, "initramfs.cpio.gz"),
            "-append", "console=ttyAMA0 bulkhead.test=dd",
            "-global", "virtio-mmio.force-legacy=false",
            "-drive", f"if=none,file={disk.name},format=raw,id=d",
            "-device", "virtio-blk-device,drive=d"]
    best = {}
    for _ in range(3):
        for name, cmd in (("bare", bare), ("bulkhead", bulkhead)):
            r = run(cmd, env)
            best[name] = tuple(min(a, b) for a, b in zip(best.get(name, r), r))
    (bm, bw, br), (hm, hw, hr) = best["bare"], best["bulkhead"]
    print(f"{'Linux (wall, best of 3, side by side)':52} {'bare QEMU':>12} {'Bulkhead':>12} {'ratio':>7}")
    print(f"{'  QEMU start to init marker, ms':52} {bm * 1000:12.0f} {hm * 1000:12.0f} {hm / bm:7.2f}")
    print(f"{'  dd write 24 MiB, ms (throughput ratio)':52} {bw:12d} {hw:12d} {bw / hw:7.2f}")
    print(f"{'  dd read 24 MiB, ms (throughput ratio)':52} {br:12d} {hr:12d} {br / hr:7.2f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
