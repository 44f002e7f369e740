"""The steward's form, through CKAN's test app: pick-lists, German errors per field, and
nothing typed is lost when validation fails."""
import re

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
EU = "http://publications.europa.eu/resource/authority"


@pytest.fixture
def editor():
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return {"headers": {"Authorization": user["token"]}, "org": org}


def form_fields(html: str, form_id: str = "dataset-edit") -> dict:
    """The default values a browser would submit for the form."""
    form = BeautifulSoup(html, "lxml").find("form", id=form_id)
    fields = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.get("type") in ("submit", "file", "checkbox") or element.has_attr("multiple"):
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            fields[name] = chosen.get("value", "") if chosen else ""
        elif element.name == "textarea":
            fields[name] = element.text
        else:
            fields[name] = element.get("value", "")
    return fields


def test_form_offers_vocabulary_pick_lists_in_german(app, editor):
    page = BeautifulSoup(app.get("/dataset/new", headers=editor["headers"]).body, "lxml")
    frequency = page.find("select", id="field-frequency")
    assert frequency is not None
    labels = {o.text.strip() for o in frequency.find_all("option")}
    assert {"täglich", "monatlich", "kontinuierlich"} <= labels
    themes = page.find("fieldset", id="field-theme")
    assert "Kategorien" in themes.find("legend").text and themes.find("legend").find(class_="control-required")
    boxes = {box.find_next("label").text.strip(): box for box in themes.find_all("input", type="checkbox")}
    assert len(boxes) == 13 and "Umwelt" in boxes
    languages = page.find("select", id="field-language")
    assert languages.has_attr("multiple") and "Deutsch" in [o.text.strip() for o in languages.find_all("option")]
    contributors = page.find("select", id="field-contributor_id")
    assert "Stadtwerke Osnabrück" in contributors.text
    # mandatory fields are marked
    assert page.find("label", attrs={"for": "field-title"}).find(class_="control-required")


def test_bad_input_gives_german_errors_and_keeps_what_was_typed(app, editor):
    page = app.get("/dataset/new", headers=editor["headers"])
    fields = form_fields(page.body)
    fields.update({"title": "Lärmkarte Hauptstraßen", "name": "laermkarte", "notes": "Eine lange Beschreibung",
                   "owner_org": editor["org"]["id"], "contact_email": "kein-mail", "spatial": "hier irgendwo",
                   "tag_string": "Lärm,Verkehr", "temporal_start": "2025-06-01", "temporal_end": "2025-01-01",
                   "save": ""})
    fields["theme"] = [f"{EU}/data-theme/ENVI"]
    response = app.post("/dataset/new", headers=editor["headers"], data=fields)
    html = BeautifulSoup(response.body, "lxml")
    text = html.get_text(" ")
    assert "„kein-mail“ ist keine gültige E-Mail-Adresse." in text
    assert "Bitte die räumliche Ausdehnung als GeoJSON-Geometrie" in text
    assert "Das Ende des Zeitraums liegt vor seinem Beginn." in text
    # nothing typed is lost
    assert html.find("input", id="field-title")["value"] == "Lärmkarte Hauptstraßen"
    assert html.find("input", id="field-contact_email")["value"] == "kein-mail"
    assert html.find("textarea", id="field-notes").text == "Eine lange Beschreibung"
    assert "hier irgendwo" in html.find("textarea", id="field-spatial").text
    assert html.find("input", id="field-tag_string")["value"] == "Lärm,Verkehr"
    chosen = [box["value"] for box in html.find("fieldset", id="field-theme").find_all("input", checked=True)]
    assert chosen == [f"{EU}/data-theme/ENVI"]
    assert call_action("package_search", q="name:laermkarte", include_drafts=True)["count"] == 0


def test_form_round_trip_creates_the_dataset_and_shows_the_score(app, editor):
    fields = form_fields(app.get("/dataset/new", headers=editor["headers"]).body)
    fields.update({"title": "Lärmkarte", "name": "laermkarte", "notes": "Lärm an Hauptstraßen",
                   "owner_org": editor["org"]["id"], "contact_email": "umwelt@osnabrueck.de",
                   "spatial": "8.0,52.2,8.1,52.3", "frequency": f"{EU}/frequency/ANNUAL", "save": ""})
    fields["theme"] = [f"{EU}/data-theme/ENVI", f"{EU}/data-theme/HEAL"]
    response = app.post("/dataset/new", headers=editor["headers"], data=fields, follow_redirects=False)
    assert response.status_code == 302 and "/resource/new" in response.headers["Location"]

    resource_page = app.get("/dataset/laermkarte/resource/new", headers=editor["headers"])
    resource = form_fields(resource_page.body, "resource-edit")
    resource.update({"url": "https://www.osnabrueck.de/laerm.csv", "name": "Lärmpegel", "format": "CSV",
                     "save": "go-metadata", "id": ""})
    done = app.post("/dataset/laermkarte/resource/new", headers=editor["headers"], data=resource,
                    follow_redirects=False)
    assert done.status_code == 302

    stored = call_action("package_show", id="laermkarte")
    assert stored["state"] == "active"
    assert stored["theme"] == [f"{EU}/data-theme/ENVI", f"{EU}/data-theme/HEAL"]
    assert stored["frequency"] == f"{EU}/frequency/ANNUAL"
    assert stored["resources"][0]["mimetype"] == "text/csv"

    edit = BeautifulSoup(app.get("/dataset/edit/laermkarte", headers=editor["headers"]).body, "lxml")
    assert edit.find("select", id="field-frequency").find("option", selected=True)["value"].endswith("/ANNUAL")

    page = app.get("/dataset/laermkarte", headers=editor["headers"]).body
    assert "Metadatenqualität" in page
    assert re.search(r"\d+ / 405 Punkte", page)
    assert "Was fehlt und wie Sie es ergänzen" in page
    # the public does not see the steward's box
    assert "Metadatenqualität" not in app.get("/dataset/laermkarte").body
