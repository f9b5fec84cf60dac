#!/usr/bin/env bash
# Builds newlib (the C library of Bulkhead's domains) for bare-metal aarch64
# from Debian's newlib-source tarball, once. The result is cached in the
# directory given: a second run with the stamp present does nothing.
#   usage: build-newlib.sh OUTDIR [CROSS_COMPILE]
set -euo pipefail

out=$1
cross=${2:-aarch64-linux-gnu-}
tarball=/usr/src/newlib/newlib-3.3.0.tar.xz
stamp=$out/.built

[ -f "$stamp" ] && exit 0
[ -f "$tarball" ] || { echo "build-newlib: $tarball missing (package newlib-source)" >&2; exit 1; }

rm -rf "$out/src" "$out/obj" "$out/install"
mkdir -p "$out/src" "$out/obj" "$out/install"
out=$(cd "$out" && pwd)
tar -C "$out/src" -xf "$tarball"
src=$(find "$out/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)

log=$out/build.log
(
	cd "$out/obj"
	"$src/configure" --target=aarch64-none-elf --prefix="$out/install" \
		CC_FOR_TARGET="${cross}gcc" AR_FOR_TARGET="${cross}ar" \
		AS_FOR_TARGET="${cross}as" LD_FOR_TARGET="${cross}ld" \
		NM_FOR_TARGET="${cross}nm" RANLIB_FOR_TARGET="${cross}ranlib" \
		CFLAGS_FOR_TARGET="-O2 -g -ffunction-sections -fdata-sections" \
		--disable-newlib-supplied-syscalls --disable-multilib \
		--enable-newlib-reent-small --disable-nls
	make -j"$(nproc)" all-target-newlib
	make install-target-newlib
) >"$log" 2>&1 || {
	echo "build-newlib: failed; last lines of $log:" >&2
	tail -n 30 "$log" >&2
	exit 1
}

lib=$out/install/aarch64-none-elf/lib/libc.a
[ -f "$lib" ] || { echo "build-newlib: $lib was not produced" >&2; exit 1; }
rm -rf "$out/src" "$out/obj"
touch "$stamp"
