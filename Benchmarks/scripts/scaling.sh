#!/usr/bin/env bash
# The scaling curves of BENCHMARKS.md: every peer and Deconflict over growing numbers of
# zones and units, in one run, as CSV under docs/benchmarks/, then the charts drawn from
# them (docs/benchmarks/*.png).
#
#   Benchmarks/scripts/scaling.sh [zones|separation|engine|plot ...]   (default: all four)
#
# zones:      point-in-zone queries, 100 to 100,000 zones: Deconflict, PostGIS, SQLite R*Tree
# separation: move + radius query, 1,000 to 1,000,000 units: Deconflict, Redis, PostGIS
# engine:     the whole engine (every detector), 1,000 to 1,000,000 units with 10,000
#             zones, and 100 to 100,000 zones with 100,000 units: reports/s, p99, heap/unit
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/../docs/benchmarks"
mkdir -p "$out"
parts=("${@:-zones separation engine plot}")
read -r -a parts <<< "${parts[*]}"
machine="$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"

for part in "${parts[@]}"; do
    case "$part" in
    zones)
        (cd "$here" && scripts/build-release.sh --product compare-postgis >/dev/null)
        echo "# $(date -u +%F) $machine" > "$out/zones.csv"
        echo "workload,peer,zones,points,queries_per_second" >> "$out/zones.csv"
        for zones in 100 1000 10000 100000; do
            SKIP_BUILD=1 REPETITIONS=3 "$here/scripts/compare-postgis.sh" "$zones" 20000 1000000 | tee >(cat >&2) \
                | grep '^zones,' >> "$out/zones.csv"
        done
        ;;
    separation)
        (cd "$here" && scripts/build-release.sh --product compare-redis >/dev/null)
        echo "# $(date -u +%F) $machine" > "$out/separation.csv"
        echo "workload,peer,units,reports,reports_per_second" >> "$out/separation.csv"
        SKIP_BUILD=1 "$here/scripts/compare-separation.sh" 1000 10000 100000 1000000 | tee >(cat >&2) \
            | grep '^separation,' >> "$out/separation.csv"
        ;;
    engine)
        (cd "$here" && scripts/build-release.sh --product engine-load >/dev/null)
        echo "# $(date -u +%F) $machine" > "$out/engine.csv"
        echo "units,zones,reports_per_second,p50_us,p99_us,p999_us,heap_bytes_per_unit" >> "$out/engine.csv"
        for run in 1000:10000 10000:10000 100000:10000 1000000:10000 100000:100 100000:1000 100000:100000; do
            units=${run%:*} zones=${run#*:}
            rounds=$(( units >= 1000000 ? 2 : 3 ))
            "$here/.build/release/engine-load" --units "$units" --zones "$zones" --rounds "$rounds" --csv | tee >(cat >&2) \
                | sed -n 's/^csv://p' >> "$out/engine.csv"
        done
        ;;
    plot)
        source "$here/scripts/bench-venv.sh"
        python "$here/scripts/plot.py" "$out"
        ;;
    *) echo "unknown part: $part (zones, separation, engine or plot)" >&2; exit 64 ;;
    esac
done
