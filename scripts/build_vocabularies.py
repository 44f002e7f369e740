"""Write the portal's controlled vocabularies (config/vocabularies/*.json).

The official SKOS files in ../shared/dcat-ap-de/vocabularies are the reference. This
script reads them once and writes the compact pick-lists the portal uses at run time, so
the portal works offline without them. Labels missing in German are taken from
GERMAN_LABELS (the EU file types carry English labels only). Rerun it after an update of
the official lists, review the diff, commit.

Usage: python scripts/build_vocabularies.py [path/to/shared/dcat-ap-de]
"""
import json
import sys
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DC, SKOS

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "config" / "vocabularies"
EU = "http://publications.europa.eu/resource/authority"
OWL_VERSION = URIRef("http://www.w3.org/2002/07/owl#versionInfo")
OP_CODE = URIRef("http://publications.europa.eu/ontology/authority/op-mapped-code")
AT = Namespace("http://publications.europa.eu/ontology/authority/")

# EU official languages plus languages Osnabrück's administration publishes in.
LANGUAGES = ["DEU", "ENG", "FRA", "NLD", "POL", "TUR", "ARA", "RUS", "UKR", "ITA", "SPA", "POR",
             "DAN", "SWE", "FIN", "EST", "LAV", "LIT", "CES", "SLK", "SLV", "HUN", "RON", "BUL",
             "HRV", "ELL", "MLT", "GLE", "NDS", "FRR", "DSB", "HSB", "ROM", "MUL"]

# File types first offered in the form; the rest follow alphabetically.
COMMON_FORMATS = ["CSV", "GEOJSON", "JSON", "XLSX", "XML", "PDF", "HTML", "ZIP", "SHP", "GML",
                  "KML", "WMS_SRVC", "WFS_SRVC", "RDF_TURTLE", "RDF_XML", "JSON_LD", "ODS", "TXT"]

# Structured formats software can process without a human (the MQA's "machine readable").
MACHINE_READABLE = {"CSV", "TSV", "JSON", "GEOJSON", "JSON_LD", "XML", "RDF", "RDF_XML", "RDF_TURTLE",
                    "RDF_N_TRIPLES", "RDF_N_QUADS", "RDF_TRIG", "N3", "XLSX", "XLS", "ODS", "GML", "KML",
                    "KMZ", "SHP", "GPKG", "NETCDF", "PARQUET", "WMS_SRVC", "WFS_SRVC", "ATOM", "RSS",
                    "ICS", "GTFS", "YAML", "SPARQLQ", "SPARQLQRES", "DBF", "GRID_ASCII", "TIFF", "GEOTIFF"}

# IANA media types where the official list has none or a non-IANA one.
IANA_MEDIA_TYPES = {"JSON": "application/json", "GEOJSON": "application/geo+json", "CSV": "text/csv",
                    "JSON_LD": "application/ld+json", "RDF_TURTLE": "text/turtle", "XML": "application/xml",
                    "RDF_XML": "application/rdf+xml", "GML": "application/gml+xml", "ZIP": "application/zip",
                    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "ODS": "application/vnd.oasis.opendocument.spreadsheet", "PDF": "application/pdf",
                    "HTML": "text/html", "TXT": "text/plain", "KML": "application/vnd.google-earth.kml+xml"}

# German labels where the official list has none (file types are English/Estonian only).
GERMAN_LABELS = {
    "file-type": {"CSV": "CSV", "JSON": "JSON", "GEOJSON": "GeoJSON", "XLSX": "Excel (XLSX)",
                  "XLS": "Excel (XLS)", "PDF": "PDF", "HTML": "HTML", "ZIP": "ZIP-Archiv",
                  "SHP": "Shapefile", "WMS_SRVC": "WMS-Dienst", "WFS_SRVC": "WFS-Dienst",
                  "TXT": "Text", "ODS": "OpenDocument-Tabelle", "DOCX": "Word (DOCX)",
                  "RDF_TURTLE": "RDF Turtle", "RDF_XML": "RDF/XML", "JSON_LD": "JSON-LD"},
}

# Political geocoding levels: only a URI list exists offline (v1.0.2 lists); labels are ours.
GEOCODING_LEVELS = [
    ("municipality", "Kommune", "Municipality"),
    ("administrativeDistrict", "Landkreis", "Administrative district"),
    ("state", "Land", "State"),
    ("federal", "Bund", "Federal"),
    ("european", "Europa", "European"),
    ("international", "International", "International"),
]

