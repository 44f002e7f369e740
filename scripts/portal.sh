#!/usr/bin/env bash
# The portal's own processes: the web app (gunicorn), the background job worker and the
# harvest gather/fetch consumers, and the scheduler of periodic tasks (harvest runs, usage
# statistics).   scripts/portal.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mkdir -p "$RUN_DIR/log" "$PID_DIR"
PROCESSES=(web worker gather fetch schedule)

command_for() {
  case "$1" in
    web) echo "$VENV/bin/gunicorn --config $REPO/config/gunicorn.conf.py --chdir $REPO/config --bind $HOST:$CKAN_PORT --access-logfile $RUN_DIR/log/access.log wsgi:application" ;;
    worker) echo "$CKAN -c $CKAN_INI jobs worker default" ;;
    gather) echo "$CKAN -c $CKAN_INI osnabrueck harvest-consumer gather" ;;
    fetch) echo "$CKAN -c $CKAN_INI osnabrueck harvest-consumer fetch" ;;
    schedule) echo "$CKAN -c $CKAN_INI osnabrueck schedule" ;;
  esac
}

start_one() {
  local name="$1" pidfile="$PID_DIR/$1.pid"
  pid_alive "$pidfile" && return 0
  # setsid: each process leads its own group, so stop can take its children along.
  CKAN_INI="$CKAN_INI" setsid $(command_for "$name") >> "$RUN_DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

stop_one() {
  local name="$1" pidfile="$PID_DIR/$1.pid" pid
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  wait_for "$name" 30 bash -c "! kill -0 -- -$pid 2>/dev/null" || kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

start() {
  [ -f "$CKAN_INI" ] || die "no $CKAN_INI; run 'make run' (or scripts/run.sh) first"
  ensure_port_free "$CKAN_PORT" ckan "$PID_DIR/web.pid"
  say "starting the portal on http://$HOST:$CKAN_PORT (web, jobs worker, harvest consumers, scheduler)"
  start_one web
  wait_for web 90 curl -fsS "http://$HOST:$CKAN_PORT/api/3/action/status_show" \
    || { tail -n 30 "$RUN_DIR/log/web.log" >&2; die "the portal did not answer on port $CKAN_PORT; see $RUN_DIR/log/web.log"; }
  # The worker's jobs (xloader) download files from the web app, so it starts second.
  for p in "${PROCESSES[@]:1}"; do start_one "$p"; done
}

stop() {
  local p
  for p in "${PROCESSES[@]}"; do stop_one "$p"; done
}

status() {
  local p rc=0
  for p in "${PROCESSES[@]}"; do
    if pid_alive "$PID_DIR/$p.pid"; then printf '%-9s running   pid %s\n' "$p" "$(cat "$PID_DIR/$p.pid")"
    else printf '%-9s stopped\n' "$p"; rc=3; fi
  done
  return $rc
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) die "usage: $0 start|stop|restart|status" ;;
esac
