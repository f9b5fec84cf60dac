#!/usr/bin/env bash
# Link-time checks on the hypervisor ELF that the compiler cannot make:
# only R_AARCH64_RELATIVE (and empty NONE) dynamic relocations, the only
# kinds the entry code applies.
#   usage: check-image.sh bulkhead.elf CROSS_COMPILE
set -euo pipefail
elf=$1
cross=${2:-aarch64-linux-gnu-}

bad=$("${cross}readelf" -rW "$elf" | awk '/R_AARCH64_/ && $3 != "R_AARCH64_RELATIVE" && $3 != "R_AARCH64_NONE" {print $3}' | sort -u)
if [ -n "$bad" ]; then
	echo "check-image: $elf has relocations the entry code cannot apply: $bad" >&2
	exit 1
fi
