"""Whole harvests of the real test pycsw (ISO 19139 records written through CSW-T)."""
import dataclasses

import pytest

from ckan.tests.helpers import call_action
from ckanext.osnabrueck.demo import geodata

from ..lib import gather_errors, harvest_source, run, show

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
CONFIG = {"owner_org": "geodaten", "license_id": "dl-by-de/2.0", "contact_email": "geodaten@osnabrueck.de",
          "page_size": 2, "retries": 0, "timeout": 10}
CITY = geodata.RECORDS[:3]


def source(url, config=CONFIG):
    return harvest_source("csw", url, "osnabrueck_csw", ("geodaten", "Fachbereich Geodaten"), config)


def names():
    return sorted(d["name"] for d in call_action("package_search", fq="dataset_type:dataset", rows=100)["results"])


def test_records_become_valid_datasets_then_incremental_then_withdrawn(csw):
    geodata.insert(csw, CITY)
    src = source(csw)
    job, report = run(src)
    assert job["status"] == "Finished" and job["stats"]["added"] == 3, (job, report)
    assert names() == ["bebauungsplaene-der-stadt-osnabrueck", "flaechennutzungsplan-osnabrueck",
                       "strassenbaumkataster"]
    fnp = show("flaechennutzungsplan-osnabrueck")
    assert fnp["license_id"] == "dl-by-de/2.0" and fnp["temporal_start"] == "2001-01-01"
    assert fnp["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/REGI"]

    job, _ = run(src)
    assert job["stats"].get("added", 0) == job["stats"].get("updated", 0) == 0, job["stats"]
    assert show("flaechennutzungsplan-osnabrueck")["metadata_modified"] == fnp["metadata_modified"]

    changed = dataclasses.replace(CITY[1], abstract="Neue Fassung 2026.", date_stamp="2026-11-20T09:00:00")
    geodata.insert(csw, [changed])
    geodata.delete(csw, [CITY[2].identifier])
    job, _ = run(src)
    assert (job["stats"]["updated"], job["stats"]["deleted"]) == (1, 1), job["stats"]
    assert show("flaechennutzungsplan-osnabrueck")["notes"] == "Neue Fassung 2026."
    assert show("strassenbaumkataster")["state"] == "deleted"


def test_a_failing_catalogue_fails_the_job_and_keeps_every_dataset(csw, scripted_server):
    geodata.insert(csw, CITY)
    run(source(csw))
    before = show("strassenbaumkataster")
    scripted_server.answer("&startposition=1&", (200, "<csw:GetRecordsResponse", 0))

    job, report = run(source(scripted_server.url + "/csw"))
    assert "kein gültiges XML" in gather_errors(report) and "Es wurde nichts geändert" in gather_errors(report)
    after = show("strassenbaumkataster")
    assert after["state"] == "active" and after["metadata_modified"] == before["metadata_modified"]


def test_an_emptied_catalogue_withdraws_nothing(csw):
    geodata.insert(csw, CITY)
    src = source(csw)
    run(src)
    geodata.delete_all(csw)
    job, report = run(src)
    assert "keine Datensätze" in gather_errors(report)
    assert show("strassenbaumkataster")["state"] == "active"


def test_a_catalogue_that_is_down_fails_the_job():
    job, report = run(source("http://127.0.0.1:9/csw"))
    assert "nicht erreichbar" in gather_errors(report)


def test_a_job_left_unrun_by_an_interrupted_run_is_taken_over(csw):
    geodata.insert(csw, CITY)
    src = source(csw)
    left = call_action("harvest_job_create", source_id=src["id"], run=False)

    job, _ = run(src)
    assert job["id"] == left["id"] and job["status"] == "Finished" and job["stats"]["added"] == 3, job
    assert [j["status"] for j in call_action("harvest_job_list", source_id=src["id"])] == ["Finished"]
