"""API actions of the osnabrueck plugin."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa

import ckan.model as ckan_model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import validate
from ckan.lib.plugins import lookup_package_plugin, plugin_validate

from .. import (activity_labels, datastore_sql, harvest_mail, harvest_wall, model, purge, quality, rdf_cache,
               search_index)
from . import harvester_fields, may, osnabrueck_registry, schema, site_context, structure

__all__ = ["osnabrueck_quality_show", "osnabrueck_organization_quality", "dcat_catalog_show", "harvest_jobs_run",
           "harvest_source_list", "harvest_source_clear", "harvest_source_reindex", "datastore_search_sql",
           "member_list", "package_delete", "dataset_purge",
           "bulk_update_private", "bulk_update_public", "bulk_update_delete", "tag_list", "tag_search",
           "tag_autocomplete", "package_create", "package_update", "package_patch", "resource_create",
           "resource_update", "resource_patch",
           "user_activity_list", "package_activity_list", "group_activity_list", "organization_activity_list",
           "recently_changed_packages_activity_list", "dashboard_activity_list", "package_revise", "package_search", "resource_search", "group_list",
           "organization_list", "package_list"]


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
    """ckanext-dcat's catalogue pages, with each dataset's RDF from the cache (rdf_cache).
    Its parameters are checked first (structure.catalog_params), and Solr's refusal of a
    query (``q=title:(``) is a validation error (409): it was a 500."""
    from ckan.lib.search.common import SearchError

    data_dict = structure.catalog_params(data_dict)
    try:
        if not rdf_cache.enabled(data_dict):
            return original_action(context, data_dict)
        from ckanext.dcat.logic import _pagination_info, _search_ckan_datasets

        tk.check_access("dcat_catalog_show", context, data_dict)
        query = _search_ckan_datasets(context, data_dict)
    except SearchError as error:
        if not structure.solr_refused(error):
            raise  # Solr down or busy: outage answers 503
        raise tk.ValidationError({"q": [tk._("The search query is not valid.")]}) from None
    return rdf_cache.catalog_page(data_dict.get("format"), query["results"], _pagination_info(query, data_dict))


@tk.chained_action
def harvest_jobs_run(original_action, context, data_dict):
    """ckanext-harvest's job bookkeeping, plus status mails for the jobs it finishes
    without mailing: sources that are down or malformed, and stuck jobs (harvest_mail)."""
    running = harvest_mail.running_job_ids(data_dict.get("source_id"))
    result = original_action(context, data_dict)
    harvest_mail.notify(site_context(), running)
    return result


@tk.chained_action
@tk.side_effect_free
def harvest_source_list(original_action, context, data_dict):
    """ckanext-harvest's source list without the sources the user may not see: it listed
    every source, private ones and their configuration included, to anonymous users."""
    tk.check_access("harvest_source_list", context, data_dict)
    return [source for source in original_action(context, data_dict)
            if may("harvest_source_show", context, {"id": source["id"]})]


@tk.chained_action
def harvest_source_clear(original_action, context, data_dict):
    """ckanext-harvest deletes the source's datasets with SQL and removes from the search
    index only those indexed with harvest_source_id: the others stayed in search, the
    catalogue and the sitemap while their pages answered 404. Their ids are collected
    first and leave the index and the RDF cache afterwards (search_index.forget)."""
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource.get(data_dict.get("id") or "")
    package_ids = search_index.harvested_package_ids(source.id) if source is not None else []
    result = original_action(context, data_dict)
    search_index.forget(package_ids)
    return result


@tk.chained_action
def harvest_source_reindex(original_action, context, data_dict):
    """ckanext-harvest's reindex of one source checks no access: anybody could rewrite a
    source's search document. Only the loop of harvest_sources_reindex (sysadmins, checked
    there) calls it without a user, with a context of its own (the copy shares the audit
    stack, so CKAN's auth audit still sees the check)."""
    internal = context.get("defer_commit") and not context.get("user")
    tk.check_access("harvest_source_reindex", {**context, "ignore_auth": True} if internal else context, data_dict)
    return original_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def datastore_search_sql(original_action, context, data_dict):
    """The DataStore's SQL search, limited (datastore_sql): tables named as types are
    checked like those in FROM, the statement ends after
    ``ckanext.osnabrueck.datastore_sql_timeout_ms`` (CKAN's 60 s kept a web worker busy)
    and answers larger than ``ckanext.osnabrueck.datastore_sql_max_mb`` are refused.
    Errors of the query (invalid input for a type, division by zero, an array too large,
    …) are validation errors instead of a 500. (An unreachable database stays an
    OperationalError: outage answers 503.)"""
    sql = data_dict.get("sql")
    if not isinstance(sql, str):
        return original_action(context, data_dict)
    _check_type_tables(context, data_dict, datastore_sql.type_tables(sql))
    max_mb = tk.config.get("ckanext.osnabrueck.datastore_sql_max_mb")
    timeout = tk.config.get("ckanext.osnabrueck.datastore_sql_timeout_ms")
    context["query_timeout"] = timeout  # CKAN's search_sql sets it as the statement_timeout
    try:
        result = original_action(context, {**data_dict, "sql": datastore_sql.capped(sql, max_mb)})
    except sa.exc.DBAPIError as error:
        if not datastore_sql.callers_error(error):
            raise
        lines = str(getattr(error, "orig", None) or error).strip().splitlines()
        if datastore_sql.TOO_LARGE in str(error):
            lines = [tk._("The result is larger than %(size)s MB; select fewer rows or columns.") % {"size": max_mb}]
        raise tk.ValidationError({"query": lines[:1] or [tk._("The query failed.")]}) from None
    except tk.ValidationError as error:
        if error.error_dict.get("query") == ["Query took too long"]:  # CKAN's text on statement_timeout
            raise tk.ValidationError({"query": [tk._("The query took longer than %(seconds)s seconds.")
                                                % {"seconds": f"{timeout / 1000:g}"}]}) from None
        raise
    return {**result, "sql": sql} if "sql" in result else result


def _check_type_tables(context, data_dict, names) -> None:
    """The DataStore tables (or aliases) among ``names`` need the same access as a table
    in FROM (CKAN's datastore_search_sql auth function, which resolves resource ids)."""
    from ckanext.datastore.backend import DatastoreBackend

    backend = DatastoreBackend.get_active_backend()
    tables = set()
    for name in names:
        exists, real_id = backend.resource_id_from_alias(name)
        if exists:
            tables.add(real_id or name)
    if tables:
        tk.check_access("datastore_search_sql", {**context, "table_names": sorted(tables)}, data_dict)


@tk.chained_action
@tk.side_effect_free
def member_list(original_action, context, data_dict):
    """CKAN's members of a group or organisation, without the datasets the user may not
    see: it listed the ids of private datasets and drafts to anonymous users."""
    members = original_action(context, data_dict)
    package_ids = [member[0] for member in members if member[1] == "package"]
    if not package_ids or context.get("ignore_auth"):
        return members
    # Only private or not active datasets need a check; there are few of them.
    hidden = {pkg_id for (pkg_id,) in ckan_model.Session.query(ckan_model.Package.id).filter(
        ckan_model.Package.id.in_(package_ids),
        sa.or_(ckan_model.Package.private.is_(True), ckan_model.Package.state != "active"))}
    denied = {pkg_id for pkg_id in hidden if not may("package_show", context, {"id": pkg_id})}
    return [member for member in members if not (member[1] == "package" and member[0] in denied)]


def _shape_checked(check, *guards, after=None):
    """A chained action that refuses values of the wrong kind (an object as owner_org,
    None as resources, …) as validation errors, before CKAN's validators fail on them
    with a 500 (structure); then the ``guards`` (context, data_dict) run, and ``after``
    (context, data_dict, result) once the action succeeded."""
    @tk.chained_action
    def action(original_action, context, data_dict):
        check(data_dict)
        for guard in guards:
            guard(context, data_dict)
        result = original_action(context, data_dict)
        return result if after is None else after(context, data_dict, result)
    return action


# package_patch and package_revise end in package_update, whose guard covers them.
# Harvest sources (harvest_source_create/update/patch and the form) keep to their
# organisation unless a sysadmin saves them (harvest_wall).
package_create = _shape_checked(structure.check_dataset, partial(harvester_fields.guard, keep_missing=False),
                                partial(harvest_wall.check_save, creating=True), after=harvest_wall.saved)
package_update = _shape_checked(structure.check_dataset, partial(harvester_fields.guard, keep_missing=True),
                                partial(harvest_wall.check_save, creating=False), after=harvest_wall.saved)
package_patch = _shape_checked(structure.check_dataset)
resource_create, resource_update, resource_patch = (_shape_checked(structure.check_resource) for _ in range(3))
package_revise = _shape_checked(structure.check_revise)


def _shape_checked_reader(check):
    """_shape_checked for the actions that answer GET requests."""
    @tk.chained_action
    @tk.side_effect_free
    def action(original_action, context, data_dict):
        check(data_dict)
        return original_action(context, data_dict)
    return action


package_search = _shape_checked_reader(structure.check_search)
resource_search = _shape_checked_reader(structure.check_resource_search)


def _counting_datasets_only(facet: str):
    """group_list/organization_list whose package_count counts datasets, not harvest
    sources: CKAN counts every indexed package of the group (entity_type:package), so
    /organization/ said 14 where the organisation's page lists 12."""
    @tk.chained_action
    @tk.side_effect_free
    def action(original_action, context, data_dict):
        structure.check_sorted_list(data_dict)
        result = original_action(context, data_dict)
        if not tk.asbool(data_dict.get("all_fields")) or not result or not isinstance(result[0], dict):
            return result
        search = tk.get_action("package_search")(dict(context), {
            "rows": 0, "include_private": True, "facet.field": f'["{facet}"]', "facet.limit": -1})
        counts = search["facets"].get(facet, {})
        for group in result:
            if "package_count" in group:
                group["package_count"] = counts.get(group["name"], 0)
        return result
    return action


group_list, organization_list = _counting_datasets_only("groups"), _counting_datasets_only("organization")


@tk.side_effect_free
@tk.chained_action
def package_list(original_action, context, data_dict):
    """The public datasets' names, as CKAN's, without the harvest sources (datasets of type
    "harvest" to CKAN, not data: ckanapi's dump listed them as datasets)."""
    tk.check_access("package_list", context, data_dict)
    table = ckan_model.package_table
    query = sa.select(table.c["name"]).where(table.c["state"] == "active", table.c["private"].is_(False),
                                             table.c["type"] != "harvest").order_by(table.c["name"])
    if data_dict.get("limit"):
        query = query.limit(int(data_dict["limit"]))
    if data_dict.get("offset"):
        query = query.offset(int(data_dict["offset"]))
    return ckan_model.Session.scalars(query).all()


# The dataset's earlier activities follow its visibility (activity_labels); package_update
# is covered by the plugin's after_dataset_update, these change it without that hook.

@tk.chained_action
def package_delete(original_action, context, data_dict):
    result = original_action(context, data_dict)
    pkg = ckan_model.Package.get(data_dict.get("id") or "")
    if pkg is not None:
        activity_labels.relabel(pkg.id)
        ckan_model.repo.commit()
    return result


@tk.chained_action
def dataset_purge(original_action, context, data_dict):
    """Also drops the dataset's DataStore tables and uploaded files (purge)."""
    pkg = ckan_model.Package.get(data_dict.get("id") or "")
    package_id = pkg.id if pkg is not None else None
    if package_id:
        tk.check_access("dataset_purge", context, data_dict)
        resources = purge.resources_of(package_id)
        purge.drop_tables(resources)
    result = original_action(context, data_dict)
    if package_id:
        purge.remove_files(resources)
        activity_labels.relabel(package_id, labels=[])
        ckan_model.repo.commit()
    return result


def _relabelled_bulk():
    """bulk_update_*: the datasets' activities get their new labels."""
    @tk.chained_action
    def action(original_action, context, data_dict):
        result = original_action(context, data_dict)
        for package_id in data_dict.get("datasets") or []:
            activity_labels.relabel(package_id)
        ckan_model.repo.commit()
        return result
    return action


bulk_update_private, bulk_update_public, bulk_update_delete = (_relabelled_bulk() for _ in range(3))


def _visible_activities():
    """*_activity_list: without resource-view activities of datasets the user may not see."""
    @tk.chained_action
    @tk.side_effect_free
    def action(original_action, context, data_dict):
        return activity_labels.visible(context, original_action(context, data_dict))
    return action


(user_activity_list, package_activity_list, group_activity_list, organization_activity_list,
 recently_changed_packages_activity_list, dashboard_activity_list) = (_visible_activities() for _ in range(6))


# Free tags only where the user sees a dataset that has them: CKAN lists the tags of all
# datasets, so the keywords of private datasets ("Datenräume") and drafts were public.

def _tags_filter(context, data_dict):
    """None (no filter: sysadmins, internal calls, vocabulary tags) or the visible tags."""
    if data_dict.get("vocabulary_id") or context.get("ignore_auth"):
        return None
    user = ckan_model.User.get(context.get("user") or "")
    if user is not None and user.sysadmin:
        return None
    result = tk.get_action("package_search")({"user": user.name if user else ""}, {
        "q": "*:*", "rows": 0, "facet.field": ["tags"], "facet.limit": -1, "facet.mincount": 1,
        "include_private": True, "include_drafts": True})
    return set(result["facets"].get("tags", {}))


def _tag_name(tag) -> str:
    return tag["name"] if isinstance(tag, dict) else tag


@tk.chained_action
@tk.side_effect_free
def tag_list(original_action, context, data_dict):
    structure.check_tag_query(data_dict, lists=False)
    tags = original_action(context, data_dict)
    visible = _tags_filter(context, data_dict)
    return tags if visible is None else [tag for tag in tags if _tag_name(tag) in visible]


@tk.chained_action
@tk.side_effect_free
def tag_search(original_action, context, data_dict):
    structure.check_tag_query(data_dict)
    found = original_action(context, data_dict)
    visible = _tags_filter(context, data_dict)
    if visible is None:
        return found
    results = [tag for tag in found["results"] if _tag_name(tag) in visible]
    return {**found, "results": results, "count": len(results)}


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(original_action, context, data_dict):
    structure.check_tag_query(data_dict)
    names = original_action(context, data_dict)
    visible = _tags_filter(context, data_dict)
    return names if visible is None else [name for name in names if name in visible]


def osnabrueck_actions() -> dict:
    return osnabrueck_registry(globals())
