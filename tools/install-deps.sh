#!/usr/bin/env bash
# Installs everything Bulkhead needs to build, boot and test, from Debian's
# own packages only. Idempotent: it probes first and installs only what is
# missing, and says what it installs. make runs it before every build
# (`--quiet` prints nothing when all is present); safe to run by hand.
# `--fuzz` probes and installs only what `make fuzz` needs (clang and
# libFuzzer, tests/fuzz/fuzz.mk): nothing else ever needs clang.
set -euo pipefail

quiet=0
fuzz=0
for arg in "$@"; do
	case "$arg" in
	--quiet) quiet=1 ;;
	--fuzz) fuzz=1 ;;
	*)
		echo "usage: $0 [--quiet] [--fuzz]" >&2
		exit 2
		;;
	esac
done

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

host_triplet=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)

# probe:package — a probe is a command name or an absolute path (which may
# hold a * wildcard).
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

# The fuzzers: clang's -fsanitize=fuzzer,address,undefined needs the
# compiler-rt runtimes too, which clang-14 only recommends (and we install
# without recommends). The runtimes' directory carries clang's full version.
host_arch=$(uname -m)
fuzz_pkgs=(
	"clang-14:clang-14"
	"/usr/lib/llvm-14/lib/libFuzzer.a:libfuzzer-14-dev"
	"/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.asan-$host_arch.a:libclang-rt-14-dev"
)
if [ $fuzz -eq 1 ]; then
	host_pkgs=("${fuzz_pkgs[@]}")
	arm64_pkgs=()
fi

present() {
	case "$1" in
	*\**) compgen -G "$1" >/dev/null ;;
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
	[ $quiet -eq 1 ] || echo "install-deps: all $([ $fuzz -eq 1 ] && echo fuzzing ||
		echo build and test) tools are present"
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
