"""Whole harvests of the real test FROST-Server, without queues (runner.run_now)."""
import datetime as dt
import json

import pytest
import requests

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestSource
from ckanext.osnabrueck.demo import sensors

from ..lib import run, show
from .. import lib

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.timezone.utc)
CONFIG = {"owner_org": "swo-netz", "ungrouped": "skip", "retries": 0, "timeout": 5, "themes": ["ENVI"],
          "contact_email": "iot@swo-netz.de", "groups": [
    {"name": "belegtstatus-behindertenparkplaetze", "title": "Belegtstatus Behindertenparkplätze",
     "observed_property": "Belegtstatus"},
    {"name": "grundwasser-iot", "title": "Grundwasser", "thing_name": "GWM*"}]}


def harvest_source(url, config=CONFIG):
    return lib.harvest_source("iot", url, "osnabrueck_sensorthings", ("swo-netz", "SWO Netz GmbH"), config)


def post(frost, things):
    for thing in things:
        requests.post(f"{frost}/Things", json=thing, timeout=30).raise_for_status()


def test_a_full_harvest_then_unchanged_then_changed_then_withdrawn(frost):
    post(frost, sensors.parking(NOW)[:3] + sensors.groundwater(NOW)[:2])
    source = harvest_source(frost)

    job, _ = run(source)
    assert job["status"] == "Finished" and job["stats"]["added"] == 2, job
    parking = show("belegtstatus-behindertenparkplaetze")
    assert json.loads(parking["spatial"])["type"] == "MultiPoint"
    assert len(json.loads(parking["spatial"])["coordinates"]) == 3
    assert [r["format"] for r in parking["resources"]] == ["JSON", "CSV", "GEOJSON"]
    csv = requests.get(parking["resources"][1]["url"], timeout=30)
    assert csv.status_code == 200 and csv.text.count("\n") > 3 * 30  # observations of three days
    assert parking["iot_service_url"] == frost

    job, _ = run(source)
    assert job["stats"].get("added", 0) == job["stats"].get("updated", 0) == 0, job["stats"]
    assert show("belegtstatus-behindertenparkplaetze")["metadata_modified"] == parking["metadata_modified"]

    post(frost, sensors.parking(NOW)[3:4])
    job, _ = run(source)
    assert job["stats"]["updated"] == 1, job["stats"]
    assert len(json.loads(show("belegtstatus-behindertenparkplaetze")["spatial"])["coordinates"]) == 4

    for thing in requests.get(f"{frost}/Things?$filter=startswith(name,'GWM')", timeout=30).json()["value"]:
        requests.delete(thing["@iot.selfLink"], timeout=30).raise_for_status()
    job, _ = run(source)
    assert job["stats"]["deleted"] == 1, job["stats"]
    assert show("grundwasser-iot")["state"] == "deleted"
    assert "grundwasser-iot" not in [d["name"] for d in call_action("package_search")["results"]]


@pytest.mark.parametrize("answer, message", [
    ((500, "boom", 0), "HTTP-Fehler 500"),
    ((200, '{"value": [', 0), "kein gültiges JSON"),
    ((200, {"value": []}, 0), "keine Things"),
])
def test_a_failing_source_fails_the_job_and_keeps_every_dataset(frost, scripted_server, answer, message):
    post(frost, sensors.parking(NOW)[:2])
    source = harvest_source(frost)
    run(source)
    before = show("belegtstatus-behindertenparkplaetze")

    scripted_server.answer("/v1.1/Things?$top=100&$orderby=id&$expand=Datastreams($expand=ObservedProperty,Sensor),"
                           "Locations", answer)
    _point_source_at(source, scripted_server.url + "/v1.1")
    job, report = run(source)
    assert [error["message"] for error in report["gather_errors"]][0].count(message) == 1, report
    assert job["stats"].get("deleted", 0) == 0
    after = show("belegtstatus-behindertenparkplaetze")
    assert after["state"] == "active" and after["metadata_modified"] == before["metadata_modified"]


def test_a_source_that_is_down_fails_the_job(frost):
    source = harvest_source("http://127.0.0.1:9/v1.1")
    job, report = run(source)
    assert "nicht erreichbar" in report["gather_errors"][0]["message"]
    assert "Es wurde nichts geändert" in report["gather_errors"][0]["message"]


def test_one_bad_dataset_does_not_stop_the_others(frost):
    post(frost, sensors.parking(NOW)[:1] + sensors.groundwater(NOW)[:1])
    org = factories.Organization(name="swo-netz", title="SWO Netz GmbH")
    factories.Dataset(name="grundwasser-iot", owner_org=org["id"], contact_email="a@b.de",  # taken by hand
                      theme=["http://publications.europa.eu/resource/authority/data-theme/ENVI"])
    job, report = run(harvest_source(frost))
    assert job["stats"]["added"] == 1 and job["stats"]["errored"] == 1, job["stats"]
    errors = [error for obj in report["object_errors"].values() for error in obj["errors"]]
    assert "„grundwasser-iot“ ist schon an einen anderen Datensatz vergeben" in errors[0]["message"]


def test_a_bad_configuration_is_refused_when_the_source_is_saved(frost):
    with pytest.raises(tk.ValidationError, match="genau eines von"):
        harvest_source(frost, {"groups": [{"name": "ab", "title": "T"}]})


def _point_source_at(source, url):
    harvest = HarvestSource.get(source["id"])
    harvest.url = url
    harvest.save()
