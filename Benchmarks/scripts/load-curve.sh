#!/usr/bin/env bash
# Ingest rate and alert latency against offered load, on loopback: the curve from a
# quarter of the measured capacity to past the saturation point.
#
# Each run (http-load.sh: a throwaway SQLite store, two parties, `deconflict serve`, the
# setup of 10,000 moving units, 300 zones and the probes) measures the capacity with the
# closed-loop throughput phase, then runs a latency phase of LATENCY_SECONDS (default 20)
# at each fraction of it (open loop: batches of 5,000 on 4 connections on a schedule,
# probes entering zones 20 times a second, each timed from its POST to `alert.raised`
# on the zone owner's WebSocket), 3 s apart. The points go to a CSV (one line per run and
# fraction, with the fsync floor measured before each point) and are drawn in a chart.
# Each unit reports every 0.1 s of scenario time (http-load.sh: 0.5 s), so that up to
# 100,000 reports/s the scenario's clock does not run ahead of the server's: points
# above the capacity would otherwise wait for it, and offer less than they say.
#
#   Benchmarks/scripts/load-curve.sh [RUNS] [--fractions 0.25,0.5,0.75,1,1.25] [--out DIR]
#   SKIP_BUILD=1 Benchmarks/scripts/load-curve.sh 1     # one run, binaries as last built
#
# Writes DIR/load-curve.csv and DIR/load-curve.png (DIR: docs/benchmarks).
set -euo pipefail
runs=3
fractions=0.25,0.5,0.75,1,1.25
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)
out="$root/docs/benchmarks"
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
    runs=$1
    shift
fi
while [[ $# -gt 0 ]]; do
    case $1 in
        --fractions) fractions=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "unknown option: $1" >&2; exit 64 ;;
    esac
done
points=$(awk -F, '{ print NF }' <<<"$fractions")
mkdir -p "$out"
if [[ -z ${SKIP_BUILD:-} ]]; then
    "$here/scripts/build-release.sh" --product deconflict --product http-load >/dev/null
fi
log=$(mktemp /tmp/deconflict-load-curve.XXXXXX.log)
SKIP_BUILD=1 HTTP_LOAD_REFERENCE=0 "$here/scripts/http-load.sh" "$runs" \
    --curve "$fractions" --probes $(( points * ${LATENCY_SECONDS:-20} * 20 )) \
    --latency-duration "${LATENCY_SECONDS:-20}" --interval 0.1 | tee "$log"
machine="$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
{
    echo "# $(date -u +%F) $machine, commit $(git -C "$root" rev-parse --short HEAD)"
    echo "run,$("$here/.build/release/http-load" --url x --zone-key x --unit-key x --curve-header)"
    awk '/^== run / { run = $3 } /^curve:/ { sub(/^curve:/, ""); print run "," $0 }' "$log"
} > "$out/load-curve.csv"
echo "points: $(grep -c '^[0-9]' "$out/load-curve.csv") in $out/load-curve.csv (log: $log)"
source "$here/scripts/bench-venv.sh"
python "$here/scripts/plot.py" "$out"
echo "chart: $out/load-curve.png"