EU_TABLES = {
    "data-theme": ("eu-authority-tables/data-theme.rdf", None),
    "frequency": ("eu-authority-tables/frequency.rdf", None),
    "access-right": ("eu-authority-tables/access-right.rdf", None),
    "planned-availability": ("eu-authority-tables/planned-availability.rdf", None),
    "distribution-status": ("eu-authority-tables/distribution-status.rdf", None),
    "file-type": ("eu-authority-tables/file-type.rdf", None),
    "language": ("eu-authority-tables/language.ttl", LANGUAGES),
}


def _label(graph: Graph, subject, lang: str):
    for label in graph.objects(subject, SKOS.prefLabel):
        if getattr(label, "language", None) == lang:
            return str(label).strip()
    return None


def _concepts(graph: Graph, scheme: URIRef):
    return sorted(set(graph.subjects(SKOS.inScheme, scheme)))


def _deprecated(graph: Graph, subject) -> bool:
    end = graph.value(subject, AT["end.use"])
    return end is not None and str(end) < "2026"


def eu_table(shared: Path, name: str, path: str, only) -> dict:
    graph = Graph().parse(shared / "vocabularies" / path)
    scheme = URIRef(f"{EU}/{name}")
    german = GERMAN_LABELS.get(name, {})
    concepts = []
    for subject in _concepts(graph, scheme):
        code = str(subject).rsplit("/", 1)[1]
        if code.startswith("OP_DATPRO") or (only and code not in only) or _deprecated(graph, subject):
            continue
        en = _label(graph, subject, "en") or code
        concept = {"code": code, "uri": str(subject), "de": german.get(code) or _label(graph, subject, "de") or en,
                   "en": en}
        if name == "file-type":
            concept.update(_file_type_facts(graph, subject, code))
        concepts.append(concept)
    concepts.sort(key=_order(name, only))
    return {"scheme": str(scheme), "version": str(graph.value(scheme, OWL_VERSION) or ""),
            "source": f"shared/dcat-ap-de/vocabularies/{path}", "concepts": concepts}


def _mapped(graph: Graph, subject, source: str) -> list[str]:
    """Values of the Publications Office's op-mapped-code entries of one source."""
    return sorted(str(graph.value(node, AT["legacy-code"])) for node in graph.objects(subject, AT["op-mapped-code"])
                  if str(graph.value(node, DC.source)) == source)


def _file_type_facts(graph: Graph, subject, code: str) -> dict:
    media = _mapped(graph, subject, "mime-type-cellar")
    return {"media_type": IANA_MEDIA_TYPES.get(code) or (media[0] if media else None),
            "extensions": _mapped(graph, subject, "file-extension"),
            "non_proprietary": _mapped(graph, subject, "is-nonPropExt") == ["true"],
            "machine_readable": code in MACHINE_READABLE}


def _order(name: str, only):
    if name == "language":
        return lambda c: only.index(c["code"])
    if name == "file-type":
        return lambda c: (COMMON_FORMATS.index(c["code"]) if c["code"] in COMMON_FORMATS else 99, c["code"])
    return lambda c: c["de"].lower()


def dcat_ap_de_list(shared: Path, path: str, scheme: str) -> dict:
    graph = Graph().parse(shared / "vocabularies" / path)
    concepts = []
    for subject in _concepts(graph, URIRef(scheme)):
        code = str(subject).rsplit("/", 1)[1] if "/contributors/" in str(subject) else \
            str(subject).split("/licenses/", 1)[-1]
        de = _label(graph, subject, "de") or code
        concepts.append({"code": code, "uri": str(subject), "de": de, "en": _label(graph, subject, "en") or de})
    concepts.sort(key=lambda c: c["de"].lower())
    return {"scheme": scheme, "version": str(graph.value(URIRef(scheme), OWL_VERSION) or ""),
            "source": f"shared/dcat-ap-de/vocabularies/{path}", "concepts": concepts}


def geocoding_levels() -> dict:
    base = "http://dcat-ap.de/def/politicalGeocoding/Level"
    return {"scheme": base, "version": "1_0",
            "source": "shared/dcat-ap-de/shacl/validator/resources/v1.0.2/shapes/dcat-ap-de-lists.ttl",
            "concepts": [{"code": code, "uri": f"{base}/{code}", "de": de, "en": en}
                         for code, de, en in GEOCODING_LEVELS]}


def main(shared: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tables = {name: eu_table(shared, name, path, only) for name, (path, only) in EU_TABLES.items()}
    tables["contributors"] = dcat_ap_de_list(shared, "dcat-ap-de/contributors_20251021.rdf",
                                             "http://dcat-ap.de/def/contributors")
    tables["political-geocoding-level"] = geocoding_levels()
    for name, table in tables.items():
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{path.relative_to(REPO)}: {len(table['concepts'])} concepts")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "dcat-ap-de")
