#!/usr/bin/env bash
# Entrypoint of the portal image (docker/Dockerfile); tini runs it as PID 1's child.
#
#   entrypoint.sh web | worker | gather | fetch | scheduler | migrate | <command ...>
#
# 1. Secrets: for each variable of SECRETS, VAR_FILE (a compose/Docker secret) is read into
#    VAR. Values must not contain '%' or line breaks; passwords that go into database URLs
#    must be URL-safe (letters, digits, '.', '_', '~', '-'): generate them with
#    `openssl rand -hex 32`.
# 2. The database URLs that CKAN core reads from the environment (CKAN_SQLALCHEMY_URL,
#    CKAN_DATASTORE_WRITE_URL, CKAN_DATASTORE_READ_URL) are built from the passwords unless
#    they are given whole; Solr and Redis default to the compose services.
# 3. docker/ckan.ini is rendered into $CKAN_INI (mode 600; a container-private directory).
# 4. Waits until PostgreSQL, Solr and Redis answer (OSN_WAIT=0 skips; OSN_WAIT_TIMEOUT s).
# 5. Migrations, for the role "migrate" or for "web" with CKAN_MIGRATE=1 (one container
#    only, never several web replicas at once): `ckan db upgrade` (core and every enabled
#    plugin's migrations), the DataStore permissions (`ckan datastore set-permissions`
#    piped into psql as the PostgreSQL superuser, POSTGRES_PASSWORD), the JavaScript
#    translations, and the loader's API token (ckan osnabrueck xloader-token) in the state
#    volume, unless CKAN_XLOADER_API_TOKEN is given.
# 6. Execs the role's process. Secrets only needed for rendering are dropped first.
set -euo pipefail

