"""The ``dcatap_de`` RDF profile: DCAT-AP.de 2.0 (with GovData's conventions) plus the 3.0
properties, on top of ckanext-dcat's ``euro_dcat_ap_3`` profile.

Built from small steps: each ``_graph_from_*`` step serialises one concern of the portal's
schema, each ``_parse_*`` step reads it back, so that parsing the output gives back the
same dataset dict (and the portal can harvest other DCAT-AP.de catalogues).
"""
from __future__ import annotations

import json
import logging

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SKOS, Namespace

from shapely.geometry import box, shape

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.dcat.profiles.base import ADMS, DCAT, DCATAP, DCT, FOAF, GSP, SPDX, VCARD, CleanedURIRef
from ckanext.dcat.utils import resource_uri

from . import iri, rdf, vocabularies
from .helpers import catalog_bbox
from .logic.validators import HVD_REGULATION

log = logging.getLogger(__name__)

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
EU = "http://publications.europa.eu/resource/authority"
IANA = "https://www.iana.org/assignments/media-types/"
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
# Checksums are left out: dcat-ap.de's hashAlgorithms list is not published, and the
# 2.0 shapes reject every spdx:algorithm without it (see docs/govdata.md).
LIST_FIELDS = ("theme", "language", "conforms_to", "applicable_legislation")


def _json_list(value) -> list:
    if not value:
        return []
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value)
        return parsed if isinstance(parsed, list) else [parsed]
    except (TypeError, ValueError):
        return [value]


