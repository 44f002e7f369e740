"""Render the local CKAN config and prepare the databases, idempotently.

* Secrets (database passwords, session and API-token keys) are generated once into
  ``.run/secrets.json`` (mode 600) and never committed; no config holds a fixed password.
* ``config/ckan.ini.tmpl`` is rendered to ``.run/ckan.ini``; ``test.ini`` in the repo root
  builds on it and only switches databases, Solr core and Redis db.
* Roles and databases are created if missing, and their passwords set to the secrets:
  ckan_default owns the CKAN databases; datastore_rw owns the DataStore databases and
  datastore_ro may only read them.

Usage: python scripts/configure.py
"""
import contextlib
import json
import os
import secrets
import string
import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql

REPO = Path(__file__).resolve().parent.parent
RUN = Path(os.environ.get("OSN_RUN_DIR", REPO / ".run"))
SECRET_NAMES = ("ckan_db_password", "datastore_rw_password", "datastore_ro_password",
                "frost_db_password", "secret_key", "api_token_secret")
ROLES = {"ckan_default": "ckan_db_password", "datastore_rw": "datastore_rw_password",
         "datastore_ro": "datastore_ro_password", "frost": "frost_db_password"}
DATABASES = {"ckan_default": "ckan_default", "ckan_test": "ckan_default", "ckan_harvest_test": "ckan_default",
             "xloader_jobs": "ckan_default", "xloader_jobs_test": "ckan_default",
             "datastore_default": "datastore_rw", "datastore_test": "datastore_rw",
             "frost": "frost", "frost_test": "frost"}
# FROST-Server instances: the demo's IoT platform and the harvester tests' own server.
FROST = {"frost": ("OSN_FROST_PORT", "8090"), "frost_test": ("OSN_FROST_TEST_PORT", "8091")}
PYCSW = {"pycsw": ("OSN_PYCSW_PORT", "8093"), "pycsw_test": ("OSN_PYCSW_TEST_PORT", "8094")}
# The development stack's own services, the only internal addresses the portal's server-side
# fetches may reach (ckanext.osnabrueck.fetch_allowlist): the web app (xloader downloads
# uploads from it), FROST, MapServer and pycsw.
LOCAL_SERVICES = {"OSN_CKAN_PORT": "5000", **dict(FROST.values()), "OSN_MAPSERVER_PORT": "8092", **dict(PYCSW.values())}
READ_ONLY = {"datastore_default": "datastore_ro", "datastore_test": "datastore_ro"}
# A backstop for every statement of the read-only role that CKAN does not time itself;
# datastore_search_sql sets a shorter one per request (ckanext.osnabrueck.datastore_sql_timeout_ms).
# The same in production: docker/postgres/init-ckan-databases.sh and docker/entrypoint.sh.
READ_ONLY_TIMEOUT = "10s"


def load_secrets(path: Path) -> dict:
    data = json.loads(path.read_text()) if path.exists() else {}
    missing = [name for name in SECRET_NAMES if name not in data]
    if missing:
        data.update({name: secrets.token_urlsafe(32) for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2))
    path.chmod(0o600)
    return data


