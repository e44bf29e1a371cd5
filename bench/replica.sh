#!/usr/bin/env bash
# A hot standby of the local PostgreSQL server on loopback, kept by PostgreSQL's own streaming
# replication: pg_basebackup of the primary (127.0.0.1:5432) into a data directory of its own,
# started on port 5433 in hot-standby mode. Prints the standby's URL for the database `test`.
# Run as root on a machine where PostgreSQL runs as the `postgres` user (Debian's packages), as
# `.ci/run` does; the tests read the URL from THANRAK_TEST_REPLICA_URL.
#
#   bench/replica.sh          # start (or print the URL of the one already running)
#   bench/replica.sh stop
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
DIR=${REPLICA_DIR:-/var/tmp/thanrak-replica}
PORT=${REPLICA_PORT:-5433}
PRIMARY="-h 127.0.0.1 -p 5432 -U postgres"
as_postgres() { if [ "$(id -un)" = postgres ]; then bash -c "$1"; else su postgres -s /bin/bash -c "$1"; fi; }
case "${1:-start}" in
start)
    if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
        echo "postgres://postgres@127.0.0.1:$PORT/test"
        exit 0
    fi
    # The primary must let a replication connection in from loopback (`all` does not cover it).
    HBA=$(psql $PRIMARY -d postgres -Atc 'SHOW hba_file')
    if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$HBA"; then
        echo "host replication all 127.0.0.1/32 trust" >>"$HBA"
        psql $PRIMARY -d postgres -Atc 'SELECT pg_reload_conf()' >/dev/null
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    chown postgres "$DIR" 2>/dev/null || true
    chmod 700 "$DIR"
    # -R writes standby.signal and the primary's connection; -X stream copies the WAL with it.
    as_postgres "$PGBIN/pg_basebackup $PRIMARY -D $DIR -R -X stream -c fast"
    # Debian keeps the configuration outside the data directory: the standby gets its own, with
    # the limits a standby must hold at least as high as its primary's.
    limits=""
    for s in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
        limits="$limits '$s = $(psql $PRIMARY -d postgres -Atc "SHOW $s")'"
    done
    as_postgres "printf '%s\n' \"listen_addresses = '127.0.0.1'\" \"port = $PORT\" \
        \"unix_socket_directories = '/tmp'\" 'hot_standby = on' $limits \
        >$DIR/postgresql.conf
        printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' >$DIR/pg_hba.conf
        : >$DIR/pg_ident.conf"
    as_postgres "$PGBIN/pg_ctl -D $DIR -l $DIR/standby.log -w start" >/dev/null
    echo "postgres://postgres@127.0.0.1:$PORT/test"
    ;;
stop)
    as_postgres "$PGBIN/pg_ctl -D $DIR -m fast -w stop" >/dev/null || true
    ;;
*)
    echo "usage: $0 [start|stop]" >&2
    exit 2
    ;;
esac
