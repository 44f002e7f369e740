#!/usr/bin/env bash
# Local service stack: PostgreSQL 15 (+PostGIS), Redis, Solr 9.8, FROST-Server, MapServer, pycsw.
#   scripts/services.sh start|stop|status [postgres|redis|solr|frost|frost_test|mapserver|pycsw|pycsw_test ...]
# frost is the demo's IoT platform; frost_test is the harvester tests' own SensorThings server.
# mapserver serves the demo GIS layers as WMS/WFS (read-only, shared by demo and tests);
# pycsw is the demo's CSW catalogue, pycsw_test the CSW harvester tests' own.
# Data, logs and pids live under .run/ (git-ignored). Everything binds to 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mkdir -p "$RUN_DIR/log" "$PID_DIR"

# --- PostgreSQL --------------------------------------------------------------------------
pg_pidfile() { echo "$PG_DATA/postmaster.pid"; }
pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_init() {
  [ -f "$PG_DATA/PG_VERSION" ] && return 0
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 is not installed ($PG_BIN/initdb missing); run scripts/install-system.sh"
  say "initialising PostgreSQL cluster in $PG_DATA"
  mkdir -p "$PG_DATA"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$RUN_DIR/postgres"
  chmod 700 "$PG_DATA"
  # Local socket: peer/trust for the admin; TCP on loopback: passwords (scram).
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null \
    || die "initdb failed"
}

pg_start() {
  pg_init
  if pg_running; then return 0; fi
  ensure_port_free "$PG_PORT" pg /nonexistent
  touch "$PG_LOG" && { [ "$(id -u)" = 0 ] && chown postgres "$PG_LOG" || true; }
  say "starting PostgreSQL on $HOST:$PG_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
    -o "-c listen_addresses=$HOST -p $PG_PORT -k $RUN_DIR/postgres -c unix_socket_permissions=0700" \
    >/dev/null || die "PostgreSQL failed to start; see $PG_LOG"
}

pg_stop() {
  pg_running || return 0
  say "stopping PostgreSQL"
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
}

# --- Redis -------------------------------------------------------------------------------
REDIS_PID="$PID_DIR/redis.pid"

redis_start() {
  pid_alive "$REDIS_PID" && return 0
  command -v redis-server >/dev/null || die "redis-server is not installed; run scripts/install-system.sh"
  ensure_port_free "$REDIS_PORT" redis "$REDIS_PID"
  mkdir -p "$REDIS_DIR"
  say "starting Redis on $HOST:$REDIS_PORT"
  redis-server --bind "$HOST" --port "$REDIS_PORT" --dir "$REDIS_DIR" \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$RUN_DIR/log/redis.log" \
    --appendonly yes --save "60 1000" --protected-mode yes >/dev/null \
    || die "Redis failed to start; see $RUN_DIR/log/redis.log"
  wait_for redis 20 redis-cli -h "$HOST" -p "$REDIS_PORT" ping || die "Redis did not answer; see $RUN_DIR/log/redis.log"
}

redis_stop() {
  pid_alive "$REDIS_PID" || { rm -f "$REDIS_PID"; return 0; }
  say "stopping Redis"
  local pid; pid="$(cat "$REDIS_PID")"
  redis-cli -h "$HOST" -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$pid"
  wait_for redis-stop 20 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$REDIS_PID"
}

# --- Solr --------------------------------------------------------------------------------
SOLR_PID="$PID_DIR/solr.pid"
SOLR_CORES=(ckan ckan_test ckan_harvest_test ckan_restore_test)

