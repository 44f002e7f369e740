"""Default previews for every resource, however it arrived.

CKAN 2.12 creates the default views (``ckan.views.default_views``) in ``package_create``,
``resource_create`` and when a resource's format changes, but not in ``package_update``.
Resources that get their file or format in an update (the demo loader uploads its files
that way, API clients and harvesters update datasets) had no preview: the 15 uploaded
GeoJSON files of the demo showed "no views". After every save, a resource without any
view gets the default ones; a resource whose views a steward removed one by one keeps
the rest as they are. ``ensure_all`` does the same for the datasets saved before.
"""
from __future__ import annotations

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import datapreview
from ckan.lib.dictization import model_dictize

from .logic import site_context


def _without_views():
    """Active resources that have no view at all."""
    return model.Session.query(model.Resource).filter(
        model.Resource.state == "active",
        ~sa.exists().where(model.ResourceView.resource_id == model.Resource.id))


def ensure(dataset: dict) -> int:
    """Create the default views of the dataset's resources that have none; returns how many.
    Runs inside the save's transaction (after_dataset_update), so nothing here commits."""
    missing = _without_views().filter(model.Resource.package_id == dataset["id"]).all()
    if not missing:
        return 0
    context = site_context(model=model, session=model.Session, defer_commit=True)
    created = 0
    for resource in missing:
        resource_dict = model_dictize.resource_dictize(resource, context)
        # The table and chart views follow once xloader has loaded the table.
        created += len(datapreview.add_views_to_resource(context, resource_dict, dataset))
    model.Session.flush()
    return created


def ensure_all() -> int:
    """Default views for every active dataset's resources that have none (a one-off repair,
    run by ``make run``); returns how many were created."""
    ids = [row[0] for row in _without_views().join(model.Package, model.Package.id == model.Resource.package_id)
           .filter(model.Package.state == "active", model.Package.type == "dataset")
           .with_entities(model.Resource.package_id).distinct()]
    created = 0
    for dataset_id in ids:
        created += ensure(tk.get_action("package_show")(site_context(), {"id": dataset_id}))
        model.Session.commit()
    return created


def prune_charts() -> int:
    """Delete the chart views of tables that have no time series to chart (once their
    columns got real types, a sensor export's ids or a text status were no values); the
    view only said so. Run by ``make run`` after the tables are typed; returns how many."""
    from . import chart_view

    rows = model.Session.query(model.ResourceView.id, model.ResourceView.resource_id).filter(
        model.ResourceView.view_type == "osnabrueck_chart").all()
    stale = [view_id for view_id, resource_id in rows
             if not chart_view.can_view({"id": resource_id, "datastore_active": True})]
    for view_id in stale:
        tk.get_action("resource_view_delete")(site_context(), {"id": view_id})
    return len(stale)
