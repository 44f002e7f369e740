"""Keeps a dataset's CKAN groups in step with its EU data themes.

The 13 theme groups are named after the theme codes (``envi``, ``tran`` …). Membership is
written to the session of the dataset's own create/update, so it is committed (and
indexed) with it. Groups that are not theme groups are left alone.
"""
from __future__ import annotations

import json

import ckan.model as model

from . import vocabularies


def theme_group_names(themes) -> set[str]:
    """Group names of a list of theme URIs (or of its JSON form)."""
    if isinstance(themes, str):
        themes = json.loads(themes) if themes.startswith("[") else [themes]
    vocabulary = vocabularies.get("data-theme")
    return {concept["code"].lower() for concept in map(vocabulary.find, themes or []) if concept}


def sync_groups(pkg_dict: dict) -> None:
    package = model.Package.get(pkg_dict.get("id"))
    if package is None:
        return
    all_themes = {c["code"].lower() for c in vocabularies.get("data-theme").concepts}
    wanted = theme_group_names(pkg_dict.get("theme"))
    groups = {group.name: group for group in model.Session.query(model.Group).filter(
        model.Group.name.in_(all_themes), model.Group.is_organization.is_(False), model.Group.state == "active")}
    members = {member.group_id: member for member in model.Session.query(model.Member).filter_by(
        table_name="package", table_id=package.id, state="active")}
    for name, group in groups.items():
        member = members.get(group.id)
        if name in wanted and member is None:
            model.Session.add(model.Member(group=group, table_name="package", table_id=package.id,
                                           capacity="public", state="active"))
        elif name not in wanted and member is not None:
            member.state = "deleted"
    # CKAN's session does not autoflush; the dict that is indexed next must see the groups.
    model.Session.flush()


def label_facets(search_results: dict, lang: str) -> dict:
    """Theme, licence and format facets in the UI language (group and licence titles are
    German, formats are EU codes such as WMS_SRVC); the names stay the codes."""
    facets = search_results.get("search_facets", {})
    for facet, vocabulary, key in (("groups", "data-theme", str.upper), ("license_id", "licenses", str),
                                   ("res_format", "file-type", str.upper)):
        concepts = vocabularies.get(vocabulary)
        for item in facets.get(facet, {}).get("items", []):
            concept = concepts.find(key(item["name"]))
            if concept:
                item["display_name"] = concept.get(lang) or concept["de"]
    return search_results
