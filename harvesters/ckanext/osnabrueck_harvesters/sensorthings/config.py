"""The harvest source's configuration: JSON in the source's "config" field.

    {
      "owner_org": "swo-netz",                 # default organisation of the datasets
      "license_id": "dl-by-de/2.0",
      "themes": ["ENVI"],                       # EU data-theme codes
      "frequency": "UPDATE_CONT",               # EU frequency code (continuous updates)
      "groups": [                               # Things of one kind become one dataset
        {"name": "belegtstatus-behindertenparkplaetze",
         "title": "Belegtstatus Behindertenparkplätze",
         "observed_property": "Belegtstatus"},  # or "thing_name": "GWM*"
                                                # or "thing_property": {"kind": "tree"}
      ],
      "ungrouped": "thing",                     # others: one dataset per Thing, or "skip"
      "page_size": 100, "timeout": 30, "retries": 3, "backoff": 1,
      "max_pages": 1000, "max_objects": 100000
    }

Every key of a group except its matcher overrides the source's defaults for that dataset
(owner_org, themes, license_id, frequency, tags, description).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .client import Limits

MATCHERS = ("observed_property", "thing_name", "thing_property")
# Dataset metadata a source sets for all its datasets and a group may override.
DEFAULT_KEYS = ("owner_org", "license_id", "themes", "frequency", "tags", "contributor_id", "temporal_end",
                "contact_name", "contact_email", "publisher_url")
GROUP_KEYS = set(MATCHERS) | set(DEFAULT_KEYS) | {"name", "title", "description"}
SOURCE_KEYS = set(DEFAULT_KEYS) | {"groups", "ungrouped", "page_size", "timeout", "retries", "backoff",
                                   "max_pages", "max_objects"}
NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


class ConfigError(ValueError):
    """A configuration a data steward must fix; the message is German."""


@dataclass(frozen=True)
class Group:
    name: str
    title: str
    matcher: str
    value: object
    overrides: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SourceConfig:
    defaults: dict
    groups: tuple[Group, ...]
    ungrouped: str
    page_size: int
    limits: Limits


def parse(text: str | None) -> SourceConfig:
    """The validated configuration; raises ConfigError naming the first problem."""
    try:
        data = json.loads(text) if text and text.strip() else {}
    except ValueError as error:
        raise ConfigError(f"Die Konfiguration ist kein gültiges JSON: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError("Die Konfiguration muss ein JSON-Objekt sein.")
    unknown = set(data) - SOURCE_KEYS
    if unknown:
        raise ConfigError(f"Unbekannte Einstellungen: {', '.join(sorted(unknown))}.")
    groups = tuple(_group(index, spec) for index, spec in enumerate(data.get("groups", []), 1))
    names = [group.name for group in groups]
    if len(set(names)) != len(names):
        raise ConfigError("Zwei Gruppen haben denselben Namen.")
    ungrouped = data.get("ungrouped", "thing")
    if ungrouped not in ("thing", "skip"):
        raise ConfigError('"ungrouped" muss "thing" oder "skip" sein.')
    limits = Limits(timeout=_number(data, "timeout", 30.0), retries=int(_number(data, "retries", 3)),
                    backoff=_number(data, "backoff", 1.0), max_pages=int(_number(data, "max_pages", 1000)),
                    max_objects=int(_number(data, "max_objects", 100_000)))
    defaults = {key: data[key] for key in DEFAULT_KEYS if key in data}
    return SourceConfig(defaults, groups, ungrouped, int(_number(data, "page_size", 100)), limits)


def _group(index: int, spec) -> Group:
    if not isinstance(spec, dict):
        raise ConfigError(f"Gruppe {index} muss ein JSON-Objekt sein.")
    unknown = set(spec) - GROUP_KEYS
    if unknown:
        raise ConfigError(f"Gruppe {index}: unbekannte Einstellungen {', '.join(sorted(unknown))}.")
    matchers = [key for key in MATCHERS if key in spec]
    if len(matchers) != 1:
        raise ConfigError(f"Gruppe {index} braucht genau eines von: {', '.join(MATCHERS)}.")
    name = spec.get("name", "")
    if not NAME.match(name):
        raise ConfigError(f"Gruppe {index}: \"name\" muss aus 2–100 Kleinbuchstaben, Ziffern, - oder _ bestehen.")
    if not spec.get("title"):
        raise ConfigError(f"Gruppe {index} ({name}) braucht einen Titel (\"title\").")
    value = spec[matchers[0]]
    if matchers[0] == "thing_property" and not (isinstance(value, dict) and len(value) == 1):
        raise ConfigError(f"Gruppe {index} ({name}): \"thing_property\" muss genau ein Paar "
                          f"{{\"Eigenschaft\": \"Wert\"}} sein.")
    overrides = {key: spec[key] for key in spec if key not in MATCHERS and key not in ("name", "title")}
    return Group(name, spec["title"], matchers[0], value, overrides)


def _number(data: dict, key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"\"{key}\" muss eine nicht-negative Zahl sein.")
    return float(value)
