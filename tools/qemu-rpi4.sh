#!/usr/bin/env bash
# Boots a Raspberry Pi 4 SD card image under QEMU 10's raspi4b, as `make
# run` on the rpi4 configuration and the tests do (docs/boards/rpi4.md):
# Debian's u-boot for the Pi as the kernel QEMU starts, the board's device
# tree with the card's overlays applied (QEMU runs no GPU firmware, so
# config.txt is not read: the build applies them, as the firmware would),
# and the card, copied and padded to a power of two as QEMU's SD model
# wants (the image itself is not changed).
#   qemu-rpi4.sh SDIMAGE BOARD_DTB QEMU10_DIR RPI4_FILES [extra QEMU args...]
# QEMU10_DIR is what tools/fetch-qemu10.sh made; RPI4_FILES what
# tools/fetch-rpi4-files.sh made (u-boot.bin).
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: qemu-rpi4.sh SDIMAGE BOARD_DTB QEMU10_DIR RPI4_FILES [qemu args...]" >&2; exit 2; }
image=$1 dtb=$2 qemu=$3/qemu files=$4
shift 4
for f in "$image" "$dtb" "$qemu/usr/bin/qemu-system-aarch64" "$files/u-boot.bin"; do
	[ -e "$f" ] || { echo "qemu-rpi4: $f is missing" >&2; exit 1; }
done
tmp=$(mktemp -d)
# QEMU runs as a child (the padded copy is removed when it ends): a
# signal to this script ends it too.
qemu_pid=
trap 'rm -rf "$tmp"' EXIT
trap '[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null; exit 143' TERM INT HUP
cp "$image" "$tmp/sd.img"
size=$(stat -c %s "$tmp/sd.img")
p=1
while [ "$p" -lt "$size" ]; do p=$((p * 2)); done
truncate -s "$p" "$tmp/sd.img"
# Its own modules, not the system QEMU's (7.2), which it would try.
export QEMU_MODULE_DIR
QEMU_MODULE_DIR=$(ls -d "$qemu"/usr/lib/*/qemu | head -n 1)
"$qemu/usr/bin/qemu-system-aarch64" -L "$qemu/usr/share/qemu" -M raspi4b \
	-kernel "$files/u-boot.bin" -dtb "$dtb" \
	-drive "file=$tmp/sd.img,if=sd,format=raw" -nographic -echr 0x1d "$@" <&0 &
qemu_pid=$!  # (a job started with & would read /dev/null without the <&0)
wait "$qemu_pid"
