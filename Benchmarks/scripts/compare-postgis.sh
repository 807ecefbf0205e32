#!/usr/bin/env bash
# The point-in-zone workload of BENCHMARKS.md, answered by Deconflict's zone index, by
# PostGIS (`geography` with GiST indexes) and by SQLite's R*Tree (boxes, then the exact
# test in the application) in the same run, on one core each.
#
# Starts a throwaway PostgreSQL 15 + PostGIS 3 cluster on 127.0.0.1 (as the postgres
# user), loads the same seeded zones and points that the Swift side generates, checks that
# both sides find the same matches, and prints queries per second for each and the ratio,
# then one CSV line per peer: zones,PEER,ZONES,POINTS,QUERIES_PER_SECOND.
#
#   Benchmarks/scripts/compare-postgis.sh [ZONES] [POSTGIS_POINTS] [SWIFT_POINTS]
set -euo pipefail
zones=${1:-10000}
postgis_points=${2:-20000}
swift_points=${3:-1000000}
repetitions=${REPETITIONS:-5}

here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SKIP_BUILD:-}" ]; then (cd "$here" && scripts/build-release.sh --product compare-postgis >/dev/null); fi
tool="$here/.build/release/compare-postgis"
POSTGIS_OPTIONS="-c max_parallel_workers_per_gather=0 -c jit=off"
source "$here/scripts/postgis-cluster.sh"

"$tool" export --directory "$work" --zones "$zones" --points "$postgis_points"
psql <<SQL
CREATE EXTENSION postgis;
CREATE TABLE circles (id int PRIMARY KEY, lon float8, lat float8, radius float8, center geography(Point, 4326));
CREATE TABLE polygons (id int PRIMARY KEY, wkt text, area geography(Polygon, 4326));
CREATE TABLE points (id int PRIMARY KEY, lon float8, lat float8, position geography(Point, 4326));
\copy circles (id, lon, lat, radius) FROM '$work/circles.csv' CSV HEADER
\copy polygons (id, wkt) FROM '$work/polygons.csv' CSV HEADER
\copy points (id, lon, lat) FROM '$work/points.csv' CSV HEADER
UPDATE circles SET center = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
UPDATE polygons SET area = ST_GeogFromText('SRID=4326;' || wkt);
UPDATE points SET position = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
CREATE INDEX ON circles USING gist (center);
CREATE INDEX ON polygons USING gist (area);
VACUUM ANALYZE;
SQL
max_radius=$(psql -At -c "SELECT ceil(max(radius)) FROM circles")

# Every (point, zone) pair with the point inside the zone: circles by geodesic distance on
# the spheroid (the constant-radius ST_DWithin lets the planner use the GiST index), polygons
# by ST_Intersects on geography (great-circle edges).
query="SELECT count(*) FROM points p CROSS JOIN LATERAL (
    SELECT c.id FROM circles c WHERE ST_DWithin(c.center, p.position, $max_radius) AND ST_DWithin(c.center, p.position, c.radius)
    UNION ALL
    SELECT z.id FROM polygons z WHERE ST_Intersects(z.area, p.position)) m"
pairs="SELECT p.id, m.id FROM points p CROSS JOIN LATERAL (
    SELECT c.id FROM circles c WHERE ST_DWithin(c.center, p.position, $max_radius) AND ST_DWithin(c.center, p.position, c.radius)
    UNION ALL
    SELECT z.id FROM polygons z WHERE ST_Intersects(z.area, p.position)) m ORDER BY 1, 2"

psql -At -F, -c "$pairs" > "$work/postgis-pairs.csv"
"$tool" pairs --zones "$zones" --points "$postgis_points" > "$work/swift-pairs.csv"
postgis_matches=$(wc -l < "$work/postgis-pairs.csv")
swift_matches=$(wc -l < "$work/swift-pairs.csv")
comm -3 <(sort "$work/postgis-pairs.csv") <(sort "$work/swift-pairs.csv") | tr -d '\t' > "$work/differences.csv"
differences=$(wc -l < "$work/differences.csv")
# Pairs that only one side found, with Deconflict's signed distance to the zone's edge (m).
farthest=$("$tool" distances --zones "$zones" --points "$postgis_points" < "$work/differences.csv" \
    | awk -F, 'BEGIN { m = 0 } { d = $3 < 0 ? -$3 : $3; if (d > m) m = d } END { print m }')

durations=()
for _ in $(seq "$repetitions"); do
    durations+=("$(psql -At -c '\timing on' -c "$query" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')")
done
postgis_ms=$(printf '%s\n' "${durations[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
postgis_qps=$(awk -v n="$postgis_points" -v ms="$postgis_ms" 'BEGIN { printf "%d", n / (ms / 1000) }')

swift_output=$("$tool" time --zones "$zones" --points "$swift_points" --repetitions "$repetitions")
swift_qps=$(sed -n 's/.*queries_per_second=\([0-9]*\).*/\1/p' <<< "$swift_output")
batch_output=$("$tool" time --zones "$zones" --points "$swift_points" --repetitions "$repetitions" --batch)
batch_qps=$(sed -n 's/.*queries_per_second=\([0-9]*\).*/\1/p' <<< "$batch_output")
sqlite_points=$(( swift_points < 200000 ? swift_points : 200000 ))
sqlite_output=$("$tool" sqlite --zones "$zones" --points "$sqlite_points" --repetitions "$repetitions" --database "$work/rtree.sqlite")
sqlite_qps=$(sed -n 's/.*queries_per_second=\([0-9]*\).*/\1/p' <<< "$sqlite_output")

echo "zones=$zones"
echo "postgis: points=$postgis_points matches=$postgis_matches median_ms=$postgis_ms queries_per_second=$postgis_qps"
echo "deconflict: points=$postgis_points matches=$swift_matches (same points as PostGIS); pairs in one answer only: $differences, the farthest $farthest m from the zone's edge"
echo "deconflict: points=$swift_points $(tr '\n' ' ' <<< "$swift_output")"
echo "deconflict, one batch in Z-order: points=$swift_points $(tail -n 1 <<< "$batch_output")"
echo "sqlite r*tree + exact test: points=$sqlite_points $(tr '\n' ' ' <<< "$sqlite_output")"
awk -v a="$swift_qps" -v b="$postgis_qps" 'BEGIN { printf "ratio deconflict/postgis, point by point: %.1f\n", a / b }'
awk -v a="$swift_qps" -v b="$sqlite_qps" 'BEGIN { printf "ratio deconflict/sqlite, point by point: %.1f\n", a / b }'
awk -v a="$batch_qps" -v b="$postgis_qps" 'BEGIN { printf "ratio deconflict/postgis, batch: %.1f\n", a / b }'
echo "zones,postgis,$zones,$postgis_points,$postgis_qps"
echo "zones,sqlite-rtree,$zones,$sqlite_points,$sqlite_qps"
echo "zones,deconflict,$zones,$swift_points,$swift_qps"
echo "zones,deconflict-batch,$zones,$swift_points,$batch_qps"
