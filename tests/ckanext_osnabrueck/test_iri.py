"""F5 of issue #16: a `"` in a URL field broke the dataset's Turtle and every catalogue page
holding it (500 for GovData's harvest of the whole page).

URL fields are stored as valid IRIs (percent-encoded, nothing lost; non-addresses refused
in German), the RDF output percent-encodes what old data still holds, a dataset that cannot
be serialised is left out of the page and reported (/health, validate-all), and
`ckan osnabrueck repair-iris` repairs the stored values."""
import json
import logging
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat.profiles.base import DCAT
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.osnabrueck import iri, rdf

from .factories import OsnabrueckDataset

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_redis"),
              pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "dcatap_de")]

# An ArcGIS query as stewards paste it: `"`, `{`, `}`, a space and `<`, none allowed in an IRI.
ARCGIS = 'https://gis.osnabrueck.de/arcgis/rest/services/Umwelt/MapServer/0/query?geometry={"xmin":7.9} &w=<1'
UNSAFE = set('"{} <')
# Set by harvesters only (logic/harvester_fields.py): checked through the validator below.
HARVESTER_ONLY = {"iot_service_url"}
# URL fields without a property in the portal's DCAT-AP.de output.
NOT_PUBLISHED = set()


def _url_fields(fields):
    """(name, subfield or None, is a list) of the schema's URL fields, read from the schema
    itself so that a new URL field is covered too."""
    found = []
    for field in fields:
        for sub in field.get("repeating_subfields") or []:
            if sub.get("preset", "").startswith("osnabrueck_uri"):
                found.append((field["field_name"], sub["field_name"], sub["preset"] == "osnabrueck_uri_list"))
        if field.get("preset") in ("osnabrueck_uri", "osnabrueck_uri_list", "resource_url_upload") \
                and field["field_name"] not in HARVESTER_ONLY:
            found.append((field["field_name"], None, field["preset"] == "osnabrueck_uri_list"))
    return found


SCHEMA = scheming_get_dataset_schema("dataset")
DATASET_FIELDS = _url_fields(SCHEMA["dataset_fields"])
RESOURCE_FIELDS = _url_fields(SCHEMA["resource_fields"])


def test_the_schema_has_the_url_fields_of_the_finding():
    names = {name for name, _, _ in DATASET_FIELDS}
    assert {"contact_url", "publisher_url", "applicable_legislation", "url", "conforms_to"} <= names
    assert {(name, sub) for name, sub, _ in RESOURCE_FIELDS} >= {
        ("url", None), ("access_url", None), ("download_url", None), ("conforms_to", None),
        ("access_services", "endpoint_url"), ("access_services", "conforms_to")}


def _value(name, sub, is_list):
    value = [ARCGIS] if is_list else ARCGIS
    return [{"title": "Dienst", sub: value}] if sub else value


def _stored(container, name, sub):
    value = container[name]
    if sub:
        value = value[0][sub]
    if isinstance(value, str) and value.startswith("["):
        value = json.loads(value)
    return value[0] if isinstance(value, list) else value


def _post(app, headers, action, data, status=200):
    response = app.post(f"/api/3/action/{action}", headers=headers, json=data, status=status)
    return response.json


def _turtle(app, url) -> Graph:
    response = app.get(url, status=200)
    return Graph().parse(data=response.body, format="turtle")


def _has_iri(graph: Graph, value: str) -> bool:
    # ckanext-dcat's CleanedURIRef encodes a few more characters (the commas): compare decoded.
    return any(isinstance(node, URIRef) and unquote(str(node)) == value for node in graph.all_nodes())


@pytest.mark.parametrize("level,name,sub,is_list",
                         [("dataset", *field) for field in DATASET_FIELDS]
                         + [("resource", *field) for field in RESOURCE_FIELDS],
                         ids=lambda value: str(value))