ROLE="${1:-web}"
[ $# -gt 0 ] && shift

APP="${OSN_APP_DIR:-/srv/app}"
STATE_DIR="${OSN_STATE_DIR:-/var/lib/ckan/state}"
TOKEN_FILE="$STATE_DIR/xloader.json"
export CKAN_INI="${CKAN_INI:-$APP/run/ckan.ini}"

log() { printf '%s entrypoint[%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ROLE" "$*" >&2; }
die() { log "error: $*"; exit 1; }
ctl() { python "$APP/docker/portalctl.py" "$@"; }

# --- 1. secrets ---------------------------------------------------------------------------
SECRETS=(CKAN_DB_PASSWORD DATASTORE_RW_PASSWORD DATASTORE_RO_PASSWORD CKAN_SECRET_KEY
         CKAN_API_TOKEN_SECRET CKAN_SMTP_PASSWORD CKAN_XLOADER_API_TOKEN POSTGRES_PASSWORD)
URL_PASSWORDS=(CKAN_DB_PASSWORD DATASTORE_RW_PASSWORD DATASTORE_RO_PASSWORD)

for var in "${SECRETS[@]}"; do
  file_var="${var}_FILE"
  if [ -n "${!file_var:-}" ]; then
    [ -z "${!var:-}" ] || die "both $var and $file_var are set; use one"
    [ -r "${!file_var}" ] || die "$file_var: ${!file_var} is not readable"
    # Trailing line breaks of the file are dropped ($(<...)).
    printf -v "$var" '%s' "$(< "${!file_var}")"
  fi
  unset "$file_var"
  value="${!var:-}"
  case "$value" in
    *%*|*$'\n'*|*$'\r'*) die "$var contains '%' or a line break (CKAN's config loader cannot take it)" ;;
  esac
  export "$var"="$value"
done
for var in "${URL_PASSWORDS[@]}"; do
  [[ "${!var}" =~ ^[A-Za-z0-9._~-]*$ ]] || die "$var must be URL-safe (letters, digits . _ ~ -)"
done

# --- 2. service addresses -----------------------------------------------------------------
DB_HOST="${OSN_DB_HOST:-db}"
DB_PORT="${OSN_DB_PORT:-5432}"
DS_HOST="${OSN_DATASTORE_HOST:-$DB_HOST}"
DS_PORT="${OSN_DATASTORE_PORT:-$DB_PORT}"
# The DataStore's read-only URL may point at a streaming replica (docs/operations.md).
DS_READ_HOST="${OSN_DATASTORE_READ_HOST:-$DS_HOST}"
DS_READ_PORT="${OSN_DATASTORE_READ_PORT:-$DS_PORT}"

need() { [ -n "${!1:-}" ] || die "$1 (or ${1}_FILE) is required: $2"; }
# default_url VARIABLE ROLE PASSWORD_VARIABLE HOST PORT DATABASE: a PostgreSQL URL unless set
default_url() {
  [ -n "${!1:-}" ] && return 0
  need "$3" "password of the PostgreSQL role $2 (for $1)"
  export "$1=postgresql://$2:${!3}@$4:$5/$6"
}
default_url CKAN_SQLALCHEMY_URL ckan_default CKAN_DB_PASSWORD "$DB_HOST" "$DB_PORT" ckan_default
default_url CKAN_XLOADER_JOBS_DB_URI ckan_default CKAN_DB_PASSWORD "$DB_HOST" "$DB_PORT" xloader_jobs
default_url CKAN_DATASTORE_WRITE_URL datastore_rw DATASTORE_RW_PASSWORD "$DS_HOST" "$DS_PORT" datastore_default
default_url CKAN_DATASTORE_READ_URL datastore_ro DATASTORE_RO_PASSWORD "$DS_READ_HOST" "$DS_READ_PORT" datastore_default
export CKAN_SOLR_URL="${CKAN_SOLR_URL:-http://solr:8983/solr/ckan}"
export CKAN_REDIS_URL="${CKAN_REDIS_URL:-redis://redis:6379/0}"
export CKAN_STORAGE_PATH="${CKAN_STORAGE_PATH:-/var/lib/ckan/storage}"
need CKAN_SITE_URL "the public address of the portal, e.g. https://opendata.osnabrueck.de"
need CKAN_SECRET_KEY "Flask SECRET_KEY (sessions, CSRF), the same on every container"
need CKAN_API_TOKEN_SECRET "key of the API tokens (JWT), the same on every container"
# CKAN core ignores empty variables, but an empty smtp password is better absent.
[ -n "$CKAN_SMTP_PASSWORD" ] || unset CKAN_SMTP_PASSWORD

# --- 3. the config --------------------------------------------------------------------------
load_token() {
  if [ -z "${CKAN_XLOADER_API_TOKEN:-}" ] && [ -r "$TOKEN_FILE" ]; then
    CKAN_XLOADER_API_TOKEN="$(python -c 'import json, sys; print(json.load(open(sys.argv[1])).get("xloader_api_token", ""))' "$TOKEN_FILE")"
    export CKAN_XLOADER_API_TOKEN
  fi
}
render() { ctl render "$APP/ckan.ini.tmpl" "$CKAN_INI" || die "could not render $CKAN_INI"; }
# A token given by the operator is used as it is; otherwise the migrate job keeps one in the
# state volume (re-minted when it no longer works, e.g. after rotating the JWT key).
TOKEN_GIVEN=0
[ -n "${CKAN_XLOADER_API_TOKEN:-}" ] && TOKEN_GIVEN=1
load_token
render
printf '%s\n' "$ROLE" > "$(dirname "$CKAN_INI")/role"

# --- 4. dependencies ------------------------------------------------------------------------
if [ "${OSN_WAIT:-1}" = 1 ]; then
  ctl wait db solr redis || die "the services did not come up"
fi

# --- 5. migrations --------------------------------------------------------------------------
migrate() {
  log "ckan db upgrade (core and plugin migrations)"
  ckan db upgrade || die "ckan db upgrade failed"
  log "stored URLs that are not valid IRIs, percent-encoded (ckan osnabrueck repair-iris)"
  ckan osnabrueck repair-iris >/dev/null || die "ckan osnabrueck repair-iris failed"
  log "types for DataStore tables loaded as text, lost datastore_active flags (ckan osnabrueck repair-tables)"
  ckan osnabrueck repair-tables >/dev/null || die "ckan osnabrueck repair-tables failed"
  log "default previews of resources that have none (ckan osnabrueck ensure-views)"
  ckan osnabrueck ensure-views >/dev/null || die "ckan osnabrueck ensure-views failed"
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    log "DataStore permissions (ckan datastore set-permissions | psql as ${POSTGRES_USER:-postgres})"
    # plus the read-only role's statement_timeout, a backstop behind the per-request one of
    # datastore_search_sql (ckanext.osnabrueck.datastore_sql_timeout_ms; scripts/configure.py)
    read_role_db="$(python -c 'import sys, urllib.parse as u; url = u.urlsplit(sys.argv[1]); print(url.username, url.path.lstrip("/"))' "$CKAN_DATASTORE_READ_URL")"
    { ckan datastore set-permissions
      printf '%s\n' "SELECT format('ALTER ROLE %I IN DATABASE %I SET statement_timeout = %L', :'ro', :'ro_db', :'ro_timeout')" '\gexec'
    } | PGPASSWORD="$POSTGRES_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 \
          -v ro="${read_role_db% *}" -v ro_db="${read_role_db#* }" -v ro_timeout="${OSN_DATASTORE_RO_TIMEOUT:-10s}" \
          "host=$DS_HOST port=$DS_PORT user=${POSTGRES_USER:-postgres} dbname=postgres" >/dev/null \
      || die "setting the DataStore permissions failed"
  else
    log "warning: no POSTGRES_PASSWORD: DataStore permissions not set; a DBA must apply 'ckan datastore set-permissions'"
  fi
  log "JavaScript translations"
  ckan translation js >/dev/null || die "ckan translation js failed"
  if [ "$TOKEN_GIVEN" = 0 ]; then
    log "API token of the loader (ckanext-xloader) in $TOKEN_FILE"
    ckan osnabrueck xloader-token "$TOKEN_FILE" >/dev/null || die "could not mint the loader's API token"
    unset CKAN_XLOADER_API_TOKEN
    load_token
    render
  fi
}

case "$ROLE" in
  migrate) migrate; log "migrations done"; exit 0 ;;
  web)
    if [ "${CKAN_MIGRATE:-0}" = 1 ]; then migrate; fi ;;
  *)
    [ "${CKAN_MIGRATE:-0}" = 1 ] && log "CKAN_MIGRATE=1 ignored: only the web and migrate roles migrate" ;;
