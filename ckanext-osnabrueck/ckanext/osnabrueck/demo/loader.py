"""Loads the Osnabrück demo content through CKAN's action API, idempotently.

Organisations and groups are created or patched. A dataset is written only when its
spec or its files changed since the last load, or when someone edited it in between
(its ``metadata_modified`` no longer matches): a second run is a no-op that leaves
timestamps and activity streams alone. Resource files are uploaded into CKAN's file
store, so every download works offline.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk

from ..logic import site_context
from . import files

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
LOADER_VERSION = "2"
EU = "http://publications.europa.eu/resource/authority"
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding"
DEFAULT_LICENSE = "dl-by-de/2.0"
BBOXES = {"city": (7.9700, 52.2300, 8.1300, 52.3300), "innenstadt": (8.0360, 52.2705, 8.0560, 52.2830)}
FORMATS = {".csv": ("CSV", "text/csv"), ".geojson": ("GEOJSON", "application/geo+json"),
           ".json": ("JSON", "application/json"),
           ".xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
RIGHTS = "Namensnennung gemäß Datenlizenz Deutschland – Namensnennung – Version 2.0"


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} angelegt, {len(self.updated)} aktualisiert, "
                f"{len(self.unchanged)} unverändert, {len(self.withdrawn)} zurückgezogen")


def content_dir() -> Path:
    configured = tk.config.get("ckanext.osnabrueck.demo_dir")
    return Path(configured) if configured else HERE


def read_yaml(name: str) -> Any:
    with open(content_dir() / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _show(action: str, id_: str) -> dict | None:
    try:
        return tk.get_action(action)(site_context(), {"id": id_})
    except tk.ObjectNotFound:
        return None


def _ensure(kind: str, data: dict) -> bool:
    """Create or patch an organisation or group; True when anything was written."""
    existing = _show(f"{kind}_show", data["name"])
    if existing is None:
        tk.get_action(f"{kind}_create")(site_context(), data)
        return True
    if all(existing.get(key) == value for key, value in data.items()):
        return False
    tk.get_action(f"{kind}_patch")(site_context(), {"id": existing["id"], **data})
    return True


def ensure_editor(name: str, organization: str, password: str) -> None:
    """A demo data steward: the user (created if missing) as editor of the organisation."""
    if _show("user_show", name) is None:
        tk.get_action("user_create")(site_context(), {"name": name, "password": password,
                                                  "email": f"{name}@osnabrueck.example",
                                                  "fullname": f"Redaktion {organization}"})
    tk.get_action("organization_member_create")(site_context(), {"id": organization, "username": name,
                                                             "role": "editor"})


def load_organizations() -> dict[str, dict]:
    orgs = {}
    for org in read_yaml("organizations.yaml"):
        orgs[org["name"]] = org
        _ensure("organization", {"name": org["name"], "title": org["title"],
                                 "description": org["description"]})
    return orgs


def load_groups() -> None:
    for group in read_yaml("groups.yaml"):
        _ensure("group", {"name": group["name"], "title": group["title"]["de"],
                          "description": f"EU-Datenthema {group['code']}: {group['title']['de']}"})


# --- dataset mapping (pure) ------------------------------------------------------------

def bbox_geojson(bbox) -> str:
    minx, miny, maxx, maxy = bbox
    ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def file_format(filename: str) -> tuple[str, str]:
    """EU file-type code and media type of a demo file."""
    suffix = Path(filename).suffix
    return FORMATS.get(suffix, (suffix.lstrip(".").upper(), mimetypes.guess_type(filename)[0] or ""))


def dataset_dict(spec: dict, org: dict, contributor_id: str) -> dict:
    """The CKAN dataset dict of one demo spec, without resources."""
    data = {
        "name": spec["name"],
        "title": spec["title"],
        "notes": spec["notes"].strip(),
        "owner_org": spec["org"],
        "license_id": spec.get("license", DEFAULT_LICENSE),
        "tags": [{"name": tag} for tag in spec.get("tags", [])],
        "theme": [f"{EU}/data-theme/{theme.upper()}" for theme in spec.get("themes", [])],
        "publisher_name": org["title"],
        "publisher_url": org["url"],
        "contributor_id": contributor_id,
        "contact_name": org["title"],
        "contact_email": org["email"],
        "political_geocoding_uri": f"{GEOCODING}/regionalKey/034040000000",
        "political_geocoding_level_uri": f"{GEOCODING}/Level/municipality",
        "spatial": bbox_geojson(_bbox(spec.get("spatial", "city"))),
        "language": [f"{EU}/language/DEU"],
        "access_rights": f"{EU}/access-right/PUBLIC",
    }
    if not spec.get("weak"):
        data.update({"contact_url": org["url"], "planned_availability": f"{EU}/planned-availability/STABLE"})
    optional = {
        "frequency": spec.get("frequency") and f"{EU}/frequency/{spec['frequency']}",
        "issued": spec.get("issued"),
        "modified": spec.get("modified"),
        "url": spec.get("landing_page"),
        "temporal_start": spec.get("temporal", {}).get("start"),
        "temporal_end": spec.get("temporal", {}).get("end"),
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


def _bbox(spatial) -> tuple:
    return BBOXES[spatial] if isinstance(spatial, str) else tuple(spatial)


def resource_dict(spec: dict, org: dict) -> dict:
    """A resource of a generated file, or of a link (``link`` and ``format`` in the spec)."""
    if "link" in spec:
        return {"name": spec["name"], "url": spec["link"], "format": spec["format"],
                "description": spec.get("description", "")}
    fmt, mimetype = file_format(spec["file"])
    return {
        "name": spec["name"],
        "description": spec.get("description", ""),
        "format": fmt,
        "mimetype": mimetype,
        "license_attribution_by_text": org["title"] if org["title"].endswith(("GmbH", "AG"))
        else f"Stadt Osnabrück, {org['title']}",
        "rights": spec.get("rights", RIGHTS),
    }


def fingerprint(spec: dict, blobs: list[bytes | None]) -> str:
    digest = hashlib.sha256(LOADER_VERSION.encode())
    digest.update(json.dumps(spec, sort_keys=True, default=str).encode())
    for blob in blobs:
        digest.update(hashlib.sha256(blob or b"").digest())
    return digest.hexdigest()


# --- dataset writing ---------------------------------------------------------------------

class StateFile:
    """Fingerprint and metadata_modified of each dataset the loader last wrote."""

    def __init__(self, path: Path):
        self.path = path
        self.data = json.loads(path.read_text()) if path.exists() else {}

    def unchanged(self, name: str, print_: str, existing: dict | None) -> bool:
        entry = self.data.get(name)
        return bool(existing and entry and entry["fingerprint"] == print_
                    and entry["metadata_modified"] == existing["metadata_modified"])

    def record(self, name: str, print_: str, dataset: dict) -> None:
        self.data[name] = {"fingerprint": print_, "metadata_modified": dataset["metadata_modified"]}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True))


def _upload(resource: dict, filename: str, blob: bytes) -> dict:
    upload = FileStorage(stream=io.BytesIO(blob), filename=filename, content_type=resource["mimetype"])
    return {**resource, "url": filename, "url_type": "upload", "upload": upload}


def load_dataset(spec: dict, org: dict, state: StateFile, report: LoadReport) -> None:
    contributor_id = tk.config.get("ckanext.osnabrueck.contributor_id")
    blobs = [files.generate(res["file"]) if "file" in res else None for res in spec["resources"]]
    print_ = fingerprint({"spec": spec, "org": org, "contributor": contributor_id}, blobs)
    existing = _show("package_show", spec["name"])
    if state.unchanged(spec["name"], print_, existing):
        report.unchanged.append(spec["name"])
        return

    data = dataset_dict(spec, org, contributor_id)
    if existing is None:
        existing = tk.get_action("package_create")(site_context(), data)
        report.created.append(spec["name"])
    else:
        report.updated.append(spec["name"])
    ids = {res["name"]: res["id"] for res in existing.get("resources", [])}
    data["id"] = existing["id"]
    data["resources"] = []
    for res_spec, blob in zip(spec["resources"], blobs):
        resource = resource_dict(res_spec, org)
        if blob is not None:
            resource = _upload(resource, res_spec["file"], blob)
        if res_spec["name"] in ids:
            resource["id"] = ids[res_spec["name"]]
        data["resources"].append(resource)
    dataset = tk.get_action("package_update")(site_context(), data)
    state.record(spec["name"], print_, dataset)


# Uploaded copies of datasets that the CSW harvest of the GIS catalogue brings as well: a
# city publishes one, the harvested one (its metadata are kept where the data are).
WITHDRAWN = ("bebauungsplaene", "strassenbaeume")


def withdraw(report: LoadReport) -> None:
    for name in WITHDRAWN:
        existing = _show("package_show", name)
        if existing and existing["state"] == "active":
            tk.get_action("package_delete")(site_context(), {"id": existing["id"]})
            report.withdrawn.append(name)


def load_all() -> LoadReport:
    """Load organisations, theme groups and datasets; returns what changed."""
    orgs = load_organizations()
    load_groups()
    report = LoadReport()
    state = StateFile(Path(tk.config.get("ckan.storage_path")) / "osnabrueck-demo-state.json")
    try:
        for spec in read_yaml("datasets.yaml"):
            load_dataset(spec, orgs[spec["org"]], state, report)
    finally:
        state.save()
    withdraw(report)
    return report


# Datasets the demo's harvest sources bring (make run harvests them after loading).
HARVESTED = ("stadtteile", "strassenbaumkataster", "bodentemperatur-echtzeit")
TABLE_FORMATS = ("CSV", "XLSX")


def _demo_names() -> list[str]:
    return [spec["name"] for spec in read_yaml("datasets.yaml")] + list(HARVESTED)


def missing() -> list[str]:
    """The demo datasets that are not (or no longer) in the portal."""
    return [name for name in _demo_names() if (_show("package_show", name) or {}).get("state") != "active"]


def tables_not_loaded() -> dict[str, str]:
    """Table resources of the demo datasets not in the DataStore yet: {name: load state}."""
    from .. import tables

    waiting = {}
    for name in _demo_names():
        for resource in (_show("package_show", name) or {}).get("resources", []):
            if resource.get("format") in TABLE_FORMATS and not resource.get("datastore_active"):
                task = tables._task(resource["id"]) or {}
                waiting[f"{name}/{resource['name']}"] = task.get("state") or "not submitted"
    return waiting
