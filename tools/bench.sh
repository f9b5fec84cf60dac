#!/usr/bin/env bash
# Instruction counts of hypervisor operations (`make bench`), measured under
# QEMU with -icount shift=0,sleep=off: one instruction per virtual
# nanosecond, so with the counter at 62.5 MHz one tick is 16 instructions,
# and the figures repeat exactly from run to run. The bench domain
# (domains/bench) runs alone on CPU 1 and times each operation over many
# rounds against an empty loop; then two of it share CPU 1 and yield to
# each other, for the cost of a vCPU switch. Last, blkcheck (domains/
# blkcheck) drives a data disk passed through to it: 16 MiB written and read
# (the best of three runs; see there why). Not a timed test.
#   usage: bench.sh bulkhead.bin
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
image=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plan_addr=0x50000000

# run_plan PLAN.dts LOG [CPUS [DONE-PATTERN [COUNT [DISK]]]]: boot with that
# plan (and DISK as the data disk) until the pattern (default "bench: done")
# has appeared COUNT times.
run_plan() {
	local done=${4:-bench: done} count=${5:-1}
	dtc -q -I dts -O dtb -o "$tmp/plan.dtb" "$1"
	DISK=${6:-} SMP=${3:-2} APPEND="bulkhead.plan=$plan_addr" timeout 120 \
		"$here/tools/qemu.sh" direct "$image" \
		-icount shift=0,sleep=off \
		-device "loader,file=$tmp/plan.dtb,addr=$plan_addr,force-raw=on" >"$2" 2>&1 &
	local pid=$!
	local n
	for _ in $(seq 1 1200); do
		# (the log may not exist yet: the background shell opens it)
		n=$(grep -c "$done" "$2" 2>/dev/null) || true
		[ "${n:-0}" -ge "$count" ] && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [ "$(grep -c "$done" "$2")" -lt "$count" ]; then
		echo "bench: the bench domain did not finish with $1; console:" >&2
		tail -n 30 "$2" >&2
		exit 1
	fi
}

run_plan "$here/tools/bench/plan.dts" "$tmp/log"
run_plan "$here/tools/bench/switch.dts" "$tmp/switch.log"
run_plan "$here/tools/bench/channel.dts" "$tmp/chan.log" 3
# The stress test's plan: a million requests each way, each answered.
run_plan "$here/tests/qemu/chan-stress/plan.dts" "$tmp/stress.log" 3 "stress passed" 2
# Disk throughput, the guest driving QEMU's virtio-blk passed through to it
# (blkcheck bench): 16 MiB each way. The device works in host time: while
# the guest sleeps waiting for it, -icount's clock jumps to the next timer
# deadline (sleep=off), by as much as the host's disk happened to need, so
# the elapsed figure varies from run to run; the awake one (elapsed less
# the sleeps) counts the instructions of guest and hypervisor, and varies
# only with how completions happened to batch. Best of three fresh runs.
blk_total_w=0 blk_total_r=0 blk_awake_w=0 blk_awake_r=0
blk_min() { if [ "$1" = 0 ] || [ "$2" -lt "$1" ]; then echo "$2"; else echo "$1"; fi; }
for _ in 1 2 3; do
	rm -f "$tmp/disk.img"
	truncate -s 64M "$tmp/disk.img"
	run_plan "$here/tools/bench/blk.dts" "$tmp/blk.log" 2 "blkcheck: done" 1 "$tmp/disk.img"
	read -r w wa < <(grep -o "blkcheck: bench write16m [0-9]* (awake [0-9]*" "$tmp/blk.log" |
		awk '{print $4, $6}')
	read -r r ra < <(grep -o "blkcheck: bench read16m [0-9]* (awake [0-9]*" "$tmp/blk.log" |
		awk '{print $4, $6}')
	blk_total_w=$(blk_min "$blk_total_w" "$w")
	blk_total_r=$(blk_min "$blk_total_r" "$r")
	blk_awake_w=$(blk_min "$blk_awake_w" "$wa")
	blk_awake_r=$(blk_min "$blk_awake_r" "$ra")
done

