#!/usr/bin/env bash
# Instruction counts of hypervisor operations (`make bench`), measured under
# QEMU with -icount shift=0,sleep=off: one instruction per virtual
# nanosecond, so with the counter at 62.5 MHz one tick is 16 instructions,
# and the figures repeat exactly from run to run. The bench domain
# (domains/bench) runs alone on CPU 1 and times each operation over many
# rounds against an empty loop; then two of it share CPU 1 and yield to
# each other, for the cost of a vCPU switch. The console's throughput and
# keystroke latency come from conbench (domains/conbench) with the console
# domain. Last, blkcheck (domains/
# blkcheck) drives a data disk, passed through to it or as a slice served by
# the block driver domain (see there how). Not a timed test.
#   usage: bench.sh bulkhead.bin
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
image=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plan_addr=0x50000000

# run_plan PLAN.dts LOG [CPUS [DONE-PATTERN [COUNT [DISK [OPTIONS]]]]]: boot
# with that plan (and DISK as the data disk, OPTIONS on the command line)
# until the pattern (default "bench: done") has appeared COUNT times.
run_plan() {
	local done=${4:-bench: done} count=${5:-1}
	dtc -q -I dts -O dtb -o "$tmp/plan.dtb" "$1"
	DISK=${6:-} SMP=${3:-2} APPEND="bulkhead.plan=$plan_addr ${7:-}" timeout 120 \
		"$here/tools/qemu.sh" direct "$image" \
		${ICOUNT--icount shift=0,sleep=off} \
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
run_plan "$here/tools/bench/traps.dts" "$tmp/traps.log"
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
blk_min() { if [ "$1" = 0 ] || [ "$2" -lt "$1" ]; then echo "$2"; else echo "$1"; fi; }
# blk_field LOG WHAT: blkcheck's "bench WHAT" figure and its awake part.
blk_field() {
	grep -o "blkcheck: bench $2 [0-9]* (awake [0-9]*" "$1" | awk '{print $4, $6}'
}
# blk_run PLAN CPUS LOG: blkcheck's bench on a fresh 64 MiB data disk.
blk_run() {
	rm -f "$tmp/disk.img"
	truncate -s 64M "$tmp/disk.img"
	run_plan "$1" "$3" "$2" "blkcheck: done" 1 "$tmp/disk.img"
}
blk_direct="$here/tools/bench/blk.dts"     # the guest drives the disk itself
blk_link="$here/tools/bench/blk-link.dts"  # its slice, through "blk"
# Instructions (-icount): the guest's awake part of 16 MiB each way, and
# 4 KiB reads one at a time (the device's own time is none of it).
blk_run "$blk_direct" 2 "$tmp/direct.log"
blk_run "$blk_link" 3 "$tmp/link.log"
read -r _ direct_wa < <(blk_field "$tmp/direct.log" write16m)
read -r _ direct_ra < <(blk_field "$tmp/direct.log" read16m)
read -r _ link_wa < <(blk_field "$tmp/link.log" write16m)
read -r _ link_ra < <(blk_field "$tmp/link.log" read16m)
# Throughput is a wall-time ratio (docs/benchmarks.md): without -icount
# the counter follows the host's clock, and a disk's DMA, free in virtual
# time, costs what it costs. Side by side, in turns, best of three each.
# The 4 KiB round trip likewise: under -icount the device's time shows as
# jumps of the clock to the next timer deadline, not as instructions.
# blk_wall PLAN CPUS PREFIX: one run without -icount; PREFIX_w, _r, _l keep
# the best (least) wall ticks so far of 16 MiB written, read, 256 reads.
blk_wall() {
	local w r l var
	ICOUNT="" blk_run "$1" "$2" "$tmp/blk.log"
	read -r w _ < <(blk_field "$tmp/blk.log" write16m)
	read -r r _ < <(blk_field "$tmp/blk.log" read16m)
	read -r l _ < <(blk_field "$tmp/blk.log" read4k)
	for var in w r l; do
		local -n best="$3_$var" now="$var"
		best=$(blk_min "$best" "$now")
		unset -n best now
	done
}
direct_w=0 direct_r=0 direct_l=0 link_w=0 link_r=0 link_l=0
for _ in 1 2 3; do
	blk_wall "$blk_direct" 2 direct
	blk_wall "$blk_link" 3 link
done
# A restart of the block driver domain, from its fault to its first answer.
rm -f "$tmp/disk.img"
truncate -s 64M "$tmp/disk.img"
run_plan "$here/tools/bench/blk-restart.dts" "$tmp/restart.log" 3 "blkcheck: done" 1 \
	"$tmp/disk.img" "bulkhead.inject=blk:30-30:1"
restart_ticks=$(grep -o 'answered again [0-9]* counter ticks' "$tmp/restart.log" |
	head -n 1 | awk '{print $3}')
attach_ticks=$(grep -o 'attached again [0-9]* counter ticks' "$tmp/restart.log" |
	head -n 1 | awk '{print $3}')

# The console (tools/bench/console.dts): conbench prints a burst, then ten
# keys are typed on the serial line, one every 0.1 s of wall time.
dtc -q -I dts -O dtb -o "$tmp/console.dtb" "$here/tools/bench/console.dts"
(sleep 2; for _ in $(seq 1 10); do printf k; sleep 0.1; done; sleep 1) |
	SMP=2 APPEND="bulkhead.plan=$plan_addr" timeout 8 "$here/tools/qemu.sh" direct "$image" \
		${ICOUNT--icount shift=0,sleep=off} \
		-device "loader,file=$tmp/console.dtb,addr=$plan_addr,force-raw=on" \
		>"$tmp/console.log" 2>&1 || true
read -r con_chars con_ticks < <(grep -ao "bench-throughput [0-9]* chars [0-9]* ticks" \
	"$tmp/console.log" | awk '{print $2, $4}')
# Each key: the console domain's stamp as it takes it off the UART, and the
# guest's in its receive interrupt; the mean of the differences.
key_ticks=$(paste <(grep -ao "bench-key-in [0-9]*" "$tmp/console.log" | awk '{print $2}') \
	<(grep -ao "key-at [0-9]*" "$tmp/console.log" | awk '{print $2}') |
	awk 'NF == 2 { s += $2 - $1; n++ } END { if (n) printf "%d %d", s / n, n; else print "0 0" }')
if [ -z "${con_chars:-}" ] || [ "${key_ticks% *}" = 0 ]; then
	echo "bench: the console benchmark did not finish; console:" >&2
	tail -n 30 "$tmp/console.log" >&2
	exit 1
fi

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
tvalue() { grep -o "$1 [0-9]*" "$tmp/traps.log" | head -n 1 | awk '{print $NF}'; }
trap_op() { echo $(((($(tvalue "bench: $1") - $(tvalue "bench: empty-loop")) * per_tick + rounds / 2) / rounds)); }
printf '%-52s %12d\n' "emulated GIC distributor read (GICD_TYPER)" "$(trap_op gicd-typer-read)"
printf '%-52s %12d\n' "trapped system register read (ACTLR_EL1)" "$(trap_op actlr-read)"
printf '%-52s %12d\n' "emulated MMIO read (virtual UART flags, UARTFR)" "$(trap_op vuart-fr-read)"
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
printf '%-52s %12d\n' "console: characters out per million instructions" \
	$((con_chars * 1000000 / (con_ticks * per_tick)))
printf '%-52s %12d\n' "console: keystroke to guest handler (mean of ${key_ticks#* })" \
	$((${key_ticks% *} * per_tick))
# The Linux guest (qemu_virt_linux_defconfig's image, when make passes it):
# instructions from reset to the moment its first vCPU is ready (wipe of
# its 256 MiB and load included), then the wall-time comparison with bare
# QEMU (tools/bench/linux_wall.py).
if [ -n "${LINUX_IMAGE:-}" ]; then
	rm -f "$tmp/disk.img"
	truncate -s 64M "$tmp/disk.img"
	DISK="$tmp/disk.img" SMP=4 timeout 120 "$here/tools/qemu.sh" direct "$LINUX_IMAGE" \
		${ICOUNT--icount shift=0,sleep=off} >"$tmp/linux.log" 2>&1 &
	lpid=$!
	for _ in $(seq 1 600); do
		grep -q '"linux": [0-9]* MiB wiped and loaded' "$tmp/linux.log" 2>/dev/null && break
		sleep 0.1
	done
	kill "$lpid" 2>/dev/null || true
	wait "$lpid" 2>/dev/null || true
	linux_entry=$(grep -o '"linux": [0-9]* MiB wiped and loaded in [0-9]* counter ticks, entered at counter [0-9]*' \
		"$tmp/linux.log" | awk '{print $NF}')
	linux_wipe=$(grep -o '"linux": [0-9]* MiB wiped and loaded in [0-9]* counter ticks' \
		"$tmp/linux.log" | awk '{print $(NF-2)}')
	[ -n "$linux_entry" ] || { echo "bench: the Linux image did not start its guest" >&2; exit 1; }
fi
if [ -n "${LINUX_IMAGE:-}" ]; then
	printf '%-52s %12d\n' "Linux guest: reset to its first vCPU ready" $((linux_entry * per_tick))
	printf '%-52s %12d\n' "  of which its 256 MiB wiped, kernel and initrd loaded" $((linux_wipe * per_tick))
fi

printf '\n%-56s %12s %12s\n' "blk, 16 MiB each way in 64 KiB requests, 16 in flight" \
	"wall us" "instructions"
blk_row() { printf '%-56s %12d %12d\n' "$1" $(($2 * 1000000 / freq)) $(($3 * per_tick)); }
blk_row "  written, guest driving the device directly" "$direct_w" "$direct_wa"
blk_row "  written, through the block driver domain" "$link_w" "$link_wa"
blk_row "  read, guest driving the device directly" "$direct_r" "$direct_ra"
blk_row "  read, through the block driver domain" "$link_r" "$link_ra"
ratio() { printf '%d.%02d' $(($1 * 100 / $2 / 100)) $(($1 * 100 / $2 % 100)); }
printf '%-56s %12s\n' "  throughput, driver domain / direct: written" "$(ratio "$direct_w" "$link_w")"
printf '%-56s %12s\n' "  throughput, driver domain / direct: read" "$(ratio "$direct_r" "$link_r")"
printf '%-56s %12d\n' "4 KiB read round trip (wall ns), guest driving the device" \
	$((direct_l * (1000000000 / freq) / 256))
printf '%-56s %12d\n' "4 KiB read round trip (wall ns), through the driver domain" \
	$((link_l * (1000000000 / freq) / 256))
printf '%-56s %12s %12s\n' "driver domain restart: fault to attached again" \
	"$((attach_ticks * 1000000 / freq)) us" "$((attach_ticks * per_tick))"
printf '%-56s %12s %12s\n' "  and to its first answer (one disk request more)" \
	"$((restart_ticks * 1000000 / freq)) us" "$((restart_ticks * per_tick))"

if [ -n "${LINUX_IMAGE:-}" ]; then
	echo
	python3 "$here/tools/bench/linux_wall.py" "$LINUX_IMAGE" "$LINUX_FILES"
fi
