"""What ``dataset_purge`` leaves behind in CKAN 2.12: the DataStore tables of the dataset's
resources and the uploaded files in the file store. A purged dataset is gone for good, so
are they (a table of a purged private dataset stayed readable by sysadmins' SQL and filled
the disk; tests/security/test_purge.py)."""
from __future__ import annotations

import logging
import os

import ckan.lib.uploader as uploader
import ckan.model as ckan_model
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from .logic import site_context

log = logging.getLogger(__name__)


def resources_of(package_id: str) -> list[dict]:
    """Every resource of the dataset, deleted ones included (their files stay as well)."""
    rows = ckan_model.Session.query(ckan_model.Resource).filter(ckan_model.Resource.package_id == package_id)
    return [{"id": r.id, "url": r.url, "url_type": r.url_type} for r in rows]


def drop_tables(resources: list[dict]) -> None:
    """Before the purge: datastore_delete needs the resource to exist."""
    if not p.plugin_loaded("datastore"):
        return
    for resource in resources:
        try:
            tk.get_action("datastore_delete")(site_context(), {"resource_id": resource["id"], "force": True})
        except tk.ObjectNotFound:
            pass  # no table


def remove_files(resources: list[dict]) -> None:
    """After the purge: the uploaded files and their (then empty) folders."""
    for resource in resources:
        if resource["url_type"] != "upload":
            continue
        path = uploader.get_resource_uploader(resource).get_path(resource["id"])
        try:
            os.remove(path)
            os.removedirs(os.path.dirname(path))
        except FileNotFoundError:
            pass
        except OSError:
            pass  # a folder still holds other resources' files
