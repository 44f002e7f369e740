"""Who may do what: every action of a data steward, for each role, as an explicit table.

Each row is checked through the auth layer (``call_auth``) and by running the action with
the role as the context user (``call_action``): allowed must succeed, denied must raise
NotAuthorized. A representative subset is checked again through the HTTP API with API
tokens (denied: 403 with a JSON error).
"""
from __future__ import annotations

import json
import uuid
from typing import Callable

import pytest

import ckan.logic as logic
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action, call_auth

from ckanext_osnabrueck.factories import OsnabrueckDataset

from .conftest import ROLES, World, api, dataset_fields


@pytest.fixture
def world(shared_world):
    return shared_world

# Nothing here searches: Solr commits (two thirds of a dataset's creation time) are off.
pytestmark = [pytest.mark.usefixtures("with_plugins", "shared_db"),
              pytest.mark.ckan_config("ckan.search.solr_commit", "false")]

Y, N = True, False
# Organisation A holds every object below; editor_b is the editor of another department.
#                                            anonymous member_a editor_a admin_a editor_b sysadmin
MATRIX: dict[str, tuple[bool, ...]] = {
    "package_show (public)":                  (Y,       Y,       Y,       Y,      Y,       Y),
    "package_show (private)":                 (N,       Y,       Y,       Y,      N,       Y),
    "resource_show (private)":                (N,       Y,       Y,       Y,      N,       Y),
    "package_create":                         (N,       N,       Y,       Y,      N,       Y),
    "package_update":                         (N,       N,       Y,       Y,      N,       Y),
    "package_patch":                          (N,       N,       Y,       Y,      N,       Y),
    "package_delete":                         (N,       N,       Y,       Y,      N,       Y),
    "dataset_purge":                          (N,       N,       N,       N,      N,       Y),
    "resource_create":                        (N,       N,       Y,       Y,      N,       Y),
    "resource_update":                        (N,       N,       Y,       Y,      N,       Y),
    "resource_delete":                        (N,       N,       Y,       Y,      N,       Y),
    "organization_member_create":             (N,       N,       N,       Y,      N,       Y),
    "organization_update":                    (N,       N,       N,       Y,      N,       Y),
    "bulk_update_private":                    (N,       N,       N,       Y,      N,       Y),
    # group G's only member is editor_a: group members curate a group's datasets
    "member_create (dataset into group)":     (N,       N,       Y,       N,      N,       Y),
    "datastore_create":                       (N,       N,       Y,       Y,      N,       Y),
    "datastore_delete":                       (N,       N,       Y,       Y,      N,       Y),
    "datastore_search (private)":             (N,       Y,       Y,       Y,      N,       Y),
    "harvest_source_create":                  (N,       N,       Y,       Y,      N,       Y),
    "harvest_source_update":                  (N,       N,       Y,       Y,      N,       Y),
    "harvest_job_create":                     (N,       N,       Y,       Y,      N,       Y),
    "harvest_source_show (private)":          (N,       Y,       Y,       Y,      N,       Y),
    "harvest_jobs_run":                       (N,       N,       N,       N,      N,       Y),
    "harvest_source_patch":                   (N,       N,       Y,       Y,      N,       Y),
    "harvest_source_delete":                  (N,       N,       Y,       Y,      N,       Y),
    "harvest_source_clear":                   (N,       N,       Y,       Y,      N,       Y),
    "harvest_source_reindex":                 (N,       N,       Y,       Y,      N,       Y),
    # jobs and their reports: for who may run the source (ckanext-harvest), members not
    "harvest_job_list (private)":             (N,       N,       Y,       Y,      N,       Y),
    "harvest_job_show (private)":             (N,       N,       Y,       Y,      N,       Y),
    "harvest_job_abort":                      (N,       N,       Y,       Y,      N,       Y),
    "osnabrueck_quality_show (private)":      (N,       Y,       Y,       Y,      N,       Y),
    "osnabrueck_organization_quality":        (Y,       Y,       Y,       Y,      Y,       Y),
    "dcat_catalog_show":                      (Y,       Y,       Y,       Y,      Y,       Y),
}

def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _dataset(world: World, **extra) -> dict:
    return OsnabrueckDataset(owner_org=world.org_a["id"], **extra)


def _resource_of(world: World, private=False) -> dict:
    resources = [{"name": "Tabelle", "url": "https://example.org/t.csv", "format": "CSV"}]
    return _dataset(world, private=private, resources=resources)["resources"][0]


def _admin(world: World) -> dict:
    return {"user": world.name("sysadmin")}


def _table(world: World, private=False) -> str:
    resource_id = _resource_of(world, private)["id"]
    call_action("datastore_create", _admin(world), resource_id=resource_id, force=True,
                fields=[{"id": "wert", "type": "int"}],
                records=[{"wert": 1}])
    return resource_id


