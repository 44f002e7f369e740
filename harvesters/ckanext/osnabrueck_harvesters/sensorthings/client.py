"""Reading a SensorThings API: JSON over HTTP with timeouts, retries with backoff, and
paging by ``@iot.nextLink`` under hard limits.

Every failure is a ``SourceError`` whose message is German, because it ends up in the
harvest job's report that the data stewards read.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import urlsplit

import requests

RETRY_STATUS = {429, 500, 502, 503, 504}


class SourceError(Exception):
    """The source cannot be read completely; nothing may be concluded from a partial read."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_pages: int = 1000
    max_objects: int = 100_000


def get_json(session: requests.Session, url: str, limits: Limits, sleep: Callable[[float], None] = time.sleep):
    """The JSON document at ``url``; retries connection errors, timeouts and 5xx answers."""
    delay = limits.backoff
    for attempt in range(limits.retries + 1):
        try:
            response = session.get(url, timeout=limits.timeout, headers={"Accept": "application/json"})
        except requests.Timeout:
            problem = f"Zeitüberschreitung nach {limits.timeout:g} s"
        except requests.ConnectionError as error:
            problem = f"nicht erreichbar ({type(error).__name__})"
        else:
            if response.status_code not in RETRY_STATUS:
                return _decode(response, url)
            problem = f"HTTP-Fehler {response.status_code}"
        if attempt < limits.retries:
            sleep(delay)
            delay *= 2
    raise SourceError(f"SensorThings-API {url}: {problem}, auch nach {limits.retries} Wiederholungen.")


def _decode(response: requests.Response, url: str):
    if response.status_code >= 400:
        raise SourceError(f"SensorThings-API {url}: HTTP-Fehler {response.status_code}.")
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"SensorThings-API {url}: Die Antwort ist kein gültiges JSON "
                          f"(abgebrochen oder fehlerhaft).") from None


def iter_collection(session: requests.Session, url: str, limits: Limits,
                    sleep: Callable[[float], None] = time.sleep) -> Iterator[dict]:
    """Every entity of a collection, following ``@iot.nextLink`` until there is none."""
    seen, pages, count = set(), 0, 0
    origin = urlsplit(url)[:2]
    while url:
        if url in seen:
            raise SourceError(f"SensorThings-API: @iot.nextLink führt im Kreis ({url}).")
        if urlsplit(url)[:2] != origin:
            raise SourceError(f"SensorThings-API: @iot.nextLink zeigt auf einen anderen Server ({url}).")
        pages += 1
        if pages > limits.max_pages:
            raise SourceError(f"SensorThings-API: mehr als {limits.max_pages} Seiten; Abbruch (Grenze max_pages).")
        seen.add(url)
        page = get_json(session, url, limits, sleep)
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise SourceError(f"SensorThings-API {url}: Die Antwort ist keine Entitäten-Liste (\"value\" fehlt).")
        for entity in page["value"]:
            count += 1
            if count > limits.max_objects:
                raise SourceError(f"SensorThings-API: mehr als {limits.max_objects} Objekte; "
                                  f"Abbruch (Grenze max_objects).")
            yield entity
        url = page.get("@iot.nextLink")
