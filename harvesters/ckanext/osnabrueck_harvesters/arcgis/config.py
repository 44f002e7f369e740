"""The ArcGIS harvest source's configuration (JSON). The source URL is the REST services
directory, e.g. https://geo.osnabrueck.de/arcgis/rest/services.

    {
      "owner_org": "geodaten-verkehrsanlagen", "license_id": "dl-by-de/2.0", "themes": ["REGI"],
      "mode": "layer",                  # each layer a dataset, or "service": layers as distributions
      "include": ["WFS/*"], "exclude": ["*/intern_*"],   # service-name patterns (glob)
      "name_prefix": "",
      "layers": {"Baustellen": {"themes": ["TRAN"], "name": "baustellen-arcgis"}}   # by layer or service name
    }
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..config import ConfigError, NameFilter, Overridable, defaults, layer_overrides, limits, load, name_filter
from ..http import Limits

SOURCE_KEYS = {"mode", "include", "exclude", "name_prefix", "layers"}
SERVICE_TYPES = ("MapServer", "FeatureServer")


@dataclass(frozen=True)
class ArcGisConfig(Overridable):
    defaults: dict
    mode: str
    name_prefix: str
    layers: dict = field(default_factory=dict)  # layer or service name → overrides
    wanted: NameFilter = NameFilter()
    limits: Limits = Limits()


def parse(text: str | None) -> ArcGisConfig:
    data = load(text, SOURCE_KEYS)
    mode = data.get("mode", "layer")
    if mode not in ("layer", "service"):
        raise ConfigError('"mode" muss "layer" oder "service" sein.')
    return ArcGisConfig(defaults(data), mode, str(data.get("name_prefix", "")), layer_overrides(data),
                        name_filter(data), limits(data))
