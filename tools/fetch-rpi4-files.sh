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
# architecture must be enabled, as tools/install-deps.sh does). raspi-firmware
# lives in the non-free-firmware component, which many hosts do not list: it
# is fetched through a private, temporary apt configuration (its own sources
# list and package lists), so the host's apt setup is never changed.
# RPI_FIRMWARE_DIR=dir takes start4.elf and fixup4.dat from dir instead.
#
# Idempotent: files already in the cache are kept; a kernel or firmware that
# is already there is not downloaded again. Needs no root.
#
# usage: fetch-rpi4-files.sh CACHE_DIR
set -euo pipefail

die() {
	echo "fetch-rpi4-files: $*" >&2
	exit 1
}
say() { echo "fetch-rpi4-files: $*"; }

[ $# -eq 1 ] || die "usage: fetch-rpi4-files.sh CACHE_DIR"
cache=$1
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
work="$cache/.work"
versions="$cache/versions.txt"

for tool in apt-get apt-cache dpkg-deb; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "needs $tool (Debian's apt and dpkg): the Raspberry Pi files come from Debian packages"
done

# apt drops to the unprivileged _apt user to download when run as root; that
# user cannot write into a build directory, so downloads run as ourselves.
apt_opts=(-q -o APT::Sandbox::User="$(id -un)")

record() { # package version -> versions.txt (one line per package)
	touch "$versions"
	grep -v "^$1 " "$versions" >"$versions.tmp" || true
	echo "$1 $2" >>"$versions.tmp"
	sort "$versions.tmp" >"$versions"
	rm -f "$versions.tmp"
}

# Downloads package $1 into $work with the given extra apt options and
# unpacks it into $work/<name>; prints nothing on success.
fetch_deb() {
	local pkg=$1
	shift
	local name=${pkg%%:*}
	rm -rf "${work:?}/$name" "$work/${name}"_*.deb
	mkdir -p "$work"
	if ! (cd "$work" && apt-get "${apt_opts[@]}" "$@" download "$pkg" >"$work/$name.log" 2>&1); then
		cat "$work/$name.log" >&2
		case "$pkg" in
		*:arm64)
			die "apt-get download $pkg failed. The arm64 architecture must be enabled and the
package lists current: dpkg --add-architecture arm64 && apt-get update (as root)" ;;
		*) die "apt-get download $pkg failed (see above)" ;;
		esac
	fi
	dpkg-deb -x "$work/${name}"_*.deb "$work/$name"
	record "$name" "$(dpkg-deb -f "$work/${name}"_*.deb Version)"
}

# Copies $2 (a file in an unpacked package) to $cache/$1, or fails naming it.
take() {
	[ -f "$2" ] || die "expected $2 in the package, it is not there"
	cp "$2" "$cache/$1.tmp"
	mv "$cache/$1.tmp" "$cache/$1"
}

# --- u-boot and TF-A, through the host's apt ---------------------------------------

if [ ! -f "$cache/u-boot.bin" ]; then
	say "downloading u-boot-rpi:arm64 (u-boot for the Pi 4)"
	fetch_deb u-boot-rpi:arm64
	take u-boot.bin "$work/u-boot-rpi/usr/lib/u-boot/rpi_4/u-boot.bin"
fi

if [ ! -f "$cache/bl31.bin" ]; then
	say "downloading arm-trusted-firmware:arm64 (TF-A bl31 for the Pi 4: PSCI)"
	fetch_deb arm-trusted-firmware:arm64
	take bl31.bin "$work/arm-trusted-firmware/usr/lib/arm-trusted-firmware/rpi4/bl31.bin"
fi

# --- The board's device tree, from the kernel apt offers -------------------------------
# linux-image-arm64 is the meta package; the kernel it depends on (e.g.
# linux-image-6.1.0-56-arm64) holds the device trees. Only the Pi 4's is
# kept; the 60 MB package is deleted afterwards.

if [ ! -f "$cache/bcm2711-rpi-4-b.dtb" ]; then
	kernel=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ :]*-arm64\).*/\1/p' | head -n 1)
	[ -n "$kernel" ] || die "apt offers no linux-image-arm64:arm64. Enable the arm64
architecture and update the lists: dpkg --add-architecture arm64 && apt-get update (as root)"
	say "downloading $kernel:arm64 (about 60 MB) for bcm2711-rpi-4-b.dtb"
	mkdir -p "$work"
	rm -f "$work/${kernel}"_*.deb
	(cd "$work" && apt-get "${apt_opts[@]}" download "$kernel:arm64" >"$work/kernel.log" 2>&1) || {
		cat "$work/kernel.log" >&2
		die "apt-get download $kernel:arm64 failed; the package lists may be stale: apt-get update (as root)"
	}
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
	# The mirror the host already uses for bookworm (deb.debian.org if none).
	mirror=$(apt-get indextargets --format '$(CODENAME) $(REPO_URI)' 2>/dev/null |
		awk '$1 == "bookworm" { print $2; exit }')
	mirror=${mirror:-http://deb.debian.org/debian/}
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	signed=""
	[ -f "$keyring" ] && signed="[signed-by=$keyring] "
	apt_tmp="$work/apt"
	rm -rf "$apt_tmp"
	mkdir -p "$apt_tmp/lists/partial" "$apt_tmp/cache/archives/partial"
	echo "deb ${signed}${mirror} bookworm non-free-firmware" >"$apt_tmp/sources.list"
	private=(-o Dir::Etc::SourceList="$apt_tmp/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$apt_tmp/lists"
		-o Dir::Cache="$apt_tmp/cache"
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
	say "downloading raspi-firmware (start4.elf, fixup4.dat) from ${mirror} bookworm non-free-firmware"
	apt-get "${apt_opts[@]}" "${private[@]}" update >"$work/apt-update.log" 2>&1 || {
		cat "$work/apt-update.log" >&2
		die "could not read bookworm non-free-firmware from $mirror. Download raspi-firmware
yourself, or copy start4.elf and fixup4.dat from a Raspberry Pi boot partition,
and name their directory with RPI_FIRMWARE_DIR=dir"
	}
	# Architecture "all": no :arm64 suffix.
	fetch_deb raspi-firmware "${private[@]}"
	fw=$(find "$work/raspi-firmware" -name start4.elf | head -n 1)
	[ -n "$fw" ] || die "raspi-firmware has no start4.elf"
	take start4.elf "$fw"
	take fixup4.dat "$(dirname "$fw")/fixup4.dat"
	rm -rf "$apt_tmp"
fi

# Unpacked packages are not needed once their files are taken.
rm -rf "$work"
say "files for the Raspberry Pi 4 are in $cache"
