"""The OGC harvest source's configuration (JSON). The source URL is the service endpoint;
WMS and WFS may also live at different URLs.

    {
      "owner_org": "geodaten-verkehrsanlagen", "license_id": "dl-by-de/2.0", "themes": ["REGI"],
      "services": ["WMS", "WFS"],               # which capabilities to read
      "wms_url": "…", "wfs_url": "…",           # default: the source URL
      "include": ["*"], "exclude": ["intern_*"],  # layer-name patterns (glob)
      "name_prefix": "",                        # prefix of the dataset names
      "layers": {"baustellen": {"themes": ["TRAN"], "frequency": "DAILY", "title": "…"}}
    }
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from ..config import DEFAULT_KEYS, ConfigError, check_keys, defaults, limits, load, string_list
from ..http import Limits

SOURCE_KEYS = {"services", "wms_url", "wfs_url", "include", "exclude", "name_prefix", "layers"}
LAYER_KEYS = set(DEFAULT_KEYS) | {"title", "description", "name"}
SERVICES = ("WMS", "WFS")


@dataclass(frozen=True)
class LayerFilter:
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()

    def __call__(self, name: str) -> bool:
        return (any(fnmatchcase(name, p) for p in self.include)
                and not any(fnmatchcase(name, p) for p in self.exclude))


@dataclass(frozen=True)
class OgcConfig:
    defaults: dict
    services: tuple[str, ...]
    wms_url: str | None
    wfs_url: str | None
    name_prefix: str
    layers: dict = field(default_factory=dict)  # layer name → overrides
    wanted: LayerFilter = LayerFilter()
    limits: Limits = Limits()

    def organizations(self) -> set[str]:
        names = {self.defaults.get("owner_org")} | {o.get("owner_org") for o in self.layers.values()}
        return {name for name in names if name}

    def meta(self, layer: str) -> dict:
        return {**self.defaults, **self.layers.get(layer, {})}


def parse(text: str | None) -> OgcConfig:
    data = load(text, SOURCE_KEYS)
    services = tuple(s.upper() for s in string_list(data, "services") or SERVICES)
    if not services or set(services) - set(SERVICES):
        raise ConfigError('"services" darf nur "WMS" und "WFS" enthalten.')
    layers = data.get("layers", {})
    if not isinstance(layers, dict) or not all(isinstance(v, dict) for v in layers.values()):
        raise ConfigError('"layers" muss ein Objekt aus Layer-Name → Einstellungen sein.')
    for name, spec in layers.items():
        check_keys(spec, LAYER_KEYS, f"Layer „{name}“: ")
    wanted = LayerFilter(tuple(string_list(data, "include") or ["*"]), tuple(string_list(data, "exclude")))
    return OgcConfig(defaults(data), services, data.get("wms_url"), data.get("wfs_url"),
                     str(data.get("name_prefix", "")), layers, wanted, limits(data))
