"""``GET /health``: is every part the portal needs answering? For load balancers, compose
healthchecks and monitoring. 200 when all required parts answer, 503 naming the failing
ones. Stuck harvest jobs and datasets whose RDF could not be written are reported but do
not fail the check: the portal still serves.
"""
from __future__ import annotations

import datetime
import time
from typing import Callable

import redis
import sqlalchemy as sa
from flask import Blueprint, jsonify, request

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.search.common import make_connection

health = Blueprint("osnabrueck_health", __name__)


def _timeout() -> float:
    return tk.config.get("ckanext.osnabrueck.health_timeout")


def _check_engine(engine: sa.engine.Engine) -> None:
    # A connection of its own: a failure must not spoil the request's scoped session.
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _check_database() -> None:
    _check_engine(model.meta.engine)


def _check_solr() -> None:
    connection = make_connection()
    # solr_timeout (often 60 s) is meant for indexing; a health check must answer fast.
    connection.timeout = _timeout()
    connection.ping()


def _check_redis() -> None:
    url = tk.config.get("ckan.redis.url")
    client = redis.Redis.from_url(url, socket_timeout=_timeout(), socket_connect_timeout=_timeout())
    try:
        client.ping()
    finally:
        client.close()


def _check_datastore() -> None:
    from ckanext.datastore.backend.postgres import get_read_engine

    _check_engine(get_read_engine())


def osnabrueck_health_checks() -> dict[str, Callable[[], None]]:
    """The parts to check: a callable each that raises when its part fails."""
    checks = {"database": _check_database, "solr": _check_solr, "redis": _check_redis}
    if p.plugin_loaded("datastore"):
        checks["datastore"] = _check_datastore
    return checks


def run_check(check: Callable[[], None]) -> dict:
    """The outcome of one check. Only the exception's type is shown: its message may
    name hosts, users or paths, and the endpoint is public."""
    started = time.monotonic()
    try:
        check()
    except Exception as error:  # noqa: BLE001 - any failure of the part is its outage
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def stuck_harvest_jobs(now: datetime.datetime | None = None) -> list[dict]:
    """Running harvest jobs without progress for longer than ckan.harvest.timeout minutes
    (the scheduler's harvest_jobs_run will mark them finished and mail the stewards)."""
    timeout = tk.asint(tk.config.get("ckan.harvest.timeout") or 0)
    if not timeout or not p.plugin_loaded("harvest"):
        return []
    from ckanext.harvest.model import HarvestJob

    now = now or datetime.datetime.utcnow()
    limit = datetime.timedelta(minutes=timeout)
    stuck = []
    for job in model.Session.query(HarvestJob).filter(HarvestJob.status == "Running"):
        idle = now - job.get_last_action_time()
        if idle > limit:
            stuck.append({"job_id": job.id, "source_id": job.source_id,
                          "idle_minutes": int(idle.total_seconds() // 60)})
    return stuck


def rdf_problems() -> dict:
    """Public datasets whose RDF recently needed repair (invalid IRIs percent-encoded) or
    was left out of the catalogue. Reported, not failing: the catalogue still serves."""
    from . import rdf

    try:
        problems = rdf.recent_problems()
    except Exception as error:  # noqa: BLE001 - a report of its own must not fail the check
        return {"error": type(error).__name__}
    return {"failed": [p for p in problems if p["problem"] == rdf.FAILED],
            "repaired": [p for p in problems if p["problem"] == rdf.REPAIRED],
            "window_hours": rdf.PROBLEM_SECONDS // 3600}


def report() -> tuple[dict, int]:
    checks = {name: run_check(check) for name, check in osnabrueck_health_checks().items()}
    failing = sorted(name for name, outcome in checks.items() if not outcome["ok"])
    body = {"status": "unavailable" if failing else "ok", "failing": failing, "checks": checks}
    if "database" not in failing:
        body["harvest"] = {"stuck_jobs": stuck_harvest_jobs(),
                           "timeout_minutes": tk.asint(tk.config.get("ckan.harvest.timeout") or 0)}
    if "redis" not in failing:
        body["rdf"] = rdf_problems()
    return body, 503 if failing else 200


@health.route("/health", methods=["GET", "HEAD"])
def health_view():
    # A cached answer would hide an outage from the load balancer.
    request.environ["__no_cache__"] = True
    body, status = report()
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