def _source(world: World) -> dict:
    name = _unique("quelle")
    return {"name": name, "title": "Geodienste", "url": f"http://127.0.0.1:1/{name}/ows",
            "source_type": "osnabrueck_ogc",
            "owner_org": world.org_a["id"], "config": json.dumps({"owner_org": world.org_a["name"]})}


def _existing_source(world: World, private=False) -> dict:
    return call_action("harvest_source_create", _admin(world), **_source(world), private=private)


def _job(world: World, private=False) -> dict:
    source = _existing_source(world, private)
    return call_action("harvest_job_create", _admin(world), source_id=source["id"], run=False)


_GROUPS: dict[str, str] = {}


def _group(world: World) -> str:
    key = world.org_a["id"]
    if key not in _GROUPS:
        _GROUPS[key] = factories.Group(users=[{"name": world.name("editor_a"), "capacity": "member"}])["id"]
    return _GROUPS[key]


# case → (action, auth function, data dict of one call). Each call gets fresh objects, but
# the read-only cases in SHARED use one object for all roles.
CASES: dict[str, tuple[str, str, Callable[[World], dict]]] = {
    "package_show (public)": ("package_show", "package_show", lambda w: {"id": _dataset(w)["id"]}),
    "package_show (private)": ("package_show", "package_show", lambda w: {"id": _dataset(w, private=True)["id"]}),
    "resource_show (private)": ("resource_show", "resource_show",
                                lambda w: {"id": _resource_of(w, private=True)["id"]}),
    "package_create": ("package_create", "package_create", lambda w: dataset_fields(w.org_a, name=_unique("neu"))),
    "package_update": ("package_update", "package_update",
                       lambda w: {**call_action("package_show", _admin(w), id=_dataset(w)["id"]), "title": "Neu"}),
    "package_patch": ("package_patch", "package_patch", lambda w: {"id": _dataset(w)["id"], "title": "Neu"}),
    "package_delete": ("package_delete", "package_delete", lambda w: {"id": _dataset(w)["id"]}),
    "dataset_purge": ("dataset_purge", "dataset_purge", lambda w: {"id": _dataset(w)["id"]}),
    "resource_create": ("resource_create", "resource_create",
                        lambda w: {"package_id": _dataset(w)["id"], "name": "Neu", "url": "https://example.org/n.csv",
                                   "format": "CSV"}),
    "resource_update": ("resource_update", "resource_update",
                        lambda w: {**_resource_of(w), "name": "Neu"}),
    "resource_delete": ("resource_delete", "resource_delete", lambda w: {"id": _resource_of(w)["id"]}),
    "organization_member_create": ("organization_member_create", "organization_member_create",
                                   lambda w: {"id": w.org_a["id"], "username": factories.User()["name"],
                                              "role": "member"}),
    "organization_update": ("organization_update", "organization_update",
                            lambda w: {**call_action("organization_show", _admin(w), id=w.org_a["id"],
                                                     include_users=True, include_datasets=False),
                                       "title": "Neuer Titel"}),
    "bulk_update_private": ("bulk_update_private", "bulk_update_private",
                            lambda w: {"org_id": w.org_a["id"], "datasets": [_dataset(w)["id"]]}),
    "member_create (dataset into group)": ("member_create", "member_create",
                                           lambda w: {"id": _group(w), "object": _dataset(w)["id"],
                                                      "object_type": "package", "capacity": "public"}),
    "datastore_create": ("datastore_create", "datastore_create",
                         lambda w: {"resource_id": _resource_of(w)["id"], "force": True,
                                    "fields": [{"id": "wert", "type": "int"}], "records": [{"wert": 1}]}),
    "datastore_delete": ("datastore_delete", "datastore_delete", lambda w: {"resource_id": _table(w), "force": True}),
    "datastore_search (private)": ("datastore_search", "datastore_search",
                                   lambda w: {"resource_id": _table(w, private=True)}),
    "harvest_source_create": ("harvest_source_create", "harvest_source_create", _source),
    "harvest_source_update": ("harvest_source_update", "harvest_source_update",
                              lambda w: {**_source(w), "id": _existing_source(w)["id"], "title": "Neu"}),
    "harvest_job_create": ("harvest_job_create", "harvest_job_create",
                           lambda w: {"source_id": _existing_source(w)["id"], "run": False}),
    "harvest_source_show (private)": ("harvest_source_show", "harvest_source_show",
                                      lambda w: {"id": _existing_source(w, private=True)["id"]}),
    "harvest_jobs_run": ("harvest_jobs_run", "harvest_jobs_run", lambda w: {"source_id": _existing_source(w)["id"]}),
    "harvest_source_patch": ("harvest_source_patch", "harvest_source_patch",
                             lambda w: {"id": _existing_source(w)["id"], "title": "Neu"}),
    "harvest_source_delete": ("harvest_source_delete", "harvest_source_delete",
                              lambda w: {"id": _existing_source(w)["id"]}),
    "harvest_source_clear": ("harvest_source_clear", "harvest_source_clear", lambda w: {"id": _existing_source(w)["id"]}),
    "harvest_source_reindex": ("harvest_source_reindex", "harvest_source_reindex",
                               lambda w: {"id": _existing_source(w)["id"]}),
    "harvest_job_list (private)": ("harvest_job_list", "harvest_job_list",
                                   lambda w: {"source_id": _job(w, private=True)["source_id"]}),
    "harvest_job_show (private)": ("harvest_job_show", "harvest_job_show", lambda w: {"id": _job(w, private=True)["id"]}),
    "harvest_job_abort": ("harvest_job_abort", "harvest_job_abort", lambda w: {"source_id": _job(w)["source_id"]}),
    "osnabrueck_quality_show (private)": ("osnabrueck_quality_show", "osnabrueck_quality_show",
                                          lambda w: {"id": _dataset(w, private=True)["id"]}),
    "osnabrueck_organization_quality": ("osnabrueck_organization_quality", "osnabrueck_organization_quality",
                                        lambda w: {"id": w.org_a["id"]}),
    "dcat_catalog_show": ("dcat_catalog_show", "dcat_catalog_show",
                          lambda w: {"format": "ttl", "modified_since": "2999-01-01T00:00:00"}),
}


