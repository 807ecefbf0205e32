#!/usr/bin/env bash
# Durable position ingest, reports per second, in one run: Deconflict's SQLite store, its
# PostgreSQL store, and the PostGIS way (insert each report and test it against the same
# 10,000 zones with ST_DWithin/ST_Intersects on geography with GiST indexes).
#
# Starts a throwaway PostgreSQL 15 + PostGIS 3 cluster on 127.0.0.1 (as the postgres
# user), synchronous_commit on and fsync on (the defaults).
#
#   Benchmarks/scripts/ingest.sh [REPORTS] [CLIENTS] [POSTGIS_REPORTS]
set -euo pipefail
reports=${1:-400000}
clients=${2:-8}
postgis_reports=${3:-20000}
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/build-release.sh" --product store-ingest >/dev/null
"$here/scripts/build-release.sh" --product compare-postgis >/dev/null
ingest="$here/.build/release/store-ingest"
POSTGIS_OPTIONS="-c max_connections=100"
source "$here/scripts/postgis-cluster.sh"
psql -c "CREATE DATABASE store" -c "CREATE DATABASE postgis"

"$here/.build/release/compare-postgis" export --directory "$work" --zones 10000 --points 1
psql -d postgis <<SQL
CREATE EXTENSION postgis;
CREATE TABLE circles (id int PRIMARY KEY, lon float8, lat float8, radius float8, center geography(Point, 4326));
CREATE TABLE polygons (id int PRIMARY KEY, wkt text, area geography(Polygon, 4326));
\copy circles (id, lon, lat, radius) FROM '$work/circles.csv' CSV HEADER
\copy polygons (id, wkt) FROM '$work/polygons.csv' CSV HEADER
UPDATE circles SET center = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
UPDATE polygons SET area = ST_GeogFromText('SRID=4326;' || wkt);
CREATE INDEX ON circles USING gist (center);
CREATE INDEX ON polygons USING gist (area);
CREATE TABLE reports (unit text NOT NULL, time float8 NOT NULL, position geography(Point, 4326) NOT NULL,
    speed float8, course float8);
CREATE INDEX ON reports USING gist (position);
CREATE INDEX ON reports (unit, time);
VACUUM ANALYZE;
SQL
max_radius=$(psql -d postgis -At -c "SELECT ceil(max(radius)) FROM circles")

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
"$ingest" --backend sqlite --target "$work/store.sqlite" --reports "$reports" --clients "$clients"
"$ingest" --backend postgres --target "postgres://postgres@127.0.0.1:$port/store" --reports "$reports" --clients "$clients"
"$ingest" --backend postgis --target "postgres://postgres@127.0.0.1:$port/postgis" --reports "$postgis_reports" \
    --clients "$clients" --max-radius "$max_radius"
