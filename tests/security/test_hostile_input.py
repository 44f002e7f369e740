"""Hostile input: forged form posts (CSRF), HTML and scripts in every metadata field,
oversized and malformed API payloads, and fuzzed package_create/package_update."""
from __future__ import annotations

import json
import uuid
from io import BytesIO
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa
import yaml
from bs4 import BeautifulSoup
from rdflib import Graph

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.harvest.model import HarvestJob

from .conftest import EU, dataset_fields, log_in

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[2] / "ckanext-osnabrueck/ckanext/osnabrueck/schemas/"
                         "dataset.yaml").read_text())


# --- CSRF ---------------------------------------------------------------------------------

# Every POST endpoint of the app, with the URL of an object it would change. A new POST
# endpoint fails test_every_post_endpoint_is_known until it is added here.
POST_FORMS = {
    "dataset.new": "/dataset/new",
    "dcat.new": "/dataset/new",
    "dataset.edit": "/dataset/edit/{dataset}",
    "dataset.delete": "/dataset/delete/{dataset}",
    "dataset.groups": "/dataset/groups/{dataset}",
    "dataset.follow": "/dataset/follow/{dataset}",
    "dataset.unfollow": "/dataset/unfollow/{dataset}",
    "dataset_resource.new": "/dataset/{dataset}/resource/new",
    "dataset_resource.edit": "/dataset/{dataset}/resource/{resource}/edit",
    "dataset_resource.delete": "/dataset/{dataset}/resource/{resource}/delete",
    "dataset_resource.edit_view": "/dataset/{dataset}/resource/{resource}/edit_view/{view}",
    "resource.new": "/dataset/{dataset}/resource/new",
    "resource.edit": "/dataset/{dataset}/resource/{resource}/edit",
    "resource.delete": "/dataset/{dataset}/resource/{resource}/delete",
    "resource.edit_view": "/dataset/{dataset}/resource/{resource}/new_view?view_type=image_view",
    "datastore.dictionary": "/dataset/{dataset}/dictionary/{resource}",
    "datatablesview.ajax": "/datatables/ajax/{view}",
    "datatablesview.filtered_download": "/datatables/filtered-download/{view}",
    "xloader.resource_data": "/dataset/{dataset}/resource_data/{resource}",
    "xloader.delete_datastore_table": "/dataset/{dataset}/delete-datastore/{resource}",
    "organization.new": "/organization/new",
    "organization.edit": "/organization/edit/{org}",
    "organization.delete": "/organization/delete/{org}",
    "organization.bulk_process": "/organization/bulk_process/{org}",
    "organization.member_new": "/organization/member_new/{org}",
    "organization.member_delete": "/organization/member_delete/{org}?user={other}",
    "organization.manage_members": "/organization/manage_members/{org}",
    "organization.admins": "/organization/admins/{org}",
    "organization.followers": "/organization/followers/{org}",
    "organization.follow": "/organization/follow/{org}",
    "organization.unfollow": "/organization/unfollow/{org}",
    "group.new": "/group/new",
    "group.edit": "/group/edit/{group}",
    "group.delete": "/group/delete/{group}",
    "group.bulk_process": "/group/bulk_process/{group}",
    "group.member_new": "/group/member_new/{group}",
    "group.member_delete": "/group/member_delete/{group}?user={other}",
    "group.manage_members": "/group/manage_members/{group}",
    "group.admins": "/group/admins/{group}",
    "group.followers": "/group/followers/{group}",
    "group.follow": "/group/follow/{group}",
    "group.unfollow": "/group/unfollow/{group}",
    "harvest.new": "/harvest/new",
    "harvest.edit": "/harvest/edit/{source}",
    "harvest.delete": "/harvest/delete/{source}",
    "harvest.groups": "/harvest/groups/{source}",
    "harvest.follow": "/harvest/follow/{source}",
    "harvest.unfollow": "/harvest/unfollow/{source}",
    "harvest_resource.new": "/harvest/{source}/resource/new",
    "harvest_resource.edit": "/harvest/{source}/resource/{resource}/edit",
    "harvest_resource.delete": "/harvest/{source}/resource/{resource}/delete",
    "harvest_resource.edit_view": "/harvest/{source}/resource/{resource}/edit_view/{view}",
    "harvester.clear": "/harvest/clear/{source}",
    "harvester.refresh": "/harvest/refresh/{source}",
    "user.edit": "/user/edit/{other}",
    "user.delete": "/user/delete/{other}",
    "user.api_tokens": "/user/{me}/api-tokens",
    "user.api_tokens_revoke": "/user/{me}/api-tokens/revoke",
    "user.sysadmin": "/user/sysadmin",
    "user.follow": "/user/follow/{other}",
    "user.unfollow": "/user/unfollow/{other}",
    "user.login": "/user/login",
    "user.logout": "/user/_logout",
    "user.register": "/user/register",
    "user.request_reset": "/user/reset",
    "user.perform_reset": "/user/reset/{other}",
    "admin.config": "/ckan-admin/config",
    "admin.reset_config": "/ckan-admin/reset_config",
    "admin.trash": "/ckan-admin/trash",
    "activity.admin_activities": "/ckan-admin/activities",
    "util.internal_redirect": "/util/redirect",
    "api.action": "/api/3/action/package_patch",
}
# POST endpoints without CSRF protection, and why.
CSRF_EXEMPT = {"osnabrueck.tracking_beacon": "/_tracking"}  # page-view counter: nobody's data
# What a forged form would send: enough for most views to act if the token were not checked.
FORGED = {"title": "Gekapert", "name": "gekapert", "description": "Gekapert", "save": "", "delete": "yes",
          "confirm": "yes", "username": "", "role": "admin", "status": "true", "url": "/dataset/",
          "id": "", "email": "boese@example.org", "password": "x", "datasets": "", "bulk_action.delete": "x",
          "action": "delete", "token": "", "draw": "1", "params": "{}"}
# Rows that change on every request (a user's last visit) are no state the forge could change.
VOLATILE_COLUMNS = ("last_active",)


