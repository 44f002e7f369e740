"""WMS 1.3.0 and WFS 2.0 capabilities documents → plain records (``Service``, ``Layer``).

Pure: the XML comes in as bytes (the harvester fetched it with retries and limits) and is
parsed with OWSLib; nothing here touches the network. A document OWSLib cannot read, or an
OGC exception report, becomes a ``SourceError`` in German.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from lxml import etree
from owslib.feature.wfs200 import WebFeatureService_2_0_0
from owslib.map.wms130 import WebMapService_1_3_0

from ..http import SourceError, parse_xml

VERSIONS = {"WMS": "1.3.0", "WFS": "2.0.0"}


@dataclass(frozen=True)
class Layer:
    name: str          # without a namespace prefix, so that WMS and WFS names meet
    type_name: str     # as the service names it (WFS: "ms:baustellen")
    title: str
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None  # WGS84 west, south, east, north


@dataclass(frozen=True)
class Service:
    kind: str          # "WMS" or "WFS"
    url: str           # the endpoint, without query
    title: str = ""
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    provider: str = ""
    access_constraints: str = ""
    geojson_format: str | None = None  # the WFS output format that is GeoJSON, if any
    layers: tuple[Layer, ...] = field(default_factory=tuple)

    def capabilities_url(self) -> str:
        return f"{self.url}?{urlencode({'SERVICE': self.kind, 'VERSION': VERSIONS[self.kind], 'REQUEST': 'GetCapabilities'})}"


def capabilities_url(kind: str, url: str) -> str:
    return Service(kind, url).capabilities_url()


def parse(kind: str, url: str, xml: bytes) -> Service:
    """The service and its named layers (WMS) or feature types (WFS)."""
    parse_xml(xml, url, kind, "Der Dienst")
    try:
        if kind == "WMS":
            service = WebMapService_1_3_0(url, "1.3.0", xml=xml)
            layers = [_layer(layer.name, layer) for layer in service.contents.values() if not layer.children]
            geojson = None
        else:
            service = WebFeatureService_2_0_0(url, "2.0.0", xml)
            layers = [_layer(name, layer) for name, layer in service.contents.items()]
            geojson = _geojson_format(service)
    except (etree.XMLSyntaxError, AttributeError, KeyError, ValueError, TypeError, IndexError) as error:
        raise SourceError(f"{kind} {url}: Die Capabilities sind nicht lesbar ({type(error).__name__}: {error}).") from None
    ident = service.identification
    return Service(kind, url, ident.title or "", ident.abstract or "", tuple(ident.keywords or ()),
                   getattr(service.provider, "name", "") or "", ident.accessconstraints or "", geojson,
                   tuple(layers))


def _layer(type_name: str, layer) -> Layer:
    bbox = layer.boundingBoxWGS84
    return Layer(type_name.split(":")[-1], type_name, layer.title or type_name, layer.abstract or "",
                 tuple(k for k in (layer.keywords or ()) if k), tuple(float(v) for v in bbox[:4]) if bbox else None)


def _geojson_format(service) -> str | None:
    try:
        formats = service.getOperationByName("GetFeature").parameters.get("outputFormat", {}).get("values", [])
    except KeyError:
        return None
    return next((f for f in formats if "json" in f.lower()), None)