def settings(secret: dict) -> dict:
    return {
        # The loader's API token needs CKAN's tables: run.sh mints it after `db init`
        # (ckan osnabrueck xloader-token) and renders the config again.
        "xloader_api_token": "NOT_SET",
        **secret,
        "run_dir": str(RUN),
        "repo": str(REPO),
        "pg_port": os.environ.get("OSN_PG_PORT", "5432"),
        "redis_port": os.environ.get("OSN_REDIS_PORT", "6379"),
        "solr_port": os.environ.get("OSN_SOLR_PORT", "8983"),
        "ckan_port": os.environ.get("OSN_CKAN_PORT", "5000"),
        # The base map's tiles; OSN_MAP_TILES= (empty) for an offline machine: no base map.
        "map_tiles": os.environ.get("OSN_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "fetch_allowlist": " ".join(f"127.0.0.1:{os.environ.get(env, port)}" for env, port in LOCAL_SERVICES.items()),
    }


def render(template: Path, target: Path, values: dict) -> None:
    text = string.Template(template.read_text()).substitute(values)
    target.write_text(text)
    target.chmod(0o600)


@contextlib.contextmanager
def _admin_cursor(port: str, db: str = "postgres"):
    """A cursor of the cluster's superuser over the local socket, in autocommit mode."""
    conn = psycopg2.connect(host=str(RUN / "postgres"), port=port, user="postgres", dbname=db)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def ensure_databases(values: dict) -> None:
    with _admin_cursor(values["pg_port"]) as cur:
        for role, secret_name in ROLES.items():
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            verb = "ALTER" if cur.fetchone() else "CREATE"
            cur.execute(sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s")
                        .format(sql.Identifier(role)), (values[secret_name],))
        for db, owner in DATABASES.items():
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
            if not cur.fetchone():
                cur.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0")
                            .format(sql.Identifier(db), sql.Identifier(owner)))
            else:
                cur.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(db), sql.Identifier(owner)))
    for db, reader in READ_ONLY.items():
        _grant_read_only(values["pg_port"], db, DATABASES[db], reader)
    for db in FROST:
        _enable_postgis(values["pg_port"], db)


def _grant_read_only(port: str, db: str, owner: str, reader: str) -> None:
    ident = {"db": sql.Identifier(db), "owner": sql.Identifier(owner), "reader": sql.Identifier(reader),
             "timeout": sql.Literal(READ_ONLY_TIMEOUT)}
    statements = [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT CREATE, USAGE ON SCHEMA public TO {owner}",
        "GRANT CONNECT ON DATABASE {db} TO {reader}",
        "GRANT USAGE ON SCHEMA public TO {reader}",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}",
        "ALTER DEFAULT PRIVILEGES FOR USER {owner} IN SCHEMA public GRANT SELECT ON TABLES TO {reader}",
        "ALTER ROLE {reader} IN DATABASE {db} SET statement_timeout = {timeout}",
    ]
    with _admin_cursor(port, db) as cur:
        for statement in statements:
            cur.execute(sql.SQL(statement).format(**ident))


def _enable_postgis(port: str, db: str) -> None:
    with _admin_cursor(port, db) as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def write_frost_settings(values: dict) -> None:
    """FROST's settings file per instance: PostGIS database, loopback service root."""
    template = REPO / "config" / "frost" / "frost.properties.tmpl"
    for db, (env, default) in FROST.items():
        port = os.environ.get(env, default)
        render(template, RUN / "frost" / f"{db}.properties",
               {**values, "frost_db": db, "frost_port": port})


def write_pycsw_settings(values: dict) -> None:
    """pycsw's configuration per instance (demo and tests): own SQLite repository."""
    template = REPO / "config" / "pycsw" / "pycsw.cfg.tmpl"
    for name, (env, default) in PYCSW.items():
        render(template, RUN / "pycsw" / f"{name}.cfg", {**values, "pycsw_name": name,
                                                         "pycsw_port": os.environ.get(env, default),
                                                         "run_dir": str(RUN)})


def main() -> None:
    values = settings(load_secrets(RUN / "secrets.json"))
    (RUN / "storage").mkdir(parents=True, exist_ok=True)
    (RUN / "storage-test").mkdir(parents=True, exist_ok=True)
    (RUN / "frost").mkdir(parents=True, exist_ok=True)
    (RUN / "pycsw").mkdir(parents=True, exist_ok=True)
    render(REPO / "config" / "ckan.ini.tmpl", RUN / "ckan.ini", values)
    write_frost_settings(values)
    write_pycsw_settings(values)
    if "--no-db" not in sys.argv:
        ensure_databases(values)


if __name__ == "__main__":
    main()
