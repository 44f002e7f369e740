"""Shared fixtures. CKAN's own pytest plugin (ckan.tests.pytest_ckan) is loaded through
its entry point and reads test.ini (see pyproject.toml)."""
import contextlib
import json
import os
from pathlib import Path

import psycopg2
import pytest
import requests

from harvesters.scripted import Script, serve

REPO = Path(__file__).resolve().parent.parent
EXPECTED_PLUGINS = ["osnabrueck", "activity", "scheming_datasets", "dcat", "structured_data", "harvest", "osnabrueck_sensorthings",
                    "osnabrueck_ogc", "osnabrueck_csw", "osnabrueck_arcgis",
                    "spatial_metadata", "spatial_query", "osnabrueck_chart", "datastore", "xloader",
                    "datatables_view", "tracking", "resource_proxy", "image_view", "geo_view", "geojson_view"]


@pytest.fixture
def expected_plugins() -> list[str]:
    return EXPECTED_PLUGINS


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def sysadmin_headers():
    """Authorization header of a fresh sysadmin with an API token."""
    from ckan.tests import factories

    user = factories.SysadminWithToken()
    return {"Authorization": user["token"]}


PLUGINS_WITH_MIGRATIONS = ("activity", "harvest", "osnabrueck", "tracking")


@contextlib.contextmanager
def fetch_allowed(url: str):
    """Let the portal's guarded fetcher (ckanext/osnabrueck/fetch.py) reach a loopback
    server, as the development config does for the local services."""
    from ckan.common import config

    before = list(config.get("ckanext.osnabrueck.fetch_allowlist") or [])
    config["ckanext.osnabrueck.fetch_allowlist"] = before + [url.split("//", 1)[1].split("/", 1)[0]]
    try:
        yield
    finally:
        config["ckanext.osnabrueck.fetch_allowlist"] = before


@pytest.fixture
def scripted_server():
    """A scripted HTTP server on loopback (harvesters/scripted.py), allowlisted for the
    guarded fetcher like a local service of the development stack."""
    with serve(Script()) as script, fetch_allowed(script.url):
        yield script


@pytest.fixture
def canary():
    """A scripted HTTP server on loopback that is NOT allowlisted: the internal service an
    attacker aims at. Its ``hits`` must stay empty."""
    with serve(Script()) as script:
        script.answer("/", (200, "secret internal answer", 0))
        yield script


@pytest.fixture
def clean_datastore(clean_db, clean_index):
    """An empty DataStore database (as CKAN's own DataStore tests have it)."""
    import ckanext.datastore.tests.helpers as datastore_helpers

    engine = datastore_helpers.db.get_write_engine()
    datastore_helpers.rebuild_all_dbs(datastore_helpers.orm.scoped_session(
        datastore_helpers.orm.sessionmaker(bind=engine)))


@pytest.fixture(scope="session")
def reset_db(reset_db, migrate_db_for):
    """CKAN's reset_db, plus the plugin migrations it drops.

    The first reset of a session drops every table, the plugins' alembic version tables
    included, and recreates only CKAN's core tables; later resets just delete rows.
    """
    import ckan.plugins as plugins
    from ckan import model

    def migrate(name):
        loaded = plugins.plugin_loaded(name)
        if not loaded:
            plugins.load(name)
        try:
            migrate_db_for(name)
        finally:
            if not loaded:
                plugins.unload(name)

    def reset():
        fresh = not model.repo.tables_created_and_initialised
        reset_db()
        if fresh:
            for name in PLUGINS_WITH_MIGRATIONS:
                migrate(name)

    return reset


# --- the test FROST-Server (SensorThings API) -----------------------------------------

FROST_URL = f"http://127.0.0.1:{os.environ.get('OSN_FROST_TEST_PORT', '8091')}/FROST-Server/v1.1"


def _frost_connection():
    secrets = json.loads((Path(os.environ.get("OSN_RUN_DIR", REPO / ".run")) / "secrets.json").read_text())
    return psycopg2.connect(host="127.0.0.1", port=os.environ.get("OSN_PG_PORT", "5432"), dbname="frost_test",
                            user="frost", password=secrets["frost_db_password"])


def empty_frost(url: str = FROST_URL) -> str:
    """Check the test FROST-Server answers, and empty its database."""
    requests.get(url, timeout=5).raise_for_status()
    with _frost_connection() as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT ILIKE 'databasechangelog%' AND tableowner = current_user")
        tables = ", ".join(f'"{name}"' for (name,) in cur.fetchall())
        cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return url


@pytest.fixture
def frost():
    """The test FROST-Server (scripts/services.sh start frost_test), emptied."""
    try:
        return empty_frost()
    except requests.RequestException as error:
        pytest.fail(f"the test FROST-Server does not answer at {FROST_URL} ({error}); make test starts it")


# --- MapServer (WMS/WFS of the demo layers; read-only, so demo and tests share it) ------

MAPSERVER_URL = f"http://127.0.0.1:{os.environ.get('OSN_MAPSERVER_PORT', '8092')}/ows"


@pytest.fixture
def mapserver() -> str:
    try:
        requests.get(f"{MAPSERVER_URL}?SERVICE=WMS&REQUEST=GetCapabilities", timeout=10).raise_for_status()
    except requests.RequestException as error:
        pytest.fail(f"MapServer does not answer at {MAPSERVER_URL} ({error}); make test starts it")
    return MAPSERVER_URL


# --- the test CSW (pycsw 2.6, filled through its own CSW-T API) ---------------------------

CSW_URL = f"http://127.0.0.1:{os.environ.get('OSN_PYCSW_TEST_PORT', '8094')}/csw"


@pytest.fixture
def csw() -> str:
    """The test pycsw (scripts/services.sh start pycsw_test), emptied."""
    from ckanext.osnabrueck.demo import geodata

    try:
        geodata.delete_all(CSW_URL)
    except requests.RequestException as error:
        pytest.fail(f"the test pycsw does not answer at {CSW_URL} ({error}); make test starts it")
    return CSW_URL
