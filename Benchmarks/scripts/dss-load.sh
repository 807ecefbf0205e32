#!/usr/bin/env bash
# Operational intent creates through the ASTM F3548 DSS interface, ten concurrent USS
# clients, on each backend: a new `deconflict serve` (release build) on a throwaway
# SQLite file, then on a throwaway PostgreSQL server, for each workload of `dss-load`
# (hot: all in one hot spot with full keys; apart: each client in its own area;
# conflict: every intent overlapping every other, 409s retried with the missing OVNs).
# Tokens are RS256 JWTs signed with a throwaway key made here by openssl.
#
#   Benchmarks/scripts/dss-load.sh [SECONDS] [CLIENTS] [MODES] [RUNS]
#
# Each run is a new server on a new store; quote the median of the runs.
set -euo pipefail
seconds=${1:-15}
clients=${2:-10}
modes=${3:-"hot apart conflict"}
runs=${4:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
main=$(cd "$here/.." && pwd)
"$here/scripts/build-release.sh" --product deconflict --product dss-load >/dev/null
deconflict="$here/.build/release/deconflict"
load="$here/.build/release/dss-load"
work=$(mktemp -d /tmp/deconflict-dss-load.XXXXXX)
server=""
stop_server() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    server=""
}
trap 'stop_server; rm -rf "$work"' EXIT

openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
openssl rsa -in "$work/key.pem" -pubout -out "$work/public.pem" 2>/dev/null
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
expiry=$(( $(date +%s) + 3600 ))
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
for i in $(seq 0 $((clients - 1))); do
    payload=$(printf '{"sub":"uss%d","aud":"localhost","exp":%d,"scope":"utm.strategic_coordination"}' "$i" "$expiry" | b64url)
    signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/key.pem" | b64url)
    echo "$header.$payload.$signature"
done >"$work/tokens"

# start_server STORE_ARGUMENTS...: a server on a free port; sets $base.
start_server() {
    "$deconflict" serve --port 0 --dss-key "$work/public.pem" --no-webhooks "$@" 2>"$work/server.log" >/dev/null &
    server=$!
    base=""
    for _ in $(seq 300); do
        port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$work/server.log" | head -1)
        if [ -n "$port" ]; then base="http://127.0.0.1:$port"; return; fi
        sleep 0.1
    done
    echo "dss-load: the server did not start" >&2
    cat "$work/server.log" >&2
    exit 1
}

echo "machine: $(nproc) cores, $(uname -srm); $clients clients, $seconds s per run"
for mode in $modes; do
    for run in $(seq "$runs"); do
        start_server --store "$work/$mode-$run.sqlite"
        printf 'SQLite      '
        "$load" --url "$base" --tokens "$work/tokens" --mode "$mode" --clients "$clients" --seconds "$seconds" || echo "(failures above)"
        stop_server
    done
done
modes_runs=""
for mode in $modes; do for run in $(seq "$runs"); do modes_runs="$modes_runs $mode-$run"; done; done
DECONFLICT_DSS_MODES="$modes_runs" DECONFLICT_DSS_SECONDS="$seconds" DECONFLICT_DSS_CLIENTS="$clients" \
    "$main/scripts/with-postgres" bash -c '
    for run in $DECONFLICT_DSS_MODES; do
        mode=${run%-*}
        psql "$DECONFLICT_TEST_POSTGRES" -q -c "CREATE DATABASE dss_${mode}_${run##*-}" >/dev/null
        url=${DECONFLICT_TEST_POSTGRES%/*}/dss_${mode}_${run##*-}
        "'"$deconflict"'" serve --port 0 --dss-key "'"$work"'/public.pem" --no-webhooks --postgres "$url" 2>"'"$work"'/pg.log" >/dev/null &
        pid=$!
        base=""
        for _ in $(seq 300); do
            port=$(sed -n "s|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p" "'"$work"'/pg.log" | head -1)
            if [ -n "$port" ]; then base="http://127.0.0.1:$port"; break; fi
            sleep 0.1
        done
        printf "PostgreSQL  "
        "'"$load"'" --url "$base" --tokens "'"$work"'/tokens" --mode "$mode" --clients "$DECONFLICT_DSS_CLIENTS" --seconds "$DECONFLICT_DSS_SECONDS" || true
        kill $pid; wait $pid 2>/dev/null || true
    done'