# Builds a Java launcher under scripts/ with Maven when its sources are newer than the build.
java_build() {
  local dir="$1" name="$2" cp="$1/target/classpath.txt"
  local stamp="$dir/target/.built"
  if [ -f "$stamp" ] && [ -s "$cp" ] && [ -z "$(find "$dir/pom.xml" "$dir/src" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven is not installed; run scripts/install-system.sh"
  say "building the $name launcher (from Maven Central)"
  mkdir -p "$dir/target"
  (cd "$dir" && mvn -q -B compile dependency:build-classpath -Dmdep.outputFile="$cp") \
    > "$RUN_DIR/log/$name-build.log" 2>&1 || die "building the $name launcher failed; see $RUN_DIR/log/$name-build.log"
  touch "$stamp"
}

solr_configure() {
  [ -x "$PY" ] || die "the Python venv is missing; run 'make install' first (Solr takes CKAN's schema from it)"
  mkdir -p "$SOLR_HOME"
  cp "$REPO/config/solr/solr.xml" "$SOLR_HOME/solr.xml"
  local core
  for core in "${SOLR_CORES[@]}"; do
    mkdir -p "$SOLR_HOME/$core"
    printf 'name=%s\n' "$core" > "$SOLR_HOME/$core/core.properties"
    "$PY" "$REPO/scripts/solr_schema.py" "$SOLR_HOME/$core/conf" || die "could not build the Solr schema"
  done
}

solr_start() {
  pid_alive "$SOLR_PID" && return 0
  command -v java >/dev/null || die "Java 17 is not installed; run scripts/install-system.sh"
  ensure_port_free "$SOLR_PORT" solr "$SOLR_PID"
  java_build "$SOLR_LAUNCHER" solr
  solr_configure
  say "starting Solr 9.8 on $HOST:$SOLR_PORT"
  nohup java -Xms256m -Xmx${OSN_SOLR_HEAP:-768m} \
    -Dlog4j2.configurationFile="$REPO/config/solr/log4j2.xml" -Dsolr.log.dir="$RUN_DIR/log" \
    -Dsolr.data.home="$RUN_DIR/solr/data" \
    -cp "$SOLR_LAUNCHER/target/classes:$(cat "$SOLR_CP")" \
    de.osnabrueck.opendata.solr.EmbeddedSolr "$SOLR_HOME" "$SOLR_PORT" \
    > "$RUN_DIR/log/solr.out" 2>&1 < /dev/null &
  echo $! > "$SOLR_PID"
  local core
  for core in "${SOLR_CORES[@]}"; do
    wait_for solr 120 curl -fsS "http://$HOST:$SOLR_PORT/solr/$core/admin/ping" \
      || { solr_stop; die "Solr core '$core' did not come up; see $RUN_DIR/log/solr.out and solr.log"; }
  done
}

solr_stop() {
  pid_alive "$SOLR_PID" || { rm -f "$SOLR_PID"; return 0; }
  say "stopping Solr"
  local pid; pid="$(cat "$SOLR_PID")"
  kill "$pid"
  wait_for solr-stop 60 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$SOLR_PID"
}

# --- FROST-Server (SensorThings API) -------------------------------------------------------
FROST_LAUNCHER="$REPO/scripts/frost-launcher"

frost_port() { if [ "$1" = frost ]; then echo "$FROST_PORT"; else echo "$FROST_TEST_PORT"; fi; }

frost_start_one() {
  local name="$1" port; port="$(frost_port "$1")"
  local pidfile="$PID_DIR/$name.pid" settings="$RUN_DIR/frost/$name.properties"
  pid_alive "$pidfile" && return 0
  pg_running || die "FROST needs PostgreSQL; start it first"
  [ -f "$settings" ] || die "$settings is missing; run scripts/configure.py"
  ensure_port_free "$port" "$name" "$pidfile"
  java_build "$FROST_LAUNCHER" frost
  say "starting FROST-Server ($name) on $HOST:$port"
  nohup java -Xms64m -Xmx${OSN_FROST_HEAP:-384m} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$FROST_LAUNCHER/target/classes:$(cat "$FROST_LAUNCHER/target/classpath.txt")" \
    de.osnabrueck.opendata.frost.EmbeddedFrost "$RUN_DIR/frost/tomcat-$name" "$port" "$settings" \
    > "$RUN_DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  wait_for "$name" 120 curl -fsS "http://$HOST:$port/FROST-Server/v1.1" \
    || { frost_stop_one "$name"; die "FROST-Server ($name) did not come up; see $RUN_DIR/log/$name.log"; }
}

frost_stop_one() { stop_pid "FROST-Server ($1)" "$PID_DIR/$1.pid"; }

frost_start() { frost_start_one frost; }
frost_stop() { frost_stop_one frost; }
frost_test_start() { frost_start_one frost_test; }
frost_test_stop() { frost_stop_one frost_test; }

# --- MapServer (WMS/WFS through mapserv as CGI) ---------------------------------------------
MAPSERVER_PID="$PID_DIR/mapserver.pid"

mapserver_start() {
  pid_alive "$MAPSERVER_PID" && return 0
  command -v mapserv >/dev/null || die "mapserv is not installed; run scripts/install-system.sh"
  ensure_port_free "$MAPSERVER_PORT" mapserver "$MAPSERVER_PID"
  say "starting MapServer (WMS/WFS) on $HOST:$MAPSERVER_PORT"
  nohup "$PY" "$REPO/scripts/mapserver.py" "$MAPSERVER_PORT" "$RUN_DIR/mapserver" \
    > "$RUN_DIR/log/mapserver.log" 2>&1 < /dev/null &
  echo $! > "$MAPSERVER_PID"
  wait_for mapserver 30 curl -fsS "http://$HOST:$MAPSERVER_PORT/ows?SERVICE=WMS&REQUEST=GetCapabilities" \
    || { mapserver_stop; die "MapServer did not come up; see $RUN_DIR/log/mapserver.log"; }
}

mapserver_stop() { stop_pid mapserver "$MAPSERVER_PID"; }

# --- pycsw (CSW 2.0.2, ISO 19139) -----------------------------------------------------------
pycsw_port() { if [ "$1" = pycsw ]; then echo "$PYCSW_PORT"; else echo "$PYCSW_TEST_PORT"; fi; }

pycsw_start_one() {
  local name="$1" port; port="$(pycsw_port "$1")"
  local pidfile="$PID_DIR/$name.pid" cfg="$RUN_DIR/pycsw/$name.cfg"
  pid_alive "$pidfile" && return 0
  [ -x "$PYCSW_VENV/bin/python" ] || die "pycsw is not installed; run scripts/setup.sh"
  [ -f "$cfg" ] || die "$cfg is missing; run scripts/configure.py"
  ensure_port_free "$port" "$name" "$pidfile"
  if [ ! -f "$RUN_DIR/pycsw/$name.db" ]; then
    "$PYCSW_VENV/bin/pycsw-admin.py" -c setup_db -f "$cfg" > "$RUN_DIR/log/$name-setup.log" 2>&1 \
      || die "could not create the pycsw repository; see $RUN_DIR/log/$name-setup.log"
  fi
  say "starting pycsw ($name) on $HOST:$port"
  nohup "$PYCSW_VENV/bin/python" "$REPO/scripts/pycsw_server.py" "$cfg" "$port" \
    > "$RUN_DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  wait_for "$name" 30 curl -fsS "http://$HOST:$port/csw?service=CSW&version=2.0.2&request=GetCapabilities" \
    || { stop_pid "$name" "$pidfile"; die "pycsw ($name) did not come up; see $RUN_DIR/log/$name.log"; }
}

pycsw_start() { pycsw_start_one pycsw; }
pycsw_stop() { stop_pid "pycsw" "$PID_DIR/pycsw.pid"; }
pycsw_test_start() { pycsw_start_one pycsw_test; }
pycsw_test_stop() { stop_pid "pycsw_test" "$PID_DIR/pycsw_test.pid"; }

# Stops the process in pidfile $2 (named $1) and waits for it to end.
stop_pid() {
  local pidfile="$2"
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  say "stopping $1"
  local pid; pid="$(cat "$pidfile")"
  kill "$pid"
  wait_for "$1-stop" 30 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

# --- dispatch ----------------------------------------------------------------------------
status_line() {
  local name="$1" port="$2" up="$3"
  if $up; then printf '%-9s running   %s:%s\n' "$name" "$HOST" "$port"
  else printf '%-9s stopped   %s:%s\n' "$name" "$HOST" "$port"; fi
}

status() {
  local rc=0
  if pg_running; then status_line postgres "$PG_PORT" true; else status_line postgres "$PG_PORT" false; rc=3; fi
  if pid_alive "$REDIS_PID"; then status_line redis "$REDIS_PORT" true; else status_line redis "$REDIS_PORT" false; rc=3; fi
  if pid_alive "$SOLR_PID"; then status_line solr "$SOLR_PORT" true; else status_line solr "$SOLR_PORT" false; rc=3; fi
  local name
  for name in frost:$FROST_PORT frost_test:$FROST_TEST_PORT mapserver:$MAPSERVER_PORT pycsw:$PYCSW_PORT \
              pycsw_test:$PYCSW_TEST_PORT; do
    if pid_alive "$PID_DIR/${name%%:*}.pid"; then status_line "${name%%:*}" "${name#*:}" true
    else status_line "${name%%:*}" "${name#*:}" false; fi
  done
  return $rc
}

cmd="${1:-status}"; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(postgres redis solr)
[ "$cmd" = stop ] && [ $# -eq 0 ] && targets=(postgres redis solr frost frost_test mapserver pycsw pycsw_test)
case "$cmd" in
  start) for t in "${targets[@]}"; do "${t/postgres/pg}_start"; done ;;
  stop) for ((i = ${#targets[@]} - 1; i >= 0; i--)); do t="${targets[$i]}"; "${t/postgres/pg}_stop"; done ;;
  restart) "$0" stop "${targets[@]}"; "$0" start "${targets[@]}" ;;
  status) status ;;
  *) die "usage: $0 start|stop|restart|status [postgres|redis|solr|frost|frost_test|mapserver|pycsw|pycsw_test ...]" ;;
esac
