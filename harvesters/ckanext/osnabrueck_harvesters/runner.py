"""Harvest sources from config/harvest-sources/*.yaml, and harvest jobs run here and now.

``run_now`` runs gather, fetch and import in this process, without the queues (like
ckanext-harvest's tests/lib.py), then lets ``harvest_jobs_run`` finish the job, so the job
and its report appear in the harvest UI as after a queued run. ``make run`` uses it for the
demo; the portal's consumers handle the jobs scheduled later.
"""
from __future__ import annotations

import json
import os
import string
from pathlib import Path

import yaml

import ckan.plugins.toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.logic import HarvestJobExists
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
from ckanext.osnabrueck.logic import site_context


def read_sources(directory: Path, variables: dict) -> list[dict]:
    """The source definitions, with ${name} replaced from ``variables`` (e.g. frost_url)."""
    sources = []
    for path in sorted(directory.glob("*.yaml")):
        text = string.Template(path.read_text(encoding="utf-8")).substitute(variables)
        sources.append(yaml.safe_load(text))
    return sources


def ensure_source(definition: dict) -> dict:
    """Create the harvest source, or update it to the definition; returns the source."""
    data = {**definition, "config": json.dumps(definition.get("config", {}), ensure_ascii=False)}
    try:
        existing = tk.get_action("harvest_source_show")(site_context(), {"id": data["name"]})
    except tk.ObjectNotFound:
        return tk.get_action("harvest_source_create")(site_context(), data)
    source = tk.get_action("harvest_source_update")(site_context(), {**data, "id": existing["id"]})
    _repair(source["id"], data)
    return source


def _repair(source_id: str, data: dict) -> None:
    """package_update skips the plugins' hooks when the dataset did not change, so a source
    object left stale by an earlier failed update would stay stale; set it directly."""
    source = HarvestSource.get(source_id)
    if (source.url, source.config, source.type) != (data["url"], data["config"], data["source_type"]):
        source.url, source.config, source.type = data["url"], data["config"], data["source_type"]
        source.save()


def run_now(source_id: str) -> dict:
    """Run one harvest job of the source synchronously; returns the finished job's dict.

    Raises ``JobRunning`` while another job of the source is still under way."""
    # Jobs whose objects are all done stay "Running" until harvest_jobs_run marks them
    # (the scheduler does so every few minutes; a stopped portal leaves them).
    tk.get_action("harvest_jobs_run")(site_context(), {"source_id": source_id})
    job = _unrun_job(source_id) or _new_job(source_id)
    job.status = "Running"
    job.save()
    harvester = _harvester(job.source.type)
    for object_id in queue.gather_stage(harvester, job) or []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    tk.get_action("harvest_jobs_run")(site_context(), {"source_id": source_id})
    return tk.get_action("harvest_job_show")(site_context(), {"id": job.id})


class JobRunning(Exception):
    """Another job of the source is being gathered or fetched."""


def _new_job(source_id: str) -> HarvestJob:
    try:
        created = tk.get_action("harvest_job_create")(site_context(), {"source_id": source_id, "run": False})
    except HarvestJobExists as error:
        raise JobRunning(tk._("A harvest job of this source has not finished yet.")) from error
    return HarvestJob.get(created["id"])


def _unrun_job(source_id: str) -> HarvestJob | None:
    """A job created but never started (a run interrupted before gathering, or one a
    steward scheduled): it is taken over, as harvest_job_create refuses a second one."""
    return (HarvestJob.filter(source_id=source_id, status="New")
            .order_by(HarvestJob.created.desc()).first())


def _harvester(source_type: str):
    from ckan import plugins
    from ckanext.harvest.interfaces import IHarvester

    for harvester in plugins.PluginImplementations(IHarvester):
        if harvester.info()["name"] == source_type:
            return harvester
    raise tk.ObjectNotFound(f"Kein Harvester für den Typ „{source_type}“ geladen.")


def default_variables() -> dict:
    """The local demo services, as scripts/lib.sh starts them (ports from the environment)."""
    def port(name: str, default: str) -> str:
        return os.environ.get(f"OSN_{name}_PORT", default)

    return {"frost_url": os.environ.get("OSN_FROST_URL", f"http://127.0.0.1:{port('FROST', '8090')}/FROST-Server/v1.1"),
            "mapserver_url": f"http://127.0.0.1:{port('MAPSERVER', '8092')}/ows",
            "csw_url": f"http://127.0.0.1:{port('PYCSW', '8093')}/csw"}
