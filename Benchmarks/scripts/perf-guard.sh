#!/usr/bin/env bash
# The regression guard: runs each fixed workload of `perf-guard` under callgrind,
# counting only its hot path, and compares the instructions and allocations with the
# committed thresholds in Benchmarks/perf-guard.json. Counts, unlike times, hardly move
# on a shared machine, so a clear regression fails the run.
#
#   Benchmarks/scripts/perf-guard.sh            check against the thresholds
#   Benchmarks/scripts/perf-guard.sh --update   measure and write new thresholds
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-check}
if ! command -v valgrind >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind >/dev/null
fi
if [ -z "${SKIP_BUILD:-}" ]; then (cd "$here" && scripts/build-release.sh --product perf-guard >/dev/null); fi
out=$(mktemp -d /tmp/deconflict-perf-guard.XXXXXX)
trap 'rm -rf "$out"' EXIT
# Valgrind's DWARF reader cannot read the toolchain's debug information; the symbol
# table is all callgrind needs.
tool="$out/perf-guard"
objcopy --strip-debug "$here/.build/release/perf-guard" "$tool"

results=()
for workload in zone-query unit-separation engine-reports cot-xml cot-protobuf; do
    # Deterministic hashing: the same dictionary layouts, so the same instructions, every run.
    SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$out/$workload.out" "$tool" "$workload" > "$out/$workload.stdout" 2> "$out/$workload.log" \
        || { cat "$out/$workload.log"; exit 1; }
    results+=("$workload=$out/$workload.out=$(sed -n 's/.*result=\([0-9]*\).*/\1/p' "$out/$workload.stdout")")
done
python3 "$here/scripts/perf-guard.py" "$mode" "$here/perf-guard.json" "${results[@]}"
