# Sourced by the benchmark scripts: installs PostGIS if missing and starts a throwaway
# PostgreSQL 15 + PostGIS 3 cluster on 127.0.0.1 and a free port, as the postgres user,
# stopped and deleted when the script exits. Sets $work (its folder), $port, and psql()
# (connected as postgres, stopping on the first error). Server options: $POSTGIS_OPTIONS.
if ! dpkg-query -W -f='${Status}' postgresql-15-postgis-3 2>/dev/null | grep -q "install ok installed"; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3 >/dev/null
fi
work=$(mktemp -d /tmp/deconflict-postgis.XXXXXX)
chmod 755 "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pgbin=/usr/lib/postgresql/15/bin
cleanup() {
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
chown postgres "$work"
runuser -u postgres -- "$pgbin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/data" -l "$work/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c shared_buffers=512MB ${POSTGIS_OPTIONS:-}" start >/dev/null
psql() { command psql -X -q -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
