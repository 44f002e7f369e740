"""ArcGIS REST services and layers → DCAT-AP.de datasets, as pure functions.

The JSON shapes are those Esri documents for the ArcGIS REST API (Services Directory:
catalog "?f=json", Map Service, Layer/Table, Query with f=geojson). A layer extent is
reprojected to WGS84 with pyproj; ``copyrightText`` becomes the licence attribution; the
HTML description becomes Markdown.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import box, mapping as geojson

from ..mapping import Context, agents, catalogue_fields, compact, data_service, ogc_distribution, slug, tags
from .config import ArcGisConfig
from .markdown import html_to_markdown

GEOJSON_LAYERS = {"Feature Layer", "Table"}
REST_SPEC = "https://developers.arcgis.com/rest/services-reference/enterprise/"
OGC_EXTENSIONS = {"WMSServer": "WMS", "WFSServer": "WFS"}


@dataclass(frozen=True)
class Service:
    path: str               # "WFS/wfs_verkehr"
    type: str               # "MapServer" | "FeatureServer"
    info: dict              # the service's ?f=json
    layers: tuple = field(default_factory=tuple)  # each layer's ?f=json

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def service_url(root: str, service: Service) -> str:
    return f"{root}/{service.path}/{service.type}"


def datasets(root: str, service: Service, cfg: ArcGisConfig, context: Context) -> dict[str, dict]:
    """guid → dataset of a service: one per layer, or the service with its layers."""
    if cfg.mode == "service":
        guid = f"{service.path}/{service.type}"
        return {guid: service_dataset(root, service, cfg, context)}
    return {f"{service.path}/{service.type}/{layer['id']}": layer_dataset(root, service, layer, cfg, context)
            for layer in service.layers if layer.get("type") != "Group Layer"}


def layer_dataset(root: str, service: Service, layer: dict, cfg: ArcGisConfig, context: Context) -> dict:
    meta = cfg.meta(layer.get("name", ""))
    title = meta.get("title") or layer.get("name") or service.name
    data = {
        "name": meta.get("name") or slug(f"{cfg.name_prefix}{service.name}-{layer.get('name', layer['id'])}"),
        "title": title,
        "notes": meta.get("description") or html_to_markdown(layer.get("description"))
                 or html_to_markdown(service.info.get("serviceDescription")) or f"Layer „{title}“ des ArcGIS-Dienstes "
                                                                                  f"„{service.path}“.",
        "tags": [{"name": t} for t in tags([*meta.get("tags", []), *_keywords(service.info)])],
        **catalogue_fields(meta, frequency="IRREG"),
        "spatial": wgs84_extent(layer.get("extent") or service.info.get("fullExtent")),
        "resources": _ogc_resources(root, service, meta) + layer_resources(root, service, layer, meta),
    }
    data.update(agents(meta, context))
    return compact(data)


def service_dataset(root: str, service: Service, cfg: ArcGisConfig, context: Context) -> dict:
    meta = cfg.meta(service.name)
    info = service.info
    title = meta.get("title") or (info.get("documentInfo") or {}).get("Title") or info.get("mapName") or service.name
    data = {
        "name": meta.get("name") or slug(f"{cfg.name_prefix}{service.path}"),
        "title": title,
        "notes": meta.get("description") or html_to_markdown(info.get("description") or info.get("serviceDescription"))
                 or f"ArcGIS-Dienst „{service.path}“.",
        "tags": [{"name": t} for t in tags([*meta.get("tags", []), *_keywords(info)])],
        **catalogue_fields(meta, frequency="IRREG"),
        "spatial": wgs84_extent(info.get("fullExtent") or info.get("initialExtent")),
        "resources": _ogc_resources(root, service, meta)
                     + [r for layer in service.layers for r in layer_resources(root, service, layer, meta)],
    }
    data.update(agents(meta, context))
    return compact(data)


def layer_resources(root: str, service: Service, layer: dict, meta: dict) -> list[dict]:
    """The layer's REST endpoint as a DataService, and its GeoJSON download where it has one."""
    endpoint = service_url(root, service)
    url = f"{endpoint}/{layer['id']}"
    name = layer.get("name") or str(layer["id"])
    attribution = layer.get("copyrightText") or service.info.get("copyrightText") or meta.get("contact_name")
    found = [compact({
        "name": f"{name} (ArcGIS REST)", "url": f"{url}?f=json", "access_url": url, "format": "REST",
        "description": f"ArcGIS REST-Schnittstelle des Layers „{name}“ ({layer.get('type', 'Layer')}).",
        "license_attribution_by_text": attribution, "conforms_to": [REST_SPEC],
        "access_services": [data_service(f"ArcGIS {service.type} {service.path}", endpoint, f"{endpoint}?f=json",
                                         REST_SPEC)],
    })]
    if layer.get("type") in GEOJSON_LAYERS and "geojson" in (layer.get("supportedQueryFormats") or "geoJSON").lower():
        query = f"{url}/query?" + urlencode({"where": "1=1", "outFields": "*", "f": "geojson"})
        found.append(compact({"name": f"{name} (GeoJSON)", "url": query, "access_url": query, "download_url": query,
                              "format": "GEOJSON", "mimetype": "application/geo+json",
                              "description": "Alle Objekte des Layers als GeoJSON (ArcGIS-Abfrage).",
                              "license_attribution_by_text": attribution}))
    return found


def _ogc_resources(root: str, service: Service, meta: dict) -> list[dict]:
    """WMS/WFS GetCapabilities where the service has those extensions enabled."""
    extensions = service.info.get("supportedExtensions") or ""
    ogc_root = root.replace("/rest/services", "/services")
    found = []
    for extension, kind in OGC_EXTENSIONS.items():
        if extension in extensions:
            endpoint = f"{ogc_root}/{service.path}/MapServer/{extension}"
            url = f"{endpoint}?" + urlencode({"request": "GetCapabilities", "service": kind})
            found.append(ogc_distribution(kind, f"{service.name} ({kind})", url, endpoint, f"{kind} {service.path}",
                                          f"{kind}-Schnittstelle des ArcGIS-Dienstes „{service.path}“.",
                                          service.info.get("copyrightText")))
    return found


def _keywords(info: dict) -> list[str]:
    text = (info.get("documentInfo") or {}).get("Keywords") or ""
    return [k.strip() for k in text.split(",") if k.strip()]


def wgs84_extent(extent: dict | None) -> str | None:
    """An Esri envelope ({xmin, ymin, xmax, ymax, spatialReference}) as a WGS84 GeoJSON polygon."""
    if not extent or any(not isinstance(extent.get(k), (int, float)) for k in ("xmin", "ymin", "xmax", "ymax")):
        return None
    reference = extent.get("spatialReference") or {}
    wkid = reference.get("latestWkid") or reference.get("wkid") or 4326
    try:
        west, south, east, north = _to_wgs84(int(wkid)).transform_bounds(
            extent["xmin"], extent["ymin"], extent["xmax"], extent["ymax"])
    except (CRSError, ValueError):
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return json.dumps(geojson(box(round(west, 6), round(south, 6), round(east, 6), round(north, 6))), sort_keys=True)


@lru_cache(maxsize=32)
def _to_wgs84(wkid: int) -> Transformer:
    source = CRS.from_epsg(3857 if wkid == 102100 else wkid)
    return Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)
