"""F2: a harvest source's datasets belong to the source's organisation; another
organisation in its config only from a sysadmin (on save and at job time).
F7: harvested datasets are indexed with harvest_source_id, and clearing a source removes
them from search, the catalogue (and its RDF cache) and the sitemap."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib import search
from ckan.lib.redis import connect_to_redis
from ckan.tests.helpers import call_action

from ckanext.harvest.model import HarvestObject
from ckanext.osnabrueck import rdf_cache

from harvesters.lib import gather_errors, run
from .conftest import World, api

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
RECORDED = Path(__file__).resolve().parents[1] / "harvesters" / "ogc" / "data"
LAYERS = {"stadtteile", "baustellen", "spielplaetze"}
WALL = "nicht diese Organisation"


@pytest.fixture
def ogc_service(scripted_server):
    """A WMS/WFS answering with the recorded capabilities of the demo's three layers."""
    for kind, version in (("WMS", "1.3.0"), ("WFS", "2.0.0")):
        body = (RECORDED / f"{kind.lower()}-{version}-capabilities.xml").read_text()
        scripted_server.answer(f"/ows?SERVICE={kind}&VERSION={version}&REQUEST=GetCapabilities", (200, body, 0))
    return scripted_server.url + "/ows"


def _config(owner_org: str | None = None, **extra) -> str:
    base = {"license_id": "dl-by-de/2.0", "contact_email": "geodaten@osnabrueck.de", "themes": ["REGI"],
            "retries": 0, "timeout": 10}
    return json.dumps({**base, **({"owner_org": owner_org} if owner_org else {}), **extra})


def _source(world: World, url: str, config: str, source_type: str = "osnabrueck_ogc") -> dict:
    name = f"quelle-{uuid.uuid4().hex[:10]}"
    return {"name": name, "title": "Geodienste", "url": url, "source_type": source_type,
            "owner_org": world.org_a["id"], "config": config}


def _create(app, world: World, role: str, data: dict) -> tuple[int, dict]:
    return api(app, "harvest_source_create", world.headers(role), **data)


def _datasets_of(org: dict) -> list[str]:
    return [pkg.name for pkg in model.Session.query(model.Package).filter_by(owner_org=org["id"], type="dataset")]


def _config_in_db(source_id: str, config: str) -> None:
    """Change a source's config past the actions (SQL, a script, a restored backup)."""
    model.Session.execute(sa.text("UPDATE harvest_source SET config = :c WHERE id = :id"),
                          {"c": config, "id": source_id})
    model.Session.commit()
    model.Session.expire_all()


# --- F2 on save ---------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["top level", "layer", "sensorthings group"])
def test_an_editor_cannot_create_a_source_that_harvests_into_another_organisation(app, world, where):
    b = world.org_b["name"]
    config, source_type = {
        "top level": (_config(b), "osnabrueck_ogc"),
        "layer": (_config(world.org_a["name"], layers={"baustellen": {"owner_org": b}}), "osnabrueck_ogc"),
        "sensorthings group": (_config(world.org_a["name"], groups=[
            {"name": "pegel", "title": "Pegel", "observed_property": "Wasserstand", "owner_org": b}]),
            "osnabrueck_sensorthings"),
    }[where]
    data = _source(world, "http://127.0.0.1:9/ows", config, source_type)
    status, body = _create(app, world, "editor_a", data)
    assert status == 409, body
    assert body["error"]["__type"] == "Validation Error"
    assert WALL in " ".join(body["error"]["config"]) and f"„{b}“" in " ".join(body["error"]["config"])
    assert model.Package.get(data["name"]) is None


def test_package_create_of_type_harvest_is_no_way_around(app, world):
    data = {**_source(world, "http://127.0.0.1:9/ows", _config(world.org_b["name"])), "type": "harvest"}
    status, body = api(app, "package_create", world.headers("editor_a"), **data)
    assert status == 409 and WALL in " ".join(body["error"]["config"]), body


@pytest.mark.parametrize("action", ["harvest_source_update", "harvest_source_patch"])
def test_an_editor_cannot_turn_a_source_towards_another_organisation(app, world, action):
    data = _source(world, "http://127.0.0.1:9/ows", _config(world.org_a["name"]))
    status, created = _create(app, world, "editor_a", data)
    assert status == 200, created
    change = {"id": created["result"]["id"], "config": _config(world.org_b["name"])}
    if action == "harvest_source_update":
        change = {**data, **change}
    status, body = api(app, action, world.headers("editor_a"), **change)
    assert status == 409 and WALL in " ".join(body["error"]["config"]), body
    shown = call_action("harvest_source_show", id=created["result"]["id"])
    assert json.loads(shown["config"])["owner_org"] == world.org_a["name"]


# --- F2 at job time -----------------------------------------------------------------------

def test_a_config_altered_in_the_database_imports_nothing_into_the_other_organisation(app, world, ogc_service):
    status, created = _create(app, world, "editor_a", _source(world, ogc_service, _config(world.org_a["name"])))
    assert status == 200, created
    source = created["result"]
    _config_in_db(source["id"], _config(world.org_b["name"]))

    job, report = run(source)
    errors = gather_errors(report)
    assert WALL in errors and "es wird nichts importiert" in errors, report
    assert _datasets_of(world.org_b) == [] and _datasets_of(world.org_a) == []
    assert job["stats"].get("added", 0) == 0


