"""What every source-record → dataset mapping shares, as pure functions: the portal-wide
fields, the publisher and contact from the source configuration, tags, names and the
content hash that lets a re-harvest skip unchanged datasets."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

EU = "http://publications.europa.eu/resource/authority"
TAG_UNSAFE = re.compile(r"[^\w \-.]+")
SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# OGC service kind → (EU file type of its distributions, OGC URI of the service type)
OGC_SERVICES = {"WMS": ("WMS_SRVC", "http://www.opengis.net/def/serviceType/ogc/wms"),
                "WFS": ("WFS_SRVC", "http://www.opengis.net/def/serviceType/ogc/wfs"),
                "WCS": ("WCS_SRVC", "http://www.opengis.net/def/serviceType/ogc/wcs")}


@dataclass(frozen=True)
class Context:
    """What a mapping needs besides the records: the source URL and the portal's defaults."""
    base_url: str
    organizations: dict = field(default_factory=dict)  # name → title
    portal: dict = field(default_factory=dict)  # contributor_id, political_geocoding_uri, …


def slug(text: str, fallback: str = "datensatz") -> str:
    """A CKAN name from any text (German umlauts transliterated)."""
    return SLUG_UNSAFE.sub("-", text.lower().translate(UMLAUTS)).strip("-")[:100] or fallback


def tags(candidates) -> list[str]:
    """Valid, case-insensitively unique CKAN tags from raw keywords, in their order."""
    found, seen = [], set()
    for raw in candidates:
        tag = " ".join(TAG_UNSAFE.sub(" ", raw or "").split())[:100]
        if len(tag) >= 2 and tag.lower() not in seen:
            seen.add(tag.lower())
            found.append(tag)
    return found


def catalogue_fields(meta: dict, frequency: str = "UPDATE_CONT") -> dict:
    """Licence, themes, periodicity and the fields the portal sets the same for all."""
    return {
        "license_id": meta.get("license_id", "dl-by-de/2.0"),
        "theme": [f"{EU}/data-theme/{code.upper()}" for code in meta.get("themes", [])],
        "frequency": f"{EU}/frequency/{meta.get('frequency', frequency)}",
        "language": [f"{EU}/language/DEU"],
        "access_rights": f"{EU}/access-right/PUBLIC",
        "planned_availability": f"{EU}/planned-availability/STABLE",
    }


def agents(meta: dict, context: Context) -> dict:
    """Publisher, contact and contributorID: from the source config, else the organisation."""
    org = meta.get("owner_org")
    return {
        "owner_org": org,
        "publisher_name": context.organizations.get(org, org),
        "publisher_url": meta.get("publisher_url"),
        "contact_name": meta.get("contact_name") or context.organizations.get(org, org),
        "contact_email": meta.get("contact_email"),
        "contributor_id": meta.get("contributor_id") or context.portal.get("contributor_id"),
        "political_geocoding_uri": context.portal.get("political_geocoding_uri"),
        "political_geocoding_level_uri": context.portal.get("political_geocoding_level_uri"),
    }


def data_service(title: str, endpoint: str, description_url: str, spec: str) -> dict:
    """One ``access_services`` item of a distribution: the dcat:DataService behind it."""
    return {"title": title, "endpoint_url": [endpoint], "endpoint_description": description_url, "conforms_to": [spec]}


def ogc_distribution(kind: str, name: str, url: str, endpoint: str, service_title: str, description: str,
                     attribution: str | None) -> dict:
    """A WMS/WFS distribution (its GetCapabilities URL) with the service as DataService."""
    fmt, spec = OGC_SERVICES[kind]
    return compact({"name": name, "url": url, "access_url": url, "format": fmt, "description": description,
                    "conforms_to": [spec], "license_attribution_by_text": attribution,
                    "access_services": [data_service(service_title, endpoint, url, spec)]})


def compact(data: dict) -> dict:
    """The dict without empty values, which the schema would reject or store as noise."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def content_hash(dataset: dict) -> str:
    return hashlib.sha256(json.dumps(dataset, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