def _post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.flask_app.url_map.iter_rules() if "POST" in rule.methods}


def test_every_post_endpoint_is_known(app):
    """A new form (of an extension, a plugin update or our views) must join the CSRF test."""
    endpoints = _post_endpoints(app)
    known = set(POST_FORMS) | set(CSRF_EXEMPT)
    assert endpoints - known == set(), "POST endpoints without a CSRF test"
    assert known - endpoints == set(), "POST_FORMS or CSRF_EXEMPT list endpoints that are gone"


def db_state() -> dict[str, str]:
    """A digest of every row of every table of CKAN's database."""
    tables = [row[0] for row in model.Session.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
    drop = " - ".join(f"'{column}'" for column in VOLATILE_COLUMNS)
    state = {}
    for table in tables:
        state[table] = model.Session.execute(sa.text(
            f'SELECT md5(coalesce(string_agg((to_jsonb(t) - {drop})::text, \',\' '
            f'ORDER BY (to_jsonb(t) - {drop})::text), \'\')) FROM "{table}" t')).scalar()
    model.Session.remove()
    return state


@pytest.fixture
def forms_world():
    sysadmin = factories.SysadminWithToken()
    other = factories.UserWithToken()
    org = factories.Organization(users=[{"name": other["name"], "capacity": "editor"}])
    group = factories.Group(users=[{"name": other["name"], "capacity": "member"}])
    dataset = call_action("package_create", {"user": sysadmin["name"]},
                          **dataset_fields(org, name=f"ziel-{uuid.uuid4().hex[:6]}", groups=[{"id": group["id"]}],
                                           resources=[{"name": "Tabelle", "url": "https://example.org/t.png",
                                                       "format": "PNG"}]))
    resource = dataset["resources"][0]
    view = call_action("resource_view_create", {"user": sysadmin["name"]}, resource_id=resource["id"],
                       view_type="image_view", title="Bild")
    source = call_action("harvest_source_create", {"user": sysadmin["name"]}, name=f"quelle-{uuid.uuid4().hex[:6]}",
                         title="Quelle", url="http://127.0.0.1:1/ows", source_type="osnabrueck_ogc",
                         owner_org=org["id"], config=json.dumps({"owner_org": org["name"]}))
    HarvestJob(source_id=source["id"]).save()
    return {"sysadmin": sysadmin, "values": {
        "dataset": dataset["name"], "resource": resource["id"], "view": view["id"], "org": org["name"],
        "group": group["name"], "source": source["name"], "other": other["name"], "me": sysadmin["name"]},
        "other": other}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("WTF_CSRF_ENABLED", "true")
def test_forms_refuse_posts_without_csrf_token(app, forms_world):
    """A logged-in steward's browser posting a forged form (no token) is refused with a 400
    and nothing changes, also after anonymous and API-token requests to the same view
    (CKAN 2.12.0 then exempted the view for good)."""
    sysadmin = forms_world["sysadmin"]
    forged = {**FORGED, "username": forms_world["other"]["name"]}
    anonymous, token_client = app.test_client(), app.test_client()
    log_in(app, sysadmin)
    for endpoint, template in POST_FORMS.items():
        url = template.format(**forms_world["values"])
        anonymous.get(url)
        token_client.get(url, headers={"Authorization": sysadmin["token"]})
        before = db_state()
        response = app.post(url, data=forged, follow_redirects=False)
        assert response.status_code == 400, (endpoint, response.status_code)
        assert "CSRF" in response.body, endpoint
        after = db_state()
        assert after == before, (endpoint, [table for table in after if after[table] != before[table]])
    # The same session with the token from the form does act: the refusals above were CSRF's.
    page = BeautifulSoup(app.get(f"/dataset/delete/{forms_world['values']['dataset']}").body, "lxml")
    token = page.find("input", attrs={"name": "_csrf_token"})["value"]
    response = app.post(f"/dataset/delete/{forms_world['values']['dataset']}", data={"_csrf_token": token},
                        follow_redirects=False)
    assert response.status_code == 302
    assert model.Package.get(forms_world["values"]["dataset"]).state == "deleted"


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("WTF_CSRF_ENABLED", "true")
def test_the_exempt_beacon_counts_a_logged_in_view_and_exempts_nothing_else(app):
    """tracking.js sends no CSRF token: a logged-in visitor's view is counted too, and the
    exemption of the beacon does not spread to the forms of the same session."""
    log_in(app, factories.Sysadmin())
    response = app.post(CSRF_EXEMPT["osnabrueck.tracking_beacon"], data={"url": "/dataset/x", "type": "page"},
                        follow_redirects=False)
    assert response.status_code == 204
    assert model.Session.execute(sa.text("SELECT count(*) FROM tracking_raw")).scalar() == 1
    response = app.post("/dataset/new", data=FORGED, follow_redirects=False)
    assert response.status_code == 400 and "CSRF" in response.body


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_api_posts_with_a_session_cookie_need_the_csrf_header(app):
    """CKAN's JavaScript sends X-CSRFToken with cookie-authenticated API calls; a forged
    cross-site call carries the cookie only."""
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = call_action("package_create", {"user": user["name"]}, **dataset_fields(org, name="ziel"))
    app.get("/api/3/action/package_patch")  # anonymous: exempt, for this request only
    log_in(app, user)
    response = app.post("/api/3/action/package_patch", json={"id": dataset["id"], "title": "Gekapert"})
    assert response.status_code == 400 and "CSRF" in response.body
    assert call_action("package_show", id=dataset["id"])["title"] == "Datensatz"
    page = BeautifulSoup(app.get("/dataset/ziel").body, "lxml")
    token = page.find("meta", attrs={"name": "_csrf_token"})["content"]
    response = app.post("/api/3/action/package_patch", json={"id": dataset["id"], "title": "Mit Token"},
                        headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert call_action("package_show", id=dataset["id"])["title"] == "Mit Token"


# --- HTML and scripts in every field --------------------------------------------------------

MARK = "xss7331"
PAYLOAD = f'"><script>alert("{MARK}")</script><img src=x onerror=alert(1)><svg/onload=alert(2)>\'</textarea>'
URL_PAYLOAD = f"javascript:alert('{MARK}')"
# Free-text fields that must take any text (and show it escaped); the others may refuse it.
FREE_TEXT = {"title", "notes", "publisher_name", "contact_name", "maintainer", "originator", "legal_basis",
             "identifier"}
FREE_TEXT_RESOURCE = {"name", "description", "license_attribution_by_text", "rights"}


def _hostile_value(field: dict):
    if field.get("repeating_subfields"):
        return [{sub["field_name"]: PAYLOAD for sub in field["repeating_subfields"]}]
    preset = field.get("preset", "")
    if preset in ("osnabrueck_uri", "resource_url_upload"):
        return URL_PAYLOAD
    if "multiple" in preset or "checkboxes" in preset or "list" in preset:
        return [PAYLOAD]
    return PAYLOAD


# Resource fields whose default is a dataset field: the dataset's value is refused there.
DERIVED = {"license": "license_id"}


def _create_with_what_is_accepted(create, base: dict, hostile: dict) -> tuple[dict, set]:
    """Create with every hostile value the validators take; returns (object, refused keys)."""
    values, refused = dict(hostile), set()
    for _ in range(len(hostile) + 1):
        try:
            return create({**base, **values}), refused
        except Exception as error:  # noqa: BLE001 - ValidationError, with the refused fields
            model.Session.rollback()  # as after a refused API request
            errors = getattr(error, "error_dict", None)
            if not errors:
                raise
            keys = set(errors) & set(values)
            if "resources" in errors and "resources" in values:
                resource_errors = errors["resources"][0] if errors["resources"] else {}
                resource = values["resources"][0]
                for key in resource_errors:
                    if key not in resource and DERIVED.get(key) in values:
                        keys.add(DERIVED[key])  # the resource's value comes from the dataset's
                    if key in resource:
                        refused.add(f"resources.{key}")
                        if key in base["resources"][0]:
                            resource[key] = base["resources"][0][key]
                        else:
                            resource.pop(key)
                keys.discard("resources")
            if not keys and "resources" not in errors:
                raise
            for key in keys:
                refused.add(key)
                values.pop(key)
    raise AssertionError("validation never settled")


def injected(html: str) -> list[str]:
    """Elements or attributes the payload managed to create. (Markdown fields may keep an
    <img>, as CKAN's Markdown allows images, but never its onerror handler.)"""
    problems = []
    for element in BeautifulSoup(html, "lxml").find_all(True):
        if element.name == "script" and element.get("type") != "application/ld+json" and "alert(" in element.get_text():
            problems.append(f"<script> {element.get_text()[:80]}")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") and "alert" in value:
                problems.append(f"<{element.name} {name}={value[:60]}>")
            if name in ("href", "src", "action", "formaction", "data") and value.strip().lower().startswith(
                    "javascript:") and ("alert" in value or MARK in value):  # CKAN's own links: "javascript:;"
                problems.append(f"<{element.name} {name}={value[:60]}>")
        if element.name in ("svg", "iframe", "object", "embed") and MARK in str(element):
            problems.append(f"<{element.name}> from the payload")
    return problems


@pytest.fixture
def hostile_objects():
    sysadmin = factories.SysadminWithToken()
    def site():  # a fresh context per call: CKAN keeps the objects it made in it
        return {"user": sysadmin["name"]}
    org = call_action("organization_create", site(), name="xss-org", title=f"Amt {PAYLOAD}", description=PAYLOAD)
    group = call_action("group_create", site(), name="xss-gruppe", title=f"Gruppe {PAYLOAD}", description=PAYLOAD)
    dataset_hostile = {field["field_name"]: _hostile_value(field) for field in SCHEMA["dataset_fields"]
                       if field["field_name"] not in ("name", "owner_org")}
    resource_hostile = {field["field_name"]: _hostile_value(field) for field in SCHEMA["resource_fields"]}
    base = {**dataset_fields(org, name="xss-datensatz", tag_string="xss-tag", groups=[{"id": group["id"]}]),
            "resources": [{"name": "Tabelle", "url": "https://example.org/t.csv", "format": "CSV"}]}
    hostile = {**dataset_hostile, "resources": [{**base["resources"][0], **resource_hostile}]}
    dataset, refused = _create_with_what_is_accepted(lambda data: call_action("package_create", site(), **data),
                                                     base, hostile)
    assert not (FREE_TEXT & refused), refused
    assert not ({f"resources.{key}" for key in FREE_TEXT_RESOURCE} & refused), refused
    call_action("package_patch", site(), id=dataset["id"], notes=f"Zweite Fassung {PAYLOAD}")
    return {"sysadmin": sysadmin, "dataset": call_action("package_show", id=dataset["id"]), "org": org,
            "group": group, "refused": refused}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_markup_in_every_field_is_shown_escaped(app, hostile_objects):
    dataset, org, group = hostile_objects["dataset"], hostile_objects["org"], hostile_objects["group"]
    resource = dataset["resources"][0]
    admin = {"Authorization": hostile_objects["sysadmin"]["token"]}
    activity = call_action("package_activity_list", id=dataset["id"])[0]["id"]
    pages = [f"/dataset/{dataset['name']}", f"/dataset/{dataset['name']}/resource/{resource['id']}",
             "/dataset/", f"/dataset/?q={MARK}", "/dataset/?tags=xss-tag", f"/organization/{org['name']}",
             f"/organization/about/{org['name']}", "/organization/", f"/group/{group['name']}",
             f"/group/about/{group['name']}", "/group/", "/", f"/dataset/activity/{dataset['name']}",
             f"/organization/activity/{org['name']}", f"/group/activity/{group['name']}",
             f"/organization/quality/{org['name']}", "/daten-api",
             f"/dataset/?q={quote(PAYLOAD)}", f"/organization/?q={quote(PAYLOAD)}", f"/dataset/{quote(PAYLOAD)}"]
    own_pages = [f"/dataset/edit/{dataset['name']}", f"/dataset/{dataset['name']}/resource/{resource['id']}/edit",
                 f"/organization/edit/{org['name']}", f"/group/edit/{group['name']}", "/dashboard/",
                 f"/dataset/changes/{activity}", f"/dataset/{dataset['name']}/history/{activity}",
                 f"/user/activity/{hostile_objects['sysadmin']['name']}"]
    shown = 0
    for url, headers in [(url, {}) for url in pages] + [(url, admin) for url in own_pages]:
        response = app.get(url, headers=headers)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert injected(response.body) == [], url
        shown += MARK in BeautifulSoup(response.body, "lxml").get_text()
    assert shown >= 15  # the payload is on the pages, as text
    text = BeautifulSoup(app.get(f"/dataset/{dataset['name']}").body, "lxml").get_text()
    for field in ("publisher_name", "contact_name", "maintainer", "originator", "legal_basis", "identifier"):
        assert dataset[field] == PAYLOAD, field
    assert text.count(f'alert("{MARK}")') >= 5


def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return set().union(*(_strings(item) for item in items)) if items else set()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_structured_data_and_rdf_keep_the_markup_as_data(app, hostile_objects):
    dataset = hostile_objects["dataset"]
    page = BeautifulSoup(app.get(f"/dataset/{dataset['name']}").body, "lxml")
    scripts = page.find_all("script", attrs={"type": "application/ld+json"})
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)  # a "</script>" in a value would have cut it short
    assert dataset["title"] in _strings(data)
    for fmt, parser in (("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")):
        for url in (f"/dataset/{dataset['name']}.{fmt}", f"/catalog.{fmt}"):
            graph = Graph().parse(data=app.get(url).body, format=parser)
            assert dataset["title"] in {str(value) for value in graph.objects()}, url
    ElementTree.fromstring(app.get("/sitemap.xml").body)
    autocomplete = app.get("/api/2/util/tag/autocomplete", query_string={"incomplete": PAYLOAD})
    assert autocomplete.content_type.startswith("application/json")


# --- oversized and malformed API payloads ---------------------------------------------------

def _json_error(response, *statuses) -> dict:
    assert response.status_code in statuses, (response.status_code, response.body[:300])
    assert response.content_type.startswith("application/json"), response.body[:200]
    body = json.loads(response.body)
    assert body["success"] is False and body["error"], body
    return body


@pytest.fixture
def editor():
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return {"headers": {"Authorization": user["token"]}, "org": org, "user": user}


def _count() -> int:
    return model.Session.query(model.Package).count()


# These compare counts and use unique names: no emptied database per test (2 s each).
@pytest.mark.usefixtures("with_plugins", "shared_db")
class TestMalformedPayloads:

    def test_a_body_over_the_api_limit(self, app, editor):
        before = _count()
        body = _json_error(app.post("/api/3/action/package_create", headers=editor["headers"],
                                    json=dataset_fields(editor["org"], name="riesig", notes="x" * 10_000_000)), 413)
        assert "5 MB" in body["error"]["message"]
        assert _count() == before

    @pytest.mark.ckan_config("ckanext.osnabrueck.api_max_body_mb", "1")
    def test_the_limit_is_configurable_and_counts_chunked_bodies_too(self, app, editor):
        payload = json.dumps(dataset_fields(editor["org"], name="gross", notes="x" * 1_500_000)).encode()
        _json_error(app.post("/api/3/action/package_create", headers=editor["headers"], data=payload,
                             content_type="application/json"), 413)
        _json_error(app.post("/api/3/action/package_create", headers={**editor["headers"],
                                                                        "Transfer-Encoding": "chunked"},
                             input_stream=BytesIO(payload), content_type="application/json",
                             environ_overrides={"wsgi.input_terminated": True}), 413)
        assert model.Package.get("gross") is None

    @pytest.mark.ckan_config("ckan.max_resource_size", "1")
    @pytest.mark.ckan_config("ckan.max_image_size", "1")
    def test_uploads_over_the_resource_size(self, app, editor):
        dataset = call_action("package_create", {"user": editor["user"]["name"]},
                              **dataset_fields(editor["org"], name=f"mit-upload-{uuid.uuid4().hex[:8]}"))
        response = app.post("/api/3/action/resource_create", headers=editor["headers"],
                            data={"package_id": dataset["id"], "name": "Gross", "format": "CSV",
                                  "upload": (BytesIO(b"a;b\n" * 800_000), "gross.csv")},
                            content_type="multipart/form-data")
        _json_error(response, 413)
        assert call_action("package_show", id=dataset["id"])["resources"] == []

    @pytest.mark.parametrize("body, content_type", [
        (b"{kein json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"text"', "application/json"),
        (b"42", "application/json"),
        (b"null", "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b'{"name": "x", "extras": ' + b'{"a": ' * 1000 + b"null" + b"}" * 1001, "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
        (b"name=x&name=y&title=", "application/x-www-form-urlencoded"),
        (b"\x00\x01\x02", "application/octet-stream"),
        (b'{"name": "ok"}', "text/plain"),
    ])
    def test_undecodable_bodies(self, app, editor, body, content_type):
        before = _count()
        _json_error(app.post("/api/3/action/package_create", headers=editor["headers"], data=body,
                             content_type=content_type), 400, 409, 415)
        assert _count() == before

    @pytest.mark.parametrize("fields", [
        {"title": 12345}, {"title": ["a", "b"]}, {"title": {"de": "x"}}, {"title": None}, {"title": True},
        {"notes": 1.5e308}, {"owner_org": {"id": "x"}}, {"owner_org": ["a"]}, {"name": 7},
        {"resources": "keine Liste"}, {"resources": [1, 2]}, {"resources": [{"url": {"x": 1}}]},
        {"tags": "kein"}, {"tags": [{"name": {"x": 1}}]}, {"tag_string": ["a"]}, {"theme": "ENVI"},
        {"theme": [None]}, {"groups": "x"}, {"extras": [{"key": {"a": 1}, "value": 1}]}, {"extras": "x"},
        {"private": "vielleicht"}, {"state": "gelöscht"}, {"spatial": {"type": "Point"}}, {"spatial": "[1,"},
        {"temporal_start": "2025-13-45"}, {"language": "DEU"}, {"access_services": "x"},
        {"title": "a\x00b"}, {"title": "\ud800"}, {"notes": "\udfff" * 10}, {"identifier": "i" * 40_000},
        {"title": "T" * 40_000}, {"url": "u" * 40_000}, {"license_id": "l" * 40_000},
    ])
    def test_wrong_types_and_values(self, app, editor, fields):
        before = _count()
        data = {**dataset_fields(editor["org"], name=f"feld-{uuid.uuid4().hex[:8]}"), **fields}
        response = app.post("/api/3/action/package_create", headers=editor["headers"], data=json.dumps(data),
                            content_type="application/json")
        assert response.status_code < 500, (fields, response.body[:300])
        assert response.content_type.startswith("application/json")
        if response.status_code != 200:
            _json_error(response, 400, 403, 404, 409)
            assert _count() == before
        else:
            shown = call_action("package_show", id=data["name"])
            assert shown["name"] == data["name"]

    def test_unknown_actions_routes_and_methods(self, app, editor):
        _json_error(app.post("/api/3/action/gibt_es_nicht", headers=editor["headers"], json={}), 400)
        _json_error(app.get("/api/3/action/gibt_es_nicht"), 400)
        _json_error(app.get("/api/3/gibt/es/nicht"), 404)
        _json_error(app.get("/api/99/action/package_list"), 404)
        for method in ("put", "delete", "patch"):
            response = getattr(app.client, method)("/api/3/action/package_create", headers=editor["headers"],
                                                   json=dataset_fields(editor["org"], name="per-put"))
            _json_error(response, 405)
            assert "POST" in response.headers["Allow"]
        _json_error(app.get("/api/3/action/package_create", headers=editor["headers"],
                            query_string={"name": "per-get"}), 400)
        assert model.Package.get("per-put") is None and model.Package.get("per-get") is None

    @pytest.mark.parametrize("params", [
        {"id": "x" * 10_000}, {"id": "'; DROP TABLE package; --"}, {"id": "../../etc/passwd"}, {"id": ""},
        {"id": "\x00"},
    ])
    def test_odd_identifiers(self, app, params):
        _json_error(app.get("/api/3/action/package_show", query_string=params), 400, 404, 409)
        _json_error(app.post("/api/3/action/package_show", json={"id": [params["id"]]}), 400, 404, 409)

    @pytest.mark.parametrize("params", [
        {"q": "title:(((", "rows": 10}, {"rows": -1}, {"rows": "viele"}, {"start": -5}, {"sort": "nicht da asc"},
        {"fq": "{!join from=id to=id}*:*"}, {"facet.field": "[kein json"}, {"q": "*" * 5000},
        {"defType": "func", "q": "sleep(10000)"},
    ])
    def test_hostile_searches(self, app, params):
        response = app.get("/api/3/action/package_search", query_string=params)
        assert response.status_code < 500 and response.content_type.startswith("application/json"), params


# --- inputs that answered 500 (F9): each answers 4xx with a JSON error, or works ---------

HUGE = 10 ** 30
# (action, method, who, parameters); {dataset}, {resource}, {org}, {user} are filled in.
API_INPUTS = [
    ("tag_search", "get", "anonymous", {"fields": "{}"}),
    ("tag_search", "get", "anonymous", {"fields": "{}", "query": "a"}),
    ("tag_search", "post", "anonymous", {"fields": "kein Objekt"}),
    ("tag_search", "post", "anonymous", {"fields": {"tags": 1}}),
    ("tag_search", "post", "anonymous", {"query": [1, None]}),
    ("tag_search", "post", "anonymous", {"query": {"a": 1}}),
    ("tag_search", "get", "anonymous", {"query": "a", "limit": "-1"}),
    ("tag_search", "get", "anonymous", {"query": "a", "offset": "-1"}),
    ("tag_search", "get", "anonymous", {"query": "a", "limit": "viele"}),
    ("tag_list", "get", "anonymous", {"limit": "-1"}),
    ("tag_list", "get", "anonymous", {"query": "a", "limit": "-1"}),
    ("tag_list", "post", "anonymous", {"query": ["a"]}),
    ("tag_autocomplete", "get", "anonymous", {"query": "a", "limit": "-1"}),
    ("package_search", "get", "anonymous", {"wt": "xml"}),
    ("package_search", "get", "anonymous", {"wt": "csv"}),
    ("package_search", "get", "anonymous", {"include_private": "maybe"}),
    ("package_search", "get", "anonymous", {"include_drafts": "maybe"}),
    ("package_search", "get", "anonymous", {"include_deleted": "maybe"}),
    ("package_search", "get", "anonymous", {"start": "99999999999"}),
    ("package_search", "get", "anonymous", {"rows": "99999999999"}),
    ("package_search", "get", "anonymous", {"facet.limit": "viele", "facet.field": '["tags"]'}),
    ("package_search", "get", "anonymous", {"facet.mincount": "x", "facet.field": '["tags"]'}),
    ("package_search", "post", "anonymous", {"q": ["a"]}),
    ("package_search", "post", "anonymous", {"fq": {"a": 1}}),
    ("package_search", "post", "anonymous", {"fq_list": "x"}),
    ("package_search", "post", "anonymous", {"facet.field": {"a": 1}}),
    ("package_search", "post", "anonymous", {"sort": 1}),
    ("package_list", "get", "anonymous", {"limit": "-1"}),
    ("package_list", "get", "anonymous", {"offset": "-1"}),
    ("current_package_list_with_resources", "get", "anonymous", {"limit": "-1"}),
    ("current_package_list_with_resources", "get", "anonymous", {"offset": "-1"}),
    ("group_list", "get", "anonymous", {"limit": "-1"}),
    ("group_list", "get", "anonymous", {"offset": "-1"}),
    ("group_list", "post", "anonymous", {"groups": "x"}),
    ("organization_list", "get", "anonymous", {"limit": "-1"}),
    ("organization_list", "post", "anonymous", {"sort": 1}),
    ("user_list", "get", "sysadmin", {"limit": "-1"}),
    ("user_list", "get", "sysadmin", {"offset": "-1"}),
    ("user_list", "get", "sysadmin", {"order_by": "password"}),
    ("package_activity_list", "get", "anonymous", {"id": "{dataset}", "limit": "-1"}),
    ("package_activity_list", "get", "anonymous", {"id": "{dataset}", "offset": "-1"}),
    ("recently_changed_packages_activity_list", "get", "anonymous", {"limit": "-1"}),
    ("organization_activity_list", "get", "anonymous", {"id": "{org}", "limit": "-1"}),
    ("group_package_show", "get", "anonymous", {"id": "{org}", "limit": "-1"}),
    ("package_autocomplete", "get", "anonymous", {"q": "a", "limit": "-1"}),
    ("format_autocomplete", "get", "anonymous", {"q": "a", "limit": "-1"}),
    ("user_autocomplete", "get", "sysadmin", {"q": "a", "limit": "-1"}),
    ("resource_search", "get", "anonymous", {"query": "name:a", "limit": "-1"}),
    ("resource_search", "get", "anonymous", {"query": "name:a", "offset": "-1"}),
    ("resource_search", "post", "anonymous", {"query": 1}),
    ("resource_search", "post", "anonymous", {"query": "name:a", "order_by": 1}),
    ("member_list", "post", "anonymous", {"id": "{org}", "object_type": 1}),
    ("group_show", "get", "anonymous", {"id": "{org}", "include_datasets": "vielleicht"}),
    ("group_show", "get", "anonymous", {"id": "{org}", "include_datasets": ""}),
    ("organization_show", "post", "anonymous", {"id": "{org}", "include_users": [1]}),
    ("package_search", "get", "anonymous", {"include_private": ""}),
    ("organization_list", "get", "anonymous", {"all_fields": "vielleicht"}),
    ("user_show", "get", "anonymous", {"id": "{user}", "include_datasets": "vielleicht"}),
    ("package_show", "get", "anonymous", {"id": "{dataset}", "use_default_schema": "vielleicht"}),
    ("datastore_search", "get", "anonymous", {"resource_id": "{resource}", "limit": "-1"}),
    ("datastore_search", "post", "anonymous", {"resource_id": "{resource}", "filters": "x"}),
    ("term_translation_show", "get", "anonymous", {"terms": "x"}),
    ("package_revise", "post", "sysadmin", {"match": "x", "update": {}}),
    ("package_revise", "post", "sysadmin", {"match": {"id": "{dataset}"}, "update": "x"}),
    ("package_revise", "post", "sysadmin", {"match": {"id": "{dataset}"}, "update": [1]}),
    ("package_revise", "post", "sysadmin", {"match": {"id": "{dataset}"}, "update__resources__extend": "x"}),
    ("package_revise", "post", "sysadmin", {"match": {"id": "{dataset}"}, "update__resources__0": "x"}),
    ("package_revise", "post", "sysadmin", {"match": {"id": "{dataset}"}, "filter": "x"}),
    ("package_revise", "post", "sysadmin", {"match": {"id": "{dataset}"}, "filter": [1]}),
    ("package_revise", "post", "sysadmin", {"match": {"id": {"a": 1}}}),
    ("package_revise", "post", "sysadmin", {"match": {"name": 1}}),
    ("package_revise", "post", "sysadmin", {"match": {"id": "{dataset}"}, "update": {"title": {"a": 1}}}),
    ("package_revise", "post", "sysadmin", {"match": {"id": "{dataset}"}, "update": {"resources": "x"}}),
    ("member_create", "post", "sysadmin", {"id": "{org}", "object": {"a": 1}, "object_type": "package",
                                           "capacity": "public"}),
    ("member_create", "post", "sysadmin", {"id": "{org}", "object": "{dataset}", "object_type": 1,
                                           "capacity": "public"}),
    ("member_create", "post", "sysadmin", {"id": "{org}", "object": "{dataset}", "object_type": "package",
                                           "capacity": ["x"]}),
    ("member_create", "post", "sysadmin", {"id": "{org}", "object": "{dataset}", "object_type": "nix",
                                           "capacity": "public"}),
    ("member_create", "post", "sysadmin", {"id": ["x"], "object": "{dataset}", "object_type": "package",
                                           "capacity": "public"}),
    ("member_delete", "post", "sysadmin", {"id": "{org}", "object": {"a": 1}, "object_type": "package"}),
    ("organization_member_create", "post", "sysadmin", {"id": "{org}", "username": {"a": 1}, "role": "editor"}),
    ("organization_member_create", "post", "sysadmin", {"id": "{org}", "username": "{user}", "role": ["x"]}),
    ("group_member_create", "post", "sysadmin", {"id": "{org}", "username": ["x"], "role": "member"}),
    ("user_update", "post", "editor", {"id": "{user}", "email": ["a@b.de"]}),
    ("user_update", "post", "editor", {"id": "{user}", "name": 1}),
    ("user_update", "post", "editor", {"id": "{user}", "fullname": {"a": 1}}),
    ("user_update", "post", "editor", {"id": "{user}", "password": 12345678901}),
    ("user_update", "post", "editor", {"id": "{user}", "about": ["x"]}),
    ("user_update", "post", "editor", {"id": "{user}", "plugin_extras": "x"}),
    ("user_update", "post", "sysadmin", {"id": "{user}", "sysadmin": "vielleicht"}),
    ("user_patch", "post", "editor", {"id": "{user}", "email": {"a": 1}}),
    ("user_create", "post", "sysadmin", {"name": 1, "email": ["x"], "password": "ganz-geheim-123"}),
    ("resource_create", "post", "editor", {"package_id": "{dataset}", "url": "https://example.org/a.csv",
                                           "size": HUGE}),
    ("resource_create", "post", "editor", {"package_id": "{dataset}", "url": "https://example.org/a.csv",
                                           "size": -1}),
    ("resource_create", "post", "editor", {"package_id": "{dataset}", "url": "https://example.org/a.csv",
                                           "size": str(HUGE)}),
    ("resource_create", "post", "editor", {"package_id": "{dataset}", "url": "https://example.org/a.csv",
                                           "size": 1.5e300}),
    ("resource_patch", "post", "editor", {"id": "{resource}", "size": HUGE}),
    ("package_patch", "post", "editor", {"id": "{dataset}", "resources": [{"url": "https://example.org/a.csv",
                                                                         "size": HUGE}]}),
    ("resource_view_create", "post", "editor", {"resource_id": "{resource}", "view_type": 1, "title": "x"}),
    ("resource_view_list", "post", "anonymous", {"id": {"a": 1}}),
    ("follow_dataset", "post", "editor", {"id": {"a": 1}}),
    ("organization_list_for_user", "post", "editor", {"permission": ["x"]}),
    ("api_token_create", "post", "editor", {"user": {"a": 1}, "name": "x"}),
    ("config_option_update", "post", "sysadmin", {"ckan.site_title": ["x"]}),
]
PAGE_INPUTS = [
    "/catalog.ttl?page=99999999999", "/catalog.ttl?page=-1", "/catalog.ttl?page=abc",
    "/catalog.ttl?modified_since=2024-01-01T00:00:00%2B05:00", "/catalog.ttl?modified_since=2024-01-01T00:00:00+05:00",
    "/catalog.ttl?modified_since=2024-01-01T00:00:00-05:00", "/catalog.ttl?modified_since=gestern",
    "/catalog.ttl?modified_since=99999-01-01", "/catalog.ttl?q=title:(", "/catalog.ttl?fq=title:(",
    "/catalog.ttl?q={!join from=id to=id}*:*", "/catalog.foo", "/catalog.ttl?profiles=nix",
    "/catalog.rdf?page=99999999999", "/dataset/{dataset}.foo", "/dataset/{dataset}.ttl?profiles=nix",
    "/catalog.ttl?q=Parkplatz Osnabrück", "/catalog.jsonld?q=a b", "/catalog.ttl?fq=tags:a b",
    "/catalog.jsonld?page=99999999999", "/catalog.jsonld?modified_since=2024-01-01T00:00:00%2B05:00",
]
UTIL_INPUTS = [
    "/api/2/util/user/autocomplete", "/api/2/util/user/autocomplete?q=", "/api/2/util/user/autocomplete?q=a&limit=-1",
    "/api/2/util/tag/autocomplete", "/api/2/util/dataset/autocomplete", "/api/2/util/resource/format_autocomplete",
    "/api/2/util/resource/format_autocomplete?incomplete=a&limit=-1", "/api/2/util/group/autocomplete",
    "/api/2/util/organization/autocomplete", "/api/2/util/dataset/autocomplete?incomplete=a&limit=-1",
    "/api/2/util/tag/autocomplete?incomplete=a&limit=-1",
]


@pytest.fixture
def targets(editor):
    sysadmin = factories.SysadminWithToken()
    dataset = call_action("package_create", {"user": editor["user"]["name"]},
                          **dataset_fields(editor["org"], name=f"ziel-500-{uuid.uuid4().hex[:8]}",
                                           tag_string="abc", resources=[{"name": "R", "format": "CSV",
                                                                         "url": "https://example.org/r.csv"}]))
    return {"headers": {"anonymous": {}, "editor": editor["headers"], "sysadmin": {"Authorization": sysadmin["token"]}},
            "name": dataset["name"],
            "values": {"dataset": dataset["id"], "resource": dataset["resources"][0]["id"],
                       "org": editor["org"]["id"], "user": editor["user"]["id"]}}


def _filled(value, values: dict):
    if isinstance(value, str):
        return value.format(**values) if value.startswith("{") and value.endswith("}") and value[1:-1] in values \
            else value
    if isinstance(value, dict):
        return {key: _filled(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, values) for item in value]
    return value


def _not_a_500(response, what) -> None:
    assert response.status_code < 500, (what, response.status_code, response.body[:300])


@pytest.mark.usefixtures("with_plugins", "shared_db")
class TestNoServerErrors:
    """Inputs of the pentest's 500 list and more of their kinds (negative limits, wrong
    types). The API answers 4xx with its JSON error (or works); pages answer 4xx."""

    @pytest.mark.parametrize("action, method, who, params", API_INPUTS,
                             ids=[f"{a}-{i}" for i, (a, *_) in enumerate(API_INPUTS)])
    def test_api(self, app, targets, action, method, who, params):
        data = _filled(params, targets["values"])
        headers = targets["headers"][who]
        if method == "get":
            response = app.get(f"/api/3/action/{action}", query_string=data, headers=headers)
        else:
            response = _post(app, action, headers, data)
        _not_a_500(response, (action, data))
        assert response.content_type.startswith("application/json"), (action, response.body[:200])
        body = json.loads(response.body)
        if response.status_code != 200:
            assert body["success"] is False and body["error"], body

    @pytest.mark.parametrize("url", PAGE_INPUTS)
    def test_pages(self, app, targets, url):
        _not_a_500(app.get(url.replace("{dataset}", targets["values"]["dataset"])), url)

    @pytest.mark.parametrize("url", UTIL_INPUTS)
    def test_util_api(self, app, targets, url):
        for who in ("anonymous", "editor"):
            response = app.get(url, headers=targets["headers"][who])
            _not_a_500(response, (who, url))
            assert response.content_type.startswith("application/json"), (who, url, response.body[:200])

    def test_a_time_zone_in_modified_since_works(self, app, targets):
        """A time zone is converted to UTC (it reached Solr as "…+05:00Z"); an unencoded "+"
        arrives as a space and is refused with a hint (the page links would repeat it)."""
        for since in ("2000-01-01T00:00:00%2B05:00", "2000-01-01T00:00:00-05:00", "2000-01-01T00:00:00Z"):
            for fmt in ("ttl", "jsonld"):
                response = app.get(f"/catalog.{fmt}?modified_since={since}")
                assert response.status_code == 200, (since, fmt, response.body[:300])
                assert targets["name"] in response.body or targets["values"]["dataset"] in response.body, (since, fmt)
        later = app.get("/catalog.ttl?modified_since=2999-01-01T00:00:00%2B05:00")
        assert later.status_code == 200 and targets["name"] not in later.body
        assert targets["values"]["dataset"] not in later.body
        unencoded = app.get("/catalog.ttl?modified_since=2000-01-01T00:00:00+05:00")
        assert unencoded.status_code == 409 and "%2B" in unencoded.body


# --- fuzzing package_create and package_update over the schema ----------------------------

from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TEXT = st.text(max_size=40)
HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), TEXT,
    st.text(alphabet=st.characters(categories=["Cc", "Cs", "Co", "Zl", "Zp", "So"]), max_size=20),
    st.sampled_from([PAYLOAD, URL_PAYLOAD, "", " ", "\x00", "\ud800", "ÄÖÜß€😀", "http://", "urn:x",
                     "2025-02-30",
                     "7.9,52.2,8.1,52.3", '{"type": "Point", "coordinates": [8, 52]}', "x" * 40_000,
                     "ü" * 20_000]),
    st.lists(TEXT, max_size=4), st.dictionaries(TEXT, TEXT, max_size=3),
    st.lists(st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.none()), max_size=3), max_size=3),
)


