"""Whole harvests of the real MapServer (WMS 1.3.0 + WFS 2.0), without queues."""
import json
from pathlib import Path

import pytest
import requests

from ..lib import gather_errors, harvest_source, run, show

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
CONFIG = {"owner_org": "geodaten", "license_id": "dl-by-de/2.0", "contact_email": "geodaten@osnabrueck.de",
          "retries": 0, "timeout": 10, "themes": ["REGI"], "layers": {"baustellen": {"themes": ["TRAN"]}}}
WMS_CAPABILITIES = "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"
WFS_CAPABILITIES = "/ows?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities"
RECORDED = Path(__file__).parent / "data"


def source(url, config=CONFIG):
    return harvest_source("gis", url, "osnabrueck_ogc", ("geodaten", "Fachbereich Geodaten"), config)


def test_layers_become_datasets_with_working_wms_wfs_and_geojson(mapserver):
    job, _ = run(source(mapserver))
    assert job["status"] == "Finished" and job["stats"]["added"] == 3, job

    baustellen = show("baustellen")
    wms, wfs, geo = baustellen["resources"]
    assert (wms["format"], wfs["format"], geo["format"]) == ("WMS_SRVC", "WFS_SRVC", "GEOJSON")
    features = requests.get(geo["url"], timeout=30).json()["features"]
    assert len(features) > 5 and features[0]["geometry"]["type"] == "Point"
    assert b"<WMS_Capabilities" in requests.get(wms["url"], timeout=30).content
    getmap = requests.get(mapserver, timeout=30, params={
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "baustellen", "STYLES": "",
        "CRS": "EPSG:4326", "BBOX": "52.2,7.9,52.35,8.2", "WIDTH": 200, "HEIGHT": 200, "FORMAT": "image/png"})
    assert getmap.headers["Content-Type"] == "image/png"


def test_rerun_is_incremental_and_dropped_layers_are_withdrawn(mapserver):
    src = source(mapserver)
    run(src)
    before = show("stadtteile")

    job, _ = run(src)
    assert job["stats"].get("added", 0) == job["stats"].get("updated", 0) == 0, job["stats"]
    assert show("stadtteile")["metadata_modified"] == before["metadata_modified"]

    run(source(mapserver, {**CONFIG, "exclude": ["spielplaetze"]}))
    assert show("spielplaetze")["state"] == "deleted"
    assert show("stadtteile")["state"] == "active"


@pytest.mark.parametrize("answer, message", [
    ((503, "overloaded", 0), "HTTP-Fehler 503"),
    ((200, "<WMS_Capabilities version=", 0), "kein gültiges XML"),
    ((200, "<ServiceExceptionReport><ServiceException>msLoadMap(): Kann Mapfile nicht laden"
           "</ServiceException></ServiceExceptionReport>", 0), "Der Dienst meldet einen Fehler"),
    ((200, "x", 3), "Zeitüberschreitung"),
])
def test_a_failing_service_fails_the_job_and_keeps_every_dataset(mapserver, scripted_server, answer, message):
    run(source(mapserver))
    before = show("baustellen")
    scripted_server.answer(WMS_CAPABILITIES, answer)
    scripted_server.answer(WFS_CAPABILITIES, (200, (RECORDED / "wfs-2.0.0-capabilities.xml").read_text(), 0))

    job, report = run(source(scripted_server.url + "/ows", {**CONFIG, "timeout": 1}))
    assert message in gather_errors(report) and "Es wurde nichts geändert" in gather_errors(report), report
    after = show("baustellen")
    assert after["state"] == "active" and after["metadata_modified"] == before["metadata_modified"]
    assert len(after["resources"]) == 3


def test_a_service_that_is_down_fails_the_job():
    job, report = run(source("http://127.0.0.1:9/ows"))
    assert "nicht erreichbar" in gather_errors(report)


def test_one_bad_layer_is_an_object_error_and_the_others_are_harvested(mapserver):
    config = {**CONFIG, "layers": {"baustellen": {"themes": ["KEIN-THEMA"]}}}
    job, report = run(source(mapserver, config))
    assert job["stats"]["added"] == 2 and job["stats"]["errored"] == 1, job["stats"]
    errors = [e["message"] for o in report["object_errors"].values() for e in o["errors"]]
    assert any("baustellen" in error and "theme" in error for error in errors), errors


def test_layer_metadata_validates_as_the_portals_own(mapserver):
    run(source(mapserver))
    dataset = show("stadtteile")
    assert dataset["title"] == "Stadtteile" and "23 Stadtteile" in dataset["notes"]
    assert json.loads(dataset["spatial"])["type"] == "Polygon"
    assert dataset["contributor_id"] and dataset["political_geocoding_uri"]
