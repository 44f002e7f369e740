"""The demo loader: the mapping is pure, and loading twice changes nothing."""
import json

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.osnabrueck.demo import loader

pytestmark = pytest.mark.usefixtures("with_plugins")

ORG = {"name": "statistik", "title": "Statistik", "email": "statistik@osnabrueck.de",
       "url": "https://www.osnabrueck.de/statistik"}


def test_dataset_dict_maps_the_dcat_ap_de_fields():
    spec = {"name": "x", "title": "X", "notes": " Text \n", "org": "statistik",
            "themes": ["soci", "regi"], "tags": ["Bevölkerung"], "frequency": "ANNUAL",
            "spatial": [8.0, 52.2, 8.1, 52.3], "temporal": {"start": "2025-01-01"}}
    data = loader.dataset_dict(spec, ORG, "http://dcat-ap.de/def/contributors/SWONetzGmbH")
    assert data["notes"] == "Text"
    assert "groups" not in data  # the theme groups follow from "theme"
    assert data["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/SOCI",
                             "http://publications.europa.eu/resource/authority/data-theme/REGI"]
    assert data["frequency"].endswith("/frequency/ANNUAL")
    assert data["license_id"] == "dl-by-de/2.0"
    assert (data["contact_name"], data["contact_email"], data["contact_url"]) == \
        ("Statistik", "statistik@osnabrueck.de", "https://www.osnabrueck.de/statistik")
    assert json.loads(data["spatial"])["coordinates"][0][2] == [8.1, 52.3]
    assert data["temporal_start"] == "2025-01-01" and "temporal_end" not in data
    assert "url" not in data  # no landing page in the spec


def test_fingerprint_changes_with_spec_and_content():
    base = loader.fingerprint({"a": 1}, [b"x"])
    assert base == loader.fingerprint({"a": 1}, [b"x"])
    assert base != loader.fingerprint({"a": 2}, [b"x"])
    assert base != loader.fingerprint({"a": 1}, [b"y"])


def test_file_format_from_extension():
    assert loader.file_format("a.geojson") == ("GEOJSON", "application/geo+json")
    assert loader.file_format("a.csv") == ("CSV", "text/csv")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_load_is_idempotent_and_complete():
    first = loader.load_all()
    specs = loader.read_yaml("datasets.yaml")
    assert len(first.created) == len(specs) >= 29
    assert not {"bebauungsplaene", "strassenbaeume"} & {s["name"] for s in specs}  # the CSW harvest brings them
    before = {d["name"]: d for d in call_action("package_search", rows=100, include_private=True)["results"]}

    second = loader.load_all()
    assert second.created == [] and second.updated == []
    assert len(second.unchanged) == len(specs)
    after = {d["name"]: d for d in call_action("package_search", rows=100, include_private=True)["results"]}
    assert {n: d["metadata_modified"] for n, d in after.items()} == \
           {n: d["metadata_modified"] for n, d in before.items()}
    assert {n: [r["id"] for r in d["resources"]] for n, d in after.items()} == \
           {n: [r["id"] for r in d["resources"]] for n, d in before.items()}

    orgs = call_action("organization_list")
    assert {"geodaten-verkehrsanlagen", "nachhaltige-stadtentwicklung", "digitalisierung-it",
            "statistik", "swo-netz", "stadtwerke-osnabrueck"} <= set(orgs)
    assert len(call_action("group_list")) == 13


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_load_repairs_a_dataset_edited_in_between():
    loader.load_all()
    steward = factories.Sysadmin()
    call_action("package_patch", context={"user": steward["name"]}, id="radverkehrsnetz", title="Kaputt")
    report = loader.load_all()
    assert report.updated == ["radverkehrsnetz"]
    assert call_action("package_show", id="radverkehrsnetz")["title"] == "Radverkehrsnetz"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_parking_dataset_is_found_and_its_files_download(app):
    loader.load_all()
    found = app.get("/api/3/action/package_search", query_string={"q": "Parkplatz"}).json["result"]
    names = [d["name"] for d in found["results"]]
    assert "behindertenparkplaetze-standorte" in names
    parking = next(d for d in found["results"] if d["name"] == "behindertenparkplaetze-standorte")
    csv_resource = next(r for r in parking["resources"] if r["format"] == "CSV")
    download = app.get(csv_resource["url"].replace("http://test.ckan.net", ""))
    assert download.status_code == 200
    assert download.body.startswith("stellplatz;strasse;status")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_demo_steward_is_editor_of_its_organisation_only():
    loader.load_organizations()
    loader.ensure_editor("redaktion-geodaten", "geodaten-verkehrsanlagen", "ein-langes-passwort")
    loader.ensure_editor("redaktion-geodaten", "geodaten-verkehrsanlagen", "ein-langes-passwort")  # idempotent
    orgs = call_action("organization_list_for_user", context={"user": "redaktion-geodaten"},
                       id="redaktion-geodaten", permission="create_dataset")
    assert [org["name"] for org in orgs] == ["geodaten-verkehrsanlagen"]
