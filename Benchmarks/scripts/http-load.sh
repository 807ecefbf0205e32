#!/usr/bin/env bash
# HTTP batch ingest and end-to-end alert latency of `deconflict serve`, on loopback.
#
# Builds the release `deconflict` and `http-load`, then for each run: a throwaway SQLite
# store in /tmp, two parties with `deconflict party add` (alpha owns the zones and
# receives the alerts, bravo owns the units), `deconflict serve --port 0`, `http-load`
# (setup, throughput phase, latency phase), the server stopped with SIGTERM and the files
# deleted. The load generator runs on the same machine and shares its cores.
#
# Then, as a reference from the same run, the durable SQLite store's own ingest rate
# without HTTP or the engine (`store-ingest`, 8 clients, batches of 500); set
# HTTP_LOAD_REFERENCE=0 to skip it.
#
#   Benchmarks/scripts/http-load.sh [RUNS] [http-load options...]
#   Benchmarks/scripts/http-load.sh 3 --transport cot-xml --skip-latency   # CoT ingest over TCP
#   DECONFLICT_RATE_LIMIT=100000 Benchmarks/scripts/http-load.sh   # a server setting, by its variable
set -euo pipefail
runs=1
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
    runs=$1
    shift
fi
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)

# One release build of the server, the load generator and the store reference
# (SKIP_BUILD=1: the binaries as last built).
if [[ -z ${SKIP_BUILD:-} ]]; then
    "$here/scripts/build-release.sh" --product deconflict --product http-load --product store-ingest >/dev/null
fi
deconflict="$here/.build/release/deconflict"
load="$here/.build/release/http-load"

work=$(mktemp -d /tmp/deconflict-http-load.XXXXXX)
server=""
cleanup() {
    if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
for run in $(seq 1 "$runs"); do
    echo "== run $run of $runs"
    store="$work/run$run.sqlite"
    alpha=$("$deconflict" party add alpha --store "$store")
    bravo=$("$deconflict" party add bravo --store "$store")
    "$deconflict" serve --store "$store" --port 0 --cot-tcp 0 2>"$work/server.log" &
    server=$!
    port=""
    for _ in $(seq 1 300); do
        port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/server.log" | head -n 1)
        [[ -n $port ]] && break
        kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
        sleep 0.1
    done
    [[ -n $port ]] || { echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
    cot_port=""
    for _ in $(seq 1 50); do
        cot_port=$(sed -n 's|.*Cursor-on-Target over TCP on 127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/server.log" | head -n 1)
        [[ -n $cot_port ]] && break
        sleep 0.1
    done
    "$load" --url "http://127.0.0.1:$port" --zone-party alpha --zone-key "$alpha" \
        --unit-party bravo --unit-key "$bravo" --server-pid "$server" --cot-port "$cot_port" "$@"
    kill -TERM "$server"
    wait "$server" || true
    server=""
    # What the server warned about, if anything.
    grep -E " (warning|error) " "$work/server.log" | cut -c1-300 | head -n 5 || true
    rm -f "$store" "$store-wal" "$store-shm" "$store-flushes.lock"
done

if [[ ${HTTP_LOAD_REFERENCE:-1} != 0 ]]; then
    echo "== reference: the SQLite store alone (no HTTP, no engine), same machine"
    "$here/.build/release/store-ingest" --backend sqlite --target "$work/reference.sqlite" --reports 400000 --clients 8
fi
