#!/usr/bin/env bash
# Starts the QEMU board with Bulkhead, as `make run` and the tests do.
#   qemu.sh uboot DISK.img [extra QEMU args...]  u-boot (-bios) boots the disk
#   qemu.sh direct bulkhead.bin [extra...]        QEMU -kernel, no u-boot
#   qemu.sh spintable bulkhead.bin [extra...]     CPUs in a firmware spin table
#                                                 (MACHINE needs secure=on, GIC=2)
# Environment: GIC=2|3 (default 3), SMP, MEM, BOARD (default qemu-virt),
# APPEND (command line for the direct path), MACHINE (replaces QEMU_MACHINE),
# DISK (a raw image file: attached as a data disk, read-write, or read-only
# with DISK_RO=1).
#
# The data disk is a virtio-blk device on the board's virtio-mmio transport
# $DATA_DISK_BUS (QEMU virt: bus N is at 0x0a000000 + N * 0x200, interrupt
# SPI 16 + N; bus 8 is /virtio_mmio@a001000, INTID 56, alone in its 4 KiB
# page, and below INTID 64, the last the virtual GIC gives a partition).
# With a disk, every transport is the modern virtio-mmio (Version 2; QEMU's
# default is legacy), which is what drivers/virtio drives.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
board=${BOARD:-qemu-virt}
# shellcheck source=/dev/null
. "$here/boards/$board/qemu.conf"

mode=$1
file=$2
shift 2
machine="${MACHINE:-$QEMU_MACHINE},gic-version=${GIC:-3}"
args=(-M "$machine" -cpu "$QEMU_CPU" -smp "${SMP:-$QEMU_SMP}" -m "${MEM:-$QEMU_MEM}")
# shellcheck disable=SC2206
args+=($QEMU_EXTRA)

boot_bus=
if [ -n "${DISK:-}" ]; then
	: "${DATA_DISK_BUS:?board $board names no DATA_DISK_BUS in its qemu.conf}"
	ro=off
	[ "${DISK_RO:-0}" = 1 ] && ro=on
	args+=(-global virtio-mmio.force-legacy=false
		-drive "if=none,file=$DISK,format=raw,id=data,readonly=$ro"
		-device "virtio-blk-device,drive=data,bus=virtio-mmio-bus.$DATA_DISK_BUS")
	# u-boot boots from "virtio 0", the device of the lowest address:
	# the boot disk goes below the data disk (bus 0, /virtio_mmio@a000000).
	# Without a data disk it stays where QEMU puts the first device, the
	# highest transport (bus 31, /virtio_mmio@a003e00).
	boot_bus=",bus=virtio-mmio-bus.0"
fi

case "$mode" in
uboot)
	args+=(-bios "$UBOOT_BIN"
		-drive "if=none,file=$file,format=raw,id=boot,snapshot=on"
		-device "virtio-blk-device,drive=boot$boot_bus")
	;;
spintable)
	# Secondary CPUs in a firmware spin table, as on a Raspberry Pi without
	# TF-A: a stand-in firmware and device tree (tools/spintable-prepare.sh).
	# shellcheck disable=SC2207
	args+=($("$here/tools/spintable-prepare.sh" "$file" "$machine" "${SMP:-$QEMU_SMP}" \
		"${MEM:-$QEMU_MEM}"))
	;;
direct)
	args+=(-kernel "$file")
	[ -n "${APPEND:-}" ] && args+=(-append "$APPEND")
	;;
*)
	echo "usage: qemu.sh uboot|direct|spintable FILE [qemu args...]" >&2
	exit 2
	;;
esac
exec "$QEMU_SYSTEM" "${args[@]}" "$@"
