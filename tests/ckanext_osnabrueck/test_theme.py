"""The Osnabrück look: home page, search facets, dataset page, static pages and the
"Daten-API" page, in German and English."""
import contextlib
import datetime as dt
import json
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import factories, helpers
from ckanext.osnabrueck import schedule
from ckanext.osnabrueck.demo import loader
from ckanext.tracking.model import TrackingRaw

from .factories import EU, OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _page(app, url, status=200):
    return BeautifulSoup(app.get(url, status=status).body, "html.parser")


@pytest.fixture
def themed():
    """The 13 theme groups and two datasets: one environmental, one on transport and environment."""
    loader.load_groups()
    org = factories.Organization(title="Fachbereich Grünflächen")
    park = OsnabrueckDataset(name="parkplaetze", title="Parkplätze", owner_org=org["id"],
                             theme=[f"{EU}/data-theme/TRAN", f"{EU}/data-theme/ENVI"])
    trees = OsnabrueckDataset(name="baeume", title="Straßenbäume", owner_org=org["id"])
    return {"org": org, "park": park, "trees": trees}


def test_home_page_has_search_themes_newest_organisations_and_open_data_text(app, themed):
    page = _page(app, "/")
    assert page.select_one("form[role=search] input[name=q]")["id"] == page.select_one("form[role=search] label")["for"]
    tiles = page.select(".osn-themes .osn-theme")
    assert len(tiles) == 13
    counts = {a["href"].split("groups=")[1]: a.select_one(".osn-theme-count").text.strip() for a in tiles}
    assert counts["envi"] == "2 Datensätze" and counts["tran"] == "1 Datensatz" and counts["agri"] == "0 Datensätze"
    assert {a.text.strip() for a in page.select(".osn-dataset-links a")} == {"Parkplätze", "Straßenbäume"}
    assert "Fachbereich Grünflächen" in page.select_one(".osn-orgs").text
    assert page.find("h2", string="Was sind offene Daten?")
    assert not page.select("img[src*=wappen]") and page.select_one(".osn-wordmark").text.split() == ["Open", "Data", "Osnabrück"]


def test_english_home_page_and_theme_facets(app, themed):
    page = _page(app, "/en/")
    assert page.find("h1").text.strip() == "Open data of the City of Osnabrück"
    assert "Environment" in {t.select_one(".osn-theme-label").text for t in page.select(".osn-theme")}
    search = _page(app, "/en/dataset/")
    facet_labels = " ".join(li.text for li in search.select(".module-facet li, section.module li"))
    assert "Environment" in facet_labels and "Umwelt" not in facet_labels
    assert "Data licence" in facet_labels and "Datenlizenz" not in facet_labels
    assert "Umwelt" in " ".join(li.text for li in _page(app, "/dataset/").select("section.module li"))


def test_search_page_facets_and_sorting_work_without_javascript(app, themed):
    page = _page(app, "/dataset/?groups=tran&sort=title_string+asc")
    assert [a.text.strip() for a in page.select(".dataset-heading a")] == ["Parkplätze"]
    facet_params = {urlparse(a["href"]).query.split("=")[0] for a in page.select("section.module-narrow li a")}
    assert {"groups", "organization", "res_format", "license_id", "tags"} & facet_params
    form = page.select_one("form#dataset-search-form")
    assert form["method"].lower() == "get" and form.select_one("select[name=sort]") and form.select_one("button[type=submit]")


def test_dataset_page_shows_metadata_downloads_licence_rdf_links_and_api_example(app, themed):
    dataset = OsnabrueckDataset(name="zaehlung", resources=[
        {"name": "Zählung (CSV)", "url": "https://example.org/z.csv", "format": "CSV"}])
    page = _page(app, "/dataset/zaehlung")
    labels = [th.text.strip() for th in page.select("table th.dataset-label")]
    assert "Kategorien" in labels and "" not in labels
    assert all(td.text.strip() for td in page.select("table td.dataset-details"))
    download = page.select_one(".osn-resource-actions a.btn-primary")
    assert download["href"] == "https://example.org/z.csv" and "Herunterladen" in download.text
    assert page.select_one(".license a[href^='https://www.govdata.de/dl-de/']") or \
        page.select_one("section.license a[href]")
    rdf = {a["href"].rsplit(".", 1)[1] for a in page.select(".osn-dataset-api a[type]")}
    assert rdf == {"ttl", "rdf", "jsonld"}
    curl = page.select(".osn-dataset-api pre code")[0].text
    assert curl.startswith("curl '") and "package_show?id=zaehlung" in curl
    api_path = urlparse(curl.split("'")[1])
    assert json.loads(app.get(f"{api_path.path}?{api_path.query}").body)["result"]["id"] == dataset["id"]


@pytest.mark.parametrize("path,title", [("/impressum", "Impressum"), ("/datenschutz", "Datenschutz"),
                                        ("/barrierefreiheit", "Barrierefreiheitserklärung"),
                                        ("/ueber", "Über das Portal")])
