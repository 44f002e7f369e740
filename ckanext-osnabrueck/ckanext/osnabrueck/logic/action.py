"""API actions of the osnabrueck plugin."""
from __future__ import annotations

import ckan.model as ckan_model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import validate
from ckan.lib.plugins import lookup_package_plugin, plugin_validate

from .. import harvest_mail, model, quality, rdf_cache
from . import schema, site_context

__all__ = ["osnabrueck_quality_show", "osnabrueck_organization_quality", "dcat_catalog_show", "harvest_jobs_run"]


def schema_errors(context: dict, dataset: dict) -> dict:
    """Errors of validating a stored dataset against the current schema (empty: compliant)."""
    plugin = lookup_package_plugin(dataset.get("type"))
    validation_context = site_context(model=ckan_model, session=ckan_model.Session, schema_only=True,
                                      package=ckan_model.Package.get(dataset["id"]))
    # The way package_update validates: scheming adds its field validators here.
    _, errors = plugin_validate(plugin, validation_context, dict(dataset), plugin.update_package_schema(),
                                "package_update")
    return errors


def dataset_score(context: dict, dataset: dict) -> quality.Score:
    checks = model.url_checks(quality.urls_to_check(dataset))
    return quality.score(dataset, checks, schema_errors(context, dataset))


@tk.side_effect_free
def osnabrueck_quality_show(context, data_dict):
    """The metadata quality score (data.europa.eu MQA method) of a dataset.

    :param id: id or name of the dataset
    :returns: points, max (405), rating (excellent/good/sufficient/bad), the points per
        dimension, and every indicator with its points and a hint how to improve it
    """
    data, errors = validate(data_dict, schema.osnabrueck_quality_show_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("osnabrueck_quality_show", context, data)
    dataset = tk.get_action("package_show")(dict(context), {"id": data["id"]})
    result = dataset_score(context, dataset).as_dict()
    result["url_checks"] = model.url_checks(quality.urls_to_check(dataset))
    return result


@tk.side_effect_free
def osnabrueck_organization_quality(context, data_dict):
    """The datasets of an organisation the user may see, lowest score first.

    :param id: id or name of the organisation
    :returns: the organisation's name and a list of {name, title, points, rating, private, state}
    """
    data, errors = validate(data_dict, schema.osnabrueck_organization_quality_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("osnabrueck_organization_quality", context, data)
    org = tk.get_action("organization_show")(dict(context), {"id": data["id"], "include_datasets": False})
    search = tk.get_action("package_search")(dict(context), {
        "fq": f'owner_org:"{org["id"]}"', "rows": 1000, "include_private": True, "include_drafts": True})
    rows = []
    for dataset in search["results"]:
        result = dataset_score(context, dataset)
        rows.append({"name": dataset["name"], "title": dataset["title"], "points": result.points,
                     "rating": result.rating, "rating_label": result.rating_label,
                     "private": dataset.get("private", False), "state": dataset.get("state"),
                     "missing": [i.label for i in result.indicators if i.missing]})
    rows.sort(key=lambda row: (row["points"], row["title"]))
    return {"organization": org["name"], "max": quality.MAX_POINTS, "datasets": rows}


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original_action, context, data_dict):
    """ckanext-dcat's catalogue pages, with each dataset's RDF from the cache (rdf_cache)."""
    if not rdf_cache.enabled(data_dict):
        return original_action(context, data_dict)
    from ckanext.dcat.logic import _pagination_info, _search_ckan_datasets

    tk.check_access("dcat_catalog_show", context, data_dict)
    query = _search_ckan_datasets(context, data_dict)
    return rdf_cache.catalog_page(data_dict.get("format"), query["results"], _pagination_info(query, data_dict))


@tk.chained_action
def harvest_jobs_run(original_action, context, data_dict):
    """ckanext-harvest's job bookkeeping, plus status mails for the jobs it finishes
    without mailing: sources that are down or malformed, and stuck jobs (harvest_mail)."""
    running = harvest_mail.running_job_ids(data_dict.get("source_id"))
    result = original_action(context, data_dict)
    harvest_mail.notify(site_context(), running)
    return result
