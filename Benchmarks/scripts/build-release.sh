#!/usr/bin/env bash
# Release build of benchmark products with the project's own modules rebuilt from
# scratch. Incremental release builds of a path dependency can keep a stale file list or
# a stale struct layout (a crash at run time), so this removes the project's build
# products first, once; third-party products stay cached.
#
#   Benchmarks/scripts/build-release.sh --product http-load --product deconflict
#
# Several products build into the one folder, Benchmarks/.build/release, sharing every
# module they have in common; `deconflict` (the server, a product of the main package) is
# built here too, so a benchmark of the server and its load generator compile NIO and
# the project's modules once. Other arguments go to `swift build`.
set -euo pipefail
cd "$(dirname "$0")/.."
products=()
options=()
while [ $# -gt 0 ]; do
    case $1 in
        --product) products+=("$2"); shift 2 ;;
        --product=*) products+=("${1#*=}"); shift ;;
        *) options+=("$1"); shift ;;
    esac
done
release=.build/$(uname -m)-unknown-linux-gnu/release
rm -rf "$release/description.json"
for module in Deconflict CGeodesic CS2Shim BenchmarkWorkloads EngineWorkload EngineBenchmarks GeometryBenchmarks \
    compare_postgis compare_redis engine_load perf_guard store_ingest CHeapStats deconflict http_load dss_load; do
    rm -rf "$release/$module"*.build
done
if [ ${#products[@]} -eq 0 ]; then
    swift build -c release "${options[@]}"
fi
for product in "${products[@]}"; do
    swift build -c release --product "$product" "${options[@]}"
done
