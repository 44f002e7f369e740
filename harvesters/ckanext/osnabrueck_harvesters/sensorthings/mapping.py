"""SensorThings Things → DCAT-AP.de datasets, as pure functions (no I/O, no CKAN).

A *group* is the set of Things that becomes one dataset (config.Group); ``dataset_dict``
maps a group's Things, with their expanded Datastreams, ObservedProperties, Sensors and
Locations, to the portal's scheming dataset dict. ``content_hash`` of that dict decides
whether a re-harvest has to touch the dataset at all.
"""
from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from urllib.parse import quote

from shapely.geometry import MultiPoint, mapping as geojson, shape
from shapely.ops import unary_union

from ..mapping import Context, agents, catalogue_fields, compact, content_hash, data_service, slug, tags
from .config import Group, SourceConfig

__all__ = ["Context", "content_hash", "dataset_dict", "group_things", "keywords", "odata_filter", "slug",
           "things_url"]

STA_SPEC = "http://www.opengis.net/doc/is/sensorthings/1.1"
THINGS_EXPAND = "Datastreams($expand=ObservedProperty,Sensor),Locations"


# --- grouping ---------------------------------------------------------------------------

def things_url(base_url: str, page_size: int) -> str:
    """The first page of Things with everything a mapping needs, in one request per page."""
    return f"{base_url}/Things?$top={page_size}&$orderby=id&$expand={quote(THINGS_EXPAND, safe='(),=$')}"


def group_of(thing: dict, config: SourceConfig) -> Group | None:
    for group in config.groups:
        if _matches(group, thing):
            return group
    if config.ungrouped == "skip":
        return None
    title = thing.get("name") or f"Thing {thing['@iot.id']}"
    return Group(f"iot-{slug(title, 'thing')[:80]}-{thing['@iot.id']}", title, "thing_id", thing["@iot.id"])


def _matches(group: Group, thing: dict) -> bool:
    if group.matcher == "observed_property":
        return any((ds.get("ObservedProperty") or {}).get("name") == group.value
                   for ds in thing.get("Datastreams", []))
    if group.matcher == "thing_name":
        return fnmatchcase(thing.get("name", ""), group.value)
    key, value = next(iter(group.value.items()))
    return (thing.get("properties") or {}).get(key) == value


def group_things(things, config: SourceConfig) -> dict[str, tuple[Group, list[dict]]]:
    """Things by the name of the dataset they belong to, in the order they came."""
    groups: dict[str, tuple[Group, list[dict]]] = {}
    for thing in things:
        group = group_of(thing, config)
        if group is not None:
            groups.setdefault(group.name, (group, []))[1].append(thing)
    return groups


# --- OData filters: the API links of a dataset select exactly its group -----------------

def odata_filter(group: Group, thing_path: str = "", property_path: str = "Datastreams/") -> str:
    """A $filter selecting the group's entities. ``thing_path`` leads from the filtered
    entity to its Thing ("" for Things, "Thing/" for Datastreams, "Datastream/Thing/" for
    Observations); ``property_path`` from it to the ObservedProperty's parent."""
    if group.matcher == "observed_property":
        return f"{property_path}ObservedProperty/name eq {_literal(group.value)}"
    if group.matcher == "thing_id":
        return f"{thing_path}id eq {int(group.value)}"
    if group.matcher == "thing_property":
        key, value = next(iter(group.value.items()))
        return f"{thing_path}properties/{key} eq {_literal(value)}"
    return _name_filter(group.value, f"{thing_path}name")


def _name_filter(pattern: str, path: str) -> str:
    core = pattern.strip("*")
    if not any(char in core for char in "*?["):
        if pattern.startswith("*") and pattern.endswith("*"):
            return f"substringof({_literal(core)},{path})"
        if pattern.endswith("*"):
            return f"startswith({path},{_literal(core)})"
        if pattern.startswith("*"):
            return f"endswith({path},{_literal(core)})"
        return f"{path} eq {_literal(core)}"
    prefix = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    return f"startswith({path},{_literal(prefix)})"  # the closest OData can say


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _url(base_url: str, collection: str, **params: str) -> str:
    query = "&".join(f"${key}={quote(value, safe='(),;=$@/')}" for key, value in params.items())
    return f"{base_url}/{collection}?{query}"


# --- the dataset ------------------------------------------------------------------------

def dataset_dict(group: Group, things: list[dict], config: SourceConfig, context: Context) -> dict:
    """The scheming dataset dict of one group."""
    meta = {**config.defaults, **group.overrides}
    datastreams = [ds for thing in things for ds in thing.get("Datastreams", [])]
    data = {
        "name": group.name,
        "title": group.title,
        "notes": meta.get("description") or _notes(things, datastreams),
        "tags": [{"name": tag} for tag in keywords(meta.get("tags", []), datastreams)],
        **catalogue_fields(meta),
        "iot_service_url": context.base_url,
        "iot_datastream_filter": odata_filter(group, "Thing/", ""),
        "resources": resources(group, context.base_url),
    }
    data.update(agents(meta, context))
    data.update(_coverage(things, datastreams, meta))
    return compact(data)


