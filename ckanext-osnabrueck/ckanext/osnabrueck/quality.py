"""Metadata quality score after the data.europa.eu MQA method (405 points in five dimensions).

Pure functions: ``score(dataset, url_checks)`` takes a dataset dict as package_show returns
it and the stored URL check results, and returns every indicator with its points, what is
missing and how to fix it. Indicators of distributions score the share of distributions
that satisfy them (3 of 4 distributions with a download URL give 15 of 20 points).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable

from . import vocabularies

DIMENSIONS = {
    "findability": {"de": "Auffindbarkeit", "en": "Findability", "max": 100},
    "accessibility": {"de": "Zugänglichkeit", "en": "Accessibility", "max": 100},
    "interoperability": {"de": "Interoperabilität", "en": "Interoperability", "max": 110},
    "reusability": {"de": "Wiederverwendbarkeit", "en": "Reusability", "max": 75},
    "contextuality": {"de": "Kontext", "en": "Contextuality", "max": 20},
}
MAX_POINTS = sum(d["max"] for d in DIMENSIONS.values())
RATINGS = [(351, "excellent", "Ausgezeichnet", "Excellent"), (221, "good", "Gut", "Good"),
           (121, "sufficient", "Ausreichend", "Sufficient"), (0, "bad", "Mangelhaft", "Bad")]


@dataclass
class Indicator:
    id: str
    dimension: str
    max: int
    points: int
    label: dict
    hint: dict
    share: tuple[int, int] | None = None  # fulfilling / all distributions

    @property
    def missing(self) -> bool:
        return self.points < self.max


@dataclass
class Score:
    points: int
    max: int
    rating: str
    rating_label: dict
    dimensions: dict
    indicators: list[Indicator] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["missing"] = [i["id"] for i in data["indicators"] if i["points"] < i["max"]]
        return data


def rating(points: int) -> tuple[str, dict]:
    for threshold, key, de, en in RATINGS:
        if points >= threshold:
            return key, {"de": de, "en": en}
    raise ValueError(points)


# --- what counts -----------------------------------------------------------------------

def _values(value) -> list:
    if value in (None, "", []):
        return []
    if isinstance(value, str) and value.startswith("["):
        return json.loads(value)
    return value if isinstance(value, list) else [value]


def access_url(resource: dict) -> str | None:
    return resource.get("access_url") or resource.get("url") or None


def download_url(resource: dict) -> str | None:
    """Uploaded files are direct downloads; links count only when given as download URL."""
    if resource.get("download_url"):
        return resource["download_url"]
    return resource.get("url") if resource.get("url_type") == "upload" else None


def _file_type(resource: dict) -> dict | None:
    return vocabularies.get("file-type").find(resource.get("format"))


def _url_ok(checks: dict, url: str | None) -> bool:
    result = checks.get(url) if url else None
    return bool(result and result.get("ok"))


# --- indicators --------------------------------------------------------------------------
# (id, dimension, points, test, German label, English label, German hint, English hint)
# Dataset tests take (dataset, checks); distribution tests take (resource, dataset, checks).

DATASET_INDICATORS = [
    ("keywords", "findability", 30, lambda d, c: bool(d.get("tags")),
     "Schlagwörter", "Keywords", "Schlagwörter eintragen.", "Add keywords."),
    ("themes", "findability", 30, lambda d, c: bool(_values(d.get("theme"))),
     "Kategorien", "Categories", "Mindestens eine Kategorie (EU-Datenthema) wählen.", "Choose at least one category."),
    ("spatial", "findability", 20, lambda d, c: bool(d.get("spatial") or d.get("political_geocoding_uri")),
     "Räumlicher Bezug", "Spatial coverage", "Räumliche Ausdehnung oder Gebiet angeben.", "Give the spatial extent."),
    ("temporal", "findability", 20, lambda d, c: bool(d.get("temporal_start") or d.get("temporal_end")),
     "Zeitlicher Bezug", "Temporal coverage", "Zeitraum (von/bis) angeben.", "Give the temporal coverage."),
    ("dcat_ap_compliance", "interoperability", 30, lambda d, c: not c.get("__schema_errors__"),
     "DCAT-AP.de-konform", "DCAT-AP.de compliance", "Die Fehler der Schemaprüfung beheben.",
     "Fix the schema validation errors."),
    ("access_rights", "reusability", 10, lambda d, c: bool(d.get("access_rights")),
     "Zugangsbeschränkungen", "Access restrictions", "Zugang (z. B. öffentlich) angeben.", "Give the access rights."),
    ("access_rights_vocabulary", "reusability", 5,
     lambda d, c: bool(vocabularies.get("access-right").find(d.get("access_rights"))),
     "Zugang aus Vokabular", "Access rights from vocabulary", "Zugang aus der Liste wählen.",
     "Choose the access rights from the list."),
    ("contact_point", "reusability", 20, lambda d, c: bool(d.get("contact_email") or d.get("contact_url")),
     "Ansprechstelle", "Contact point", "E-Mail oder Webseite der Ansprechstelle angeben.",
     "Give the contact point's email or web page."),
    ("publisher", "reusability", 10, lambda d, c: bool(d.get("publisher_name")),
     "Veröffentlichende Stelle", "Publisher", "Veröffentlichende Stelle angeben.", "Give the publisher."),
    ("issued", "contextuality", 5, lambda d, c: bool(d.get("issued")),
     "Veröffentlichungsdatum", "Date of issue", "Datum der Veröffentlichung angeben.", "Give the date of issue."),
    ("modified", "contextuality", 5, lambda d, c: bool(d.get("modified")),
     "Änderungsdatum", "Modification date", "Datum der letzten Änderung angeben.", "Give the modification date."),
]


def _licence(resource: dict, dataset: dict) -> str | None:
    return resource.get("license") or dataset.get("license_id")


DISTRIBUTION_INDICATORS = [
    ("access_url_status", "accessibility", 50, lambda r, d, c: _url_ok(c, access_url(r)),
     "Zugangs-URL erreichbar", "Access URL reachable",
     "Zugangs-URL prüfen: Sie war bei der letzten Prüfung nicht erreichbar oder ist noch ungeprüft.",
     "Check the access URL: it was unreachable or not yet checked."),
    ("download_url", "accessibility", 20, lambda r, d, c: bool(download_url(r)),
     "Download-URL", "Download URL", "Datei hochladen oder Download-URL angeben.",
     "Upload the file or give a download URL."),
    ("download_url_status", "accessibility", 30, lambda r, d, c: _url_ok(c, download_url(r)),
     "Download-URL erreichbar", "Download URL reachable",
     "Download-URL prüfen: Sie war nicht erreichbar, fehlt oder ist noch ungeprüft.",
     "Check the download URL: unreachable, missing or not yet checked."),
    ("format", "interoperability", 20, lambda r, d, c: bool(r.get("format")),
     "Format", "Format", "Format angeben.", "Give the format."),
    ("media_type", "interoperability", 10, lambda r, d, c: bool(r.get("mimetype")),
     "Medientyp", "Media type", "Medientyp angeben (wird sonst aus dem Format abgeleitet).", "Give the media type."),
    ("format_vocabulary", "interoperability", 10, lambda r, d, c: _file_type(r) is not None,
     "Format aus Vokabular", "Format from vocabulary", "Format aus der Liste der EU-Dateitypen wählen.",
     "Choose the format from the EU file types."),
    ("non_proprietary", "interoperability", 20, lambda r, d, c: bool((_file_type(r) or {}).get("non_proprietary")),
     "Offenes Format", "Non-proprietary format", "Ein offenes Format anbieten (z. B. CSV statt XLS).",
     "Offer a non-proprietary format (e.g. CSV instead of XLS)."),
    ("machine_readable", "interoperability", 20, lambda r, d, c: bool((_file_type(r) or {}).get("machine_readable")),
     "Maschinenlesbar", "Machine-readable", "Ein maschinenlesbares Format anbieten (z. B. CSV, JSON statt PDF).",
     "Offer a machine-readable format (e.g. CSV, JSON instead of PDF)."),
    ("licence", "reusability", 20, lambda r, d, c: bool(_licence(r, d)),
     "Lizenz", "Licence", "Lizenz angeben.", "Give the licence."),
    ("licence_vocabulary", "reusability", 10,
     lambda r, d, c: bool(vocabularies.get("licenses").find(_licence(r, d))),
     "Lizenz aus Vokabular", "Licence from vocabulary", "Lizenz aus der dcat-ap.de-Liste wählen.",
     "Choose a licence from the dcat-ap.de list."),
    ("rights", "contextuality", 5, lambda r, d, c: bool(r.get("rights")),
     "Nutzungshinweise", "Rights", "Nutzungshinweise (dct:rights) angeben.", "Give the rights statement."),
    ("byte_size", "contextuality", 5, lambda r, d, c: r.get("size") not in (None, ""),
     "Dateigröße", "File size", "Dateigröße angeben (bei Uploads automatisch).", "Give the file size."),
]


def _dataset_indicator(spec, dataset: dict, checks: dict) -> Indicator:
    id_, dimension, points, test, label_de, label_en, hint_de, hint_en = spec
    ok = test(dataset, checks)
    return Indicator(id_, dimension, points, points if ok else 0, {"de": label_de, "en": label_en},
                     {"de": hint_de, "en": hint_en})


def _distribution_indicator(spec, dataset: dict, resources: list[dict], checks: dict) -> Indicator:
    id_, dimension, points, test, label_de, label_en, hint_de, hint_en = spec
    passing = sum(1 for resource in resources if test(resource, dataset, checks))
    earned = round(points * passing / len(resources)) if resources else 0
    return Indicator(id_, dimension, points, earned, {"de": label_de, "en": label_en},
                     {"de": hint_de, "en": hint_en}, (passing, len(resources)))


def score(dataset: dict, url_checks: dict | None = None, schema_errors: dict | None = None) -> Score:
    """The MQA score of a dataset.

    ``url_checks`` maps URLs to their last check result ({"ok": bool, ...});
    ``schema_errors`` are the errors of validating the dataset against the schema.
    """
    checks = dict(url_checks or {})
    checks["__schema_errors__"] = schema_errors or {}
    resources = [r for r in dataset.get("resources", []) if r.get("state", "active") == "active"]
    indicators = [_dataset_indicator(spec, dataset, checks) for spec in DATASET_INDICATORS]
    indicators += [_distribution_indicator(spec, dataset, resources, checks) for spec in DISTRIBUTION_INDICATORS]
    order = list(DIMENSIONS)
    indicators.sort(key=lambda i: order.index(i.dimension))
    dimensions = {name: {"points": sum(i.points for i in indicators if i.dimension == name),
                         "max": meta["max"], "de": meta["de"], "en": meta["en"]}
                  for name, meta in DIMENSIONS.items()}
    total = sum(d["points"] for d in dimensions.values())
    key, label = rating(total)
    return Score(total, MAX_POINTS, key, label, dimensions, indicators)


def urls_to_check(dataset: dict) -> Iterable[str]:
    """Every access and download URL of a dataset's distributions, once."""
    seen = set()
    for resource in dataset.get("resources", []):
        for url in (access_url(resource), download_url(resource)):
            if url and url not in seen:
                seen.add(url)
                yield url

