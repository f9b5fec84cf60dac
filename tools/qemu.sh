#!/usr/bin/env bash
# Starts the QEMU board with Bulkhead, as `make run` and the tests do.
#   qemu.sh uboot DISK.img [extra QEMU args...]  u-boot (-bios) boots the disk
#   qemu.sh direct bulkhead.bin [extra...]        QEMU -kernel, no u-boot
#   qemu.sh spintable bulkhead.bin [extra...]     CPUs in a firmware spin table
#                                                 (MACHINE needs secure=on, GIC=2)
# Environment: GIC=2|3 (default 3), SMP, MEM, BOARD (default qemu-virt),
# APPEND (command line for the direct path), MACHINE (replaces QEMU_MACHINE).
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

case "$mode" in
uboot)
	args+=(-bios "$UBOOT_BIN"
		-drive "if=none,file=$file,format=raw,id=boot,snapshot=on"
		-device virtio-blk-device,drive=boot)
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