class DCATAPdeProfile(EuropeanDCATAP3Profile):
    """DCAT-AP.de for GovData."""

    # --- serialise --------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        super().graph_from_dataset(dataset_dict, dataset_ref)
        self.g.bind("dcatde", DCATDE)
        self._graph_from_dataset_agents(dataset_dict, dataset_ref)
        self._graph_from_dataset_contact(dataset_dict, dataset_ref)
        self._graph_from_dataset_dcatde(dataset_dict, dataset_ref)
        self._graph_from_dataset_legislation(dataset_dict, dataset_ref)
        self._graph_from_dataset_spatial(dataset_dict, dataset_ref)
        for resource_dict in dataset_dict.get("resources", []):
            distribution = CleanedURIRef(resource_uri(resource_dict))
            self._graph_from_distribution(resource_dict, dataset_dict, distribution)
            self._graph_from_access_services(dataset_ref, distribution)
        self._repair_iris(dataset_dict, dataset_ref)

    def _repair_iris(self, dataset_dict, dataset_ref):
        """Percent-encode every IRI of the dataset's description that rdflib cannot write
        (a stored ``"``, ``{`` or space, from before the validators checked them): one
        such value made the dataset's Turtle, and every catalogue page with it, fail.
        Walks what the dataset reaches, so that a catalogue page costs no more."""
        repaired, seen, todo = [], set(), [dataset_ref]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for _, predicate, obj in list(self.g.triples((node, None, None))):
                if isinstance(obj, URIRef) and not iri.is_valid(obj):
                    fixed = URIRef(iri.normalise(str(obj)))
                    self._rename(obj, fixed)
                    repaired.append(str(obj))
                    obj = fixed
                if isinstance(obj, (URIRef, BNode)):
                    todo.append(obj)
        if repaired:
            log.warning("dataset %s: invalid IRIs percent-encoded in its RDF: %s (ckan osnabrueck repair-iris "
                        "repairs the stored values)", dataset_dict.get("name"), ", ".join(repaired)[:500])
            rdf.record_problem(dataset_dict, rdf.REPAIRED, f"{len(repaired)} IRI(s) percent-encoded")

    def _rename(self, old, new):
        """Replace a node by another wherever it occurs as subject or object."""
        for subject, predicate, _ in list(self.g.triples((None, None, old))):
            self.g.remove((subject, predicate, old))
            self.g.add((subject, predicate, new))
        for _, predicate, obj in list(self.g.triples((old, None, None))):
            self.g.remove((old, predicate, obj))
            self.g.add((new, predicate, obj))

    def _replace(self, subject, predicate, objects=()):
        for old in list(self.g.objects(subject, predicate)):
            if isinstance(old, BNode):
                self._remove_node(old)
        self.g.remove((subject, predicate, None))
        for obj in objects:
            self.g.add((subject, predicate, obj))

    def _remove_node(self, node):
        for _, _, child in list(self.g.triples((node, None, None))):
            if isinstance(child, BNode):
                self._remove_node(child)
        self.g.remove((node, None, None))

    def _agent(self, name, email=None, url=None, publisher_type=None) -> BNode:
        agent = BNode()
        self.g.add((agent, RDF.type, FOAF.Organization))
        self.g.add((agent, RDF.type, FOAF.Agent))
        self.g.add((agent, FOAF.name, Literal(name)))
        if email:
            self.g.add((agent, FOAF.mbox, URIRef(f"mailto:{email}")))
        if url:
            self.g.add((agent, FOAF.homepage, URIRef(url)))
        if publisher_type:
            self.g.add((agent, DCT.type, publisher_type))
        return agent

    def _graph_from_dataset_agents(self, dataset_dict, dataset_ref):
        """Publisher (foaf:Organization), maintainer and originator (dcatde)."""
        org = dataset_dict.get("organization") or {}
        name = dataset_dict.get("publisher_name") or org.get("title")
        if name:
            self._replace(dataset_ref, DCT.publisher, [
                self._agent(name, url=dataset_dict.get("publisher_url"), publisher_type=LOCAL_AUTHORITY)])
        for field, predicate in (("maintainer", DCATDE.maintainer), ("originator", DCATDE.originator)):
            if dataset_dict.get(field):
                self._replace(dataset_ref, predicate, [
                    self._agent(dataset_dict[field], email=dataset_dict.get(f"{field}_email"))])

    def _graph_from_dataset_contact(self, dataset_dict, dataset_ref):
        """Contact point as vcard:Organization with hasEmail and/or hasURL."""
        email, url = dataset_dict.get("contact_email"), dataset_dict.get("contact_url")
        if not (email or url):
            return
        contact = BNode()
        self.g.add((contact, RDF.type, VCARD.Organization))
        name = dataset_dict.get("contact_name") or dataset_dict.get("publisher_name")
        if name:
            self.g.add((contact, VCARD.fn, Literal(name)))
        if email:
            self.g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        if url:
            self.g.add((contact, VCARD.hasURL, URIRef(url)))
        self._replace(dataset_ref, DCAT.contactPoint, [contact])

    def _graph_from_dataset_dcatde(self, dataset_dict, dataset_ref):
        """dcatde: contributorID, political geocoding, legal basis."""
        for field, predicate in (("contributor_id", DCATDE.contributorID),
                                 ("political_geocoding_uri", DCATDE.politicalGeocodingURI),
                                 ("political_geocoding_level_uri", DCATDE.politicalGeocodingLevelURI)):
            if dataset_dict.get(field):
                self._replace(dataset_ref, predicate, [URIRef(dataset_dict[field])])
        for field in ("political_geocoding_uri", "political_geocoding_level_uri"):
            self._add_geocoding_scheme(dataset_dict.get(field))
        if dataset_dict.get("legal_basis"):
            self._replace(dataset_ref, DCATDE.legalBasis, [Literal(dataset_dict["legal_basis"])])

    def _add_geocoding_scheme(self, uri):
        """State the key list a geocoding URI belongs to: dcat-ap.de publishes these lists
        only as URI patterns, so the shapes cannot know it otherwise."""
        if uri and uri.startswith(GEOCODING):
            self.g.add((URIRef(uri), SKOS.inScheme, URIRef(uri.rsplit("/", 1)[0])))

    def _graph_from_dataset_spatial(self, dataset_dict, dataset_ref):
        """dct:spatial as a dct:Location with dcat:bbox and dcat:centroid (WKT).

        DCAT-AP.de 2.0 wants locn:geometry as a literal and 3.0 as a node, so the geometry
        is published by its bounding box and centroid, which both versions accept.
        """
        spatial = dataset_dict.get("spatial")
        if not spatial:
            return
        try:
            geometry = shape(json.loads(spatial))
        except (TypeError, ValueError, AttributeError):
            return
        location = BNode()
        self._replace(dataset_ref, DCT.spatial, [location])
        self.g.add((location, RDF.type, DCT.Location))
        self.g.add((location, DCAT.bbox, Literal(box(*geometry.bounds).wkt, datatype=GSP.wktLiteral)))
        self.g.add((location, DCAT.centroid, Literal(geometry.centroid.wkt, datatype=GSP.wktLiteral)))

    def _graph_from_dataset_legislation(self, dataset_dict, dataset_ref):
        """dcatap:applicableLegislation (ELI URIs) and the high-value-dataset flag."""
        laws = [URIRef(uri) for uri in _json_list(dataset_dict.get("applicable_legislation"))]
        if laws:
            self._replace(dataset_ref, DCATAP.applicableLegislation, laws)

    def _graph_from_distribution(self, resource_dict, dataset_dict, distribution):
        """Licence and format as URIs, IANA media type, download URL of uploads."""
        licences = vocabularies.get("licenses")
        licence = licences.find(resource_dict.get("license")) or licences.find(dataset_dict.get("license_id"))
        if licence:
            self._replace(distribution, DCT.license, [URIRef(licence["uri"])])
            # dcat-ap.de describes its licences itself; typing them here makes the 3.0
            # LicenseDocument shape check dcat-ap.de's own (literal) dct:type.
            self.g.remove((URIRef(licence["uri"]), None, None))
        if resource_dict.get("license_attribution_by_text"):
            self._replace(distribution, DCATDE.licenseAttributionByText,
                          [Literal(resource_dict["license_attribution_by_text"])])
        file_type = vocabularies.get("file-type").find(resource_dict.get("format"))
        if file_type:
            self._replace(distribution, DCT["format"], [URIRef(file_type["uri"])])
        media_type = resource_dict.get("mimetype")
        if media_type:
            self._replace(distribution, DCAT.mediaType, [URIRef(IANA + media_type)])
        if resource_dict.get("url_type") == "upload" and not resource_dict.get("download_url"):
            self.g.add((distribution, DCAT.downloadURL, URIRef(resource_dict["url"])))
        # dcat:byteSize is left out: the 2.0 shapes require xsd:decimal, the 3.0 shapes
        # xsd:nonNegativeInteger, and GovData validates against both.
        self._replace(distribution, DCAT.byteSize)
        availability = resource_dict.get("availability") or dataset_dict.get("planned_availability")
        if availability:
            self._replace(distribution, DCATAP.availability, [URIRef(availability)])
        if resource_dict.get("status"):
            self._replace(distribution, ADMS.status, [URIRef(resource_dict["status"])])
        self._replace(distribution, SPDX.checksum)

    def _graph_from_access_services(self, dataset_ref, distribution):
        """A dcat:DataService without publisher is run by the dataset's publisher (DCAT-AP.de
        requires one); it carries the distribution's licence."""
        publisher = self.g.value(dataset_ref, DCT.publisher)
        licence = self.g.value(distribution, DCT.license)
        for service in self.g.objects(distribution, DCAT.accessService):
            if publisher is not None and self.g.value(service, DCT.publisher) is None:
                self.g.add((service, DCT.publisher, publisher))
            if licence is not None and self.g.value(service, DCT.license) is None:
                self.g.add((service, DCT.license, licence))

    # --- catalogue ----------------------------------------------------------------------

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        super().graph_from_catalog(catalog_dict, catalog_ref)
        self.g.bind("dcatde", DCATDE)
        config = tk.config
        self._replace(catalog_ref, DCT.publisher, [self._agent(
            config.get("ckanext.osnabrueck.catalog_publisher"), url=config.get("ckanext.osnabrueck.catalog_homepage"),
            publisher_type=LOCAL_AUTHORITY)])
        self._replace(catalog_ref, DCT.language, [URIRef(f"{EU}/language/DEU")])
        self._replace(catalog_ref, FOAF.homepage, [URIRef(config.get("ckan.site_url"))])
        licence = vocabularies.get("licenses").find(config.get("ckanext.osnabrueck.catalog_license"))
        if licence:
            self._replace(catalog_ref, DCT.license, [URIRef(licence["uri"])])
        self._replace(catalog_ref, DCAT.themeTaxonomy, [URIRef(f"{EU}/data-theme")])
        area = URIRef(config.get("ckanext.osnabrueck.political_geocoding_uri"))
        self._replace(catalog_ref, DCT.spatial, [area])
        self.g.add((area, RDF.type, DCT.Location))
        self.g.add((area, DCAT.bbox, Literal(box(*catalog_bbox()).wkt, datatype=GSP.wktLiteral)))
        self._add_geocoding_scheme(str(area))

    # --- parse --------------------------------------------------------------------------

    def parse_dataset(self, dataset_dict, dataset_ref):
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        self._parse_agents(dataset_dict, dataset_ref)
        self._parse_contact(dataset_dict, dataset_ref)
        self._parse_dcatde(dataset_dict, dataset_ref)
        self._parse_lists(dataset_dict, dataset_ref)
        self._parse_extras_to_fields(dataset_dict)
        self._parse_spatial(dataset_dict, dataset_ref)
        for distribution in self._distributions(dataset_ref):
            self._parse_distribution(dataset_dict, distribution)
        self._parse_planned_availability(dataset_dict)
        self._parse_high_value(dataset_dict)
        return dataset_dict

    def _first(self, subject, predicate):
        return next(iter(self.g.objects(subject, predicate)), None)

    @staticmethod
    def _mail(value) -> str | None:
        return str(value).removeprefix("mailto:") if value else None

    def _parse_agents(self, dataset_dict, dataset_ref):
        publisher = self._first(dataset_ref, DCT.publisher)
        if publisher is not None:
            dataset_dict["publisher_name"] = str(self._first(publisher, FOAF.name) or "") or None
            homepage = self._first(publisher, FOAF.homepage)
            if homepage:
                dataset_dict["publisher_url"] = str(homepage)
        for field, predicate in (("maintainer", DCATDE.maintainer), ("originator", DCATDE.originator)):
            agent = self._first(dataset_ref, predicate)
            if agent is not None:
                dataset_dict[field] = str(self._first(agent, FOAF.name) or "")
                dataset_dict[f"{field}_email"] = self._mail(self._first(agent, FOAF.mbox))
        dataset_dict.pop("publisher", None)

    def _parse_contact(self, dataset_dict, dataset_ref):
        contact = self._first(dataset_ref, DCAT.contactPoint)
        if contact is None:
            return
        dataset_dict["contact_name"] = str(self._first(contact, VCARD.fn) or "") or None
        dataset_dict["contact_email"] = self._mail(self._first(contact, VCARD.hasEmail))
        url = self._first(contact, VCARD.hasURL)
        dataset_dict["contact_url"] = str(url) if url else None
        dataset_dict.pop("contact", None)

    def _parse_dcatde(self, dataset_dict, dataset_ref):
        for field, predicate in (("contributor_id", DCATDE.contributorID),
                                 ("political_geocoding_uri", DCATDE.politicalGeocodingURI),
                                 ("political_geocoding_level_uri", DCATDE.politicalGeocodingLevelURI),
                                 ("legal_basis", DCATDE.legalBasis)):
            value = self._first(dataset_ref, predicate)
            if value is not None:
                dataset_dict[field] = str(value)

    def _parse_lists(self, dataset_dict, dataset_ref):
        for field, predicate in (("theme", DCAT.theme), ("language", DCT.language),
                                 ("conforms_to", DCT.conformsTo),
                                 ("applicable_legislation", DCATAP.applicableLegislation)):
            values = sorted(str(value) for value in self.g.objects(dataset_ref, predicate))
            if values:
                dataset_dict[field] = values

    def _parse_extras_to_fields(self, dataset_dict):
        """The stock profile returns schema-less values as extras; the schema has fields."""
        schema_fields = {"issued", "modified", "identifier", "frequency", "access_rights", "temporal_start",
                         "temporal_end", "spatial", "version"}
        remaining = []
        for extra in dataset_dict.get("extras", []):
            key = extra["key"]
            if key in schema_fields:
                dataset_dict.setdefault(key, extra["value"])
            elif key not in LIST_FIELDS and key not in ("guid", "spatial_uri", "spatial_text",
                                                        "contact_name", "contact_email", "contact_uri",
                                                        "publisher_name", "publisher_email", "publisher_url",
                                                        "publisher_uri", "publisher_type"):
                remaining.append(extra)
        dataset_dict["extras"] = remaining

    def _parse_spatial(self, dataset_dict, dataset_ref):
        from shapely import wkt
        from shapely.geometry import mapping

        for location in self.g.objects(dataset_ref, DCT.spatial):
            bbox = self._first(location, DCAT.bbox)
            if bbox is not None:
                try:
                    dataset_dict["spatial"] = json.dumps(mapping(wkt.loads(str(bbox))))
                except Exception:  # noqa: BLE001 - a foreign catalogue's bad WKT is no reason to fail
                    continue
                return

    @staticmethod
    def _parse_planned_availability(dataset_dict):
        """The dataset's planned availability is the one all its distributions share."""
        values = {resource.get("availability") for resource in dataset_dict.get("resources", [])}
        if len(values) == 1 and None not in values:
            dataset_dict["planned_availability"] = values.pop()

    @staticmethod
    def _parse_high_value(dataset_dict):
        laws = dataset_dict.get("applicable_legislation") or []
        dataset_dict["hvd"] = "true" if HVD_REGULATION in laws else "false"

    def _parse_distribution(self, dataset_dict, distribution):
        resource = next((r for r in dataset_dict.get("resources", [])
                         if r.get("uri") == str(distribution)), None)
        if resource is None:
            return
        file_type = vocabularies.get("file-type").find(self._first(distribution, DCT["format"]))
        if file_type:
            resource["format"] = file_type["code"]
        media_type = self._first(distribution, DCAT.mediaType)
        if media_type:
            resource["mimetype"] = str(media_type).removeprefix(IANA)
        for field, predicate in (("license_attribution_by_text", DCATDE.licenseAttributionByText),
                                 ("availability", DCATAP.availability)):
            value = self._first(distribution, predicate)
            if value is not None:
                resource[field] = str(value)