def test_a_quote_in_each_url_field_is_stored_percent_encoded_and_published(app, sysadmin_headers, level, name,
                                                                          sub, is_list):
    org = factories.Organization()
    resource = {"name": "Tabelle", "url": "https://example.org/t.csv", "format": "CSV"}
    data = {"name": "arcgis-abfrage", "title": "ArcGIS", "notes": "n", "owner_org": org["id"],
            "contact_email": "gis@osnabrueck.de", "theme": ["http://publications.europa.eu/resource/authority/data-theme/ENVI"],
            "resources": [resource]}
    if level == "dataset":
        data[name] = _value(name, sub, is_list)
    else:
        resource[name] = _value(name, sub, is_list)
    created = _post(app, sysadmin_headers, "package_create", data)["result"]

    shown = call_action("package_show", id=created["id"])
    stored = _stored(shown if level == "dataset" else shown["resources"][0], name, sub)
    assert not UNSAFE & set(stored), stored
    assert unquote(stored) == ARCGIS and iri.is_valid(stored)

    own = _turtle(app, "/dataset/arcgis-abfrage.ttl")
    catalogue = _turtle(app, "/catalog.ttl")
    assert (None, RDF.type, DCAT.Dataset) in catalogue
    published = _has_iri(own, ARCGIS)
    assert published or (level, name, sub) in NOT_PUBLISHED, (level, name, sub)
    assert _has_iri(catalogue, ARCGIS) == published


@pytest.mark.parametrize("field,value,message", [
    ("contact_url", "siehe Webseite", "ist keine gültige Webadresse. Sie muss mit http:// oder https:// beginnen"),
    ("publisher_url", "javascript:alert(1)", "ist keine gültige Webadresse"),
    ("url", "http://stadt osnabrueck.de/", "Der Servername fehlt oder ist fehlerhaft"),
    ("applicable_legislation", "ELI 2023/138", "ist keine gültige Webadresse"),
])
def test_what_is_no_web_address_is_refused_in_german(app, sysadmin_headers, field, value, message):
    data = {"name": "keine-adresse", "title": "T", "notes": "n", "owner_org": factories.Organization()["id"],
            "contact_email": "a@osnabrueck.de", field: value,
            "theme": ["http://publications.europa.eu/resource/authority/data-theme/ENVI"]}
    error = _post(app, {**sysadmin_headers, "Accept-Language": "de"}, "package_create", data, status=409)["error"]
    assert message in " ".join(error[field]), error


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>x</script>"])
def test_a_script_is_no_resource_address(app, sysadmin_headers, url):
    dataset = OsnabrueckDataset()
    error = _post(app, sysadmin_headers, "resource_create",
                  {"package_id": dataset["id"], "name": "r", "url": url, "format": "CSV"}, status=409)["error"]
    assert "ist keine Webadresse" in " ".join(error["url"])


def test_an_upload_keeps_its_file_name(app, sysadmin_headers):
    dataset = OsnabrueckDataset()
    response = app.post("/api/3/action/resource_create", headers=sysadmin_headers,
                        data={"package_id": dataset["id"], "name": "Datei", "format": "CSV",
                              "upload": (__import__("io").BytesIO(b"a,b\n1,2\n"), "daten liste.csv")})
    resource = response.json["result"]
    assert resource["url_type"] == "upload" and resource["url"].endswith("/download/daten-liste.csv")


def test_an_email_address_that_would_break_the_mailto_iri_is_refused(app, sysadmin_headers):
    data = {"name": "mail", "title": "T", "notes": "n", "owner_org": factories.Organization()["id"],
            "contact_email": '"gis"@osnabrueck.de',
            "theme": ["http://publications.europa.eu/resource/authority/data-theme/ENVI"]}
    error = _post(app, sysadmin_headers, "package_create", data, status=409)["error"]
    assert "ist keine gültige E-Mail-Adresse" in " ".join(error["contact_email"])


def test_normalising_is_lossless_and_idempotent():
    for value in (ARCGIS, "https://x.de/a b|c^d`e\\f", "https://x.de/100%", "https://x.de/%C3%A4ä?q=%7B"):
        once = iri.normalise(value)
        assert iri.is_valid(once) and iri.normalise(once) == once
        assert unquote(once) == unquote(value.replace("100%", "100%25"))
    assert iri.normalise("https://x.de/ok?a=1") == "https://x.de/ok?a=1"


# --- old values, stored before the check ---------------------------------------------------

def _store_around_the_api(dataset, **extras):
    """Write values into the database as the old validators let them through, and index them."""
    model.Session.execute(sa.text("UPDATE package SET extras = extras || CAST(:patch AS jsonb) WHERE id = :id"),
                          {"patch": json.dumps(extras), "id": dataset["id"]})
    model.Session.commit()
    search.rebuild(dataset["id"])


