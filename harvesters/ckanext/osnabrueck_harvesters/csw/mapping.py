"""ISO 19139 values (as ckanext-spatial's ISODocument reads them) → the portal's
DCAT-AP.de dataset, as pure functions.

Licences follow the GDI-DE convention: a JSON object {"id", "name", "url", "quelle"} in
gmd:otherConstraints, else a licence URL or name in the constraints, else the source's
default. ISO topic categories become EU data themes (the GovData mapping); the source's
themes apply when a record has none.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from shapely.geometry import box, mapping as geojson

from ..mapping import OGC_SERVICES, Context, agents, catalogue_fields, compact, data_service, tags

# ISO 19115 MD_TopicCategoryCode → EU data theme (as GovData maps them)
TOPIC_THEMES = {
    "farming": "AGRI", "biota": "ENVI", "boundaries": "REGI", "climatologyMeteorologyAtmosphere": "ENVI",
    "economy": "ECON", "elevation": "REGI", "environment": "ENVI", "geoscientificInformation": "TECH",
    "health": "HEAL", "imageryBaseMapsEarthCover": "REGI", "intelligenceMilitary": "JUST",
    "inlandWaters": "ENVI", "location": "REGI", "oceans": "ENVI", "planningCadastre": "REGI",
    "society": "SOCI", "structure": "REGI", "transportation": "TRAN", "utilitiesCommunication": "ENER",
}
# ISO 19115 MD_MaintenanceFrequencyCode → EU frequency
FREQUENCIES = {
    "continual": "UPDATE_CONT", "daily": "DAILY", "weekly": "WEEKLY", "fortnightly": "BIWEEKLY",
    "monthly": "MONTHLY", "quarterly": "QUARTERLY", "biannually": "OTHER", "annually": "ANNUAL",
    "asNeeded": "IRREG", "irregular": "IRREG", "notPlanned": "NEVER", "unknown": "UNKNOWN",
}
PROTOCOL_FORMATS = {f"OGC:{kind}": fmt for kind, (fmt, _) in OGC_SERVICES.items()}
SERVICE_SPECS = dict(OGC_SERVICES.values())


def dataset_dict(values: dict, meta: dict, context: Context, licences: list[dict], formats: list[dict]) -> dict:
    """The scheming dataset dict of one ISO record (``name`` is left to the harvester)."""
    topics = [TOPIC_THEMES[t] for t in values.get("topic-category", []) if t in TOPIC_THEMES]
    frequency = FREQUENCIES.get(values.get("frequency-of-update") or "", meta.get("frequency", "UNKNOWN"))
    meta = {**meta, "themes": list(dict.fromkeys(topics)) or meta.get("themes", []), "frequency": frequency}
    licence = licence_of(values, licences)
    meta["license_id"] = licence.get("id") or meta.get("license_id")
    data = {
        "title": values["title"],
        "notes": values.get("abstract") or values["title"],
        "tags": [{"name": tag} for tag in tags([*meta.get("tags", []), *values.get("tags", [])])],
        **catalogue_fields(meta),
        "identifier": values["guid"],
        "spatial": spatial(values.get("bbox", [])),
        "temporal_start": _first(values.get("temporal-extent-begin")),
        "temporal_end": _first(values.get("temporal-extent-end")),
        "issued": _reference_date(values, ("publication", "creation")),
        "modified": _reference_date(values, ("revision",)),
        "resources": resources(values, context.base_url, licence.get("quelle"), formats),
    }
    data.update(agents(meta, context))
    data.update(_parties(values))
    return compact(data)


def licence_of(values: dict, licences: list[dict]) -> dict:
    """{"id": portal licence id, "quelle": attribution} from the record's constraints."""
    texts = [*values.get("limitations-on-public-access", []), *values.get("use-constraints", [])]
    known = {licence["id"]: licence for licence in licences}
    for text in texts:
        try:
            data = json.loads(text)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("id") in known:
            return {"id": data["id"], "quelle": data.get("quelle")}
    for text in texts:
        for licence in licences:
            if licence.get("url") and licence["url"] in text or licence["title"].lower() == text.strip().lower():
                return {"id": licence["id"]}
    return {}


def spatial(bboxes: list[dict]) -> str | None:
    for bbox in bboxes:
        try:
            west, south, east, north = (float(bbox[k]) for k in ("west", "south", "east", "north"))
        except (KeyError, TypeError, ValueError):
            continue
        return json.dumps(geojson(box(west, south, east, north)), sort_keys=True)
    return None


def resources(values: dict, csw_url: str, attribution: str | None, formats: list[dict]) -> list[dict]:
    """The record's online resources, then the ISO record itself (GetRecordById)."""
    found = [_resource(locator, attribution, formats) for locator in values.get("resource-locator", [])
             if (locator.get("url") or "").strip()]
    record = f"{csw_url}?" + urlencode({"service": "CSW", "version": "2.0.2", "request": "GetRecordById",
                                        "id": values["guid"], "outputschema": "http://www.isotc211.org/2005/gmd",
                                        "elementsetname": "full"})
    found.append({"name": "Metadaten (ISO 19139)", "url": record, "access_url": record, "format": "XML",
                  "mimetype": "application/xml", "conforms_to": ["http://www.isotc211.org/2005/gmd"],
                  "description": "Der vollständige Metadatensatz im Geodatenkatalog (CSW GetRecordById)."})
    return found


def _resource(locator: dict, attribution: str | None, formats: list[dict]) -> dict:
    url = locator["url"].strip()
    fmt = guess_format(url, locator.get("protocol") or "", formats)
    resource = {"name": locator.get("name") or url, "url": url, "access_url": url, "format": fmt,
                "description": locator.get("description"), "license_attribution_by_text": attribution}
    if "DOWNLOAD" in (locator.get("protocol") or "").upper():
        resource["download_url"] = url
    if fmt in SERVICE_SPECS:
        resource["conforms_to"] = [SERVICE_SPECS[fmt]]
        resource["access_services"] = [data_service(locator.get("name") or url, url.split("?")[0], url,
                                                    SERVICE_SPECS[fmt])]
    return compact(resource)


def guess_format(url: str, protocol: str, formats: list[dict]) -> str:
    """EU file-type code from the protocol (OGC:WMS …) or the file extension; HTML else."""
    for prefix, code in PROTOCOL_FORMATS.items():
        if protocol.upper().startswith(prefix):
            return code
    path = url.split("?")[0].lower()
    for entry in formats:
        if any(path.endswith(ext) for ext in entry.get("extensions", [])):
            return entry["code"]
    return "HTML"


def _parties(values: dict) -> dict:
    """Publisher and contact from the record's responsible parties, where it names them."""
    found = {}
    for party in values.get("responsible-organisation", []):
        name, email = party.get("organisation-name"), (party.get("contact-info") or {}).get("email")
        if party.get("role") == "publisher" and name:
            found.setdefault("publisher_name", name)
        if party.get("role") in ("pointOfContact", "publisher", "custodian") and name:
            found.setdefault("contact_name", name)
            if email:
                found.setdefault("contact_email", email)
    if values.get("contact-email"):
        found.setdefault("contact_email", values["contact-email"])
    return found


def _first(items) -> str | None:
    return items[0][:10] if items else None


def _reference_date(values: dict, kinds: tuple[str, ...]) -> str | None:
    for kind in kinds:
        for date in values.get("dataset-reference-date", []):
            if date.get("type") == kind and date.get("value"):
                return date["value"][:10]
    return None
