"""The shape of dataset and resource dicts, checked before CKAN's validators.

CKAN's and scheming's validators assume a value of the right kind: an object as
``owner_org``, a number as ``id``, ``None`` as ``groups`` or ``resources``, a list as
``maintainer``, NaN in a field stored as JSON, … ended in a TypeError or a database error,
i.e. a 500 (found by tests/security/test_hostile_input.py). Values of the wrong kind are
validation errors here; values of the right kind go on to the usual validators. Only
JSON's kinds are judged: Python callers pass other objects (CKAN's bulk actions an id as
a database row), which go on unchecked.
"""
from __future__ import annotations

import math

import ckan.plugins.toolkit as tk

# Identifiers: text only (a number as id or owner_org reaches the database as such).
IDENTIFIERS = ("id", "name", "owner_org", "type")
OBJECT_LISTS = ("resources", "tags", "groups", "extras")
RESOURCE_IDENTIFIERS = ("id", "package_id")


def _scalar(value) -> bool:
    return not isinstance(value, (list, dict))


def _text(value) -> bool:
    return not isinstance(value, (int, float, bool, list, dict))


def _non_finite(value) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(item) for item in value.values())
    if isinstance(value, list):
        return any(_non_finite(item) for item in value)
    return False


def _schema(dataset_type) -> dict:
    if not isinstance(dataset_type, str):
        dataset_type = "dataset"
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:
        return {}
    return scheming_get_dataset_schema(dataset_type or "dataset") or {}


def _is_list_field(field: dict) -> bool:
    preset = field.get("preset", "")
    return field.get("field_name") == "tag_string" or any(
        kind in preset for kind in ("multiple", "checkboxes", "_list", "tag_string"))


def _field_error(field: dict, value) -> str | None:
    if field.get("repeating_subfields"):
        if value is None or value == "":
            return None
        if not isinstance(value, (list, tuple)) or not all(
                isinstance(item, dict) and all(_scalar(v) or (isinstance(v, list) and all(map(_scalar, v)))
                                               for v in item.values()) for item in value):
            return tk._("Must be a list of objects.")
        return None
    if _is_list_field(field):
        texts = isinstance(value, list) and all(isinstance(item, str) for item in value)
        return None if texts or _text(value) else tk._("Must be a text or a list of texts.")
    return None if _scalar(value) else tk._("Must be a single value, not a list or an object.")


def _fields_errors(data: dict, fields: list[dict]) -> dict:
    errors = {}
    for field in fields:
        name = field["field_name"]
        if name in data and name not in IDENTIFIERS and name not in OBJECT_LISTS:
            message = _field_error(field, data[name])
            if message:
                errors[name] = [message]
    return errors


def _finite_errors(data: dict) -> dict:
    return {key: [tk._("Numbers must be finite.")] for key, value in data.items() if _non_finite(value)}


def resource_errors(resource, fields: list[dict]) -> dict:
    if not isinstance(resource, dict):
        return {"__before": [tk._("Must be an object.")]}
    errors = _finite_errors(resource)
    for key in RESOURCE_IDENTIFIERS:
        if key in resource and not _text(resource[key]):
            errors[key] = [tk._("Must be a text.")]
    if "url" in resource and not isinstance(resource["url"], str):
        errors["url"] = [tk._("Must be a text.")]
    errors.update(_fields_errors(resource, [f for f in fields if f["field_name"] not in ("url",)]))
    return errors


def dataset_errors(data: dict) -> dict:
    """Errors in CKAN's format ({field: [messages]}, resources as a list); empty if the
    dict has the right shape."""
    schema = _schema(data.get("type"))
    errors = _finite_errors(data)
    for key in IDENTIFIERS:
        if key in data and not _text(data[key]):
            errors[key] = [tk._("Must be a text.")]
    for key in OBJECT_LISTS:
        if key in data and not (isinstance(data[key], (list, tuple)) and all(isinstance(item, dict)
                                                                               for item in data[key])):
            errors[key] = [tk._("Must be a list of objects.")]
    if "tags" not in errors and any(not _text(tag.get("name")) for tag in data.get("tags") or []):
        errors["tags"] = [tk._("Must be a text.")]
    if "extras" not in errors and any(not isinstance(extra.get("key"), str) for extra in data.get("extras") or []):
        errors["extras"] = [tk._("Each extra needs a text as key.")]
    if "tags" in errors:  # ValidationError expects tag errors as [{"name": [...]}]
        errors["tags"] = [{"name": errors["tags"]}]
    if "groups" not in errors and any(not _text(group.get(key)) for group in data.get("groups") or []
                                      for key in ("id", "name")):
        errors["groups"] = [tk._("Must be a text.")]
    fields = schema.get("dataset_fields") or [
        {"field_name": name} for name in ("title", "notes", "url", "version", "author", "author_email",
                                          "maintainer", "maintainer_email", "license_id", "state", "private")]
    errors.update({key: value for key, value in _fields_errors(data, fields).items() if key not in errors})
    for key in ("state", "private", "license_id", "url", "version", "author", "maintainer", "notes", "title"):
        if key in data and key not in errors and not _scalar(data[key]):
            errors[key] = [tk._("Must be a single value, not a list or an object.")]
    if "resources" not in errors and isinstance(data.get("resources"), list):
        resource_fields = schema.get("resource_fields") or []
        per_resource = [resource_errors(resource, resource_fields) for resource in data["resources"]]
        if any(per_resource):
            errors["resources"] = per_resource
    return errors


def check_dataset(data_dict: dict) -> None:
    errors = dataset_errors(data_dict) if isinstance(data_dict, dict) else {}
    if errors:
        raise tk.ValidationError(errors)


def check_resource(data_dict: dict) -> None:
    if not isinstance(data_dict, dict):
        return
    package = data_dict.get("package_id")
    schema = _schema("dataset")
    errors = resource_errors(data_dict, schema.get("resource_fields") or [])
    if not _text(package):
        errors["package_id"] = [tk._("Must be a text.")]
    if errors:
        raise tk.ValidationError(errors)
