#!/usr/bin/env python3
"""Writes a gzip-compressed initramfs (cpio "newc", what the kernel reads)
from files on the host: no cpio tool, no root, the same bytes every time
(fixed owners, modes and times).

usage: mkinitramfs.py OUT.cpio.gz PATH=HOSTFILE...

Each PATH (in the initramfs, without a leading /) gets HOSTFILE's contents;
`init` and everything under bin/ are executable. The directories on the
way are made, and /dev/console, which the kernel opens for init's stdio
before any devtmpfs is mounted.
"""
import gzip
import sys


def entry(out, ino, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    out.append(b"070701" + b"".join(b"%08X" % f for f in fields) + name_b)
    out.append(b"\0" * (-(110 + len(name_b)) % 4))
    out.append(data)
    out.append(b"\0" * (-len(data) % 4))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    files = dict(a.split("=", 1) for a in argv[1:])
    dirs = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
                  | {"dev", "proc", "sys", "mnt"})
    out, ino = [], 1
    for d in dirs:
        entry(out, ino, d, 0o040755)
        ino += 1
    entry(out, ino, "dev/console", 0o020600, rdev=(5, 1))
    ino += 1
    for path in sorted(files):
        with open(files[path], "rb") as f:
            data = f.read()
        exe = path == "init" or path.startswith("bin/")
        entry(out, ino, path, 0o100755 if exe else 0o100644, data)
        ino += 1
    entry(out, 0, "TRAILER!!!", 0)
    with open(argv[0], "wb") as f:
        f.write(gzip.compress(b"".join(out), mtime=0))


if __name__ == "__main__":
    main(sys.argv[1:])
