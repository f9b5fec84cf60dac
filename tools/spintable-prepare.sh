#!/usr/bin/env bash
# Prepares a QEMU virt boot in which the secondary CPUs wait in a firmware
# spin table, as on a Raspberry Pi 4 booted without TF-A (no emulator in
# reach models the Pi itself): builds the stand-in firmware
# (tests/qemu/firmware/spin-stub.S) and a device tree whose CPUs say
# enable-method = "spin-table" with the stub's release words, next to the
# image, and prints the QEMU arguments that load them. tools/qemu.sh's
# spintable mode calls it.
#   usage: spintable-prepare.sh IMAGE MACHINE SMP MEM
# MACHINE must include secure=on (the stub starts at EL3) and
# gic-version=2 (the stub hands a GICv2 to the non-secure world).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 4 ] || { echo "usage: spintable-prepare.sh IMAGE MACHINE SMP MEM" >&2; exit 2; }
image=$1 machine=$2 smp=$3 mem=$4
cross=${CROSS_COMPILE:-aarch64-linux-gnu-}
case "$machine" in
*secure=on*gic-version=2* | *gic-version=2*secure=on*) ;;
*) echo "spintable-prepare: the machine needs secure=on and gic-version=2: $machine" >&2; exit 2 ;;
esac

# The addresses the stub uses (spin-stub.S).
image_addr=0x40200000 dtb_addr=0x48000000 release_base=0x47fff000 stub_ram=0x47ff0000

out=$(cd "$(dirname "$image")" && pwd)/spintable
mkdir -p "$out"
"${cross}gcc" -nostdlib -static -Wl,-Ttext=0 -Wl,--build-id=none \
	-o "$out/stub.elf" "$here/tests/qemu/firmware/spin-stub.S"
"${cross}objcopy" -O binary "$out/stub.elf" "$out/stub.bin"

# QEMU's own tree for this machine, with every CPU moved to the spin table
# and no /psci (QEMU offers none when secure firmware runs).
qemu-system-aarch64 -M "$machine,dumpdtb=$out/spin.dtb" -cpu cortex-a72 -smp "$smp" \
	-m "$mem" -nographic -nic none </dev/null >"$out/dumpdtb.log" 2>&1 ||
	{ cat "$out/dumpdtb.log" >&2; exit 1; }
for ((i = 0; i < smp; i++)); do
	fdtput -t s "$out/spin.dtb" "/cpus/cpu@$i" enable-method spin-table
	fdtput -t x "$out/spin.dtb" "/cpus/cpu@$i" cpu-release-addr 0 \
		"$(printf '%#x' $((release_base + 8 * i)))"
done
fdtput -d "$out/spin.dtb" /psci 2>/dev/null || true

echo "-bios $out/stub.bin" \
	"-device loader,file=$out/stub.bin,addr=$stub_ram,force-raw=on" \
	"-device loader,file=$image,addr=$image_addr,force-raw=on" \
	"-device loader,file=$out/spin.dtb,addr=$dtb_addr,force-raw=on"
