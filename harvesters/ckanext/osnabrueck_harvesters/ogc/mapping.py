"""WMS layers and WFS feature types → DCAT-AP.de datasets, as pure functions.

A WMS layer and a WFS feature type with the same name (namespace prefix aside) are one
dataset: its distributions are the WMS, the WFS and, where the WFS offers it, a GeoJSON
download through GetFeature. Each service is also described as a ``dcat:DataService``.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from shapely.geometry import box, mapping as geojson

from ..mapping import Context, agents, catalogue_fields, compact, ogc_distribution, slug, tags
from .capabilities import VERSIONS, Layer, Service
from .config import OgcConfig

KIND_TEXT = {"WMS": "Web Map Service (WMS) 1.3.0: Kartenbilder", "WFS": "Web Feature Service (WFS) 2.0: Vektordaten"}


def merge(services: list[Service], cfg: OgcConfig) -> dict[str, dict[str, Layer]]:
    """layer name → {"WMS": layer, "WFS": feature type} of the wanted layers."""
    merged: dict[str, dict[str, Layer]] = {}
    for service in services:
        for layer in service.layers:
            if cfg.wanted(layer.name):
                merged.setdefault(layer.name, {})[service.kind] = layer
    return merged


def dataset_dict(name: str, layers: dict[str, Layer], services: dict[str, Service], cfg: OgcConfig,
                 context: Context) -> dict:
    meta = cfg.meta(name)
    first = layers.get("WMS") or layers["WFS"]
    data = {
        "name": meta.get("name") or slug(f"{cfg.name_prefix}{name}"),
        "title": meta.get("title") or first.title,
        "notes": meta.get("description") or first.abstract or _notes(first, services),
        "tags": [{"name": tag} for tag in tags([*meta.get("tags", []), *first.keywords])],
        **catalogue_fields(meta, frequency="IRREG"),
        "spatial": spatial(*(layer.bbox for layer in layers.values())),
        "resources": resources(layers, services, meta),
    }
    data.update(agents(meta, context))
    return compact(data)


def _notes(layer: Layer, services: dict[str, Service]) -> str:
    service = next(iter(services.values()))
    return f"Layer „{layer.title}“ des Geodienstes „{service.title or service.url}“."


def spatial(*bboxes) -> str | None:
    """The union of the layers' WGS84 boxes as a GeoJSON polygon."""
    found = [b for b in bboxes if b]
    if not found:
        return None
    west, south = min(b[0] for b in found), min(b[1] for b in found)
    east, north = max(b[2] for b in found), max(b[3] for b in found)
    return json.dumps(geojson(box(west, south, east, north)), sort_keys=True)


def resources(layers: dict[str, Layer], services: dict[str, Service], meta: dict) -> list[dict]:
    found = [_service_resource(layers[kind], services[kind], meta) for kind in ("WMS", "WFS") if kind in layers]
    wfs = services.get("WFS")
    if "WFS" in layers and wfs.geojson_format:
        found.append(_geojson_resource(layers["WFS"], wfs, meta))
    return found


def _service_resource(layer: Layer, service: Service, meta: dict) -> dict:
    return ogc_distribution(service.kind, f"{layer.title} ({service.kind})", service.capabilities_url(), service.url,
                            service.title or f"{service.kind} {service.url}",
                            f"{KIND_TEXT[service.kind]}, Layer „{layer.type_name}“.",
                            service.provider or meta.get("contact_name"))


def _geojson_resource(layer: Layer, service: Service, meta: dict) -> dict:
    query = {"SERVICE": "WFS", "VERSION": VERSIONS["WFS"], "REQUEST": "GetFeature", "TYPENAMES": layer.type_name,
             "OUTPUTFORMAT": service.geojson_format}
    url = f"{service.url}?{urlencode(query)}"
    return compact({
        "name": f"{layer.title} (GeoJSON)", "url": url, "access_url": url, "download_url": url,
        "format": "GEOJSON", "mimetype": "application/geo+json",
        "description": "Alle Objekte des Layers als GeoJSON (WFS GetFeature).",
        "license_attribution_by_text": service.provider or meta.get("contact_name"),
    })
