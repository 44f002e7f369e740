"""The DCAT-AP.de endpoints GovData harvests: paging, incremental harvesting, content
negotiation, and nothing private, draft or deleted in any RDF output."""
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import Namespace, RDF

from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat.profiles.base import DCAT

from .factories import OsnabrueckDataset

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
              pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "dcatap_de")]


def graph(app, url, **kw):
    response = app.get(url, **kw)
    return Graph().parse(data=response.body, format="turtle")


def titles(g):
    return {str(g.value(ref, URIRef("http://purl.org/dc/terms/title"))) for ref in g.subjects(RDF.type, DCAT.Dataset)}


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_catalogue_pages_with_hydra(app):
    for index in range(5):
        OsnabrueckDataset(title=f"Datensatz {index}")
    seen, url, pages = set(), "/catalog.ttl", 0
    while url:
        g = graph(app, url)
        seen |= titles(g)
        pages += 1
        following = next(g.objects(None, HYDRA.nextPage), None) or next(g.objects(None, HYDRA.next), None)
        url = str(following).replace("http://test.ckan.net", "") if following else None
    assert pages == 3
    assert seen == {f"Datensatz {index}" for index in range(5)}


def test_modified_since_limits_the_catalogue(app):
    OsnabrueckDataset(title="Alt")
    g = graph(app, "/catalog.ttl", query_string={"modified_since": "2999-01-01T00:00:00"})
    assert titles(g) == set()
    assert "Alt" in titles(graph(app, "/catalog.ttl", query_string={"modified_since": "2000-01-01T00:00:00"}))


def test_private_draft_and_deleted_datasets_never_appear(app):
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    OsnabrueckDataset(owner_org=org["id"], title="Öffentlich")
    private = OsnabrueckDataset(owner_org=org["id"], title="Datenraum", private=True)
    draft = OsnabrueckDataset(owner_org=org["id"], title="Entwurf", state="draft")
    deleted = OsnabrueckDataset(owner_org=org["id"], title="Gelöscht")
    call_action("package_delete", context={"user": user["name"]}, id=deleted["id"])

    for fmt in ("ttl", "rdf", "jsonld"):
        body = app.get(f"/catalog.{fmt}").body
        assert "Öffentlich" in body or "\\u00d6ffentlich" in body
        for hidden in ("Datenraum", "Entwurf", "Gelöscht", "Gel\\u00f6scht"):
            assert hidden not in body, (fmt, hidden)
    # ... not even for their own editor
    assert titles(graph(app, "/catalog.ttl", headers={"Authorization": user["token"]})) == {"Öffentlich"}
    for dataset in (private, draft, deleted):
        for fmt in ("ttl", "rdf", "jsonld"):
            response = app.get(f"/dataset/{dataset['id']}.{fmt}")
            assert response.status_code in (403, 404), (dataset["title"], fmt)
            assert dataset["title"] not in response.body


def test_dataset_rdf_and_content_negotiation(app):
    dataset = OsnabrueckDataset(title="Grundwasser")
    assert "Grundwasser" in titles(graph(app, f"/dataset/{dataset['name']}.ttl"))
    negotiated = app.get(f"/dataset/{dataset['name']}", headers={"Accept": "text/turtle"})
    assert negotiated.headers["Content-Type"].startswith("text/turtle")
    assert "Grundwasser" in titles(Graph().parse(data=negotiated.body, format="turtle"))


def test_dataset_page_embeds_schema_org_json_ld(app):
    dataset = OsnabrueckDataset(title="Ladesäulen")
    page = app.get(f"/dataset/{dataset['name']}").body
    script = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    data = Graph().parse(data=script, format="json-ld")
    schema = Namespace("http://schema.org/")
    ref = next(data.subjects(RDF.type, schema.Dataset))
    assert str(data.value(ref, schema.name)) == "Ladesäulen"