def _valid_ish(field: dict):
    """Values of the field's kind, to get past the first validator now and then."""
    name, preset = field["field_name"], field.get("preset", "")
    if field.get("repeating_subfields"):
        return st.lists(st.fixed_dictionaries({sub["field_name"]: TEXT for sub in field["repeating_subfields"]}),
                        max_size=2)
    if "vocabulary" in field:
        codes = {"data-theme": ["ENVI", "TRAN", "XXXX"], "frequency": ["ANNUAL", "NEVER"],
                 "language": ["DEU", "ENG"]}.get(field["vocabulary"], ["A", "B"])
        uris = [f"{EU}/{field['vocabulary']}/{code}" for code in codes] + codes
        return st.lists(st.sampled_from(uris), max_size=3) if "multiple" in preset or "checkboxes" in preset \
            else st.sampled_from(uris)
    if "date" in preset or name.startswith("temporal"):
        return st.dates().map(str) | st.sampled_from(["2025-01-01T10:00:00", "heute"])
    if "uri" in preset or "url" in preset:
        return st.sampled_from(["https://www.osnabrueck.de/x", "ftp://x", "javascript:alert(1)", "//x", "mailto:"])
    if "email" in preset:
        return st.emails() | st.sampled_from(["kein", "a@b"])
    return TEXT


