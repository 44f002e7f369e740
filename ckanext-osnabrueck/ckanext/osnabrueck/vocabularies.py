"""The portal's controlled vocabularies (config/vocabularies/*.json, config/licenses.json).

Each vocabulary is a list of concepts with a code, a URI and German and English labels,
written by scripts/build_vocabularies.py from the official lists. Lookups accept a URI,
a code or a label in any case, so stewards and harvesters may give whichever they have.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import ckan.plugins.toolkit as tk

# Display names of the vocabularies, used in error messages and the quality report.
TITLES = {
    "data-theme": {"de": "EU-Datenthemen", "en": "EU data themes"},
    "file-type": {"de": "EU-Dateitypen", "en": "EU file types"},
    "frequency": {"de": "EU-Aktualisierungsintervalle", "en": "EU frequencies"},
    "language": {"de": "EU-Sprachen", "en": "EU languages"},
    "access-right": {"de": "EU-Zugangsbeschränkungen", "en": "EU access rights"},
    "planned-availability": {"de": "EU-Verfügbarkeiten", "en": "EU planned availability"},
    "distribution-status": {"de": "EU-Distributionsstatus", "en": "EU distribution status"},
    "contributors": {"de": "dcat-ap.de-Bereitsteller", "en": "dcat-ap.de contributors"},
    "political-geocoding-level": {"de": "Ebenen der politischen Geokodierung",
                                  "en": "political geocoding levels"},
    "licenses": {"de": "dcat-ap.de-Lizenzen", "en": "dcat-ap.de licences"},
}


@dataclass(frozen=True)
class Vocabulary:
    name: str
    scheme: str
    concepts: tuple[dict, ...]
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for concept in self.concepts:
            for key in (concept["uri"], concept["code"], concept["de"], concept["en"]):
                self._index.setdefault(str(key).casefold(), concept)

    def find(self, value) -> dict | None:
        """The concept a URI, code or label names, or None."""
        if value is None:
            return None
        return self._index.get(str(value).strip().casefold())

    def uris(self) -> list[str]:
        return [c["uri"] for c in self.concepts]

    def label(self, value, lang: str = "de") -> str:
        concept = self.find(value)
        return concept.get(lang) or concept["de"] if concept else str(value)

    def title(self, lang: str = "de") -> str:
        return TITLES.get(self.name, {}).get(lang, self.name)


def vocabulary_dir() -> Path:
    configured = tk.config.get("ckanext.osnabrueck.vocabulary_dir")
    if configured:
        return Path(configured)
    # Editable installs: the repo's config/ next to the extension folder.
    return Path(__file__).resolve().parents[3] / "config" / "vocabularies"


@functools.lru_cache(maxsize=None)
def _load(directory: str, name: str) -> Vocabulary:
    path = Path(directory) / f"{name}.json"
    if name == "licenses":
        return _licences(path.parent.parent / "licenses.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return Vocabulary(name, data["scheme"], tuple(data["concepts"]))


def _licences(path: Path) -> Vocabulary:
    """The licence list CKAN uses (config/licenses.json), as a vocabulary of URIs."""
    items = json.loads(path.read_text(encoding="utf-8"))
    concepts = tuple({"code": item["id"], "uri": item["uri"], "de": item["title"],
                      "en": item.get("title_en", item["title"]), "url": item["url"],
                      "open": item["od_conformance"] == "approved"} for item in items)
    return Vocabulary("licenses", "http://dcat-ap.de/def/licenses", concepts)


def get(name: str) -> Vocabulary:
    """A vocabulary by its file name (``file-type``, ``licenses``, …)."""
    try:
        return _load(str(vocabulary_dir()), name)
    except FileNotFoundError:
        raise tk.ObjectNotFound(f"unknown vocabulary {name!r}") from None


def choices(name: str, lang: str = "de", value: str = "uri") -> list[dict]:
    """Scheming choices of a vocabulary: ``value`` is "uri" or "code", labels in ``lang``."""
    vocabulary = get(name)
    return [{"value": c[value], "label": c.get(lang) or c["de"]} for c in vocabulary.concepts]
