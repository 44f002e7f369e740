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

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import datapreview
from ckan.lib.dictization import model_dictize

from .logic import site_context

def _resources_without_views(dataset_id: str) -> set[str]:
    resources = model.Session.query(model.Resource.id).filter(
        model.Resource.package_id == dataset_id, model.Resource.state == "active")
    with_views = model.Session.query(model.ResourceView.resource_id).filter(
        model.ResourceView.resource_id.in_(resources.scalar_subquery()))
    return {row[0] for row in resources} - {row[0] for row in with_views}


def ensure(dataset: dict) -> int:
    """Create the default views of the dataset's resources that have none; returns how many.
    Runs inside the save's transaction (after_dataset_update), so nothing here commits."""
    missing = _resources_without_views(dataset["id"])
    if not missing:
        return 0
    context = site_context(model=model, session=model.Session, defer_commit=True)
    created = 0
    for resource in model.Session.query(model.Resource).filter(model.Resource.id.in_(missing)):
        resource_dict = model_dictize.resource_dictize(resource, context)
        # The table and chart views follow once xloader has loaded the table.
        created += len(datapreview.add_views_to_resource(context, resource_dict, dataset))
    model.Session.flush()
    return created


def ensure_all() -> int:
    """Default views for every active dataset's resources that have none (a one-off repair,
    run by ``make run``); returns how many were created."""
    created = 0
    ids = [row[0] for row in model.Session.query(model.Package.id).filter(model.Package.state == "active")
           .filter(model.Package.type == "dataset")]
    for dataset_id in ids:
        dataset = tk.get_action("package_show")(site_context(), {"id": dataset_id})
        created += ensure(dataset)
        model.Session.commit()
    return created
