# Shared settings and helpers for the repo's scripts. Source it; do not run it.
# Every path is project-local; every service listens on loopback only.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${OSN_RUN_DIR:-$REPO/.run}"
VENV="${OSN_VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
PYCSW_VENV="${OSN_PYCSW_VENV:-$REPO/.venv-pycsw}"
CKAN="$VENV/bin/ckan"
CKAN_INI="$RUN_DIR/ckan.ini"

PG_PORT="${OSN_PG_PORT:-5432}"
REDIS_PORT="${OSN_REDIS_PORT:-6379}"
SOLR_PORT="${OSN_SOLR_PORT:-8983}"
CKAN_PORT="${OSN_CKAN_PORT:-5000}"
FROST_PORT="${OSN_FROST_PORT:-8090}"
FROST_TEST_PORT="${OSN_FROST_TEST_PORT:-8091}"
MAPSERVER_PORT="${OSN_MAPSERVER_PORT:-8092}"
PYCSW_PORT="${OSN_PYCSW_PORT:-8093}"
PYCSW_TEST_PORT="${OSN_PYCSW_TEST_PORT:-8094}"
HOST=127.0.0.1

PG_BIN="${OSN_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATA="$RUN_DIR/postgres/data"
PG_LOG="$RUN_DIR/log/postgres.log"
REDIS_DIR="$RUN_DIR/redis"
SOLR_HOME="$RUN_DIR/solr/home"
SOLR_LAUNCHER="$REPO/scripts/solr-launcher"

SOLR_CP="$SOLR_LAUNCHER/target/classpath.txt"
FROST_URL="http://127.0.0.1:$FROST_PORT/FROST-Server/v1.1"
PID_DIR="$RUN_DIR/pids"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Waits up to $2 seconds for the command "$3 ..." to succeed.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local i
  for ((i = 0; i < seconds * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  return 1
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Fails clearly when a port is held by a process that is not ours.
ensure_port_free() {
  local port="$1" name="$2" pidfile="$3"
  if port_open "$port" && ! pid_alive "$pidfile"; then
    die "port $port (for $name) is already taken by another process; stop it or set OSN_${name^^}_PORT"
  fi
}

# PostgreSQL refuses to run as root, so the cluster belongs to the 'postgres' user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