def _field_strategy(field: dict):
    return st.one_of(_valid_ish(field), HOSTILE)


DATASET_FIELDS = [f for f in SCHEMA["dataset_fields"] if f["field_name"] not in ("owner_org",)]
RESOURCE_FIELDS = SCHEMA["resource_fields"]
FUZZ = st.fixed_dictionaries({}, optional={
    **{f["field_name"]: _field_strategy(f) for f in DATASET_FIELDS},
    "resources": st.lists(st.fixed_dictionaries({}, optional={f["field_name"]: _field_strategy(f)
                                                              for f in RESOURCE_FIELDS}), max_size=2) | HOSTILE,
    "private": HOSTILE, "state": st.sampled_from(["active", "draft", "deleted", "x"]) | HOSTILE,
    "extras": HOSTILE, "groups": HOSTILE, "tags": HOSTILE, "id": HOSTILE, "type": st.sampled_from(["harvest", "x"]),
})
# Random examples each run (a failure prints the example and a @reproduce_failure blob).
FUZZ_SETTINGS = settings(max_examples=60, deadline=None, print_blob=True,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large])


def _post(app, action, headers, data):
    # json.dumps writes NaN/Infinity and lone surrogates (as \ud800), which the server parses
    return app.post(f"/api/3/action/{action}", headers=headers, data=json.dumps(data),
                    content_type="application/json")


