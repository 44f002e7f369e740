"""Authorisation of the osnabrueck actions: whoever may see a dataset may see its score.
Harvest objects (the harvested records) only for who may see their source and dataset."""
import ckan.model as ckan_model
import ckan.plugins.toolkit as tk

from . import may, osnabrueck_registry

__all__ = ["osnabrueck_quality_show", "osnabrueck_organization_quality", "harvest_object_show",
           "harvest_object_list", "task_status_show", "harvest_source_patch", "harvest_job_abort"]


def _allowed_if(action: str, context, data_dict) -> dict:
    try:
        tk.check_access(action, context, data_dict)
    except tk.NotAuthorized:
        return {"success": False}
    return {"success": True}


@tk.auth_allow_anonymous_access
def osnabrueck_quality_show(context, data_dict):
    return _allowed_if("package_show", context, data_dict)


@tk.auth_allow_anonymous_access
def osnabrueck_organization_quality(context, data_dict):
    return _allowed_if("organization_show", context, data_dict)


def _harvest_object(data_dict):
    from ckanext.harvest.model import HarvestObject

    if data_dict.get("id"):
        return HarvestObject.get(data_dict["id"], attr=data_dict.get("attr"))
    pkg = ckan_model.Package.get(data_dict.get("dataset_id") or "")
    if pkg is None:
        return None
    return ckan_model.Session.query(HarvestObject).filter(
        HarvestObject.package_id == pkg.id, HarvestObject.current.is_(True)).first()


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_show(next_auth, context, data_dict):
    """ckanext-harvest shows every harvested record to everybody, a private source's too."""
    obj = _harvest_object(data_dict)
    if obj is not None:
        denied = {"success": False, "msg": tk._("Not authorized to see this harvest object")}
        if not may("harvest_source_show", context, {"id": obj.harvest_source_id}):
            return denied
        if (obj.package_id and ckan_model.Package.get(obj.package_id) is not None
                and not may("package_show", context, {"id": obj.package_id})):
            return denied
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_object_list(next_auth, context, data_dict):
    """ckanext-harvest lists any source's objects to any user; here its editors only."""
    source_id = data_dict.get("source_id")
    if not source_id or not may("harvest_source_update", context, {"id": source_id}):
        return {"success": False, "msg": tk._("Not authorized to list the objects of this harvest source")}
    return next_auth(context, data_dict)


# What may change a task status's entity may see it (as ckanext-xloader's xloader_status).
TASK_ENTITIES = {"resource": "resource_update", "package": "package_update"}


@tk.chained_auth_function
def task_status_show(next_auth, context, data_dict):
    """CKAN shows every task status (the DataStore loader's of a private resource, with its
    errors and URLs) to anybody who has its id; here to who may update its resource or
    dataset. (The action puts the task it found into the context.)"""
    task = context.get("task_status")
    action = TASK_ENTITIES.get(getattr(task, "entity_type", None))
    if not context.get("user") or action is None or not may(action, context, {"id": task.entity_id}):
        return {"success": False, "msg": tk._("Not authorized to see this task status")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_source_patch(next_auth, context, data_dict):
    """ckanext-harvest registers its actions and auth functions through one shared dict, so
    the auth function of harvest_source_patch is the action itself (checking access would
    patch). Whoever may update the source may patch it; next_auth is never called."""
    return _allowed_if("harvest_source_update", context, data_dict)


def _job_source_id(data_dict) -> str | None:
    from ckanext.harvest.model import HarvestJob, HarvestSource

    key = data_dict.get("source_id") or data_dict.get("id") or ""
    source = HarvestSource.get(key)
    job = None if source is not None else HarvestJob.get(key)
    return source.id if source is not None else (job.source_id if job is not None else None)


@tk.chained_auth_function
def harvest_job_abort(next_auth, context, data_dict):
    """Who may start a source's jobs may stop them; ckanext-harvest allows sysadmins only
    (and answers anonymous users with a 500)."""
    source_id = _job_source_id(data_dict)
    if source_id and may("harvest_job_create", context, {"source_id": source_id}):
        return {"success": True}
    return {"success": False, "msg": tk._("Not authorized to stop the jobs of this harvest source")}


def osnabrueck_auth_functions() -> dict:
    return osnabrueck_registry(globals())
