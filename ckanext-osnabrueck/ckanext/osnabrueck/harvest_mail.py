"""Status mails for the harvest failures ckanext-harvest keeps quiet about.

ckanext-harvest (1.6) mails the stewards when harvest *objects* fail. It sends nothing when
a job fails as a whole: a source that is down or answers garbage (gather errors, no
objects) or a job stuck for longer than ``ckan.harvest.timeout``, which
``harvest_jobs_run`` merely marks finished. Those are the failures a steward most needs to
hear of, so ``harvest_jobs_run`` (chained in logic/action.py) mails them too.
"""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk


def running_job_ids(source_id: str | None) -> list[str]:
    from ckanext.harvest.model import HarvestJob

    query = model.Session.query(HarvestJob.id).filter(HarvestJob.status == "Running")
    if source_id:
        query = query.filter(HarvestJob.source_id == source_id)
    return [job_id for (job_id,) in query]


def mails_enabled() -> bool:
    return (tk.asbool(tk.config.get("ckan.harvest.status_mail.errored"))
            or tk.asbool(tk.config.get("ckan.harvest.status_mail.all")))


def needs_mail(job_id: str, status: str, gather_errors: list[str], errored_objects: int) -> bool:
    """Whether a job that just finished failed without ckanext-harvest mailing about it."""
    if status != "Finished":
        return False
    # ckanext-harvest's own wording when it gives up on a stuck job.
    timed_out = any(message.startswith(f"Job {job_id} timeout") for message in gather_errors)
    return timed_out or (bool(gather_errors) and errored_objects == 0)


def notify(context: dict, job_ids: list[str]) -> list[str]:
    """Mail the stewards of every job in ``job_ids`` that needs it; the ids mailed."""
    if not mails_enabled():
        return []
    from ckanext.harvest.logic.action.update import send_error_email

    mailed = []
    for job_id in job_ids:
        job = tk.get_action("harvest_job_show")(context.copy(), {"id": job_id})
        report = tk.get_action("harvest_job_report")(context.copy(), {"id": job_id})
        messages = [error["message"] for error in report["gather_errors"]]
        if needs_mail(job_id, job["status"], messages, job["stats"].get("errored", 0)):
            status = tk.get_action("harvest_source_show_status")(context.copy(), {"id": job["source_id"]})
            send_error_email(context.copy(), job["source_id"], status)
            mailed.append(job_id)
    return mailed
