"""Fields that only harvesters set (``osnabrueck_harvester_only: true`` in the schema), such
as the SensorThings API the Daten-Fenster reads on every page view.

They are not in the form, but the API took them: an editor's ``package_patch`` with
``iot_service_url=http://127.0.0.1:8983/solr/…`` made the server fetch an internal address
on each view of the dataset. Now a caller other than a harvester (whose action context
carries ``HARVESTER``) cannot change them: a different value is a validation error, and a
whole-dataset update that leaves them out (the form) keeps the harvested values instead
of dropping them.
"""
from __future__ import annotations

import ckan.model as ckan_model
import ckan.plugins.toolkit as tk

HARVESTER = "osnabrueck_harvester"


def fields(dataset_type) -> list[str]:
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:
        return []
    schema = scheming_get_dataset_schema(dataset_type if isinstance(dataset_type, str) else "dataset") or {}
    return [field["field_name"] for field in schema.get("dataset_fields", [])
            if field.get("osnabrueck_harvester_only")]


def _stored(data_dict: dict) -> dict:
    reference = data_dict.get("id") or data_dict.get("name")
    pkg = ckan_model.Package.get(reference) if isinstance(reference, str) and reference else None
    return dict(pkg.extras) if pkg is not None else {}


def guard(context: dict, data_dict: dict, keep_missing: bool) -> None:
    """Refuse changes of harvester-only fields; ``keep_missing``: fill in the stored values
    a whole-dataset update leaves out."""
    if context.get(HARVESTER) or not isinstance(data_dict, dict):
        return
    names = fields(data_dict.get("type") or "dataset")
    stored = _stored(data_dict) if names else {}
    errors = {}
    for name in names:
        before = stored.get(name) or ""
        if name not in data_dict:
            if keep_missing and before:
                data_dict[name] = before
        elif (data_dict[name] or "") != before:
            errors[name] = [tk._("This field is set by the harvester only.")]
    if errors:
        raise tk.ValidationError(errors)
