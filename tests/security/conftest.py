"""The people of the security tests: two departments (organisations A and B) and the
roles a data steward meets, each with an API token."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from ckan import model
from ckan.tests import factories

from ckanext.osnabrueck import sessions
from ckanext_osnabrueck.factories import EU  # noqa: F401 - the tests import it from here

ROLES = ("anonymous", "member_a", "editor_a", "admin_a", "editor_b", "sysadmin")
COOKIE_DOMAIN = "test.ckan.net"


_RESET = {"done": False}


@pytest.fixture
def shared_db(with_plugins, reset_db):
    """The database emptied once per session instead of per test (clean_db costs ~2 s):
    for tests that only create uniquely named objects. (CKAN's non_clean_db resets before
    the plugins are loaded, which the plugin migrations of tests/conftest.py need.)"""
    if not _RESET["done"]:
        reset_db()
        _RESET["done"] = True


@dataclass
class World:
    org_a: dict
    org_b: dict
    users: dict = field(default_factory=dict)  # role → user dict with "token"; anonymous: None

    def name(self, role: str) -> str:
        return self.users[role]["name"] if self.users.get(role) else ""

    def headers(self, role: str) -> dict:
        return {"Authorization": self.users[role]["token"]} if self.users.get(role) else {}


@pytest.fixture
def world() -> World:
    return make_world(_users())


_SHARED: dict[str, dict] = {}


@pytest.fixture
def shared_world(shared_db) -> World:
    """Fresh organisations, but the users shared by all tests on the shared database
    (a user costs ~0.4 s); made again when another module's clean_db removed them."""
    users = _SHARED.get("users")
    if users is None or model.User.get(users["sysadmin"]["id"]) is None:
        users = _SHARED["users"] = _users()
    return make_world(users)


def _users() -> dict:
    users = {role: factories.UserWithToken() for role in ("member_a", "editor_a", "admin_a", "editor_b")}
    users["sysadmin"] = factories.SysadminWithToken()
    users["anonymous"] = None
    return users


def make_world(users: dict) -> World:
    org_a = factories.Organization(users=[{"name": users["member_a"]["name"], "capacity": "member"},
                                          {"name": users["editor_a"]["name"], "capacity": "editor"},
                                          {"name": users["admin_a"]["name"], "capacity": "admin"}])
    org_b = factories.Organization(users=[{"name": users["editor_b"]["name"], "capacity": "editor"}])
    return World(org_a, org_b, users)


def dataset_fields(org: dict, **extra) -> dict:
    """A valid dataset of the portal's schema (for the API, not a factory)."""
    return {"owner_org": org["id"], "title": "Datensatz", "notes": "Beschreibung",
            "contact_email": "umwelt@osnabrueck.de",
            "theme": [f"{EU}/data-theme/ENVI"], **extra}


def log_in(app, user: dict) -> None:
    """A browser session of the user (session cookie, no API token), with a login token as
    the login form issues it (a plain user id is refused: sessions.py)."""
    app.set_session_user(None)
    with app.client.session_transaction() as session:
        session["_user_id"] = sessions.issue(model.User.get(user["id"]))
        session["_fresh"] = True
    # CKAN's helper sets the cookie for "localhost"; the test app serves ckan.site_url's host.
    cookie = app.client.get_cookie("ckan", domain="localhost")
    app.client.set_cookie("ckan", cookie.value, domain=COOKIE_DOMAIN)


def api(app, action: str, headers: dict | None = None, method: str = "post", **data):
    """(status, JSON body) of an action API call."""
    if method == "get":
        response = app.get(f"/api/3/action/{action}", query_string=data, headers=headers or {})
    else:
        response = app.post(f"/api/3/action/{action}", json=data, headers=headers or {})
    assert response.content_type.startswith("application/json"), (action, response.status_code, response.body[:300])
    return response.status_code, json.loads(response.body)
