#!/usr/bin/env bash
# Fetches what a Linux guest needs from Debian's own arm64 packages and
# builds its initramfs, into a cache directory (make passes
# $(O)/linux-files):
#
#   Image           linux-image-<abi>-cloud-arm64   /boot/vmlinuz-<abi>, uncompressed
#   initramfs.cpio.gz  busybox (busybox-static:arm64), tools/linux-init.sh as
#                   /init, and the virtio modules of the same kernel
#   versions.txt    which package versions these came from
#
# The kernel is resolved through the linux-image-cloud-arm64 metapackage:
# bookworm's ABI number moves with security updates. The cloud flavour is
# made for virtual machines (virtio, no board drivers): 27 MB against the
# generic flavour's 33 MB, and a faster boot; a Raspberry Pi guest would want
# the generic one (docs/linux-guest.md). In these kernels virtio_ring, virtio,
# virtio_mmio and virtio_blk are modules: the initramfs loads them, in that
# order.
#
# Idempotent: a second run with everything in the cache fetches nothing; the
# initramfs is rebuilt when tools/linux-init.sh or tools/mkinitramfs.py is
# newer. Needs no root.
#
# usage: fetch-linux.sh CACHE_DIR
set -euo pipefail

fetch_name=fetch-linux
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=tools/debian-fetch.sh
. "$here/debian-fetch.sh"
fetch_cache_dir "$@"

# The virtio modules, in the order they load (each needs the ones before).
modules="drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko \
drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko"

if [ ! -f "$cache/Image" ] || [ ! -d "$cache/modules" ]; then
	kernel=$(kernel_of linux-image-cloud-arm64)
	opts=()
	if [ -z "$kernel" ]; then
		say "the host's apt offers no linux-image-cloud-arm64:arm64; using bookworm's lists instead"
		private_main
		opts=("${private_opts[@]}")
		kernel=$(kernel_of linux-image-cloud-arm64 "${opts[@]}")
		[ -n "$kernel" ] || die "bookworm offers no linux-image-cloud-arm64:arm64"
	fi
	say "downloading $kernel:arm64 (about 30 MB)"
	download "$kernel:arm64" "${opts[@]}" || {
		say "the host's apt could not download it; using bookworm's lists instead"
		private_main
		kernel=$(kernel_of linux-image-cloud-arm64 "${private_opts[@]}")
		download "$kernel:arm64" "${private_opts[@]}" || {
			cat "$work/$kernel.log" >&2
			die "apt-get download $kernel:arm64 failed (see above)"
		}
	}
	unpack "$kernel"
	abi=${kernel#linux-image-}
	vmlinuz="$work/$kernel/boot/vmlinuz-$abi"
	[ -f "$vmlinuz" ] || die "$kernel has no /boot/vmlinuz-$abi"
	# Debian's arm64 vmlinuz is the Image, gzip-compressed.
	if gzip -t "$vmlinuz" 2>/dev/null; then
		gzip -dc "$vmlinuz" >"$cache/Image.tmp"
	else
		cp "$vmlinuz" "$cache/Image.tmp"
	fi
	# The arm64 Image header's magic, "ARM\x64", at offset 0x38.
	[ "$(dd if="$cache/Image.tmp" bs=1 skip=56 count=4 2>/dev/null)" = "$(printf 'ARM\x64')" ] ||
		die "$vmlinuz is not an arm64 Image"
	mv "$cache/Image.tmp" "$cache/Image"
	rm -rf "$cache/modules"
	mkdir -p "$cache/modules"
	for m in $modules; do
		ko="$work/$kernel/lib/modules/$abi/kernel/$m"
		[ -f "$ko" ] || die "$kernel has no $m"
		cp "$ko" "$cache/modules/"
	done
	echo "$abi" >"$cache/modules/abi"
	rm -rf "$work/$kernel" "$work/${kernel}"_*.deb
fi

if [ ! -f "$cache/busybox" ]; then
	say "downloading busybox-static:arm64"
	fetch_arm64 busybox-static:arm64
	take busybox "$work/busybox-static/bin/busybox"
fi

init="$here/linux-init.sh"
if [ ! -f "$cache/initramfs.cpio.gz" ] || [ "$init" -nt "$cache/initramfs.cpio.gz" ] ||
	[ "$here/mkinitramfs.py" -nt "$cache/initramfs.cpio.gz" ]; then
	args=()
	for m in $modules; do args+=("lib/modules/$(basename "$m")=$cache/modules/$(basename "$m")"); done
	python3 "$here/mkinitramfs.py" "$cache/initramfs.cpio.gz.tmp" \
		"init=$init" "bin/busybox=$cache/busybox" "${args[@]}"
	mv "$cache/initramfs.cpio.gz.tmp" "$cache/initramfs.cpio.gz"
fi

rm -rf "$work"
touch "$versions" # make's mark that the cache is current
say "Linux $(cat "$cache/modules/abi") and its initramfs are in $cache"