def test_a_sysadmin_may_harvest_into_another_organisation(app, world, ogc_service):
    data = _source(world, ogc_service, _config(world.org_b["name"]))
    status, created = _create(app, world, "sysadmin", data)
    assert status == 200, created
    job, report = run(created["result"])
    assert job["stats"].get("added") == 3, report
    assert set(_datasets_of(world.org_b)) == LAYERS

    # The editor of A may run it, but not save it as it is: that needs a sysadmin again.
    status, body = api(app, "harvest_source_patch", world.headers("editor_a"), id=created["result"]["id"],
                       title="Neu")
    assert status == 409 and WALL in " ".join(body["error"]["config"]), body


def test_the_approval_covers_only_the_config_the_sysadmin_saved(app, world, ogc_service):
    """An approved source whose config is then changed past the actions is refused again."""
    third = call_action("organization_create", {"user": world.name("sysadmin")}, name=f"dritte-{uuid.uuid4().hex[:6]}")
    status, created = _create(app, world, "sysadmin", _source(world, ogc_service, _config(world.org_b["name"])))
    assert status == 200, created
    _config_in_db(created["result"]["id"], _config(third["name"]))

    job, report = run(created["result"])
    assert WALL in gather_errors(report), report
    assert _datasets_of(world.org_b) == [] and _datasets_of(third) == []


def test_an_editors_save_withdraws_the_approval(app, world, ogc_service):
    data = _source(world, ogc_service, _config(world.org_b["name"]))
    status, created = _create(app, world, "sysadmin", data)
    source_id = created["result"]["id"]
    status, body = api(app, "harvest_source_update", world.headers("editor_a"),
                       **{**data, "id": source_id, "config": _config(world.org_a["name"])})
    assert status == 200, body
    _config_in_db(source_id, _config(world.org_b["name"]))  # back to the once approved config

    job, report = run(created["result"])
    assert WALL in gather_errors(report), report
    assert _datasets_of(world.org_b) == []


def test_without_owner_org_the_datasets_belong_to_the_sources_organisation(app, world, ogc_service):
    status, created = _create(app, world, "editor_a", _source(world, ogc_service, _config()))
    assert status == 200, created
    job, report = run(created["result"])
    assert job["stats"].get("added") == 3, report
    assert set(_datasets_of(world.org_a)) == LAYERS
    assert call_action("package_show", id="baustellen")["publisher_name"] == world.org_a["title"]


# --- F7 -------------------------------------------------------------------------------------

def _harvested(app, world: World, url: str) -> dict:
    status, created = _create(app, world, "editor_a", _source(world, url, _config(world.org_a["name"])))
    assert status == 200, created
    job, report = run(created["result"])
    assert job["stats"].get("added") == 3, report
    return created["result"]


def _public_names(app) -> tuple[set[str], str, str]:
    """What an anonymous client finds: search results, the catalogue, the sitemap."""
    status, body = api(app, "package_search", q="*:*", rows=100)
    assert status == 200
    catalogue = app.get("/catalog.ttl").get_data(as_text=True)
    sitemap = app.get("/sitemap.xml").get_data(as_text=True)
    return {row["name"] for row in body["result"]["results"]}, catalogue, sitemap


def test_harvested_datasets_are_indexed_with_their_source(app, world, ogc_service):
    source = _harvested(app, world, ogc_service)
    status, body = api(app, "package_show", id="baustellen")
    extras = {extra["key"]: extra["value"] for extra in body["result"].get("extras", [])}
    assert extras.get("harvest_source_id") == source["id"], body["result"].get("extras")
    status, body = api(app, "package_search", fq=f'harvest_source_id:"{source["id"]}"')
    assert {row["name"] for row in body["result"]["results"]} == LAYERS


def _index_as_before_the_fix(source_id: str) -> None:
    """Index the source's datasets without harvest_source_id, as the old import did (their
    harvest objects became current only after the dataset was indexed)."""
    objects = model.Session.query(HarvestObject).filter_by(harvest_source_id=source_id, current=True).all()
    for obj in objects:
        obj.current = False
    model.Session.commit()
    for obj in objects:
        search.rebuild(obj.package_id)
        obj.current = True
    model.Session.commit()


@pytest.mark.ckan_config("ckanext.osnabrueck.rdf_cache", "true")
@pytest.mark.parametrize("indexed", ["with harvest_source_id", "without harvest_source_id (older index)"])
def test_clearing_a_source_removes_its_datasets_from_search_catalogue_and_sitemap(app, world, ogc_service, indexed):
    source = _harvested(app, world, ogc_service)
    if indexed.startswith("without"):
        _index_as_before_the_fix(source["id"])
        status, body = api(app, "package_search", fq=f'harvest_source_id:"{source["id"]}"')
        assert body["result"]["count"] == 0
    ids = [model.Package.get(name).id for name in sorted(LAYERS)]
    rdf_cache.warm(ids)
    found, catalogue, sitemap = _public_names(app)
    assert LAYERS <= found and all(f"/dataset/{name}" in sitemap for name in LAYERS)
    assert all(pkg_id in catalogue for pkg_id in ids)

    status, body = api(app, "harvest_source_clear", world.headers("editor_a"), id=source["id"])
    assert status == 200, body

    found, catalogue, sitemap = _public_names(app)
    assert not LAYERS & found
    assert not any(pkg_id in catalogue for pkg_id in ids) and "baustellen" not in catalogue.lower()
    assert not any(f"/dataset/{name}" in sitemap for name in LAYERS)
    cached = [key.decode() for key in connect_to_redis().scan_iter(match="osnabrueck:rdf:*")]
    assert not [key for key in cached if any(pkg_id in key for pkg_id in ids)]
    assert app.get("/dataset/baustellen", status=404)
