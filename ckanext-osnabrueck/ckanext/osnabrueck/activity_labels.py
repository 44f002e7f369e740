"""A dataset's earlier activities follow its current visibility.

The activity plugin labels each activity with the dataset's permission labels of that
moment and filters the streams by them. The activities a dataset had while public kept
the label "public" when it became private, a draft, deleted or purged, so the public
streams (recently changed datasets, a user's stream, the dashboard, activity_show) still
showed them with the full old dataset. Here they get the dataset's current labels; so do
its resource-view activities ("new resource view", whose object is the dataset too).
"""
from __future__ import annotations

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as p
from ckan.lib.plugins import get_permission_labels

_UPDATE = sa.text("UPDATE activity SET permission_labels = CAST(:labels AS text[]) "
                  "WHERE object_id = :id AND (activity_type LIKE '%package' OR activity_type LIKE '%resource view') "
                  "AND permission_labels IS DISTINCT FROM CAST(:labels AS text[])")


def relabel(package_id: str, labels: list[str] | None = None) -> None:
    """Give the dataset's activities its current labels (``labels`` if given: a purged
    dataset has none left, so its activities are for sysadmins only)."""
    if not p.plugin_loaded("activity"):
        return
    if labels is None:
        pkg = model.Package.get(package_id)
        if pkg is None:
            return
        package_id, labels = pkg.id, get_permission_labels().get_dataset_labels(pkg)
    model.Session.execute(_UPDATE, {"labels": list(labels), "id": package_id})


def visible(context: dict, activities: list) -> list:
    """The activities without the resource-view ones of datasets the user may not see:
    the activity plugin filters only activities whose type ends in "package" by label,
    so "new resource view" of a deleted or private dataset stayed in every public stream."""
    from .logic import may

    allowed: dict[str, bool] = {}

    def shown(activity) -> bool:
        if not isinstance(activity, dict) or not str(activity.get("activity_type", "")).endswith("resource view"):
            return True
        object_id = activity.get("object_id") or ""
        if object_id not in allowed:
            allowed[object_id] = may("package_show", context, {"id": object_id})
        return allowed[object_id]

    return [activity for activity in activities if shown(activity)]
