"""Queue a dataset's tables (CSV, XLSX …) for ckanext-xloader when they are new or changed.

xloader itself reacts to ``resource_create`` and to URL changes of ``resource_update``
only. Resources that arrive inside ``package_create``/``package_update`` (the demo
loader, harvesters, API clients sending whole datasets) would never reach the
DataStore, so the dataset hooks hand them over here.
"""
from __future__ import annotations

import logging

import ckan.plugins as p
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)
BUSY = ("submitting", "pending")


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
        if needs_loading(resource, _task(resource["id"])):
            try:
                tk.get_action("xloader_submit")({"ignore_auth": True}, {"resource_id": resource["id"]})
            except tk.ValidationError as error:  # e.g. no API token: the dataset is saved all the same
                log.warning("could not queue %s for the DataStore: %s", resource["id"], error)
