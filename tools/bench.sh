#!/usr/bin/env bash
# Instruction counts of hypervisor operations, measured under QEMU with
# -icount shift=0: one instruction per virtual nanosecond, so with the
# counter at 62.5 MHz one counter tick is 16 instructions. Figures repeat
# exactly from run to run. Not a timed test.
#   usage: bench.sh bulkhead.bin
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
image=$1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# One CPU, so no idle secondary adds its instructions to the count.
SMP=1 timeout 30 "$here/tools/qemu.sh" direct "$image" -icount shift=0,sleep=off >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	grep -q "Bulkhead ready" "$log" && break
	sleep 0.1
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true

line=$(grep -o "boot: counter at C entry [0-9]*, at banner [0-9]*" "$log" || true)
if [ -z "$line" ]; then
	echo "bench: no boot timing line (CONFIG_BOOT_TIMING off, or the boot failed):" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
entry=$(echo "$line" | awk '{print $6}' | tr -d ,)
banner=$(echo "$line" | awk '{print $9}')
freq=$(grep -o "counter [0-9]* Hz" "$log" | awk '{print $2}')
per_tick=$((1000000000 / freq))

printf '%-44s %12s\n' "operation (QEMU virt, 1 CPU, -icount shift=0)" "instructions"
printf '%-44s %12d\n' "reset to hypervisor C entry" $((entry * per_tick))
printf '%-44s %12d\n' "C entry to boot banner (DT parsed, MMU on)" $(((banner - entry) * per_tick))
printf '%-44s %12d\n' "reset to boot banner" $((banner * per_tick))
printf '%-44s %12s\n' "null hypercall round trip" "n/a (issue 3)"
printf '%-44s %12s\n' "virtual interrupt injection" "n/a (issue 3)"
printf '%-44s %12s\n' "event delivery" "n/a (issue 4)"
