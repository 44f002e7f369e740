#!/usr/bin/env bash
# `make run`: everything from a fresh machine to a serving portal, idempotently.
#   install system packages -> venv -> services -> config and databases -> CKAN db and
#   plugin migrations -> sysadmin -> demo content -> web app, worker, harvest consumers.
# OSN_SKIP_DEMO=1 leaves the demo content out.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

started=$(date +%s)
bash "$REPO/scripts/install-system.sh"
bash "$REPO/scripts/setup.sh"
bash "$REPO/scripts/services.sh" start
"$PY" "$REPO/scripts/configure.py" || die "could not write the config or prepare the databases"
bash "$REPO/scripts/init-db.sh" "$CKAN_INI"
# Stored URLs from before the IRI check, percent-encoded (idempotent; reads only candidates).
"$CKAN" -c "$CKAN_INI" osnabrueck repair-iris >/dev/null || die "repairing stored IRIs failed"
bash "$REPO/scripts/services.sh" start frost mapserver pycsw

# Generated passwords, kept in .run/secrets.json (never in a config).
secret() {
  "$PY" - "$RUN_DIR/secrets.json" "$1" <<'PY'
import json, secrets, sys
path, name = sys.argv[1], sys.argv[2]
data = json.load(open(path))
data.setdefault(name, secrets.token_urlsafe(12))
json.dump(data, open(path, "w"), indent=2)
print(data[name])
PY
}
admin_password=$(secret admin_password)
steward_password=$(secret steward_password)
# Read the whole list first: grep -q stops reading at the first match, and under pipefail
# the SIGPIPE of the writer would fail the test.
users=$("$CKAN" -c "$CKAN_INI" user list 2>/dev/null || true)
if ! grep -qE "^name=admin( |$)" <<<"$users"; then
  say "creating the sysadmin 'admin'"
  "$CKAN" -c "$CKAN_INI" user add admin email=opendata@osnabrueck.de password="$admin_password" \
    fullname="Portal-Administration" >/dev/null || die "could not create the sysadmin"
fi
"$CKAN" -c "$CKAN_INI" sysadmin add admin >/dev/null 2>&1 || true
# ckanext-xloader fetches files with an API token of the site user: minted once, then the
# config is rendered again with it (before the demo, whose tables are queued as they load).
"$CKAN" -c "$CKAN_INI" osnabrueck xloader-token "$RUN_DIR/secrets.json" >/dev/null || die "could not create the loader's API token"
"$PY" "$REPO/scripts/configure.py" --no-db || die "could not write the config"
# The JavaScript modules' messages (upload, select boxes, ...) in German: built into the
# storage folder, where /api/i18n/<lang> reads them; only `ckan run` builds them itself.
"$CKAN" -c "$CKAN_INI" translation js >/dev/null 2>&1 || warn "could not build the JavaScript translations"

if [ "${OSN_SKIP_DEMO:-0}" != 1 ]; then
  say "loading the Osnabrück demo content"
  "$CKAN" -c "$CKAN_INI" osnabrueck load-demo || die "loading the demo content failed"
  OSN_STEWARD_PASSWORD="$steward_password" "$CKAN" -c "$CKAN_INI" osnabrueck demo-steward \
    redaktion-geodaten geodaten-verkehrsanlagen >/dev/null || die "creating the demo steward failed"
fi
if [ "${OSN_SKIP_DEMO:-0}" != 1 ]; then
  say "loading the demo sensors into FROST and the demo ISO records into pycsw; harvesting them and MapServer"
  OSN_FROST_URL="$FROST_URL" "$CKAN" -c "$CKAN_INI" osnabrueck load-demo-sensors || die "loading the demo sensors failed"
  "$CKAN" -c "$CKAN_INI" osnabrueck load-demo-geodata --url "http://$HOST:$PYCSW_PORT/csw" \
    || die "loading the demo ISO records failed"
  OSN_FROST_URL="$FROST_URL" "$CKAN" -c "$CKAN_INI" osnabrueck harvest-sources --run || die "the demo harvest failed"
fi
# Tables loaded while every DataStore column was text get their types, and lost flags back (idempotent).
"$CKAN" -c "$CKAN_INI" osnabrueck repair-tables >/dev/null || warn "could not repair the DataStore tables"
# Previews for resources saved before every save created them (idempotent).
"$CKAN" -c "$CKAN_INI" osnabrueck ensure-views >/dev/null || warn "could not create the missing previews"
"$CKAN" -c "$CKAN_INI" osnabrueck warm-catalog >/dev/null || warn "could not fill the catalogue's RDF cache"

bash "$REPO/scripts/portal.sh" start

cat <<MSG

  Open Data Osnabrück läuft / is running:   http://$HOST:$CKAN_PORT
  Anmeldung / login (Sysadmin):             admin / $admin_password
  Redaktion Geodaten (steward, editor):     redaktion-geodaten / $steward_password
  Dienste / services:                       make status     Logs: $RUN_DIR/log/
  Stoppen / stop:                           make stop
  (ready in $(( $(date +%s) - started )) s)

MSG
