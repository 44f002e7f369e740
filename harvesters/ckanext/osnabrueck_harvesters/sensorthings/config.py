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

import re
from dataclasses import dataclass, field

from ..config import DEFAULT_KEYS, ConfigError, check_keys, defaults, limits, load, number
from ..http import Limits

__all__ = ["ConfigError", "Group", "SourceConfig", "parse"]
MATCHERS = ("observed_property", "thing_name", "thing_property")
GROUP_KEYS = set(MATCHERS) | {"name", "title", "description"}
SOURCE_KEYS = {"groups", "ungrouped", "page_size"}
NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


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

    def organizations(self) -> set[str]:
        names = {self.defaults.get("owner_org")} | {g.overrides.get("owner_org") for g in self.groups}
        return {name for name in names if name}


def parse(text: str | None) -> SourceConfig:
    """The validated configuration; raises ConfigError naming the first problem."""
    data = load(text, SOURCE_KEYS)
    groups = tuple(_group(index, spec) for index, spec in enumerate(data.get("groups", []), 1))
    names = [group.name for group in groups]
    if len(set(names)) != len(names):
        raise ConfigError("Zwei Gruppen haben denselben Namen.")
    ungrouped = data.get("ungrouped", "thing")
    if ungrouped not in ("thing", "skip"):
        raise ConfigError('"ungrouped" muss "thing" oder "skip" sein.')
    return SourceConfig(defaults(data), groups, ungrouped, int(number(data, "page_size", 100)), limits(data))


def _group(index: int, spec) -> Group:
    if not isinstance(spec, dict):
        raise ConfigError(f"Gruppe {index} muss ein JSON-Objekt sein.")
    check_keys(spec, GROUP_KEYS | set(DEFAULT_KEYS), f"Gruppe {index}: ")
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
