#!/usr/bin/env bash
# Fetches QEMU 10 from Debian's bookworm-backports suite, for the emulated
# Raspberry Pi 4 (`-M raspi4b`, which bookworm's own QEMU 7.2 lacks), and
# unpacks it into a cache directory (make passes $(O)/qemu10) without
# installing anything: qemu-system-arm, qemu-system-common and
# qemu-system-data, downloaded with `apt-get download` through a private
# apt configuration (the host's sources untouched) and unpacked with
# dpkg-deb -x. They run with the libraries a host with QEMU 7.2 already has.
#
#   qemu/usr/bin/qemu-system-aarch64, qemu/usr/share/qemu (its firmware and
#   data: pass -L), qemu/usr/lib/<triplet>/qemu (its modules: QEMU_MODULE_DIR)
#   versions.txt
#
# Idempotent: a second run fetches nothing. Needs no root.
#
# usage: fetch-qemu10.sh CACHE_DIR
set -euo pipefail

fetch_name=fetch-qemu10
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=tools/debian-fetch.sh
. "$here/debian-fetch.sh"
fetch_cache_dir "$@"

if [ ! -x "$cache/qemu/usr/bin/qemu-system-aarch64" ]; then
	# Its sources are bookworm-backports alone: the candidates are its own.
	apt_arch=$(dpkg --print-architecture)
	private_apt backports \
		"$(mirror_for bookworm http://deb.debian.org/debian/) bookworm-backports main" ||
		die "could not read bookworm-backports' package lists (see above)"
	rm -rf "$cache/qemu.tmp"
	for pkg in qemu-system-arm qemu-system-common qemu-system-data; do
		say "downloading $pkg from bookworm-backports"
		download "$pkg" "${private_opts[@]}" || {
			cat "$work/$pkg.log" >&2
			die "apt-get download $pkg (bookworm-backports) failed (see above)"
		}
		deb=$(ls "$work/${pkg}"_*.deb)
		dpkg-deb -x "$deb" "$cache/qemu.tmp"
		record "$pkg" "$(dpkg-deb -f "$deb" Version)"
		rm -f "$deb"
	done
	rm -rf "$cache/qemu"
	mv "$cache/qemu.tmp" "$cache/qemu"
	"$cache/qemu/usr/bin/qemu-system-aarch64" --version | head -n 1 |
		grep -q 'version 10\.' || die "the unpacked QEMU is not QEMU 10"
fi
rm -rf "$work"
touch "$versions"
say "QEMU $("$cache/qemu/usr/bin/qemu-system-aarch64" --version | head -n 1 | awk '{print $4}') is in $cache/qemu"