SHARED = {"package_show (public)", "package_show (private)", "resource_show (private)", "datastore_search (private)",
          "harvest_source_show (private)", "harvest_job_list (private)", "harvest_job_show (private)",
          "osnabrueck_quality_show (private)", "osnabrueck_organization_quality",
          "dcat_catalog_show"}


def _calls(world: World, case: str):
    """(role, allowed, data dict) for each role."""
    make = CASES[case][2]
    shared = make(world) if case in SHARED else None
    for role, allowed in zip(ROLES, MATRIX[case]):
        yield role, allowed, dict(shared) if shared is not None else make(world)


def _context(world: World, role: str) -> dict:
    return {"user": world.name(role), "ignore_auth": False}


def test_the_table_covers_every_case():
    assert set(MATRIX) == set(CASES)
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


@pytest.mark.parametrize("case", MATRIX)
def test_action_and_auth_layer(app, world, case):
    action, auth, _ = CASES[case]
    with app.flask_app.test_request_context():  # dcat_catalog_show reads the request
        for role, allowed, data in _calls(world, case):
            if allowed:
                assert call_auth(auth, _context(world, role), **data), (case, role)
                call_action(action, _context(world, role), **data)
            else:
                with pytest.raises(logic.NotAuthorized):
                    call_auth(auth, _context(world, role), **data)
                    pytest.fail(f"{case}: {role} passed the auth function")
                with pytest.raises(logic.NotAuthorized):
                    call_action(action, _context(world, role), **data)
                    pytest.fail(f"{case}: {role} ran the action")


HTTP_SUBSET = ["package_show (private)", "package_patch", "package_delete", "resource_create",
               "organization_member_create", "datastore_create", "datastore_search (private)",
               "harvest_job_create", "harvest_source_clear", "harvest_source_reindex", "harvest_job_show (private)",
               "harvest_job_abort", "osnabrueck_quality_show (private)"]


@pytest.mark.parametrize("case", HTTP_SUBSET)
def test_http_api_with_api_tokens(app, world, case):
    action = CASES[case][0]
    for role, allowed, data in _calls(world, case):
        status, body = api(app, action, world.headers(role), **data)
        if allowed:
            assert status == 200 and body["success"], (case, role, body)
        else:
            assert status == 403, (case, role, status, body)
            assert body["success"] is False and body["error"]["__type"] == "Authorization Error", (case, role)


def test_a_denied_patch_changes_nothing(app, world):
    dataset = _dataset(world, title="Unverändert")
    for role in ("anonymous", "member_a", "editor_b"):
        status, _ = api(app, "package_patch", world.headers(role), id=dataset["id"], title="Geändert", private=True)
        assert status == 403
    shown = call_action("package_show", id=dataset["id"])
    assert (shown["title"], shown["private"], shown["metadata_modified"]) == (
        "Unverändert", False, dataset["metadata_modified"])


def test_dataset_collaborators_are_switched_off(world):
    """Collaborators would give single users rights beside the organisations' roles: the
    organisation's admins pass the auth function, but the feature is off for everybody."""
    dataset = _dataset(world, private=True)
    data = {"id": dataset["id"], "user_id": world.name("editor_b"), "capacity": "editor"}
    for role, allowed in zip(ROLES, (N, N, N, Y, N, Y)):
        expected = logic.ValidationError if allowed else logic.NotAuthorized
        with pytest.raises(expected):
            call_action("package_collaborator_create", _context(world, role), **data)
            pytest.fail(f"{role} added a collaborator")
    assert model.Session.query(model.PackageMember).filter_by(package_id=dataset["id"]).count() == 0