esac

# --- 6. the role's process ------------------------------------------------------------------
unset CKAN_DB_PASSWORD DATASTORE_RW_PASSWORD DATASTORE_RO_PASSWORD CKAN_SECRET_KEY \
      CKAN_API_TOKEN_SECRET CKAN_XLOADER_API_TOKEN CKAN_XLOADER_JOBS_DB_URI POSTGRES_PASSWORD

case "$ROLE" in
  web)
    log "gunicorn on :${OSN_WEB_PORT:-5000} with ${OSN_WEB_WORKERS:-3} workers of ${OSN_WEB_THREADS:-8} threads"
    # Worker class, threads and limits: config/gunicorn.conf.py (OSN_WEB_WORKERS/_THREADS/_TIMEOUT).
    exec gunicorn --config "$APP/config/gunicorn.conf.py" --chdir "$APP/docker" \
      --bind "0.0.0.0:${OSN_WEB_PORT:-5000}" \
      --max-requests 2000 --max-requests-jitter 200 \
      --worker-tmp-dir /dev/shm --no-control-socket \
      --access-logfile - \
      --access-logformat '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(L)ss "%(a)s"' \
      wsgi_proxied:application ;;
  worker) exec ckan jobs worker default ;;
  gather) exec ckan osnabrueck harvest-consumer gather ;;
  fetch) exec ckan osnabrueck harvest-consumer fetch ;;
  scheduler) exec ckan osnabrueck schedule ;;
  *) exec "$ROLE" "$@" ;;
esac