value() { grep -o "$1 [0-9]*" "$tmp/log" | head -n 1 | awk '{print $NF}'; }
freq=$(grep -o "counter [0-9]* Hz" "$tmp/log" | awk '{print $2}')
per_tick=$((1000000000 / freq))
boot_line=$(grep -o "boot: counter at C entry [0-9]*, at banner [0-9]*" "$tmp/log")
entry=$(echo "$boot_line" | awk '{print $6}' | tr -d ,)
banner=$(echo "$boot_line" | awk '{print $9}')
rounds=$(value "bench: rounds")
empty=$(value "bench: empty-loop")
per_op() { echo $(((($(value "bench: $1") - empty) * per_tick + rounds / 2) / rounds)); }

printf '%-52s %12s\n' "operation (QEMU virt, -icount shift=0)" "instructions"
printf '%-52s %12d\n' "reset to hypervisor C entry" $((entry * per_tick))
printf '%-52s %12d\n' "C entry to boot banner" $(((banner - entry) * per_tick))
printf '%-52s %12d\n' "reset to first guest instruction" $(($(value "bench: first-instruction") * per_tick))
start_ticks=$(grep -o '"bench": 16 MiB wiped and loaded in [0-9]* counter ticks' "$tmp/log" |
	head -n 1 | awk '{print $8}')
printf '%-52s %12d\n' "partition start: 16 MiB wiped (DC ZVA), image loaded" \
	$((start_ticks * per_tick))
printf '%-52s %12d\n' "null hypercall round trip (HVC)" "$(per_op null-hypercall)"
printf '%-52s %12d\n' "PSCI_VERSION round trip (HVC)" "$(per_op psci-version-hvc)"
printf '%-52s %12d\n' "PSCI_VERSION round trip (SMC, trapped)" "$(per_op psci-version-smc)"
timer_rounds=$(value "bench: timer-rounds")
printf '%-52s %12d\n' "virtual timer interrupt: deadline to guest handler" \
	$((($(value "bench: vtimer-delivery") * per_tick + timer_rounds / 2) / timer_rounds))
pair=$(grep -o "bench: switch-pair [0-9]*" "$tmp/switch.log" | awk '{print $3}')
printf '%-52s %12d\n' "vCPU switch on a shared core (yield to another vCPU)" \
	$(((pair * per_tick + rounds) / (2 * rounds)))
cvalue() { grep -o "$1 [0-9]*" "$tmp/chan.log" | head -n 1 | awk '{print $NF}'; }
cempty=$(cvalue "bench: empty-loop")
crounds=$(cvalue "bench: chan-rounds")
pipe=$(cvalue "bench: pipe-messages")
printf '%-52s %12d\n' "event send hypercall (no interrupt raised)" \
	$((($(cvalue "bench: event-send") - cempty) * per_tick / rounds))
printf '%-52s %12d\n' "event send to handler entry on another core" \
	$(($(cvalue "bench: event-to-handler") * per_tick / crounds))
printf '%-52s %12d\n' "ring round trip, one at a time (events both ways)" \
	$(($(cvalue "bench: ring-round-trip") * per_tick / crounds))
sup=$(($(cvalue "bench: pipe-suppressed") * per_tick / pipe))
alw=$(($(cvalue "bench: pipe-always") * per_tick / pipe))
printf '%-52s %12d\n' "ring round trip, 32 in flight, suppression on" "$sup"
printf '%-52s %12d\n' "ring round trip, 32 in flight, event every message" "$alw"
printf '%-52s %12d\n' "  = requests+responses per million instructions" $((2000000 / sup))
# Both sides' counters span (nearly) the same run: take the longer one.
stress_ticks=$(grep -o "errors, [0-9]* counter ticks" "$tmp/stress.log" | awk '{print $2}' | sort -n | tail -n 1)
printf '%-52s %12d\n' "stress run: messages per million instructions" \
	$((4000000 * 1000000 / (stress_ticks * per_tick)))
printf '\n%-56s %12s %12s\n' "blk 16 MiB write/read, guest driving the device directly" \
	"virtual us" "instructions"
printf '%-56s %12s %12s\n' "  (64 KiB requests, 16 in flight; best of 3 runs)" "elapsed" "awake"
printf '%-56s %12d %12d\n' "  16 MiB written" \
	$((blk_total_w * 1000000 / freq)) $((blk_awake_w * per_tick))
printf '%-56s %12d %12d\n' "  16 MiB read" \
	$((blk_total_r * 1000000 / freq)) $((blk_awake_r * per_tick))
