"""Reading a CSW 2.0.2 catalogue: every ISO 19139 record in pages of GetRecords (full
records, so that a harvest needs one request per page, not one per record), under the hard
limits of ``http.Limits``. Failures are ``SourceError``s in German."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator

import requests
from lxml import etree

from ..http import Budget, Limits, Sleep, SourceError, get, parse_xml

LABEL = "CSW"
GMD = "http://www.isotc211.org/2005/gmd"
NS = {"csw": "http://www.opengis.net/cat/csw/2.0.2", "gmd": GMD, "gco": "http://www.isotc211.org/2005/gco"}


@dataclass(frozen=True)
class IsoRecord:
    identifier: str
    date_stamp: str   # gmd:dateStamp as written (Date or DateTime)
    xml: str          # the gmd:MD_Metadata element as a document


def iter_records(session: requests.Session, url: str, limits: Limits, page_size: int, cql: str | None = None,
                 sleep: Sleep = time.sleep) -> Iterator[IsoRecord]:
    budget, position = Budget(limits, LABEL), 1
    while position:
        budget.page()
        response = _get_page(session, url, limits, page_size, position, cql, sleep)
        results, records = _parse_page(url, response.content)
        for record in records:
            budget.object()
            yield record
        position = _next_position(url, results, position)


def _get_page(session, url, limits, page_size, position, cql, sleep):
    params = {"service": "CSW", "version": "2.0.2", "request": "GetRecords", "typenames": "gmd:MD_Metadata",
              "namespace": f"xmlns(gmd={GMD})", "outputschema": GMD, "elementsetname": "full",
              "resulttype": "results", "startposition": str(position), "maxrecords": str(page_size)}
    if cql:
        params.update(constraintlanguage="CQL_TEXT", constraint_language_version="1.1.0", constraint=cql)
    query = "&".join(f"{key}={requests.utils.quote(value, safe='():=')}" for key, value in params.items())
    return get(session, f"{url}?{query}", limits, LABEL, "application/xml", sleep)


def _parse_page(url: str, content: bytes):
    root = parse_xml(content, url, LABEL, "Der Katalog", broken="abgebrochen oder fehlerhaft: ")
    results = root.find("csw:SearchResults", NS)
    if results is None:
        raise SourceError(f"{LABEL} {url}: Die Antwort enthält keine Suchergebnisse (csw:SearchResults fehlt).")
    return results, [_record(url, element) for element in results.findall("gmd:MD_Metadata", NS)]


def _record(url: str, element) -> IsoRecord:
    identifier = element.findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=NS)
    stamp = (element.findtext("gmd:dateStamp/gco:DateTime", namespaces=NS)
             or element.findtext("gmd:dateStamp/gco:Date", namespaces=NS))
    if not identifier or not stamp:
        raise SourceError(f"{LABEL} {url}: Ein Datensatz hat keinen fileIdentifier oder kein dateStamp.")
    return IsoRecord(identifier.strip(), stamp.strip(), etree.tostring(element, encoding="unicode"))


def _next_position(url: str, results, position: int) -> int:
    try:
        matched = int(results.get("numberOfRecordsMatched", "0"))
        following = int(results.get("nextRecord", "0"))
    except ValueError:
        raise SourceError(f"{LABEL} {url}: nextRecord oder numberOfRecordsMatched ist keine Zahl.") from None
    if following == 0 or following > matched:
        return 0
    if following <= position:
        raise SourceError(f"{LABEL} {url}: nextRecord ({following}) führt im Kreis; Abbruch.")
    return following
