"""Helpers of the whole-harvest tests: sources, runs without queues, fresh reads."""
import ckan.model as model
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.osnabrueck_harvesters import runner


def harvest_source(name: str, url: str, source_type: str, org: tuple[str, str], config: dict) -> dict:
    """The source (created or updated), with its organisation (name, title) created if missing."""
    if model.Group.get(org[0]) is None:
        factories.Organization(name=org[0], title=org[1])
    return runner.ensure_source({"name": name, "title": name, "url": url, "source_type": source_type,
                                 "owner_org": org[0], "config": config})


def run(source: dict) -> tuple[dict, dict]:
    """One harvest job, synchronously; the finished job and its report."""
    job = runner.run_now(source["id"])
    return job, call_action("harvest_job_report", id=job["id"])


def show(name: str) -> dict:
    return call_action("package_show", context={"use_cache": False}, id=name)


def gather_errors(report: dict) -> str:
    return " ".join(error["message"] for error in report["gather_errors"])
