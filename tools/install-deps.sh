#!/usr/bin/env bash
# Installs everything Bulkhead needs to build, boot and test, from Debian's
# own packages only. Idempotent: it probes first and installs only what is
# missing, and says what it installs. make runs it before every build
# (`--quiet` prints nothing when all is present); safe to run by hand.
set -euo pipefail

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

host_triplet=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)

# probe:package — a probe is a command name or an absolute path.
host_pkgs=(
	"aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu"
	"aarch64-linux-gnu-ld:binutils-aarch64-linux-gnu"
	"qemu-system-aarch64:qemu-system-arm"
	"/usr/lib/u-boot/qemu_arm64/u-boot.bin:u-boot-qemu"
	"mkimage:u-boot-tools"
	"dtc:device-tree-compiler"
	"/usr/src/newlib/newlib-3.3.0.tar.xz:newlib-source"
	"/usr/bin/python3:python3"
	"/usr/lib/python3/dist-packages/kconfiglib.py:python3-kconfiglib"
	"/usr/include/cmocka.h:libcmocka-dev"
	"/usr/lib/$host_triplet/libfdt.so.1:libfdt1"
	"mcopy:mtools"
	"mkfs.vfat:dosfstools"
)
# Target libraries for the hypervisor itself, through multiarch. libfdt-dev is
# not co-installable across architectures, so host unit tests link the host
# libfdt1 runtime library with these (architecture-independent) headers.
arm64_pkgs=(
	"/usr/lib/aarch64-linux-gnu/libfdt.a:libfdt-dev:arm64"
)

present() {
	case "$1" in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing=()
for entry in "${host_pkgs[@]}" "${arm64_pkgs[@]}"; do
	probe=${entry%%:*}
	present "$probe" || missing+=("${entry#*:}")
done

if [ ${#missing[@]} -eq 0 ]; then
	[ $quiet -eq 1 ] || echo "install-deps: all build and test tools are present"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: no apt-get here (not Debian/Ubuntu): install them by hand" >&2
	exit 1
fi

case " ${missing[*]} " in
*:arm64*)
	if [ "$(dpkg --print-architecture)" != arm64 ] &&
		! dpkg --print-foreign-architectures | grep -qx arm64; then
		echo "install-deps: enabling the arm64 architecture (dpkg --add-architecture arm64)"
		as_root dpkg --add-architecture arm64
	fi
	;;
esac

echo "install-deps: installing ${missing[*]}"
as_root apt-get update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

for entry in "${host_pkgs[@]}" "${arm64_pkgs[@]}"; do
	probe=${entry%%:*}
	if ! present "$probe"; then
		echo "install-deps: ${entry#*:} installed but $probe is still missing" >&2
		exit 1
	fi
done
echo "install-deps: done"
