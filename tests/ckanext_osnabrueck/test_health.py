"""GET /health: 200 when the database, Solr, Redis and the DataStore answer, 503 naming
the failing part (real unreachable services: closed loopback ports), and stuck harvest jobs."""
import datetime

import pytest
import sqlalchemy as sa

from ckan import model
from ckanext.harvest.model import HarvestJob
from ckanext.osnabrueck import health

from harvesters.lib import harvest_source
from harvesters.ogc.test_harvester import CONFIG as OGC_CONFIG

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

CLOSED = "127.0.0.1:9"  # discard port: nothing listens on loopback


def test_all_parts_answer(app):
    response = app.get("/health", status=200)
    body = response.json
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "solr", "redis", "datastore"}
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())
    cache_control = response.headers["Cache-Control"]
    assert "no-store" in cache_control and "public" not in cache_control


@pytest.mark.ckan_config("solr_url", f"http://{CLOSED}/solr/ckan")
def test_solr_down_is_named_without_its_address(app):
    body = app.get("/health", status=503).json
    assert body["status"] == "unavailable" and body["failing"] == ["solr"]
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert CLOSED not in str(body) and "9/solr" not in str(body)


@pytest.mark.ckan_config("ckan.redis.url", f"redis://{CLOSED}/1")
def test_redis_down(app):
    body = app.get("/health", status=503).json
    assert body["failing"] == ["redis"]


def test_database_down(app, monkeypatch):
    # A real engine on a closed port: connecting fails the way it does when PostgreSQL is gone.
    monkeypatch.setattr(model.meta, "engine", sa.create_engine(f"postgresql://ckan@{CLOSED}/ckan"))
    body = app.get("/health", status=503).json
    assert body["failing"] == ["database"] and "harvest" not in body


def test_a_slow_part_fails_within_the_timeout():
    def slow():
        raise TimeoutError("read timed out")
    assert health.run_check(slow) == {"ok": False, "error": "TimeoutError"}


@pytest.mark.ckan_config("ckan.harvest.timeout", "60")
def test_stuck_harvest_jobs_are_listed(app):
    source = harvest_source("stuck-source", "http://127.0.0.1:9/ows", "osnabrueck_ogc", ("geodaten", "Geodaten"), OGC_CONFIG)
    stuck = HarvestJob(source_id=source["id"], status="Running",
                       created=datetime.datetime.utcnow() - datetime.timedelta(hours=3))
    stuck.save()
    busy = HarvestJob(source_id=source["id"], status="Running", created=datetime.datetime.utcnow())
    busy.save()

    harvest = app.get("/health", status=200).json["harvest"]
    assert harvest["timeout_minutes"] == 60
    assert [job["job_id"] for job in harvest["stuck_jobs"]] == [stuck.id]
    assert harvest["stuck_jobs"][0]["idle_minutes"] >= 179
