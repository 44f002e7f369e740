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

from ..config import ConfigError, NameFilter, Overridable, defaults, layer_overrides, limits, load, name_filter, string_list
from ..http import Limits

SOURCE_KEYS = {"services", "wms_url", "wfs_url", "include", "exclude", "name_prefix", "layers"}
SERVICES = ("WMS", "WFS")


@dataclass(frozen=True)
class OgcConfig(Overridable):
    defaults: dict
    services: tuple[str, ...]
    wms_url: str | None
    wfs_url: str | None
    name_prefix: str
    layers: dict = field(default_factory=dict)  # layer name → overrides
    wanted: NameFilter = NameFilter()
    limits: Limits = Limits()


def parse(text: str | None) -> OgcConfig:
    data = load(text, SOURCE_KEYS)
    services = tuple(s.upper() for s in string_list(data, "services") or SERVICES)
    if not services or set(services) - set(SERVICES):
        raise ConfigError('"services" darf nur "WMS" und "WFS" enthalten.')
    return OgcConfig(defaults(data), services, data.get("wms_url"), data.get("wfs_url"),
                     str(data.get("name_prefix", "")), layer_overrides(data), name_filter(data), limits(data))
