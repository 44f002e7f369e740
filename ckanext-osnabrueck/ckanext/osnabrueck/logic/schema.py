"""Input schemas of the osnabrueck actions."""
import ckan.plugins.toolkit as tk


def osnabrueck_quality_show_schema() -> dict:
    not_empty, unicode_safe = tk.get_validator("not_empty"), tk.get_validator("unicode_safe")
    return {"id": [not_empty, unicode_safe]}


def osnabrueck_organization_quality_schema() -> dict:
    not_empty, unicode_safe = tk.get_validator("not_empty"), tk.get_validator("unicode_safe")
    return {"id": [not_empty, unicode_safe]}
