#!/usr/bin/env bash
# Creates or upgrades CKAN's tables and every enabled plugin's migrations (harvest,
# activity, ...) for the given config. Idempotent.   scripts/init-db.sh <ckan.ini>
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ini="${1:?usage: init-db.sh <ckan.ini>}"
"$CKAN" -c "$ini" db init >/dev/null 2>"$RUN_DIR/log/db-init.log" \
  || { cat "$RUN_DIR/log/db-init.log" >&2; die "ckan db init failed for $ini"; }
"$CKAN" -c "$ini" db pending-migrations --apply >/dev/null 2>>"$RUN_DIR/log/db-init.log" \
  || { cat "$RUN_DIR/log/db-init.log" >&2; die "plugin migrations failed for $ini"; }
# The DataStore's own objects (_table_metadata view, full-text trigger) and its read-only
# role's rights, from CKAN's script, applied by the cluster's superuser.
"$CKAN" -c "$ini" datastore set-permissions 2>>"$RUN_DIR/log/db-init.log" \
  | "$PG_BIN/psql" -h "$RUN_DIR/postgres" -p "$PG_PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      >/dev/null 2>>"$RUN_DIR/log/db-init.log" \
  || { tail -n 20 "$RUN_DIR/log/db-init.log" >&2; die "setting the DataStore permissions failed for $ini"; }