def test_static_pages_in_both_languages_and_linked_from_every_page(app, path, title):
    assert _page(app, path).find("h1").text.strip() == title
    english = _page(app, f"/en{path}")
    assert english.find("h1").text.strip() != title or path == "/impressum"
    assert path in {a["href"] for a in _page(app, "/dataset/").select("footer a")}


@pytest.mark.usefixtures("clean_datastore")
def test_api_help_examples_work_against_the_portal(app):
    admin = factories.Sysadmin()
    dataset = OsnabrueckDataset(name="besuche", resources=[{"name": "Besuche", "url": "https://e.org/b.csv",
                                                            "format": "CSV"}])
    helpers.call_action("datastore_create", {"user": admin["name"]}, resource_id=dataset["resources"][0]["id"],
                        force=True, records=[{"monat": "2025-01", "besuche": 3}])
    closed = OsnabrueckDataset(name="datenraum", private=True, owner_org=dataset["owner_org"],
                               resources=[{"name": "Intern", "url": "https://e.org/i.csv", "format": "CSV"}])
    helpers.call_action("datastore_create", {"user": admin["name"]}, resource_id=closed["resources"][0]["id"],
                        force=True, records=[{"geheim": 1}])  # the newest table, but a private one
    page = _page(app, "/daten-api")
    assert dataset["resources"][0]["id"] in page.text and closed["resources"][0]["id"] not in page.text
    calls = [code.text.split("'")[1] for code in page.select("pre code") if code.text.startswith("curl '")]
    actions = {urlparse(url).path.rsplit("/", 1)[1] for url in calls if "/api/3/action/" in url}
    assert {"package_search", "package_show", "datastore_search", "datastore_search_sql"} <= actions
    for url in calls:
        parsed = urlparse(url)
        response = app.get(f"{parsed.path}?{parsed.query}" if parsed.query else parsed.path)
        assert response.status_code == 200, url
    assert page.find(id="api-limits") and page.find(id="api-iot")
    assert "Data API" == _page(app, "/en/daten-api").find("h1").text.strip()


def test_view_counts_appear_on_the_dataset_page_and_as_most_viewed(app, themed):
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    for key, url in (("a", "/dataset/baeume"), ("b", "/dataset/baeume"), ("c", "/dataset/baeume"),
                     ("a", "/dataset/parkplaetze")):
        view = TrackingRaw(user_key=key, url=url, tracking_type="page")
        view.access_timestamp = yesterday
        model.Session.add(view)
    model.Session.commit()
    assert _page(app, "/").select_one("#osn-popular-heading ~ .osn-dataset-links") is None

    schedule.tracking()

    home = _page(app, "/")
    assert [a.text.strip() for a in home.select("#osn-popular-heading ~ .osn-dataset-links a")] == \
        ["Straßenbäume", "Parkplätze"]
    assert "3 Aufrufe" in _page(app, "/dataset/baeume").select_one(".osn-usage").text


def test_the_browsers_page_view_beacon_is_counted(app):
    """What tracking.js posts on every page (form-encoded, like jQuery's $.ajax); the input
    hardening once emptied the body before ckanext-tracking read it (a 500 on every page)."""
    headers = {"User-Agent": "Mozilla/5.0", "Accept-Language": "de-DE"}
    # The home page's path arrives without its slash: "url=&type=page".
    for kind, url in (("page", "/dataset/baeume"), ("resource", "https://example.org/b%C3%A4ume.csv?x=1&y=2"),
                      ("page", "")):
        response = app.post("/_tracking", data={"url": url, "type": kind}, headers=headers)
        assert response.status_code < 400, (kind, response.status_code)
    rows = model.Session.query(TrackingRaw).order_by(TrackingRaw.access_timestamp).all()
    assert [(row.tracking_type, row.url) for row in rows] == [
        ("page", "/dataset/baeume"), ("resource", "https://example.org/b%C3%A4ume.csv?x=1&y=2"), ("page", "/")]


@pytest.mark.parametrize("body", ["a", "url=/x", "type=page", "url=/x&type=evil", "=&&=", "url=%ZZ&type=page=x"])
def test_a_malformed_beacon_is_a_400_and_counts_nothing(app, body):
    response = app.post("/_tracking", data=body, headers={"User-Agent": "x",
                                                          "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert model.Session.query(TrackingRaw).count() == 0


def test_scheduler_runs_due_tasks_and_survives_a_failing_one():
    calls = []

    def broken():
        raise RuntimeError("Solr down")

    tasks = [schedule.Task("broken", 15, broken), schedule.Task("fine", 60, lambda: calls.append("fine"))]
    assert schedule.tick(tasks, 1000.0, contextlib.nullcontext) == ["broken"]
    assert calls == ["fine"]
    assert schedule.tick(tasks, 1000.0 + 16 * 60, contextlib.nullcontext) == ["broken"]
    assert calls == ["fine"]  # not due before 60 minutes
    schedule.tick(tasks, 1000.0 + 61 * 60, contextlib.nullcontext)
    assert calls == ["fine", "fine"]
