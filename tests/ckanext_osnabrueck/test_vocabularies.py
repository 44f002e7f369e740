"""The portal's own vocabularies (config/) against the official lists (../shared)."""
import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from ckanext.osnabrueck import vocabularies

SHARED = Path(__file__).resolve().parents[3] / "shared" / "dcat-ap-de" / "vocabularies"
OFFICIAL = {
    "data-theme": "eu-authority-tables/data-theme.rdf",
    "frequency": "eu-authority-tables/frequency.rdf",
    "access-right": "eu-authority-tables/access-right.rdf",
    "planned-availability": "eu-authority-tables/planned-availability.rdf",
    "distribution-status": "eu-authority-tables/distribution-status.rdf",
    "file-type": "eu-authority-tables/file-type.rdf",
    "contributors": "dcat-ap-de/contributors_20251021.rdf",
    "licenses": "dcat-ap-de/licenses_20210721.rdf",
}


@pytest.mark.parametrize("name", sorted(OFFICIAL))
def test_every_uri_offered_is_in_the_official_list(name):
    if not SHARED.exists():
        pytest.skip(f"../shared/dcat-ap-de is absent ({SHARED}); cannot compare with the official lists")
    graph = Graph().parse(SHARED / OFFICIAL[name])
    vocabulary = vocabularies.get(name)
    official = {str(s) for s in graph.subjects(SKOS.inScheme, URIRef(vocabulary.scheme))}
    offered = set(vocabulary.uris())
    assert offered and offered <= official, sorted(offered - official)[:5]


def test_the_13_eu_themes_with_german_labels():
    themes = vocabularies.get("data-theme")
    assert len(themes.concepts) == 13
    assert themes.label("ENVI") == "Umwelt" and themes.label("ENVI", "en") == "Environment"


def test_lookups_accept_uri_code_and_label_in_any_case():
    frequency = vocabularies.get("frequency")
    uri = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    assert frequency.find("monthly")["uri"] == frequency.find("Monatlich")["uri"] == frequency.find(uri)["uri"] == uri
    assert frequency.find("jeden zweiten Dienstag") is None


def test_licence_list_is_ckans_licence_list(app):
    licences = app.get("/api/3/action/license_list").json["result"]
    ids = [licence["id"] for licence in licences]
    assert ids[:2] == ["dl-by-de/2.0", "dl-zero-de/2.0"]
    assert set(ids) == {c["code"] for c in vocabularies.get("licenses").concepts}
    assert next(l for l in licences if l["id"] == "dl-by-de/2.0")["title"] == "Datenlizenz Deutschland Namensnennung 2.0"


def test_every_vocabulary_file_is_well_formed():
    for path in sorted(vocabularies.vocabulary_dir().glob("*.json")):
        data = json.loads(path.read_text())
        assert data["scheme"].startswith("http") and data["concepts"], path.name
        for concept in data["concepts"]:
            assert {"code", "uri", "de", "en"} <= concept.keys(), (path.name, concept)


def test_unknown_vocabulary_is_a_clear_error():
    import ckan.plugins.toolkit as tk

    with pytest.raises(tk.ObjectNotFound, match="unknown vocabulary 'planets'"):
        vocabularies.get("planets")
