#!/usr/bin/env bash
# Init script of the db service (postgis/postgis:15-3.4, docker/compose.yaml), mounted
# into /docker-entrypoint-initdb.d/: the image runs it once, on an empty data directory,
# after its own PostGIS script. It creates what scripts/configure.py creates locally:
#
#   role ckan_default   owner of ckan_default (CKAN) and xloader_jobs (ckanext-xloader)
#   role datastore_rw   owner of datastore_default (the DataStore)
#   role datastore_ro   may connect to datastore_default and read its tables, nothing else
#
# The passwords come from the secret files named by CKAN_DB_PASSWORD_FILE,
# DATASTORE_RW_PASSWORD_FILE and DATASTORE_RO_PASSWORD_FILE. The DataStore's own objects
# (_table_metadata, full-text trigger, ...) are added by the migrate job with
# `ckan datastore set-permissions`, which needs CKAN's code.
#
# Idempotent, so it also sets new passwords after a rotation (docs/operations.md):
#   docker compose -f docker/compose.yaml exec db bash /docker-entrypoint-initdb.d/20-ckan-databases.sh

# A subshell: when the image sources this file instead of running it, the options below
# must not leak into its entrypoint.
(
set -euo pipefail

secret() {
  local var="$1" file_var="${1}_FILE"
  if [ -n "${!file_var:-}" ]; then
    cat "${!file_var}"
  elif [ -n "${!var:-}" ]; then
    printf '%s' "${!var}"
  else
    echo "init-ckan-databases: $var or $file_var is required" >&2
    return 1
  fi
}

ckan_pw="$(secret CKAN_DB_PASSWORD)"
rw_pw="$(secret DATASTORE_RW_PASSWORD)"
ro_pw="$(secret DATASTORE_RO_PASSWORD)"

psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v ckan_pw="$ckan_pw" -v rw_pw="$rw_pw" -v ro_pw="$ro_pw" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', name)
  FROM unnest(ARRAY['ckan_default', 'datastore_rw', 'datastore_ro']) AS name
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name)
\gexec
ALTER ROLE ckan_default LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'ckan_pw';
ALTER ROLE datastore_rw LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'rw_pw';
ALTER ROLE datastore_ro LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'ro_pw';

SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', db, owner)
  FROM (VALUES ('ckan_default', 'ckan_default'),
               ('xloader_jobs', 'ckan_default'),
               ('datastore_default', 'datastore_rw')) AS wanted(db, owner)
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = db)
\gexec

-- Nobody but the owners (and the DataStore reader) may even connect.
REVOKE CONNECT ON DATABASE ckan_default, xloader_jobs, datastore_default FROM PUBLIC;
GRANT CONNECT ON DATABASE ckan_default, xloader_jobs TO ckan_default;
GRANT CONNECT ON DATABASE datastore_default TO datastore_rw, datastore_ro, ckan_default;

\connect datastore_default
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CREATE, USAGE ON SCHEMA public TO datastore_rw;
GRANT USAGE ON SCHEMA public TO datastore_ro;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO datastore_ro;
ALTER DEFAULT PRIVILEGES FOR USER datastore_rw IN SCHEMA public GRANT SELECT ON TABLES TO datastore_ro;
-- A backstop behind datastore_search_sql's own timeout (docker/entrypoint.sh sets it again on
-- every migration, OSN_DATASTORE_RO_TIMEOUT; scripts/configure.py locally).
ALTER ROLE datastore_ro IN DATABASE datastore_default SET statement_timeout = '10s';
SQL
echo "init-ckan-databases: roles ckan_default, datastore_rw, datastore_ro and databases ckan_default, xloader_jobs, datastore_default are ready"
)
