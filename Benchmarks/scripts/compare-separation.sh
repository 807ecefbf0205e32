#!/usr/bin/env bash
# The separation workload of BENCHMARKS.md in the same run: every position report moves
# one unit and asks for every unit within the separation minimum (5 NM) of it. Answered
# by Deconflict's unit index (in-process, one thread), by Redis (GEOADD + GEOSEARCH
# BYRADIUS, the whole report stream through `redis-cli --pipe`, persistence off) and by
# PostGIS (UPDATE + ST_DWithin on `geography` with GiST, in one server-side loop).
#
# Starts a throwaway Redis on 127.0.0.1 and a throwaway PostgreSQL 15 + PostGIS 3
# cluster, checks that Redis and Deconflict find the same neighbours on a sample, and
# prints one CSV line per (peer, units): separation,peer,units,reports,reports_per_second.
#
#   Benchmarks/scripts/compare-separation.sh [UNITS...]     (default: 1000 10000 100000 1000000)
set -euo pipefail
units_list=("${@:-1000 10000 100000 1000000}")
read -r -a units_list <<< "${units_list[*]}"
reports=${REPORTS:-200000}
postgis_reports=${POSTGIS_REPORTS:-10000}
postgis_max_units=${POSTGIS_MAX_UNITS:-1000000}
repetitions=${REPETITIONS:-3}

here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SKIP_BUILD:-}" ]; then (cd "$here" && scripts/build-release.sh --product compare-redis >/dev/null); fi
tool="$here/.build/release/compare-redis"
source "$here/scripts/bench-venv.sh"
if ! command -v redis-server >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi
POSTGIS_OPTIONS="-c max_parallel_workers_per_gather=0 -c jit=off"
source "$here/scripts/postgis-cluster.sh"

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes \
    --dir "$work" --logfile "$work/redis.log" --pidfile "$work/redis.pid" >/dev/null
stop_redis() { redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; cleanup; }
trap stop_redis EXIT
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis() { redis-cli -p "$redis_port" "$@"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }

psql -c "CREATE EXTENSION postgis" >/dev/null
for units in "${units_list[@]}"; do
    # Redis: the units placed, then the reports through one pipe, timed end to end.
    "$tool" commands --units "$units" --reports "$reports" --load "$work/load.resp" --reports-file "$work/reports.resp"
    durations=()
    for _ in $(seq "$repetitions"); do
        redis flushall >/dev/null
        redis --pipe < "$work/load.resp" >/dev/null
        redis config resetstat >/dev/null
        begin=$(now)
        redis --pipe < "$work/reports.resp" > "$work/pipe.log"
        end=$(now)
        grep -q "errors: 0," "$work/pipe.log" || { cat "$work/pipe.log"; exit 1; }
        durations+=("$(awk -v a="$begin" -v b="$end" 'BEGIN { print b - a }')")
    done
    redis_seconds=$(printf '%s\n' "${durations[@]}" | median)
    # Redis's own time per command (the last repetition), without the protocol around it.
    usec=$(redis info commandstats | tr -d '\r' | awk -F'[,=:]' '/cmdstat_geo(add|search):/ { total += $7 } END { print total }')
    echo "separation,redis,$units,$reports,$(awk -v n="$reports" -v s="$redis_seconds" 'BEGIN { printf "%d", n / s }')"
    echo "separation,redis-command-time,$units,$reports,$(awk -v n="$reports" -v u="$usec" 'BEGIN { printf "%d", 1e6 / u }')"

    # Deconflict's unit index, the same reports.
    swift_output=$("$tool" time --units "$units" --reports "$reports" --repetitions "$repetitions")
    echo "separation,deconflict,$units,$reports,$(sed -n 's/.*reports_per_second=\([0-9]*\).*/\1/p' <<< "$swift_output")" 
    echo "# deconflict: $(tr '\n' ' ' <<< "$swift_output")"

    # Same answers: the first 2,000 reports through Redis with distances, against Deconflict's.
    "$tool" commands --units "$units" --reports 2000 --load "$work/load.txt" --reports-file "$work/check.txt" --text
    redis flushall >/dev/null
    redis --pipe < "$work/load.resp" >/dev/null
    "$tool" neighbours --units "$units" --reports 2000 --limit 2000 > "$work/swift-neighbours.csv"
    python "$here/scripts/redis-check.py" --port "$redis_port" --commands "$work/check.txt" \
        --deconflict "$work/swift-neighbours.csv" --radius 9260 | sed 's/^/# /'

    # PostGIS: the same units and reports, the whole loop inside the server.
    if [ "$units" -le "$postgis_max_units" ]; then
        "$tool" export --units "$units" --reports "$postgis_reports" --directory "$work"
        psql <<SQL >/dev/null
DROP TABLE IF EXISTS units, reports;
CREATE TABLE units (id int PRIMARY KEY, lon float8, lat float8, position geography(Point, 4326));
CREATE TABLE reports (seq int PRIMARY KEY, unit int, lon float8, lat float8, position geography(Point, 4326));
\copy units (id, lon, lat) FROM '$work/units.csv' CSV HEADER
\copy reports (seq, unit, lon, lat) FROM '$work/reports.csv' CSV HEADER
UPDATE units SET position = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
UPDATE reports SET position = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
CREATE INDEX ON units USING gist (position);
VACUUM ANALYZE;
SQL
        timing=$(psql -At -c '\timing on' -c "DO \$\$
DECLARE r record; found bigint := 0; n bigint;
BEGIN
  FOR r IN SELECT * FROM reports ORDER BY seq LOOP
    UPDATE units SET position = r.position WHERE id = r.unit;
    SELECT count(*) INTO n FROM units WHERE ST_DWithin(position, r.position, 9260);
    found := found + n;
  END LOOP;
  RAISE NOTICE 'neighbours=%', found;
END \$\$" 2>&1)
        ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<< "$timing")
        echo "separation,postgis,$units,$postgis_reports,$(awk -v n="$postgis_reports" -v ms="$ms" 'BEGIN { printf "%d", n / (ms / 1000) }')"
        echo "# postgis: $(grep -o 'neighbours=[0-9]*' <<< "$timing") in $ms ms"
    fi
done
