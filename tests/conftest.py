"""Shared fixtures. CKAN's own pytest plugin (ckan.tests.pytest_ckan) is loaded through
its entry point and reads test.ini (see pyproject.toml)."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXPECTED_PLUGINS = ["activity", "scheming_datasets", "dcat", "structured_data", "harvest", "osnabrueck_sensorthings",
                    "spatial_metadata", "spatial_query", "osnabrueck"]


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


PLUGINS_WITH_MIGRATIONS = ("activity", "harvest", "osnabrueck")


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
