#!/usr/bin/env bash
# Fetches the third-party files a Raspberry Pi 4 SD card needs, from Debian's
# own packages, into a cache directory (make passes $(O)/rpi4-files):
#
#   u-boot.bin             u-boot-rpi:arm64            /usr/lib/u-boot/rpi_4/
#   bl31.bin               arm-trusted-firmware:arm64  /usr/lib/arm-trusted-firmware/rpi4/
#   bcm2711-rpi-4-b.dtb    linux-image-<abi>-arm64     /usr/lib/linux-image-<abi>/broadcom/
#   start4.elf fixup4.dat  raspi-firmware              (bookworm non-free-firmware)
#   versions.txt           which package versions these came from
#
# The first three come through the host's apt configuration (the arm64
# architecture enabled, as tools/install-deps.sh does). Where that fails (the
# architecture not enabled, or package lists so old that the mirror no longer
# has the version they name), they come through a private, temporary apt
# configuration instead: its own sources list (bookworm main and security,
# arm64) and its own package lists, in the cache directory. raspi-firmware
# lives in the non-free-firmware component, which many hosts do not list: it
# always comes through such a private configuration. The host's apt setup
# and lists are never changed.
# RPI_FIRMWARE_DIR=dir takes start4.elf and fixup4.dat from dir instead.
#
# Idempotent: files already in the cache are kept; a kernel or firmware that
# is already there is not downloaded again. Needs no root.
#
# usage: fetch-rpi4-files.sh CACHE_DIR
set -euo pipefail

fetch_name=fetch-rpi4-files

# shellcheck source=tools/debian-fetch.sh
. "$(dirname "$0")/debian-fetch.sh"
fetch_cache_dir "$@"

# --- u-boot and TF-A, through the host's apt ---------------------------------------

if [ ! -f "$cache/u-boot.bin" ]; then
	say "downloading u-boot-rpi:arm64 (u-boot for the Pi 4)"
	fetch_arm64 u-boot-rpi:arm64
	take u-boot.bin "$work/u-boot-rpi/usr/lib/u-boot/rpi_4/u-boot.bin"
fi

if [ ! -f "$cache/bl31.bin" ]; then
	say "downloading arm-trusted-firmware:arm64 (TF-A bl31 for the Pi 4: PSCI)"
	fetch_arm64 arm-trusted-firmware:arm64
	take bl31.bin "$work/arm-trusted-firmware/usr/lib/arm-trusted-firmware/rpi4/bl31.bin"
fi

# --- The board's device tree, from the kernel apt offers -------------------------------
# linux-image-arm64 is the meta package; the kernel it depends on (e.g.
# linux-image-6.1.0-56-arm64) holds the device trees. Only the Pi 4's is
# kept; the 60 MB package is deleted afterwards.

if [ ! -f "$cache/bcm2711-rpi-4-b.dtb" ]; then
	kernel=$(kernel_of linux-image-arm64)
	if [ -z "$kernel" ] || ! { say "downloading $kernel:arm64 (about 60 MB) for bcm2711-rpi-4-b.dtb" &&
		download "$kernel:arm64"; }; then
		say "the host's apt offers no current linux-image-arm64:arm64; using bookworm's lists instead"
		private_main
		kernel=$(kernel_of linux-image-arm64 "${private_opts[@]}")
		[ -n "$kernel" ] || die "bookworm offers no linux-image-arm64:arm64"
		say "downloading $kernel:arm64 (about 60 MB) for bcm2711-rpi-4-b.dtb"
		download "$kernel:arm64" "${private_opts[@]}" || {
			cat "$work/$kernel.log" >&2
			die "apt-get download $kernel:arm64 failed (see above)"
		}
	fi
	deb=$(ls "$work/${kernel}"_*.deb)
	rm -rf "$work/kernel"
	mkdir -p "$work/kernel"
	# Extract only the one device tree, wherever the package keeps it.
	dtb=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep '/broadcom/bcm2711-rpi-4-b\.dtb$' | head -n 1)
	[ -n "$dtb" ] || die "$kernel has no broadcom/bcm2711-rpi-4-b.dtb"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/kernel" "$dtb"
	take bcm2711-rpi-4-b.dtb "$work/kernel/$dtb"
	record "$kernel" "$(dpkg-deb -f "$deb" Version)"
	rm -rf "$deb" "$work/kernel"
fi

# --- The Pi's own firmware ---------------------------------------------------------------

if [ -n "${RPI_FIRMWARE_DIR:-}" ]; then
	for f in start4.elf fixup4.dat; do
		[ -f "$RPI_FIRMWARE_DIR/$f" ] || die "RPI_FIRMWARE_DIR=$RPI_FIRMWARE_DIR has no $f"
		cmp -s "$RPI_FIRMWARE_DIR/$f" "$cache/$f" 2>/dev/null || take "$f" "$RPI_FIRMWARE_DIR/$f"
	done
	record raspi-firmware "from $RPI_FIRMWARE_DIR"
elif [ ! -f "$cache/start4.elf" ] || [ ! -f "$cache/fixup4.dat" ]; then
	mirror=$(mirror_for bookworm http://deb.debian.org/debian/)
	say "downloading raspi-firmware (start4.elf, fixup4.dat) from ${mirror} bookworm non-free-firmware"
	private_apt firmware "$mirror bookworm non-free-firmware" ||
		die "could not read bookworm non-free-firmware from $mirror. Download raspi-firmware
yourself, or copy start4.elf and fixup4.dat from a Raspberry Pi boot partition,
and name their directory with RPI_FIRMWARE_DIR=dir"
	# Architecture "all": no :arm64 suffix.
	download raspi-firmware "${private_opts[@]}" || {
		cat "$work/raspi-firmware.log" >&2
		die "apt-get download raspi-firmware failed (see above)"
	}
	unpack raspi-firmware
	fw=$(find "$work/raspi-firmware" -name start4.elf | head -n 1)
	[ -n "$fw" ] || die "raspi-firmware has no start4.elf"
	take start4.elf "$fw"
	take fixup4.dat "$(dirname "$fw")/fixup4.dat"
fi

# Unpacked packages are not needed once their files are taken.
rm -rf "$work"
say "files for the Raspberry Pi 4 are in $cache"
