"""The API with the DCAT-AP.de schema: bad values give 409 with German per-field errors."""
import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ..factories import EU, OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def steward():
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return {"headers": {"Authorization": user["token"]}, "org": org, "user": user}


def post(app, action, steward, payload, status=200):
    return app.post(f"/api/3/action/{action}", headers=steward["headers"], json=payload, status=status).json


def test_create_with_bad_values_is_rejected_field_by_field(app, steward):
    body = post(app, "package_create", steward, {
        "name": "kaputt", "title": "Kaputt", "notes": "x", "owner_org": steward["org"]["id"],
        "theme": ["Mond"], "contact_email": "keine-mail", "frequency": "manchmal",
        "spatial": "irgendwo", "political_geocoding_uri": "Osnabrück",
        "resources": [{"name": "r", "url": "https://example.org/x", "format": "NOPE"}],
    }, status=409)
    errors = body["error"]
    assert errors["theme"] == ["„Mond“ steht nicht in der Liste EU-Datenthemen. Bitte einen Wert aus der Liste wählen."]
    assert errors["contact_email"] == ["„keine-mail“ ist keine gültige E-Mail-Adresse."]
    assert "EU-Aktualisierungsintervalle" in errors["frequency"][0]
    assert "räumliche Ausdehnung" in errors["spatial"][0]
    assert "Regionalschlüssel" in errors["political_geocoding_uri"][0]
    assert call_action("package_search", q="name:kaputt")["count"] == 0


def test_missing_contact_and_theme_are_reported(app, steward):
    errors = post(app, "package_create", steward, {"name": "ohne", "title": "Ohne", "notes": "x",
                                                   "owner_org": steward["org"]["id"]}, status=409)["error"]
    assert errors["contact_email"] == ["Bitte eine E-Mail-Adresse oder eine Webseite der Ansprechstelle angeben."]
    assert errors["theme"] == ["Bitte mindestens einen Wert wählen."]


def test_bad_resource_value_is_reported_on_the_resource(app, steward):
    errors = post(app, "package_create", steward, {
        "name": "res", "title": "Res", "notes": "x", "owner_org": steward["org"]["id"], "theme": "ENVI",
        "contact_email": "a@osnabrueck.de",
        "resources": [{"name": "ok", "url": "https://example.org/a.csv", "format": "CSV"},
                      {"name": "bad", "url": "https://example.org/b", "format": "NOPE", "size": "viel"}],
    }, status=409)["error"]
    assert errors["resources"][0] == {}
    assert "EU-Dateitypen" in errors["resources"][1]["format"][0]
    assert errors["resources"][1]["size"] == ["Die Größe muss eine ganze Zahl von Bytes sein."]


def test_update_with_bad_value_keeps_the_stored_dataset(app, steward):
    dataset = OsnabrueckDataset(owner_org=steward["org"]["id"], frequency="DAILY")
    errors = post(app, "package_patch", steward, {"id": dataset["id"], "frequency": "stündlich-ish",
                                                  "title": "Neu"}, status=409)["error"]
    assert "EU-Aktualisierungsintervalle" in errors["frequency"][0]
    stored = call_action("package_show", id=dataset["id"])
    assert stored["title"] == dataset["title"] and stored["frequency"].endswith("/DAILY")


def test_defaults_and_normalisation(app, steward):
    result = post(app, "package_create", steward, {
        "name": "gut", "title": "Gut", "notes": "x", "owner_org": steward["org"]["id"],
        "theme": "Umwelt, Verkehr", "contact_email": "mailto:a@osnabrueck.de", "spatial": "8.0,52.2,8.1,52.3",
        "political_geocoding_uri": "034040000000",
        "resources": [{"name": "r", "url": "https://example.org/a.geojson", "format": "geojson"}],
    })["result"]
    assert result["theme"] == [f"{EU}/data-theme/ENVI", f"{EU}/data-theme/TRAN"]
    assert result["contact_email"] == "a@osnabrueck.de"
    assert result["publisher_name"] == steward["org"]["title"]
    assert result["contributor_id"] == "http://dcat-ap.de/def/contributors/SWONetzGmbH"
    assert result["political_geocoding_uri"].endswith("/regionalKey/034040000000")
    assert result["language"] == [f"{EU}/language/DEU"]
    assert result["access_rights"] == f"{EU}/access-right/PUBLIC"
    assert result["license_id"] == "dl-by-de/2.0"
    resource = result["resources"][0]
    assert (resource["format"], resource["mimetype"], resource["license"]) == \
        ("GEOJSON", "application/geo+json", "http://dcat-ap.de/def/licenses/dl-by-de/2.0")


def test_themes_decide_the_theme_groups(steward):
    for code in ("envi", "tran", "ener"):
        factories.Group(name=code)
    other = factories.Group(name="lieblingsdaten")
    dataset = OsnabrueckDataset(theme=["ENVI", "TRAN"], groups=[{"name": other["name"]}])
    assert {g["name"] for g in call_action("package_show", id=dataset["id"])["groups"]} == \
        {"envi", "tran", "lieblingsdaten"}
    call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=dataset["id"],
                theme=["ENER"])
    assert {g["name"] for g in call_action("package_show", id=dataset["id"])["groups"]} == {"ener", "lieblingsdaten"}
    assert call_action("package_search", fq="groups:ener")["count"] == 1


def test_quality_show_returns_the_score(app, steward):
    dataset = OsnabrueckDataset(owner_org=steward["org"]["id"])
    result = app.get("/api/3/action/osnabrueck_quality_show", query_string={"id": dataset["name"]}).json["result"]
    assert result["max"] == 405
    assert set(result["dimensions"]) == {"findability", "accessibility", "interoperability", "reusability",
                                         "contextuality"}
    assert "keywords" in result["missing"] and "contact_point" not in result["missing"]


def test_quality_show_of_a_private_dataset_is_not_public(app, steward):
    dataset = OsnabrueckDataset(owner_org=steward["org"]["id"], private=True)
    app.get("/api/3/action/osnabrueck_quality_show", query_string={"id": dataset["id"]}, status=403)
    own = app.get("/api/3/action/osnabrueck_quality_show", query_string={"id": dataset["id"]},
                  headers=steward["headers"]).json
    assert own["success"]


def test_quality_show_needs_an_id(app):
    body = app.get("/api/3/action/osnabrueck_quality_show", status=409).json
    assert "id" in body["error"]
