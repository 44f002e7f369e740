"""Queue a dataset's tables (CSV, XLSX …) for ckanext-xloader when they are new or changed.

xloader itself reacts to ``resource_create`` and to URL changes of ``resource_update``
only. Resources that arrive inside ``package_create``/``package_update`` (the demo
loader, harvesters, API clients sending whole datasets) would never reach the
DataStore, so the dataset hooks hand them over here.

Loads that were cut off are submitted again by the scheduler (``retry_cut_off``): a job lost
with a worker, a Redis flush or a restore leaves its task "pending" for good, and a load
that met the portal or the source down stays "error". xloader_submit itself skips a pending
load whose job is still queued.
"""
from __future__ import annotations

import logging
import re

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import column_types

log = logging.getLogger(__name__)
BUSY = ("submitting", "pending")
# Errors of the moment (network, a service restarting), worth another try; a malformed
# file is not.
TRANSIENT = re.compile(r"Max retries exceeded|Connection refused|Connection aborted|timed out|Temporary failure|"
                       r"Name or service not known|\b50[234]\b")


def needs_loading(resource: dict, task: dict | None) -> bool:
    """Pure: a table resource whose data is missing from, or newer than, the DataStore."""
    if resource.get("url_type") in ("datapusher", "xloader") or not resource.get("url"):
        return False
    if task and task.get("state") in BUSY:
        return False
    if not resource.get("datastore_active") or not task:
        return True
    return (resource.get("last_modified") or "") > (task.get("last_updated") or "")


def _task(resource_id: str) -> dict | None:
    try:
        return tk.get_action("task_status_show")({"ignore_auth": True}, {
            "entity_id": resource_id, "task_type": "xloader", "key": "xloader"})
    except tk.ObjectNotFound:
        return None


def _flag_active(row) -> None:
    row.extras = {**(row.extras or {}), "datastore_active": True}


def restore_active_flags() -> int:
    """Put the flag back on every resource whose table exists but whose flag an earlier
    package_update dropped (``ckan osnabrueck repair-tables``); returns how many."""
    from ckan import model
    from ckan.lib.search import rebuild

    lost = [row for row in column_types.tabled_resources() if not (row.extras or {}).get("datastore_active")]
    for row in lost:
        _flag_active(row)
    model.Session.commit()
    for package_id in {row.package_id for row in lost}:
        rebuild(package_id)
    return len(lost)


def _keep_active_flag(resource: dict) -> None:
    """package_update drops the resources' datastore_active flag (resource_update keeps it):
    a table loaded before would look missing, and xloader skips the reload of an unchanged
    file without setting the flag again. Put it back while the dataset is being saved."""
    from ckanext.datastore.backend.postgres import DatastorePostgresqlBackend
    from ckan import model

    if resource.get("datastore_active") or not DatastorePostgresqlBackend.get_active_backend().resource_exists(
            resource["id"]):
        return
    _flag_active(model.Resource.get(resource["id"]))
    model.Session.flush()  # package_update reads the rows with SQL for the search index
    resource["datastore_active"] = True


def queue(pkg_dict: dict) -> None:
    if not p.plugin_loaded("xloader"):
        return
    from ckanext.xloader.utils import XLoaderFormats

    if not any(XLoaderFormats.is_it_an_xloader_format(r.get("format")) for r in pkg_dict.get("resources") or []):
        return
    # The saved dataset: resources sent with package_create have no ids in pkg_dict yet.
    saved = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False}, {"id": pkg_dict["id"]})
    for resource in saved.get("resources") or []:
        if not XLoaderFormats.is_it_an_xloader_format(resource.get("format")):
            continue
        _keep_active_flag(resource)
        if needs_loading(resource, _task(resource["id"])):
            try:
                tk.get_action("xloader_submit")({"ignore_auth": True}, {"resource_id": resource["id"]})
            except tk.ValidationError as error:  # e.g. no API token: the dataset is saved all the same
                log.warning("could not queue %s for the DataStore: %s", resource["id"], error)


def is_cut_off(task: dict) -> bool:
    """Pure: a load that never finished, or failed on an error of the moment."""
    if task.get("state") in BUSY:
        return True
    return task.get("state") == "error" and TRANSIENT.search(task.get("error") or "") is not None


def retry_cut_off() -> int:
    """Submit the cut-off loads again (a scheduled task); returns how many were submitted."""
    if not p.plugin_loaded("xloader"):
        return 0
    from ckan import model

    rows = model.Session.query(model.TaskStatus).filter(
        model.TaskStatus.task_type == "xloader", model.TaskStatus.state.in_(BUSY + ("error",))).all()
    submitted = 0
    for row in rows:
        resource = model.Resource.get(row.entity_id)
        if resource is None or resource.state != "active" or not is_cut_off(
                {"state": row.state, "error": row.error}):
            continue
        try:
            submitted += bool(tk.get_action("xloader_submit")({"ignore_auth": True}, {"resource_id": resource.id}))
        except tk.ValidationError as error:
            log.warning("could not submit %s to the DataStore again: %s", resource.id, error)
    return submitted
