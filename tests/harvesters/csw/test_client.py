"""Paging through a CSW with GetRecords, and every way a catalogue can fail."""
import pytest
import requests

from ckanext.osnabrueck.demo import geodata
from ckanext.osnabrueck_harvesters.csw import client
from ckanext.osnabrueck_harvesters.http import Limits, SourceError

FAST = Limits(timeout=2, retries=1, backoff=0)
RECORDS = [geodata.iso_record(r) for r in geodata.RECORDS]


def page(records, matched, next_record):
    return (f'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults '
            f'numberOfRecordsMatched="{matched}" numberOfRecordsReturned="{len(records)}" nextRecord="{next_record}">'
            f'{"".join(records)}</csw:SearchResults></csw:GetRecordsResponse>')


def read(server, limits=FAST, page_size=2):
    return [r.identifier for r in client.iter_records(requests.Session(), server.url + "/csw", limits, page_size)]


def route(position):
    return f"&startposition={position}&"


def test_pages_are_followed_by_next_record(scripted_server):
    scripted_server.answer(route(1), (200, page(RECORDS[:2], 3, 3), 0))
    scripted_server.answer(route(3), (200, page(RECORDS[2:3], 3, 0), 0))
    assert read(scripted_server) == [r.identifier for r in geodata.RECORDS[:3]]


def test_a_next_record_that_goes_back_is_a_loop(scripted_server):
    scripted_server.answer(route(1), (200, page(RECORDS[:2], 9, 3), 0))
    scripted_server.answer(route(3), (200, page(RECORDS[2:4], 9, 1), 0))
    with pytest.raises(SourceError, match="führt im Kreis"):
        read(scripted_server)


@pytest.mark.parametrize("answer, message", [
    ((200, page(RECORDS[:2], 9, 3)[:-60], 0), "kein gültiges XML"),
    ((200, '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows"><ows:Exception><ows:ExceptionText>'
           'Datenbank nicht erreichbar</ows:ExceptionText></ows:Exception></ows:ExceptionReport>', 0),
     "Der Katalog meldet einen Fehler: Datenbank nicht erreichbar"),
    ((200, "<html>Wartung</html>", 0), "keine Suchergebnisse"),
    ((502, "bad gateway", 0), "HTTP-Fehler 502, auch nach 1 Wiederholungen"),
    ((200, page(RECORDS[:1], 1, 0), 3), "Zeitüberschreitung"),
])
def test_an_unreadable_page_is_a_source_error(scripted_server, answer, message):
    scripted_server.answer(route(1), answer)
    with pytest.raises(SourceError, match=message):
        read(scripted_server)


def test_limits_stop_a_catalogue_that_never_ends(scripted_server):
    scripted_server.answer(route(1), (200, page(RECORDS[:2], 99, 3), 0))
    scripted_server.answer(route(3), (200, page(RECORDS[2:4], 99, 5), 0))
    with pytest.raises(SourceError, match="max_objects"):
        read(scripted_server, Limits(timeout=2, retries=0, max_objects=3))
    with pytest.raises(SourceError, match="max_pages"):
        read(scripted_server, Limits(timeout=2, retries=0, max_pages=1))


def test_the_real_pycsw_pages_through_all_records(csw):
    geodata.insert(csw, geodata.RECORDS)
    found = list(client.iter_records(requests.Session(), csw, FAST, 2))
    assert sorted(r.identifier for r in found) == sorted(r.identifier for r in geodata.RECORDS)
    assert all(r.xml.startswith("<gmd:MD_Metadata") and r.date_stamp.startswith("2026-") for r in found)
