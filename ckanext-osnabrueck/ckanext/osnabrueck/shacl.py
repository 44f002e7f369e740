"""Validation of the portal's RDF against the official DCAT-AP.de SHACL shapes.

The shapes and vocabularies are GovData's (see shared/dcat-ap-de/README.md): they are
not part of the portal; the folder is configured with ``ckanext.osnabrueck.shacl_dir``.
The profiles and the way pyshacl is called follow that README: vocabularies go into the
data graph (``skos:inScheme`` checks only see the data graph), vCard and FOAF into the
ontology graph, no inference, no owl:imports.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import Namespace

SH = Namespace("http://www.w3.org/ns/shacl#")
DCT_LANGUAGE = URIRef("http://purl.org/dc/terms/language")
RES = "shacl/validator/resources"
PROFILES = {
    "v20_de_spec_implr": ["shacl/base/dcat-ap_2.1.1_shacl_shapes.ttl",
                          *(f"{RES}/v2.0/shapes/{name}" for name in (
                              "dcat-ap-de-imports.ttl", "dcat-ap-spec-german-messages.ttl",
                              "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-deprecated.ttl",
                              "dcat-ap-konventionen.ttl"))],
    "v30_de_spec": ["shacl/base/dcat-ap-SHACL_3.0.0.ttl",
                    *(f"{RES}/v3.0/shapes/{name}" for name in (
                        "dcat-ap-de-imports.ttl", "dcat-ap-SHACL-DE.ttl", "dcat-ap-de-deprecated.ttl",
                        "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-controlledvocabularies.ttl"))],
}
PROFILE_TITLES = {"v20_de_spec_implr": "DCAT-AP.de 2.0 – Spezifikation + Konventionen",
                  "v30_de_spec": "DCAT-AP 3.0.de – Deutsche Spezifikation"}
SEVERITIES = {SH.Violation: "Verstoß", SH.Warning: "Warnung", SH.Info: "Hinweis"}


@dataclass
class Finding:
    severity: str
    focus: str
    path: str
    message: str

    def line(self) -> str:
        return f"{self.severity}: {self.path} an {self.focus}: {self.message}"


@dataclass
class Report:
    profile: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Verstoß"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warnung"]


def _parse(paths) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle" if str(path).endswith(".ttl") else "xml")
    return graph


@functools.lru_cache(maxsize=4)
def _shapes(base: str, profile: str) -> Graph:
    return _parse(Path(base) / name for name in PROFILES[profile])


@functools.lru_cache(maxsize=2)
def _vocabularies(base: str) -> Graph:
    paths = sorted((Path(base) / "vocabularies").glob("*/*"))
    return _parse(p for p in paths if p.name != "language.ttl")


@functools.lru_cache(maxsize=2)
def _languages(base: str) -> Graph:
    return _parse([Path(base) / "vocabularies" / "eu-authority-tables" / "language.ttl"])


def _used_languages(data: Graph, base: str) -> Graph:
    """Only the language concepts the data uses: the whole table (8,000 concepts) makes
    every validation ten times slower."""
    languages, used = _languages(base), Graph()
    for language in set(data.objects(None, DCT_LANGUAGE)):
        for triple in languages.triples((language, None, None)):
            used.add(triple)
    return used


@functools.lru_cache(maxsize=2)
def _ontology(base: str) -> Graph:
    return _parse(Path(base) / RES / "mirror" / name for name in ("vcard.ttl", "foaf_0_1.rdf"))


def shapes_dir() -> Path:
    """The DCAT-AP.de reference folder (shapes and vocabularies)."""
    import ckan.plugins.toolkit as tk

    configured = tk.config.get("ckanext.osnabrueck.shacl_dir")
    return Path(configured) if configured else Path(__file__).resolve().parents[4] / "shared" / "dcat-ap-de"


def available(base: Path) -> bool:
    return all((base / name).exists() for names in PROFILES.values() for name in names)


def validate(data: Graph, base: Path, profile: str) -> Report:
    """Validate an RDF graph against one profile of the official shapes."""
    from pyshacl import validate as pyshacl_validate

    graph = Graph()
    for triple in data:
        graph.add(triple)
    graph += _vocabularies(str(base))
    graph += _used_languages(data, str(base))
    _, results, _ = pyshacl_validate(graph, shacl_graph=_shapes(str(base), profile),
                                     ont_graph=_ontology(str(base)), inference="none",
                                     allow_warnings=True, do_owl_imports=False)
    report = Report(profile)
    for result in results.subjects(SH.resultSeverity, None):
        messages = list(results.objects(result, SH.resultMessage))
        german = [m for m in messages if getattr(m, "language", None) == "de"] or messages
        report.findings.append(Finding(
            SEVERITIES.get(results.value(result, SH.resultSeverity), "Hinweis"),
            str(results.value(result, SH.focusNode)), str(results.value(result, SH.resultPath) or ""),
            str(german[0]) if german else ""))
    return report
