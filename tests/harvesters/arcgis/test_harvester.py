"""Whole harvests of recorded ArcGIS REST responses replayed on loopback, without queues."""
import json

import pytest

from ..lib import gather_errors, harvest_source, run, show
from .replay import ROOT, recorded, replay

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
CONFIG = {"owner_org": "geodaten", "license_id": "dl-by-de/2.0", "contact_email": "geodaten@osnabrueck.de",
          "themes": ["REGI"], "exclude": ["*/intern_*"], "retries": 0, "timeout": 2}


def source(url, config=CONFIG):
    return harvest_source("arcgis", url, "osnabrueck_arcgis", ("geodaten", "Fachbereich Geodaten"), config)


def test_walks_folders_then_incremental_then_withdraws_a_vanished_service(scripted_server):
    src = source(replay(scripted_server))
    job, report = run(src)
    assert job["status"] == "Finished" and job["stats"]["added"] == 3, (job, report)
    baustellen = show("wfs-verkehr-baustellen")
    assert [r["format"] for r in baustellen["resources"]] == ["WMS_SRVC", "WFS_SRVC", "REST", "GEOJSON"]
    assert json.loads(baustellen["spatial"])["type"] == "Polygon"
    assert scripted_server.hits.get(f"{ROOT}/Umwelt/intern_kataster/MapServer?f=json") is None  # excluded

    job, _ = run(src)
    assert job["stats"].get("added", 0) == job["stats"].get("updated", 0) == 0, job["stats"]

    data = recorded()
    data["/Umwelt"] = {**data["/Umwelt"], "services": []}
    data["/WFS/wfs_verkehr/MapServer/0"] = {**data["/WFS/wfs_verkehr/MapServer/0"], "name": "Baustellen (neu)"}
    scripted_server.routes.clear()
    replay(scripted_server, data)
    job, _ = run(src)
    assert (job["stats"]["updated"], job["stats"]["deleted"]) == (1, 1), job["stats"]
    assert show("wfs-verkehr-baustellen-neu")["state"] == "active"  # the dataset follows the renamed layer
    assert show("baeume-strassenbaeume")["state"] == "deleted"


@pytest.mark.parametrize("path, answer, message", [
    ("/WFS/wfs_verkehr/MapServer/1", (404, "not found", 0), "HTTP-Fehler 404"),
    ("/WFS/wfs_verkehr/MapServer", (200, '{"error": {"code": 498, "message": "Invalid token."}}', 0),
     "Der Server meldet Fehler 498: Invalid token."),
    ("/WFS", (200, '{"folders": [], "services": [', 0), "kein gültiges JSON"),
    ("", (503, "maintenance", 0), "HTTP-Fehler 503"),
])
def test_a_failing_server_fails_the_job_and_keeps_every_dataset(scripted_server, path, answer, message):
    src = source(replay(scripted_server))
    run(src)
    before = show("wfs-verkehr-baustellen")
    scripted_server.answer(f"{ROOT}{path}?f=json", answer)

    job, report = run(src)
    assert message in gather_errors(report) and "Es wurde nichts geändert" in gather_errors(report), report
    after = show("wfs-verkehr-baustellen")
    assert after["state"] == "active" and after["metadata_modified"] == before["metadata_modified"]


def test_the_page_limit_stops_a_walk_that_grows_too_long(scripted_server):
    data = recorded()
    data["/WFS"] = {"folders": ["Umwelt", "WFS"], "services": []}
    job, report = run(source(replay(scripted_server, data), {**CONFIG, "max_pages": 4}))
    assert "max_pages" in gather_errors(report)
