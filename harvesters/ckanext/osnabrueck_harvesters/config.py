"""What every harvest source's JSON configuration shares: parsing, the dataset defaults a
source sets (organisation, licence, themes, …) and the limits of ``http.Limits``.

Every problem is a ``ConfigError`` with a German message for the data steward.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase

from .http import Limits

# Dataset metadata a source sets for all its datasets (and a group or layer may override).
DEFAULT_KEYS = ("owner_org", "license_id", "themes", "frequency", "tags", "contributor_id", "temporal_end",
                "contact_name", "contact_email", "publisher_url")
LIMIT_KEYS = ("timeout", "retries", "backoff", "max_pages", "max_objects")
LAYER_KEYS = set(DEFAULT_KEYS) | {"title", "description", "name"}


class ConfigError(ValueError):
    """A configuration a data steward must fix; the message is German."""


def load(text: str | None, allowed: set[str]) -> dict:
    """The configuration as a dict with only ``allowed`` keys."""
    try:
        data = json.loads(text) if text and text.strip() else {}
    except ValueError as error:
        raise ConfigError(f"Die Konfiguration ist kein gültiges JSON: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError("Die Konfiguration muss ein JSON-Objekt sein.")
    check_keys(data, allowed | set(DEFAULT_KEYS) | set(LIMIT_KEYS))
    return data


def check_keys(data: dict, allowed: set[str], where: str = "") -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ConfigError(f"{where}Unbekannte Einstellungen: {', '.join(sorted(unknown))}.")


def defaults(data: dict) -> dict:
    return {key: data[key] for key in DEFAULT_KEYS if key in data}


def limits(data: dict) -> Limits:
    return Limits(timeout=number(data, "timeout", 30.0), retries=int(number(data, "retries", 3)),
                  backoff=number(data, "backoff", 1.0), max_pages=int(number(data, "max_pages", 1000)),
                  max_objects=int(number(data, "max_objects", 100_000)))


def number(data: dict, key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"\"{key}\" muss eine nicht-negative Zahl sein.")
    return float(value)


def string_list(data: dict, key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"\"{key}\" muss eine Liste von Texten sein.")
    return value


@dataclass(frozen=True)
class NameFilter:
    """include/exclude glob patterns of layer or service names."""
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()

    def __call__(self, name: str) -> bool:
        return (any(fnmatchcase(name, p) for p in self.include)
                and not any(fnmatchcase(name, p) for p in self.exclude))


def name_filter(data: dict) -> NameFilter:
    return NameFilter(tuple(string_list(data, "include") or ["*"]), tuple(string_list(data, "exclude")))


def layer_overrides(data: dict) -> dict:
    """The "layers" setting: layer (or service) name → dataset settings overriding the defaults."""
    layers = data.get("layers", {})
    if not isinstance(layers, dict) or not all(isinstance(v, dict) for v in layers.values()):
        raise ConfigError('"layers" muss ein Objekt aus Layer-Name → Einstellungen sein.')
    for name, spec in layers.items():
        check_keys(spec, LAYER_KEYS, f"Layer „{name}“: ")
    return layers


class Overridable:
    """organizations() and meta() of a config with ``defaults`` and per-name ``layers``."""
    defaults: dict
    layers: dict

    def organizations(self) -> set[str]:
        names = {self.defaults.get("owner_org")} | {o.get("owner_org") for o in self.layers.values()}
        return {name for name in names if name}

    def meta(self, name: str) -> dict:
        return {**self.defaults, **self.layers.get(name, {})}