OLD = {"contact_url": ARCGIS, "publisher_url": 'https://www.osnabrueck.de/"geodaten"',
       "applicable_legislation": json.dumps(['http://data.europa.eu/eli/{x}'])}


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4")
@pytest.mark.parametrize("cached", [False, True])
def test_old_values_leave_the_catalogue_whole(app, monkeypatch, cli, cached):
    monkeypatch.setattr("ckan.plugins.toolkit.enqueue_job", lambda *args, **kwargs: None)
    monkeypatch.setitem(__import__("ckan.plugins.toolkit", fromlist=["config"]).config,
                        "ckanext.osnabrueck.rdf_cache", cached)
    others = [OsnabrueckDataset(title=f"Gut {index}") for index in range(2)]
    bad = OsnabrueckDataset(name="alte-arcgis-adresse", title="Alt")
    _store_around_the_api(bad, **OLD)

    for _ in range(2):  # cold, then (cached) from the chunks
        catalogue = _turtle(app, "/catalog.ttl")
        titles = {str(title) for title in catalogue.objects(None, URIRef("http://purl.org/dc/terms/title"))}
        assert {"Gut 0", "Gut 1", "Alt"} <= titles
        assert _has_iri(catalogue, ARCGIS) and _has_iri(catalogue, OLD["publisher_url"])
        if cached:
            from ckanext.osnabrueck import rdf_cache
            rdf_cache.warm([dataset["id"] for dataset in others + [bad]])
    own = _turtle(app, "/dataset/alte-arcgis-adresse.ttl")
    assert _has_iri(own, ARCGIS) and _has_iri(own, "http://data.europa.eu/eli/{x}")

    health = app.get("/health", status=200).json
    assert health["status"] == "ok"
    assert [problem["dataset"] for problem in health["rdf"]["repaired"]] == ["alte-arcgis-adresse"]
    assert health["rdf"]["failed"] == []

    result = cli.invoke(ckan, ["osnabrueck", "validate-all"])
    assert result.exit_code == 1, result.output
    assert "alte-arcgis-adresse" in result.output and "Gut 0" not in result.output
    for field in OLD:
        assert f"{field}: „" in result.output and "ist keine gültige IRI" in result.output