@pytest.mark.usefixtures("with_plugins", "shared_db")
@FUZZ_SETTINGS
@given(fuzz=FUZZ)
def test_fuzz_package_create(app, editor, fuzz):
    base = dataset_fields(editor["org"], name=f"fuzz-{uuid.uuid4().hex[:10]}")
    data = {**base, **fuzz}
    before = _count()
    response = _post(app, "package_create", editor["headers"], data)
    event(f"HTTP {response.status_code}")
    assert response.status_code < 500, response.body[:500]
    assert response.content_type.startswith("application/json")
    if response.status_code == 200:
        created = json.loads(response.body)["result"]
        assert call_action("package_show", id=created["id"])["id"] == created["id"]
    else:
        assert _count() == before, "a refused package_create left a dataset behind"


@pytest.fixture
def fuzz_target(editor):
    dataset = call_action("package_create", {"user": editor["user"]["name"]},
                          **dataset_fields(editor["org"], name=f"fuzz-ziel-{uuid.uuid4().hex[:8]}",
                                           resources=[{"name": "R", "url": "https://example.org/r.csv",
                                                       "format": "CSV"}]))
    return call_action("package_show", id=dataset["id"])


@pytest.mark.usefixtures("with_plugins", "shared_db")
@FUZZ_SETTINGS
@given(fuzz=FUZZ)
def test_fuzz_package_update(app, editor, fuzz_target, fuzz):
    before = call_action("package_show", id=fuzz_target["id"])
    data = {**before, **fuzz}
    response = _post(app, "package_update", editor["headers"], data)
    event(f"HTTP {response.status_code}")
    assert response.status_code < 500, response.body[:500]
    assert response.content_type.startswith("application/json")
    if response.status_code != 200:
        after = call_action("package_show", id=fuzz_target["id"])
        assert after == before, "a refused package_update changed the dataset"
    else:
        # keep the next example's starting point valid and active
        restored = call_action("package_update", {"user": editor["user"]["name"]},
                               **{k: v for k, v in fuzz_target.items() if k not in ("id",)}, id=fuzz_target["id"])
        assert restored["state"] == "active"
