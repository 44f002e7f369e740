"""Solr: what the API writes, package_search finds (through the real Solr core)."""
import pytest

from ckan.tests import factories

# What the portal's schema requires beyond title and description.
REQUIRED = {"theme": ["ENVI"], "contact_email": "opendata@osnabrueck.de"}

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_created_through_the_api_is_found_by_search(app, sysadmin_headers):
    org = factories.Organization()
    created = app.post("/api/3/action/package_create", headers=sysadmin_headers, json={
        "name": "grundwasser-test", "title": "Grundwassermessstellen Test",
        "notes": "Monatliche Grundwasserstände", "owner_org": org["id"], **REQUIRED,
    }).json
    assert created["success"], created

    found = app.get("/api/3/action/package_search", query_string={"q": "Grundwasserstände"}).json
    assert [d["name"] for d in found["result"]["results"]] == ["grundwasser-test"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_german_stemming_matches_plural_and_singular(app, sysadmin_headers):
    org = factories.Organization()
    app.post("/api/3/action/package_create", headers=sysadmin_headers, json={
        "name": "baeume", "title": "Straßenbäume", "notes": "Alle Bäume an Straßen",
        "owner_org": org["id"], **REQUIRED})
    found = app.get("/api/3/action/package_search", query_string={"q": "Baum"}).json
    assert found["result"]["count"] == 1


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_spatial_search_uses_the_solr_geometry_field(app, sysadmin_headers):
    org = factories.Organization()
    app.post("/api/3/action/package_create", headers=sysadmin_headers, json={
        "name": "in-osnabrueck", "title": "In Osnabrück", "notes": "x", "owner_org": org["id"],
        "spatial": '{"type": "Point", "coordinates": [8.047, 52.279]}', **REQUIRED})
    inside = app.get("/api/3/action/package_search", query_string={"ext_bbox": "8.0,52.2,8.1,52.3"}).json
    outside = app.get("/api/3/action/package_search", query_string={"ext_bbox": "13.3,52.4,13.5,52.6"}).json
    assert [d["name"] for d in inside["result"]["results"]] == ["in-osnabrueck"]
    assert outside["result"]["count"] == 0
