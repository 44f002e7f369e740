"""The CSW harvest source's configuration (JSON): the dataset defaults of every source,
the limits, and

    {"page_size": 100,            # records per GetRecords request
     "cql": "Subject = 'Umwelt'"}  # optional CQL filter of the records
"""
from __future__ import annotations

from dataclasses import dataclass

from ..config import ConfigError, defaults, limits, load, number
from ..http import Limits

__all__ = ["ConfigError", "CswConfig", "parse"]


@dataclass(frozen=True)
class CswConfig:
    defaults: dict
    page_size: int
    cql: str | None
    limits: Limits

    def organizations(self) -> set[str]:
        return {self.defaults["owner_org"]} if self.defaults.get("owner_org") else set()


def parse(text: str | None) -> CswConfig:
    data = load(text, {"page_size", "cql"})
    page_size = int(number(data, "page_size", 100))
    if not 1 <= page_size <= 1000:
        raise ConfigError('"page_size" muss zwischen 1 und 1000 liegen.')
    cql = data.get("cql")
    if cql is not None and not isinstance(cql, str):
        raise ConfigError('"cql" muss ein Text sein.')
    return CswConfig(defaults(data), page_size, cql, limits(data))
