"""Reading a SensorThings API: entity collections paged by ``@iot.nextLink`` under the hard
limits of ``http.Limits``."""
from __future__ import annotations

import time
from typing import Iterator
from urllib.parse import urlsplit

import requests

from ..http import Budget, Limits, Sleep, SourceError, get_json as _get_json

__all__ = ["Limits", "SourceError", "get_json", "iter_collection"]
LABEL = "SensorThings-API"


def get_json(session: requests.Session, url: str, limits: Limits, sleep: Sleep = time.sleep):
    return _get_json(session, url, limits, LABEL, sleep)


def iter_collection(session: requests.Session, url: str, limits: Limits, sleep: Sleep = time.sleep) -> Iterator[dict]:
    """Every entity of a collection, following ``@iot.nextLink`` until there is none."""
    seen, budget = set(), Budget(limits, LABEL)
    origin = urlsplit(url)[:2]
    while url:
        if url in seen:
            raise SourceError(f"{LABEL}: @iot.nextLink führt im Kreis ({url}).")
        if urlsplit(url)[:2] != origin:
            raise SourceError(f"{LABEL}: @iot.nextLink zeigt auf einen anderen Server ({url}).")
        budget.page()
        seen.add(url)
        page = get_json(session, url, limits, sleep=sleep)
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise SourceError(f"{LABEL} {url}: Die Antwort ist keine Entitäten-Liste (\"value\" fehlt).")
        for entity in page["value"]:
            budget.object()
            yield entity
        url = page.get("@iot.nextLink")
