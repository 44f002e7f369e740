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

from ..config import DEFAULT_KEYS, ConfigError, check_keys, defaults, limits, load, string_list
from ..http import Limits
from ..ogc.config import LayerFilter

SOURCE_KEYS = {"mode", "include", "exclude", "name_prefix", "layers"}
LAYER_KEYS = set(DEFAULT_KEYS) | {"title", "description", "name"}
SERVICE_TYPES = ("MapServer", "FeatureServer")


@dataclass(frozen=True)
class ArcGisConfig:
    defaults: dict
    mode: str
    name_prefix: str
    layers: dict = field(default_factory=dict)
    wanted: LayerFilter = LayerFilter()
    limits: Limits = Limits()

    def organizations(self) -> set[str]:
        names = {self.defaults.get("owner_org")} | {o.get("owner_org") for o in self.layers.values()}
        return {name for name in names if name}

    def meta(self, name: str) -> dict:
        return {**self.defaults, **self.layers.get(name, {})}


def parse(text: str | None) -> ArcGisConfig:
    data = load(text, SOURCE_KEYS)
    mode = data.get("mode", "layer")
    if mode not in ("layer", "service"):
        raise ConfigError('"mode" muss "layer" oder "service" sein.')
    layers = data.get("layers", {})
    if not isinstance(layers, dict) or not all(isinstance(v, dict) for v in layers.values()):
        raise ConfigError('"layers" muss ein Objekt aus Layer- oder Dienstname → Einstellungen sein.')
    for name, spec in layers.items():
        check_keys(spec, LAYER_KEYS, f"Layer „{name}“: ")
    wanted = LayerFilter(tuple(string_list(data, "include") or ["*"]), tuple(string_list(data, "exclude")))
    return ArcGisConfig(defaults(data), mode, str(data.get("name_prefix", "")), layers, wanted, limits(data))
