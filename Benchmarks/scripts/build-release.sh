#!/usr/bin/env bash
# Release build of the benchmarks with the project's own modules rebuilt from scratch.
# Incremental release builds of a path dependency can keep a stale file list or a stale
# struct layout (a crash at run time), so this removes the project's build products
# first; third-party products stay cached.
set -euo pipefail
cd "$(dirname "$0")/.."
release=.build/$(uname -m)-unknown-linux-gnu/release
rm -rf "$release/description.json"
for module in Deconflict CGeodesic CS2Shim BenchmarkWorkloads EngineWorkload EngineBenchmarks GeometryBenchmarks \
    compare_postgis compare_redis engine_load perf_guard store_ingest CHeapStats deconflict http_load dss_load; do
    rm -rf "$release/$module"*.build
done
swift build -c release "$@"
