"""Reading a harvest source over HTTP: timeouts, retries with exponential backoff, and the
hard limits every harvester applies.

Every failure is a ``SourceError`` whose message is German, because it ends up in the
harvest job's report that the data stewards read. ``label`` names the kind of source in
those messages ("SensorThings-API", "ArcGIS-Server", "WMS", …).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import requests
from lxml import etree

from ckanext.osnabrueck import fetch

RETRY_STATUS = {429, 500, 502, 503, 504}
Sleep = Callable[[float], None]


class SourceError(Exception):
    """The source cannot be read completely; nothing may be concluded from a partial read."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_pages: int = 1000
    max_objects: int = 100_000


def session() -> fetch.GuardedSession:
    """The session of a harvest: every request, redirects included, through the portal's
    guarded fetcher (no internal addresses, capped size and time)."""
    return fetch.session()


def get(session: requests.Session, url: str, limits: Limits, label: str, accept: str = "*/*",
        sleep: Sleep = time.sleep) -> requests.Response:
    """The successful response for ``url``; retries connection errors, timeouts, 429 and 5xx."""
    delay = limits.backoff
    for attempt in range(limits.retries + 1):
        try:
            response = session.get(url, timeout=limits.timeout, headers={"Accept": accept})
        except fetch.Blocked:
            raise SourceError(f"{label} {url}: Die Adresse liegt in einem internen Netz oder ist keine "
                              f"http(s)-Adresse; das Portal ruft sie nicht ab.") from None
        except fetch.TooLarge:
            raise SourceError(f"{label} {url}: Die Antwort ist größer als {fetch.cap_mb(session)} MB "
                              f"(Grenze ckanext.osnabrueck.fetch_max_mb).") from None
        except requests.Timeout:
            problem = f"Zeitüberschreitung nach {limits.timeout:g} s"
        except requests.ConnectionError as error:
            problem = f"nicht erreichbar ({type(error).__name__})"
        else:
            if response.status_code not in RETRY_STATUS:
                if response.status_code >= 400:
                    raise SourceError(f"{label} {url}: HTTP-Fehler {response.status_code}.")
                return response
            problem = f"HTTP-Fehler {response.status_code}"
        if attempt < limits.retries:
            sleep(delay)
            delay *= 2
    raise SourceError(f"{label} {url}: {problem}, auch nach {limits.retries} Wiederholungen.")


def get_json(session: requests.Session, url: str, limits: Limits, label: str, sleep: Sleep = time.sleep):
    """The JSON document at ``url``."""
    response = get(session, url, limits, label, "application/json", sleep)
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{label} {url}: Die Antwort ist kein gültiges JSON (abgebrochen oder fehlerhaft).") from None


def parse_xml(content: bytes, url: str, label: str, reporter: str, broken: str = ""):
    """The XML root element; an unparsable document or an OGC exception report is a SourceError
    (``reporter`` names who reports: "Der Dienst", "Der Katalog")."""
    try:
        root = etree.fromstring(content)
    except etree.XMLSyntaxError as error:
        raise SourceError(f"{label} {url}: Die Antwort ist kein gültiges XML ({broken}{error}).") from None
    if etree.QName(root).localname in ("ServiceExceptionReport", "ExceptionReport"):
        text = " ".join(" ".join(root.itertext()).split())[:300]
        raise SourceError(f"{label} {url}: {reporter} meldet einen Fehler: {text}")
    return root


class Budget:
    """Counts pages and objects against the limits; raises once one is exceeded."""

    def __init__(self, limits: Limits, label: str):
        self.limits, self.label, self.pages, self.objects = limits, label, 0, 0

    def page(self) -> None:
        self.pages += 1
        if self.pages > self.limits.max_pages:
            raise SourceError(f"{self.label}: mehr als {self.limits.max_pages} Seiten; Abbruch (Grenze max_pages).")

    def object(self) -> None:
        self.objects += 1
        if self.objects > self.limits.max_objects:
            raise SourceError(f"{self.label}: mehr als {self.limits.max_objects} Objekte; "
                              f"Abbruch (Grenze max_objects).")
