"""The dcatap_de profile: what it writes, and that parsing gives the dataset dict back."""
import json

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ckan.tests.helpers import call_action
from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.dcat.profiles.base import DCAT, DCATAP, DCT, FOAF, VCARD
from ckanext.osnabrueck.profiles import DCATDE

from .factories import EU, OsnabrueckDataset

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
              pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "dcatap_de")]

FULL = {
    "title": "Baustellen", "notes": "Aktuelle Baustellen", "tags": [{"name": "Verkehr"}, {"name": "Baustelle"}],
    "theme": [f"{EU}/data-theme/TRAN", f"{EU}/data-theme/REGI"], "license_id": "dl-by-de/2.0",
    "publisher_name": "Fachbereich Geodaten", "publisher_url": "https://www.osnabrueck.de/geodaten",
    "contributor_id": "http://dcat-ap.de/def/contributors/SWONetzGmbH",
    "contact_name": "Team Geodaten", "contact_email": "geodaten@osnabrueck.de",
    "contact_url": "https://www.osnabrueck.de/kontakt",
    "maintainer": "Anna Muster", "maintainer_email": "anna@osnabrueck.de",
    "originator": "Vermessungsamt", "originator_email": "vermessung@osnabrueck.de",
    "political_geocoding_uri": "http://dcat-ap.de/def/politicalGeocoding/regionalKey/034040000000",
    "political_geocoding_level_uri": "http://dcat-ap.de/def/politicalGeocoding/Level/municipality",
    "spatial": "7.97,52.23,8.13,52.33", "temporal_start": "2025-01-01", "temporal_end": "2025-12-31",
    "frequency": f"{EU}/frequency/DAILY", "issued": "2019-05-14", "modified": "2026-11-01",
    "language": [f"{EU}/language/DEU", f"{EU}/language/ENG"], "url": "https://www.osnabrueck.de/baustellen",
    "conforms_to": ["https://example.org/schema/baustellen"], "access_rights": f"{EU}/access-right/PUBLIC",
    "planned_availability": f"{EU}/planned-availability/STABLE", "legal_basis": "§ 45 StVO",
    "hvd": "true", "applicable_legislation": ["http://data.europa.eu/eli/reg_impl/2023/138/oj"],
    "identifier": "BS-2026", "version": "2.1",
    "resources": [{"name": "Baustellen (CSV)", "url": "https://www.osnabrueck.de/baustellen.csv",
                   "download_url": "https://www.osnabrueck.de/baustellen.csv", "format": "CSV",
                   "license": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
                   "license_attribution_by_text": "Stadt Osnabrück", "rights": "Quelle nennen",
                   "availability": f"{EU}/planned-availability/STABLE",
                   "status": f"{EU}/distribution-status/COMPLETED", "issued": "2020-01-01"}],
}
SCHEMA_FIELDS = [key for key in FULL if key not in ("tags", "resources", "license_id")]


def serialize(dataset):
    serializer = RDFSerializer(profiles=["dcatap_de"])
    ref = serializer.graph_from_dataset(dataset)
    return serializer.g, ref


def test_graph_carries_the_dcat_ap_de_properties():
    dataset = call_action("package_show", id=OsnabrueckDataset(**FULL)["id"])
    g, ref = serialize(dataset)
    assert (ref, DCATDE.contributorID, URIRef(FULL["contributor_id"])) in g
    assert (ref, DCATDE.politicalGeocodingURI, URIRef(FULL["political_geocoding_uri"])) in g
    assert (ref, DCATDE.politicalGeocodingLevelURI, URIRef(FULL["political_geocoding_level_uri"])) in g
    assert (ref, DCATDE.legalBasis, Literal("§ 45 StVO")) in g
    assert (ref, DCATAP.applicableLegislation, URIRef(FULL["applicable_legislation"][0])) in g
    publisher = g.value(ref, DCT.publisher)
    assert {RDF.type: set(g.objects(publisher, RDF.type))}[RDF.type] >= {FOAF.Organization, FOAF.Agent}
    assert g.value(publisher, FOAF.name) == Literal("Fachbereich Geodaten")
    contact = g.value(ref, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Organization) in g
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:geodaten@osnabrueck.de")
    assert g.value(contact, VCARD.hasURL) == URIRef("https://www.osnabrueck.de/kontakt")
    distribution = g.value(ref, DCAT.distribution)
    assert g.value(distribution, DCT.license) == URIRef("http://dcat-ap.de/def/licenses/dl-zero-de/2.0")
    assert g.value(distribution, DCT["format"]) == URIRef(f"{EU}/file-type/CSV")
    assert g.value(distribution, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert g.value(distribution, DCATDE.licenseAttributionByText) == Literal("Stadt Osnabrück")


def test_every_distribution_has_a_licence_even_without_its_own():
    dataset = OsnabrueckDataset(license_id="cc-by/4.0", resources=[{"name": "r", "url": "https://x.org/a.json",
                                                                    "format": "JSON", "license": ""}])
    g, ref = serialize(call_action("package_show", id=dataset["id"]))
    assert g.value(g.value(ref, DCAT.distribution), DCT.license) == URIRef("http://dcat-ap.de/def/licenses/cc-by/4.0")


def test_catalogue_carries_what_stock_ckanext_dcat_leaves_out():
    serializer = RDFSerializer(profiles=["dcatap_de"])
    ref = serializer.graph_from_catalog({})
    g = serializer.g
    assert g.value(g.value(ref, DCT.publisher), FOAF.name) == Literal("Stadt Osnabrück")
    assert g.value(ref, DCT.language) == URIRef(f"{EU}/language/DEU")
    assert g.value(ref, FOAF.homepage) == URIRef("http://test.ckan.net")
    assert g.value(ref, DCT.license) == URIRef("http://dcat-ap.de/def/licenses/dl-zero-de/2.0")
    assert g.value(ref, DCAT.themeTaxonomy) == URIRef(f"{EU}/data-theme")
    assert g.value(ref, DCT.spatial) == URIRef("http://dcat-ap.de/def/politicalGeocoding/regionalKey/034040000000")


def _normalise(dataset):
    values = {key: dataset.get(key) for key in SCHEMA_FIELDS}
    for key in ("theme", "language", "conforms_to", "applicable_legislation"):
        values[key] = sorted(json.loads(values[key]) if isinstance(values[key], str) else values[key] or [])
    return values


def test_round_trip_gives_back_every_schema_field():
    stored = call_action("package_show", id=OsnabrueckDataset(**FULL)["id"])
    g, _ = serialize(stored)
    parser = RDFParser(profiles=["dcatap_de"])
    parser.g = g
    parsed = next(parser.datasets())
    # What the harvester hands to package_create is validated by the same schema.
    again = call_action("package_show", id=OsnabrueckDataset(**{**parsed, "name": "wieder"})["id"])

    assert _normalise(again) == _normalise(stored)
    assert again["license_id"] == stored["license_id"]
    assert sorted(t["name"] for t in again["tags"]) == sorted(t["name"] for t in stored["tags"])
    resource, original = again["resources"][0], stored["resources"][0]
    for key in ("name", "format", "mimetype", "license", "license_attribution_by_text", "download_url",
                "availability", "status"):
        assert resource.get(key) == original.get(key), key
