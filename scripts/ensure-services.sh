#!/usr/bin/env bash
# Owns making Redis and PostgreSQL reachable for Legwork and its tests: reuse, start, or install them.
# Writes the URLs it settled on to .legwork/services.env (sourced by scripts/test.sh and scripts/start.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .legwork
STATE_DIR="${LEGWORK_STATE_DIR:-/tmp/legwork-services}"
mkdir -p "$STATE_DIR"

log() { echo "[services] $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  log "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

redis_ok() { # $1 = url
  command -v redis-cli >/dev/null 2>&1 && [ "$(timeout 3 redis-cli -u "$1" ping 2>/dev/null)" = "PONG" ]
}

pg_ok() { # $1 = url
  command -v psql >/dev/null 2>&1 && timeout 5 psql "$1" -Atqc 'select 1' >/dev/null 2>&1
}

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  for url in ${REDIS_URL:-} redis://127.0.0.1:6379; do
    if redis_ok "$url"; then echo "$url"; return; fi
  done
  # The machine's own instance may just be stopped: start it as the machine image does
  if redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
       --dir "$STATE_DIR" --logfile "$STATE_DIR/redis-6379.log" >/dev/null 2>&1; then
    for _ in $(seq 1 50); do redis_ok redis://127.0.0.1:6379 && { echo redis://127.0.0.1:6379; return; }; sleep 0.1; done
  fi
  local port=6390
  redis-server --daemonize yes --bind 127.0.0.1 --port $port --save '' --appendonly no \
    --dir "$STATE_DIR" --logfile "$STATE_DIR/redis-$port.log" >/dev/null
  for _ in $(seq 1 50); do redis_ok "redis://127.0.0.1:$port" && { echo "redis://127.0.0.1:$port"; return; }; sleep 0.1; done
  log "Redis could not be started (see $STATE_DIR/redis-$port.log). Start one yourself and point Legwork at it, e.g.:"
  log "  sudo apt-get install -y redis-server && redis-server --daemonize yes --port 6379   (or: docker compose up -d redis)"
  log "  then: REDIS_URL=redis://127.0.0.1:6379 npm start"
  exit 1
}

ensure_postgres() {
  command -v psql >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
  for url in ${DATABASE_URL:-} postgres://postgres@127.0.0.1:5432/postgres; do
    if pg_ok "$url"; then echo "$url"; return; fi
  done
  # The machine's cluster may be installed but stopped
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for v in $(ls /etc/postgresql); do as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true; done
    for _ in $(seq 1 50); do pg_ok postgres://postgres@127.0.0.1:5432/postgres && { echo postgres://postgres@127.0.0.1:5432/postgres; return; }; sleep 0.2; done
  fi
  # Last resort: a private trust-auth cluster owned by the postgres OS user
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  local data="$STATE_DIR/pg" port=54329
  id postgres >/dev/null 2>&1 || as_root useradd --system --home "$STATE_DIR" postgres
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"; chmod 777 "$STATE_DIR"; as_root chown postgres "$data"
    as_root su postgres -s /bin/sh -c "$bin/initdb -D '$data' --auth=trust -U postgres >/dev/null"
  fi
  as_root su postgres -s /bin/sh -c "$bin/pg_ctl -D '$data' -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' -l '$data/server.log' -w start >/dev/null" || true
  for _ in $(seq 1 50); do pg_ok "postgres://postgres@127.0.0.1:$port/postgres" && { echo "postgres://postgres@127.0.0.1:$port/postgres"; return; }; sleep 0.2; done
  log "PostgreSQL could not be started (see $data/server.log). Start one yourself and point Legwork at it, e.g.:"
  log "  sudo apt-get install -y postgresql && sudo pg_ctlcluster \$(ls /etc/postgresql) main start   (or: docker compose up -d postgres)"
  log "  then: DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/legwork npm start"
  exit 1
}

REDIS=$(ensure_redis)
PG=$(ensure_postgres)
# Legwork keeps its tables in its own database unless DATABASE_URL names one
if [ -z "${DATABASE_URL:-}" ]; then
  [ "$(psql "$PG" -Atqc "select 1 from pg_database where datname = 'legwork'")" = "1" ] || psql "$PG" -qc 'create database legwork' >/dev/null
  PG="${PG%/*}/legwork"
fi
printf 'REDIS_URL=%s\nDATABASE_URL=%s\n' "$REDIS" "$PG" > .legwork/services.env
log "Redis $REDIS, PostgreSQL $PG"
