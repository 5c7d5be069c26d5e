#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tune storage tests, from Debian's packages, listening on
# 127.0.0.1 only.
#
#   eval "$(bash .ci/postgres.sh start)"   # installs if needed, starts, prints `export GANGLION_TEST_PG_URL=...`
#   bash .ci/postgres.sh stop              # stops it (the data directory is kept for the next start)
#   bash .ci/postgres.sh url               # prints the URL only
#
# Everything but the final `export` line goes to stderr, so `eval "$(...)"` sees one command.
# Settings (environment): GANGLION_PG_DIR (data directory, default /tmp/ganglion-pg), GANGLION_PG_PORT
# (default: the first free port from 55432 up — never the system cluster's 5432).
set -euo pipefail

DIR="${GANGLION_PG_DIR:-/tmp/ganglion-pg}"
# First free port from 55432 up (a server left by an earlier run must not make CI fail).
free_port() {
  local p
  for p in $(seq 55432 55531); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo 55432
}
PORT="${GANGLION_PG_PORT:-$(free_port)}"
DB=ganglion_test
USER_NAME=ganglion
PASSWORD=ganglion
URL="postgres://${USER_NAME}:${PASSWORD}@127.0.0.1:${PORT}/${DB}"

log() { echo "postgres.sh: $*" >&2; }

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install_pg() {
  if [ -n "$(pg_bindir)" ]; then return; fi
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL is not installed and this is not root: run 'sudo apt-get install -y postgresql' first"
    exit 1
  fi
  log "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  if [ -z "$(pg_bindir)" ]; then
    log "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb was found"
    exit 1
  fi
}

# Runs a command as the server's owner: initdb and postgres refuse to run as root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  install_pg
  local bin
  bin=$(pg_bindir)
  if [ ! -s "$DIR/PG_VERSION" ]; then
    log "initdb into $DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
    chmod 700 "$DIR"
    as_owner "$bin/initdb" -D "$DIR" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --no-locale >/dev/null
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = ${PORT}"
      echo "unix_socket_directories = '${DIR}'"
      echo "max_connections = 100"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    } >>"$DIR/postgresql.conf"
  fi
  if as_owner "$bin/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    log "server already running in $DIR"
  else
    log "starting the server on 127.0.0.1:${PORT}"
    as_owner "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >&2 || {
      log "the server did not start; its log ($DIR/server.log) ends with:"
      tail -n 20 "$DIR/server.log" >&2 || true
      exit 1
    }
  fi
  local psql=("$bin/psql" -h "$DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
  if [ "$(as_owner "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '${USER_NAME}'")" != 1 ]; then
    as_owner "${psql[@]}" -d postgres -c "CREATE ROLE ${USER_NAME} LOGIN PASSWORD '${PASSWORD}'" >&2
  fi
  if [ "$(as_owner "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '${DB}'")" != 1 ]; then
    as_owner "${psql[@]}" -d postgres -c "CREATE DATABASE ${DB} OWNER ${USER_NAME}" >&2
  fi
  log "ready: ${URL%%:${PASSWORD}@*}@127.0.0.1:${PORT}/${DB} (password '${PASSWORD}')"
  echo "export GANGLION_TEST_PG_URL='${URL}'"
}

stop() {
  local bin
  bin=$(pg_bindir || true)
  if [ -z "$bin" ] || [ ! -s "$DIR/PG_VERSION" ]; then
    log "nothing to stop"
    return
  fi
  if as_owner "$bin/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$DIR" -m fast -w stop >&2
  else
    log "server in $DIR is not running"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *)
    log "unknown command '$1' (expected start, stop or url)"
    exit 2
    ;;
esac