def test_repair_iris_fixes_the_stored_values_and_reindexes(app, cli):
    good = OsnabrueckDataset(contact_url="https://www.osnabrueck.de/kontakt")
    bad = OsnabrueckDataset(name="alte-adresse", resources=[{"name": "r", "url": "https://x.de/a", "format": "CSV"}])
    _store_around_the_api(bad, **OLD)
    resource_id = bad["resources"][0]["id"]
    model.Session.execute(sa.text("UPDATE resource SET url = :url, extras = :extras WHERE id = :id"), {
        "url": "https://x.de/daten?q={a} b", "id": resource_id,
        "extras": json.dumps({"access_services": [{"title": "D", "endpoint_url": ['https://x.de/"wms"']}]})})
    model.Session.commit()
    search.rebuild(bad["id"])
    app.get("/catalog.ttl", status=200)  # records the repaired output for /health
    before = call_action("package_show", id=bad["id"])["metadata_modified"]

    dry = cli.invoke(ckan, ["osnabrueck", "repair-iris", "--dry-run"])
    assert dry.exit_code == 0 and "1 Datensätze mit ungültigen IRIs zu reparieren" in dry.output, dry.output
    assert model.Package.get(bad["id"]).extras["contact_url"] == ARCGIS

    result = cli.invoke(ckan, ["osnabrueck", "repair-iris"])
    assert result.exit_code == 0, result.output
    assert "1 Datensätze mit ungültigen IRIs repariert" in result.output
    assert "alte-adresse contact_url" in result.output and good["name"] not in result.output

    model.Session.expire_all()
    shown = call_action("package_show", id=bad["id"])
    assert shown["contact_url"] == iri.normalise(ARCGIS)
    assert shown["publisher_url"] == 'https://www.osnabrueck.de/%22geodaten%22'
    assert shown["applicable_legislation"] == ["http://data.europa.eu/eli/%7Bx%7D"]
    resource = shown["resources"][0]
    assert resource["url"] == "https://x.de/daten?q=%7Ba%7D%20b"
    assert resource["access_services"][0]["endpoint_url"] == ["https://x.de/%22wms%22"]
    assert shown["metadata_modified"] > before
    indexed = call_action("package_search", q=f"id:{bad['id']}")["results"][0]
    assert indexed["contact_url"] == iri.normalise(ARCGIS)
    assert app.get("/health").json["rdf"]["repaired"] == []
    assert cli.invoke(ckan, ["osnabrueck", "validate-all"]).exit_code == 0
    again = cli.invoke(ckan, ["osnabrueck", "repair-iris"])
    assert "0 Datensätze" in again.output


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4")
@pytest.mark.ckan_config("ckanext.osnabrueck.rdf_cache", "true")
@pytest.mark.parametrize("warm", [False, True])
def test_a_dataset_that_cannot_be_serialised_is_left_out_and_reported(app, monkeypatch, cli, caplog, warm):
    """With the catalogue cache (the default): a cold page is built in one graph, which
    fails, then dataset by dataset; a warm one from the chunks, the failing one computed."""
    from ckanext.osnabrueck import rdf_cache
    from ckanext.osnabrueck.profiles import DCATAPdeProfile

    monkeypatch.setattr("ckan.plugins.toolkit.enqueue_job", lambda *args, **kwargs: None)
    original = DCATAPdeProfile._graph_from_dataset_spatial

    def broken(self, dataset_dict, dataset_ref):
        if dataset_dict["name"] == "kaputt":
            raise ValueError("kaputte Geometrie")
        return original(self, dataset_dict, dataset_ref)

    monkeypatch.setattr(DCATAPdeProfile, "_graph_from_dataset_spatial", broken)
    good = [OsnabrueckDataset(title="Gut 0"), OsnabrueckDataset(title="Gut 1")]
    broken_id = OsnabrueckDataset(name="kaputt", title="Kaputt")["id"]
    OsnabrueckDataset(name="kaputt-privat", title="Privat", private=True)
    if warm:
        assert rdf_cache.warm([dataset["id"] for dataset in good]) == 2

    # test.ini's ckanext logger does not propagate, and each `ckan` command of the tests
    # reloads the logging config, which disables the loggers of modules imported before.
    logger = logging.getLogger("ckanext.osnabrueck.rdf_cache")
    monkeypatch.setattr(logger, "handlers", [*logger.handlers, caplog.handler])
    monkeypatch.setattr(logger, "disabled", False)
    catalogue = _turtle(app, "/catalog.ttl")
    titles = {str(title) for title in catalogue.objects(None, URIRef("http://purl.org/dc/terms/title"))}
    assert {"Gut 0", "Gut 1"} <= titles and "Kaputt" not in titles
    links = {str(link) for link in catalogue.objects(None, DCAT.dataset)}
    assert len(links) == 2 and not any(broken_id in link for link in links)
    assert any(record.levelno == logging.ERROR and "kaputt" in record.getMessage() for record in caplog.records)

    failed = app.get("/health", status=200).json["rdf"]["failed"]
    assert [(problem["dataset"], problem["error"]) for problem in failed] == [("kaputt", "ValueError")]

    result = cli.invoke(ckan, ["osnabrueck", "validate-all"])
    assert result.exit_code == 1
    assert "rdf: Das RDF (Turtle) des Datensatzes kann nicht geschrieben werden: ValueError" in result.output


def test_a_private_dataset_is_not_named_by_health(app):
    sysadmin = factories.SysadminWithToken()
    dataset = OsnabrueckDataset(name="privat-alt", private=True)
    _store_around_the_api(dataset, contact_url=ARCGIS)
    response = app.get("/dataset/privat-alt.ttl", headers={"Authorization": sysadmin["token"]}, status=200)
    own = Graph().parse(data=response.body, format="turtle")
    assert _has_iri(own, ARCGIS)
    assert rdf.recent_problems() == []


def test_typed_address_lists_split_only_where_a_new_address_starts():
    from ckanext.osnabrueck.logic.validators import osnabrueck_uri_list

    key = ("conforms_to",)
    data = {key: 'https://gis.osnabrueck.de/query?geometry={"xmin":7.9,"ymin":52.2}, https://www.dcat-ap.de/'}
    errors = {key: []}
    osnabrueck_uri_list(key, data, errors, {})
    assert errors[key] == []
    assert json.loads(data[key]) == ["https://gis.osnabrueck.de/query?geometry=%7B%22xmin%22:7.9,%22ymin%22:52.2%7D",
                                     "https://www.dcat-ap.de/"]
