"""Reading a SensorThings API over real HTTP: retries, limits and every way a source fails."""
import pytest
import requests

from ckanext.osnabrueck_harvesters.sensorthings.client import Limits, SourceError, get_json, iter_collection

FAST = Limits(timeout=0.5, retries=2, backoff=0.01, max_pages=5, max_objects=50)


def read(url, limits=FAST):
    with requests.Session() as session:
        return list(iter_collection(session, url, limits))


def page(server, path, values, next_path=None):
    body = {"value": values}
    if next_path:
        body["@iot.nextLink"] = server.url + next_path
    server.answer(path, (200, body, 0))


def test_pages_are_followed_until_there_is_no_next_link(scripted_server):
    page(scripted_server, "/Things", [{"@iot.id": 1}, {"@iot.id": 2}], "/Things?$skip=2")
    page(scripted_server, "/Things?$skip=2", [{"@iot.id": 3}])
    assert [thing["@iot.id"] for thing in read(scripted_server.url + "/Things")] == [1, 2, 3]


def test_5xx_is_retried_with_backoff(scripted_server):
    scripted_server.answer("/Things", (503, "busy", 0), (502, "busy", 0), (200, {"value": [{"@iot.id": 1}]}, 0))
    sleeps = []
    with requests.Session() as session:
        assert get_json(session, scripted_server.url + "/Things", FAST, sleeps.append) == {"value": [{"@iot.id": 1}]}
    assert sleeps == [0.01, 0.02]


def test_lasting_5xx_fails_in_german(scripted_server):
    scripted_server.answer("/Things", (500, "boom", 0))
    with pytest.raises(SourceError, match="HTTP-Fehler 500, auch nach 2 Wiederholungen"):
        read(scripted_server.url + "/Things")
    assert scripted_server.hits["/Things"] == 3


def test_a_source_that_is_down_fails():
    with pytest.raises(SourceError, match="nicht erreichbar"):
        read("http://127.0.0.1:9/v1.1/Things")


def test_a_slow_source_times_out(scripted_server):
    scripted_server.answer("/Things", (200, {"value": []}, 1.0))
    with pytest.raises(SourceError, match="Zeitüberschreitung nach 0.5 s"):
        read(scripted_server.url + "/Things", Limits(timeout=0.5, retries=0))


def test_malformed_json_fails(scripted_server):
    scripted_server.answer("/Things", (200, '{"value": [{"@iot.id": 1}', 0))
    with pytest.raises(SourceError, match="kein gültiges JSON"):
        read(scripted_server.url + "/Things")


def test_a_page_that_breaks_off_fails_the_whole_read(scripted_server):
    page(scripted_server, "/Things", [{"@iot.id": 1}], "/Things?$skip=1")
    scripted_server.answer("/Things?$skip=1", (200, '{"value": [{"@iot.id": 2}, {"@iot', 0))
    with pytest.raises(SourceError, match="kein gültiges JSON"):
        read(scripted_server.url + "/Things")


def test_an_answer_without_value_list_fails(scripted_server):
    scripted_server.answer("/Things", (200, {"error": "x"}, 0))
    with pytest.raises(SourceError, match='"value" fehlt'):
        read(scripted_server.url + "/Things")


def test_a_next_link_loop_is_stopped(scripted_server):
    page(scripted_server, "/Things", [{"@iot.id": 1}], "/Things")
    with pytest.raises(SourceError, match="im Kreis"):
        read(scripted_server.url + "/Things")


def test_page_and_object_limits_stop_endless_sources(scripted_server):
    for number in range(10):
        page(scripted_server, f"/Things?p={number}", [{"@iot.id": number}], f"/Things?p={number + 1}")
    with pytest.raises(SourceError, match="mehr als 5 Seiten"):
        read(scripted_server.url + "/Things?p=0")
    page(scripted_server, "/Many", [{"@iot.id": n} for n in range(60)])
    with pytest.raises(SourceError, match="mehr als 50 Objekte"):
        read(scripted_server.url + "/Many")


def test_a_next_link_to_another_server_is_refused(scripted_server):
    scripted_server.answer("/Things", (200, {"value": [], "@iot.nextLink": "http://example.org/Things"}, 0))
    with pytest.raises(SourceError, match="anderen Server"):
        read(scripted_server.url + "/Things")
