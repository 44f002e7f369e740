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
    size = _whole_number(resource.get("size"))
    if size is not None and abs(size) > BIGINT:  # the database's bigint
        errors["size"] = [tk._("The number is too large.")]
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


# --- parameters of any action (security.check_api_params) ---------------------------------
# CKAN's actions take these as they come: a negative LIMIT reached PostgreSQL, asbool()
# raised a ValueError for "maybe", a list as username or an object as object reached a
# database query; each was a 500. Their kind is the same in every action.
PAGING = ("limit", "offset")
FLAGS = ("use_default_schema", "all_fields")
TEXTS = ("id", "name", "object", "object_type", "capacity", "username", "user", "role", "email",
         "package_id", "resource_id")
TRUE_FALSE = {"true", "false", "1", "0", "yes", "no", "on", "off", "t", "f", "y", "n"}  # CKAN's asbool
BIGINT = 2 ** 63 - 1


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _flag(value) -> bool:
    return value is None or isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in TRUE_FALSE) \
        or (isinstance(value, int) and value in (0, 1))


def param_error(params: dict) -> str | None:
    """The first parameter of the wrong kind, as a message; None if all are fine."""
    for key, value in params.items():
        if key in PAGING and value not in (None, ""):
            number = _whole_number(value)
            if number is None or not 0 <= number <= BIGINT:
                return tk._('The parameter "%(name)s" must be a whole number of 0 or more.') % {"name": key}
        elif (key.startswith("include_") or key in FLAGS) and not _flag(value):
            return tk._('The parameter "%(name)s" must be true or false.') % {"name": key}
        elif key in TEXTS and not isinstance(value, (str, type(None))):
            return tk._('The parameter "%(name)s" must be a text.') % {"name": key}
    return None


# --- parameters of single actions (chained in action.py) ----------------------------------

def _texts(value) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value))


def _refuse(errors: dict) -> None:
    if errors:
        raise tk.ValidationError(errors)


def check_tag_query(data_dict: dict, lists: bool = True) -> None:
    """tag_list (``lists=False``), tag_search, tag_autocomplete: a text (or a list of
    texts) as query, an object of texts as (deprecated) fields; CKAN calls .strip() and
    .items() on them."""
    errors = {}
    for key in ("query", "q"):
        value = data_dict.get(key)
        if value is not None and not (isinstance(value, str) or (lists and _texts(value))):
            errors[key] = [tk._("Must be a text or a list of texts.") if lists else tk._("Must be a text.")]
    fields = data_dict.get("fields")
    if fields is not None and not (isinstance(fields, dict) and all(map(_texts, fields.values()))):
        errors["fields"] = [tk._("Must be an object of texts.")]
    _refuse(errors)


def check_resource_search(data_dict: dict) -> None:
    errors = {}
    if data_dict.get("query") is not None and not _texts(data_dict["query"]):
        errors["query"] = [tk._("Must be a text or a list of texts.")]
    if data_dict.get("order_by") is not None and not isinstance(data_dict["order_by"], str):
        errors["order_by"] = [tk._("Must be a text.")]
    _refuse(errors)


def check_sorted_list(data_dict: dict) -> None:
    """group_list, organization_list: sort is a text (CKAN splits it)."""
    if data_dict.get("sort") is not None and not isinstance(data_dict["sort"], str):
        _refuse({"sort": [tk._("Must be a text.")]})


def check_search(data_dict: dict) -> None:
    """package_search: CKAN hands wt to Solr and then parses the answer as JSON."""
    if data_dict.get("wt") not in (None, "", "json"):
        _refuse({"wt": [tk._('Only "json" is supported.')]})


def check_revise(data_dict: dict) -> None:
    """package_revise: the dataset named in match is looked up with its id or name as is."""
    match = data_dict.get("match")
    if isinstance(match, dict) and any(key in match and not isinstance(match[key], str) for key in ("id", "name")):
        _refuse({"match": [tk._("id and name must be texts.")]})


# --- the DCAT catalogue (dcat_catalog_show) -------------------------------------------------
SOLR_INT = 2 ** 31 - 1  # Solr's start and rows


def catalog_params(data_dict: dict) -> dict:
    """ckanext-dcat's catalogue parameters, checked where they ended in a 500: a page whose
    first row is beyond Solr's integers, and a modified_since with a time zone, which it
    handed to Solr as "…+05:00Z". A time zone is converted to UTC; a space in its place
    (an unencoded "+") is refused, since the page links would repeat it."""
    data = dict(data_dict)
    page = _whole_number(data.get("page"))
    per_page = tk.config.get("ckanext.dcat.datasets_per_page") or 100
    if page is not None and (page + 1) * (int(per_page) + 1) > SOLR_INT:
        _refuse({"page": [tk._("The page number is too large.")]})
    since = data.get("modified_since")
    if isinstance(since, str) and since.strip():
        if any(char.isspace() for char in since.strip()):
            _refuse({"modified_since": [tk._('The date must not contain spaces; write "+" as "%2B".')]})
        data["modified_since"] = _utc(since.strip())
    return data


def _utc(text: str) -> str:
    from datetime import timezone

    from dateutil.parser import parse

    try:
        moment = parse(text)
    except (ValueError, OverflowError):
        return text  # ckanext-dcat refuses it with its own message
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat()


def solr_refused(error) -> bool:
    """Whether a SearchError is the query's fault (Solr's 400, CKAN's refusal of local
    parameters), not Solr being busy (outage)."""
    from ..outage import SOLR_BUSY

    return SOLR_BUSY not in str(error)