def _coverage(things: list[dict], datastreams: list[dict], meta: dict) -> dict:
    start, end = temporal_extent(datastreams)
    return {
        "spatial": spatial_extent(things),
        "temporal_start": start,
        # Live sensors have no end: it would change with every observation (and the hash).
        "temporal_end": end if meta.get("temporal_end") else None,
    }


def _notes(things: list[dict], datastreams: list[dict]) -> str:
    properties = sorted({(ds.get("ObservedProperty") or {}).get("name", "") for ds in datastreams} - {""})
    units = sorted({(ds.get("unitOfMeasurement") or {}).get("symbol") or "" for ds in datastreams} - {""})
    text = (f"Messwerte der IoT-Plattform der Stadt Osnabrück (OGC SensorThings API): "
            f"{len(things)} {'Messstelle' if len(things) == 1 else 'Messstellen'} mit "
            f"{len(datastreams)} Datenströmen.")
    if properties:
        text += f" Messgrößen: {', '.join(properties)}."
    if units:
        text += f" Einheiten: {', '.join(units)}."
    return text + " Die aktuellen Werte stehen über die API und als CSV-Export bereit."


def keywords(configured: list[str], datastreams: list[dict]) -> list[str]:
    """Configured tags, then the ObservedProperty and Sensor names, as valid CKAN tags."""
    found = list(configured)
    for ds in datastreams:
        found += [(ds.get("ObservedProperty") or {}).get("name"), (ds.get("Sensor") or {}).get("name")]
    return tags(found)


def temporal_extent(datastreams: list[dict]) -> tuple[str | None, str | None]:
    """First and last day (ISO dates) of all phenomenonTimes ("start/end" or an instant)."""
    bounds = []
    for ds in datastreams:
        time = ds.get("phenomenonTime")
        if time:
            bounds += time.split("/")
    return (min(bounds)[:10], max(bounds)[:10]) if bounds else (None, None)


def spatial_extent(things: list[dict]) -> str | None:
    """A GeoJSON geometry of all Locations: the point, the points, or their union."""
    shapes = []
    for thing in things:
        for location in thing.get("Locations", []):
            geometry = location.get("location")
            if isinstance(geometry, dict) and geometry.get("type") == "Feature":
                geometry = geometry.get("geometry")
            if isinstance(geometry, dict) and "coordinates" in geometry:
                shapes.append(shape(geometry))
    if not shapes:
        return None
    points = [point for point in shapes if point.geom_type == "Point"]
    if len(points) == len(shapes):
        unique = sorted({(round(p.x, 6), round(p.y, 6)) for p in points})
        merged = MultiPoint(unique) if len(unique) > 1 else shape({"type": "Point", "coordinates": unique[0]})
    else:
        merged = unary_union(shapes)
    return json.dumps(geojson(merged), sort_keys=True)


def resources(group: Group, base_url: str) -> list[dict]:
    """The API as a DataService, a CSV export of the Observations, GeoJSON of the locations."""
    datastreams = _url(base_url, "Datastreams", filter=odata_filter(group, "Thing/", ""),
                       expand="ObservedProperty,Sensor,Thing($select=id,name)")
    csv = _url(base_url, "Observations", filter=odata_filter(group, "Datastream/Thing/", "Datastream/"),
               orderby="phenomenonTime desc", top="10000",
               select="id,phenomenonTime,resultTime,result", expand="Datastream($select=id,name)",
               resultFormat="CSV")
    geo = _url(base_url, "Things", filter=odata_filter(group), expand="Locations", top="1000",
               resultFormat="GeoJSON")
    return [
        {"name": "SensorThings API: Datenströme und Beobachtungen", "url": datastreams, "format": "JSON",
         "mimetype": "application/json", "access_url": datastreams,
         "description": "Datenströme (Datastreams) dieses Datensatzes mit Messgröße, Sensor und Messstelle; "
                        "die Beobachtungen (Observations) stehen unter dem Link jedes Datenstroms. "
                        "OGC SensorThings API 1.1.",
         "conforms_to": [STA_SPEC],
         "access_services": [data_service("SensorThings API der IoT-Plattform Osnabrück", base_url, base_url,
                                          STA_SPEC)]},
        {"name": "Beobachtungen (CSV-Export)", "url": csv, "format": "CSV", "mimetype": "text/csv",
         "access_url": csv, "download_url": csv,
         "description": "Die jüngsten 10.000 Beobachtungen aller Datenströme, neueste zuerst."},
        {"name": "Messstellen (GeoJSON)", "url": geo, "format": "GEOJSON", "mimetype": "application/geo+json",
         "access_url": geo, "download_url": geo, "description": "Lage jeder Messstelle (Thing) mit ihren Eigenschaften."},
    ]
