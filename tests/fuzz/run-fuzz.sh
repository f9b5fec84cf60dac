#!/usr/bin/env bash
# Runs the fuzzers for `make fuzz` (tests/fuzz/fuzz.mk, docs/fuzzing.md).
#
# usage: run-fuzz.sh OUT SECONDS NAME:MAX_LEN[:SEED_DIR...]...
#
# For each harness: run OUT/fuzz_NAME for SECONDS from its working corpus
# OUT/work/NAME/ (kept between runs, where the inputs it finds go), the
# committed corpus tests/fuzz/corpus/NAME/ and the seed directories; then
# merge into the committed corpus only the inputs that reach code it does
# not (libFuzzer -merge=1, counting edges only: -use_counters=0), which
# keeps it small. A crash stops that harness (the input is saved under
# OUT/artifacts/) but not the others. Ends with a table of executions and
# coverage (libFuzzer's cov: and ft:) and exits non-zero if any failed.
set -uo pipefail

if [ $# -lt 3 ]; then
	echo "usage: $0 OUT SECONDS NAME:MAX_LEN[:SEED_DIR...]..." >&2
	exit 2
fi
out=$1
secs=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out/artifacts" "$out/work"

names=()
failed=()
declare -A kept_before
for spec in "$@"; do
	IFS=: read -r -a field <<<"$spec"
	name=${field[0]}
	max_len=${field[1]}
	seeds=()
	for d in "${field[@]:2}"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	corpus=$top/tests/fuzz/corpus/$name
	work=$out/work/$name
	log=$out/$name.log
	names+=("$name")
	mkdir -p "$work" "$corpus"
	kept_before[$name]=$(find "$corpus" -type f | wc -l)
	echo "  FUZZ     $name (${secs} s; log in $log)"
	# Fresh inputs go to the first directory only; the others are read.
	"$out/fuzz_$name" -max_len="$max_len" -max_total_time="$secs" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" \
		"$work" "$corpus" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		failed+=("$name")
		echo "  FAIL     $name (exit $rc): the end of $log:"
		tail -n 30 "$log" | sed 's/^/        | /'
		continue
	fi
	if ! "$out/fuzz_$name" -merge=1 -use_counters=0 -max_len="$max_len" "$corpus" "$work" \
		"${seeds[@]}" >"$out/$name.merge.log" 2>&1; then
		failed+=("$name")
		echo "  FAIL     $name: merging into $corpus failed (see $out/$name.merge.log)"
	fi
done

# The last status line holds the coverage: "#N DONE cov: C ft: F corp: ...".
fuzz_stat() {
	sed -n "s/^stat::$2: *//p" "$out/$1.log" | tail -n 1
}

echo ""
echo "Fuzzing: ${secs} s per harness"
printf '  %-9s %12s %8s %6s %7s %5s %5s %16s  %s\n' harness executions exec/s cov ft new kept \
	"corpus" result
for name in "${names[@]}"; do
	line=$(grep -E 'cov: [0-9]+ ft: [0-9]+' "$out/$name.log" | tail -n 1)
	cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$line")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
	corpus=$top/tests/fuzz/corpus/$name
	files=$(find "$corpus" -type f | wc -l)
	bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	result=ok
	case " ${failed[*]} " in *" $name "*) result=FAILED ;; esac
	printf '  %-9s %12s %8s %6s %7s %5s %5s %16s  %s\n' "$name" \
		"$(fuzz_stat "$name" number_of_executed_units)" \
		"$(fuzz_stat "$name" average_exec_per_sec)" "${cov:-?}" "${ft:-?}" \
		"$(fuzz_stat "$name" new_units_added)" "$((files - kept_before[$name]))" \
		"$files files $((bytes / 1024)) KiB" "$result"
done
echo "  (new: inputs found, in $out/work/; kept: of those, merged into tests/fuzz/corpus/)"
if [ ${#failed[@]} -ne 0 ]; then
	echo "Failed: ${failed[*]} (crashing inputs in $out/artifacts/)"
	exit 1
fi
