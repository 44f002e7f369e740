"""Nothing private leaks: a private dataset with a DataStore table, a draft, a dataset that
was public and became private later, and a private harvest source of organisation A stay
invisible to anonymous users and to an editor of organisation B on every channel: search,
lists, RDF catalogue (also when cached), activity streams, DataStore, sitemap, harvest
output and the HTML pages. Each channel also shows a public dataset (or the owner sees
the hidden ones), so that an empty or broken answer cannot pass for "no leak".
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.osnabrueck import rdf_cache

from .conftest import EU, api

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_redis"),
              pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "dcatap_de")]


@dataclass
class Secrets:
    org_a: dict
    editor_a: dict
    editor_b: dict
    public: dict
    private: dict
    draft: dict
    later_private: dict
    table: str  # DataStore table (resource id) of the private dataset
    source: dict  # private harvest source
    harvest_object: str
    later_activities: list  # activities of later_private while it was public

    @property
    def hidden(self) -> list[dict]:
        return [self.private, self.draft, self.later_private]

    @property
    def markers(self) -> list[str]:
        """Strings that must not appear anywhere a viewer without rights can see."""
        marks = [self.table, self.source["id"], self.source["name"], self.harvest_object, "geheimwert",
                 "Geheimquelle"]
        for dataset in self.hidden:
            marks += [dataset["id"], dataset["name"], dataset["title"]]
        return marks + [activity["id"] for activity in self.later_activities]

    def viewers(self) -> dict[str, dict]:
        return {"anonymous": {}, "editor_b": {"Authorization": self.editor_b["token"]}}

    def owner(self) -> dict:
        return {"Authorization": self.editor_a["token"]}


def assert_hidden(secrets: Secrets, text: str, where: str) -> None:
    """No marker in ``text``, except what the request (``where``: its URL or action and
    parameters) named itself: error pages and the language links echo it."""
    for marker in secrets.markers:
        if marker not in where:
            assert marker not in text, f"{where}: leaks {marker!r}"


def _dataset(context, org, title, **extra) -> dict:
    token = uuid.uuid4().hex[:8]
    return call_action("package_create", context, name=f"ds-{token}", title=f"{title} {token}", notes="Beschreibung",
                       owner_org=org["id"], contact_email="umwelt@osnabrueck.de", theme=[f"{EU}/data-theme/ENVI"],
                       **extra)


@pytest.fixture
def secrets(clean_datastore) -> Secrets:
    sysadmin = factories.Sysadmin()
    editor_a, editor_b = factories.UserWithToken(), factories.UserWithToken()
    org_a = factories.Organization(users=[{"name": editor_a["name"], "capacity": "editor"}])
    factories.Organization(users=[{"name": editor_b["name"], "capacity": "editor"}])
    as_a = {"user": editor_a["name"]}
    public = _dataset(as_a, org_a, "Öffentlicher Datensatz",
                      resources=[{"name": "Tabelle", "url": "https://example.org/o.csv", "format": "CSV"}])
    private = _dataset(as_a, org_a, "Geheimprojekt Kanal", private=True, tag_string="geheimtag",
                       resources=[{"name": "Geheimtabelle", "url": "https://example.org/g.csv", "format": "CSV"}])
    table = private["resources"][0]["id"]
    for resource_id, value in ((table, "geheimwert"), (public["resources"][0]["id"], "offen")):
        call_action("datastore_create", {"user": sysadmin["name"]}, resource_id=resource_id, force=True,
                    fields=[{"id": "wert", "type": "text"}], records=[{"wert": value}])
    draft = _dataset(as_a, org_a, "Entwurf Lärmkarte", state="draft")

    later = _dataset(as_a, org_a, "Erst öffentlich")
    later = call_action("package_patch", as_a, id=later["id"], notes="Zweite Fassung")
    rdf_cache.warm(later["id"])
    later_activities = call_action("package_activity_list", id=later["id"])
    assert len(later_activities) == 2
    later = call_action("package_patch", as_a, id=later["id"], private=True)

    source = call_action("harvest_source_create", {"user": sysadmin["name"]}, name=f"quelle-{uuid.uuid4().hex[:6]}",
                         title="Geheimquelle", url="http://127.0.0.1:1/geheim/ows", source_type="osnabrueck_ogc",
                         owner_org=org_a["id"], private=True, config=json.dumps({"owner_org": org_a["name"]}))
    from ckanext.harvest.model import HarvestJob, HarvestObject

    job = HarvestJob(source_id=source["id"])
    job.save()
    harvest_object = HarvestObject(guid="geheim-1", job=job, source=job.source,
                                   content=json.dumps({"title": "Geheimquelle Datensatz"}))
    harvest_object.save()
    return Secrets(org_a, editor_a, editor_b, public, private, draft, later, table, source, harvest_object.id,
                   later_activities)


def _get(app, url, headers, **params):
    return app.get(url, query_string=params, headers=headers)


# --- search and lists ---------------------------------------------------------------------

SEARCHES = [
    {"q": "*:*", "rows": 1000},
    {"q": "*:*", "include_private": True, "include_drafts": True, "rows": 1000},
    {"q": "Geheimprojekt"}, {"q": "Entwurf", "include_drafts": True}, {"q": "Erst öffentlich"},
    {"q": "tags:geheimtag", "include_private": True},
    {"fq": "capacity:private", "include_private": True},
    {"fq": "+state:draft", "include_drafts": True, "include_private": True},
    {"fq": "+state:(draft OR active OR deleted)", "include_drafts": True, "include_private": True, "rows": 1000},
    {"fq": "permission_labels:*", "include_private": True},
    {"q": "{!lucene}*:*", "include_private": True, "rows": 1000},
    {"q": "*:*", "fq": "*:* OR capacity:private", "include_private": True, "rows": 1000},
    {"q": "*:*", "facet.field": '["tags", "name", "capacity"]', "facet.limit": -1, "include_private": True},
]


def test_package_search(app, secrets):
    for headers in secrets.viewers().values():
        for params in SEARCHES:
            status, body = api(app, "package_search", headers, method="get", **params)
            assert status in (200, 409), (params, body)
            assert_hidden(secrets, json.dumps(body, ensure_ascii=False), f"package_search {params}")
        status, body = api(app, "package_search", headers, method="get", q="*:*")
        assert secrets.public["id"] in json.dumps(body)
    _, own = api(app, "package_search", secrets.owner(), method="get", q="*:*", include_private=True,
                 include_drafts=True)
    assert {r["id"] for r in own["result"]["results"]} >= {d["id"] for d in secrets.hidden}


def test_show_and_lists(app, secrets):
    for headers in secrets.viewers().values():
        for dataset in secrets.hidden:
            for action, params in (("package_show", {"id": dataset["id"]}), ("package_show", {"id": dataset["name"]}),
                                   ("osnabrueck_quality_show", {"id": dataset["id"]}),
                                   ("package_activity_list", {"id": dataset["id"]})):
                status, body = api(app, action, headers, method="get", **params)
                assert status in (403, 404) and not body["success"], (action, dataset["title"])
                # a 403 confirms the name exists (CKAN's semantics) and names the id: nothing else
                assert_hidden(secrets, json.dumps(body, ensure_ascii=False), f"{action} {dataset['id']} {params}")
        status, _ = api(app, "resource_show", headers, method="get", id=secrets.table)
        assert status in (403, 404)
        for action, params in (("package_list", {}), ("current_package_list_with_resources", {"limit": 1000}),
                               ("package_autocomplete", {"q": "Geheim"}), ("package_autocomplete", {"q": "Erst"}),
                               ("tag_list", {}), ("tag_autocomplete", {"query": "geheim"}),
                               ("tag_search", {"query": "geheim"}),
                               ("organization_show", {"id": secrets.org_a["id"], "include_datasets": True}),
                               ("organization_list", {"all_fields": True, "include_dataset_count": True}),
                               ("osnabrueck_organization_quality", {"id": secrets.org_a["id"]})):
            status, body = api(app, action, headers, method="get", **params)
            assert status == 200, (action, body)
            text = json.dumps(body, ensure_ascii=False)
            assert_hidden(secrets, text, action)
            assert "geheimtag" not in text, action
        autocomplete = app.get("/api/2/util/tag/autocomplete", query_string={"incomplete": "geheim"}, headers=headers)
        assert autocomplete.status_code == 200 and "geheimtag" not in autocomplete.body
        _, org = api(app, "organization_show", headers, method="get", id=secrets.org_a["id"])
        assert org["result"]["package_count"] == 1
        _, listed = api(app, "package_list", headers, method="get")
        assert secrets.public["name"] in listed["result"]
    _, own_tags = api(app, "tag_list", secrets.owner(), method="get")
    assert "geheimtag" in own_tags["result"]
    _, own_tags = api(app, "tag_autocomplete", secrets.owner(), method="get", query="geheim")
    assert own_tags["result"] == ["geheimtag"]


# --- RDF ----------------------------------------------------------------------------------

CATALOGUES = ["/catalog.ttl", "/catalog.rdf", "/catalog.jsonld", "/catalog.xml", "/catalog.n3", "/catalog.ttl?page=1",
              "/catalog.rdf?page=1", "/catalog.ttl?modified_since=2000-01-01T00:00:00",
              "/catalog.jsonld?modified_since=2000-01-01T00:00:00&page=1"]


@pytest.mark.parametrize("cached", ["true", "false"])
def test_rdf_catalogue_and_dataset_rdf(app, secrets, ckan_config, monkeypatch, cached):
    monkeypatch.setitem(ckan_config, "ckanext.osnabrueck.rdf_cache", cached)
    # the cache holds the dataset from when it was public (secrets warmed it)
    assert any(secrets.later_private["id"] in key.decode() for key in connect_to_redis().scan_iter("osnabrueck:rdf:*"))
    rdf_cache.warm([secrets.public["id"]])
    for headers in (*secrets.viewers().values(), secrets.owner()):
        for url in CATALOGUES:
            response = app.get(url, headers=headers)
            assert response.status_code == 200, url
            assert secrets.public["name"] in response.body or secrets.public["id"] in response.body, url
            assert_hidden(secrets, response.body, url)
    for headers in secrets.viewers().values():
        for dataset in secrets.hidden:
            for fmt in ("ttl", "rdf", "jsonld", "xml"):
                response = app.get(f"/dataset/{dataset['name']}.{fmt}", headers=headers)
                assert response.status_code in (403, 404), (dataset["title"], fmt)
                assert_hidden(secrets, response.body, f"/dataset/{dataset['name']}.{fmt}")
            negotiated = app.get(f"/dataset/{dataset['name']}", headers={**headers, "Accept": "text/turtle"})
            assert negotiated.status_code in (403, 404)


# --- activity streams ---------------------------------------------------------------------

def test_activity_streams(app, secrets):
    editor_b = secrets.viewers()["editor_b"]
    call_action("follow_user", {"user": secrets.editor_b["name"]}, id=secrets.editor_a["id"])
    call_action("follow_group", {"user": secrets.editor_b["name"]}, id=secrets.org_a["id"])
    for headers in secrets.viewers().values():
        for action, params in (("organization_activity_list", {"id": secrets.org_a["id"]}),
                               ("recently_changed_packages_activity_list", {}),
                               ("user_activity_list", {"id": secrets.editor_a["id"]})):
            status, body = api(app, action, headers, method="get", **params)
            assert status in (200, 403), (action, body)
            assert_hidden(secrets, json.dumps(body, ensure_ascii=False), action)
        for activity in secrets.later_activities:
            for action in ("activity_show", "activity_data_show", "activity_diff"):
                status, body = api(app, action, headers, method="get", id=activity["id"], object_type="package",
                                   diff_type="unified")
                assert status in (403, 404), (action, activity["activity_type"], status)
    _, dashboard = api(app, "dashboard_activity_list", editor_b, method="get")
    assert_hidden(secrets, json.dumps(dashboard, ensure_ascii=False), "dashboard_activity_list")
    # the public dataset's activity is there: the streams work
    _, recent = api(app, "recently_changed_packages_activity_list", {}, method="get")
    assert secrets.public["id"] in json.dumps(recent)
    _, followed = api(app, "user_activity_list", editor_b, method="get", id=secrets.editor_a["id"])
    assert secrets.public["id"] in json.dumps(followed)


def test_activity_pages(app, secrets):
    earlier = secrets.later_activities[-1]["id"]
    for headers in secrets.viewers().values():
        for dataset in secrets.hidden:
            response = app.get(f"/dataset/activity/{dataset['name']}", headers=headers)
            assert response.status_code in (403, 404), dataset["title"]
        for url in (f"/dataset/changes/{earlier}", f"/dataset/{secrets.later_private['name']}/history/{earlier}",
                    f"/dataset/{secrets.public['name']}/history/{earlier}"):
            response = app.get(url, headers=headers)
            assert response.status_code in (403, 404), url
            assert_hidden(secrets, response.body, url)
        for url in (f"/organization/activity/{secrets.org_a['name']}", f"/user/activity/{secrets.editor_a['name']}",
                    "/dashboard/"):
            response = app.get(url, headers=headers)
            assert response.status_code in (200, 403) or response.status_code == 302, url
            assert_hidden(secrets, response.body, url)
    page = app.get(f"/organization/activity/{secrets.org_a['name']}").body
    assert secrets.public["title"] in page


# --- DataStore ----------------------------------------------------------------------------

def test_datastore(app, secrets):
    public_table = secrets.public["resources"][0]["id"]
    queries = [f'SELECT * FROM "{secrets.table}"',
               f'SELECT * FROM "{public_table}" UNION SELECT * FROM "{secrets.table}"',
               f'SELECT * FROM "{public_table}" WHERE EXISTS (SELECT 1 FROM "{secrets.table}")',
               'SELECT * FROM "_table_metadata"', "SELECT name FROM _table_metadata",
               "SELECT * FROM pg_catalog.pg_tables", "SELECT table_name FROM information_schema.tables",
               f"SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, quote_literal(wert)::tsquery "
               f"FROM \"{secrets.table}\"')::text AS x",
               f"SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, (wert::int)::text::tsquery "
               f"FROM \"{secrets.table}\"')::text AS x"]
    for headers in secrets.viewers().values():
        for sql in queries:
            status, body = api(app, "datastore_search_sql", headers, method="get", sql=sql)
            assert status in (403, 404, 409) and not body["success"], (sql, status, body)
            assert "geheimwert" not in json.dumps(body), sql
            assert secrets.table not in json.dumps(body.get("result", {})), sql
        for action, params in (("datastore_search", {"resource_id": secrets.table}),
                               ("datastore_search", {"resource_id": secrets.table, "q": "geheimwert"}),
                               ("datastore_info", {"id": secrets.table}),
                               ("datastore_search", {"resource_id": "_table_metadata"})):
            status, body = api(app, action, headers, method="get", **params)
            assert status in (403, 404) and not body["success"], (action, params)
            assert_hidden(secrets, json.dumps(body), f"{action} {params}")
        # the public table answers
        status, body = api(app, "datastore_search", headers, method="get", resource_id=public_table)
        assert status == 200 and body["result"]["records"][0]["wert"] == "offen"
    status, body = api(app, "datastore_search", secrets.owner(), method="get", resource_id=secrets.table)
    assert status == 200 and body["result"]["total"] == 1
    # errors in the data are the caller's: 409, not 500
    for sql in ("SELECT 'abc'::int AS x", "SELECT 1/0 AS x", f'SELECT wert::int AS x FROM "{public_table}"'):
        status, body = api(app, "datastore_search_sql", {}, method="get", sql=sql)
        assert status == 409 and body["error"]["query"], (sql, body)


def test_tables_named_as_types(app, secrets):
    """Every table is a row type too: ``null::"<id>"`` named the private table outside FROM,
    and ``json_populate_recordset`` or ``(…).*`` showed its columns and types."""
    public_table = secrets.public["resources"][0]["id"]
    queries = [f"""SELECT * FROM json_populate_recordset(null::"{secrets.table}", '[{{}}]')""",
               f"""SELECT json_populate_record(null::"{secrets.table}", '{{}}') AS x""",
               f'SELECT (null::"{secrets.table}").*', f'SELECT (CAST(NULL AS public."{secrets.table}")).*',
               f'SELECT (x[1]).* FROM (SELECT null::"_{secrets.table}" AS x) AS s',
               f'SELECT row_to_json(null::"{secrets.table}") AS x',
               f"""SELECT * FROM json_populate_recordset(null::"{public_table}", '[{{}}]')"""]
    for headers in secrets.viewers().values():
        for sql in queries:
            status, body = api(app, "datastore_search_sql", headers, method="get", sql=sql)
            assert status in (403, 404, 409) and not body["success"] and "result" not in body, (sql, status, body)
        # the type of a table the viewer may read still answers
        status, body = api(app, "datastore_search_sql", headers, method="get", sql=f'SELECT (null::"{public_table}").*')
        assert status == 200 and "wert" in [field["id"] for field in body["result"]["fields"]], body
    status, body = api(app, "datastore_search_sql", secrets.owner(), method="get", sql=f'SELECT (null::"{secrets.table}").*')
    assert status == 200 and "wert" in [field["id"] for field in body["result"]["fields"]], body


def test_member_lists(app, secrets):
    org = secrets.org_a["id"]
    for headers in secrets.viewers().values():
        for params in ({"id": org, "object_type": "package"}, {"id": org}, {"id": secrets.org_a["name"]},
                       {"id": org, "object_type": "package", "capacity": "organization"}):
            status, body = api(app, "member_list", headers, method="get", **params)
            assert status == 200, (params, body)
            assert_hidden(secrets, json.dumps(body, ensure_ascii=False), f"member_list {params}")
            if params.get("capacity") is None:
                assert secrets.public["id"] in [member[0] for member in body["result"]], params
    _, own = api(app, "member_list", secrets.owner(), method="get", id=org, object_type="package")
    # (CKAN has no membership row for the draft)
    assert {member[0] for member in own["result"]} >= {secrets.private["id"], secrets.later_private["id"]}


def test_task_status(app, secrets):
    site = {"user": factories.Sysadmin()["name"]}
    tasks = {resource_id: call_action("task_status_update", site, entity_id=resource_id, entity_type="resource",
                                      task_type="xloader", key="xloader", value=json.dumps({"url": "geheimwert"}),
                                      state="error", error=json.dumps({"message": "geheimwert"}))
             for resource_id in (secrets.table, secrets.public["resources"][0]["id"])}
    for headers in secrets.viewers().values():
        for resource_id, task in tasks.items():
            for params in ({"id": task["id"]}, {"entity_id": resource_id, "task_type": "xloader", "key": "xloader"}):
                status, body = api(app, "task_status_show", headers, method="get", **params)
                assert status in (403, 404) and "geheimwert" not in json.dumps(body), (params, body)
    for task in tasks.values():  # who may update the resource sees its loader's status
        status, body = api(app, "task_status_show", secrets.owner(), method="get", id=task["id"])
        assert status == 200 and body["result"]["id"] == task["id"]
    # the portal itself reads it without a user (tables.py)
    assert call_action("task_status_show", {"ignore_auth": True}, id=tasks[secrets.table]["id"])["state"] == "error"


def test_the_sql_function_list_is_ckans_without_the_unsafe_ones(tmp_path, ckan_config):
    from ckanext.osnabrueck import datastore_sql

    ours = set(datastore_sql.write_allowlist(tmp_path).read_text().split())
    ckans = set(datastore_sql.ckan_allowlist().read_text().split())
    assert ours == (ckans - datastore_sql.UNSAFE) | datastore_sql.WRAPPER_FUNCTIONS
    assert {"ts_rewrite", "json_populate_recordset", "json_populate_record"} <= ckans - ours
    assert set(Path(ckan_config[datastore_sql.KEY]).read_text().split()) == ours


# --- sitemap, harvest, HTML -----------------------------------------------------------------

def test_sitemap(app, secrets):
    for path in ("/sitemap.xml", "/en/sitemap.xml"):
        for headers in (*secrets.viewers().values(), secrets.owner()):
            response = app.get(path, headers=headers)
            assert response.status_code == 200, path
            assert secrets.public["name"] in response.body
            assert_hidden(secrets, response.body, path)


def test_harvest_output(app, secrets):
    for headers in secrets.viewers().values():
        status, body = api(app, "harvest_source_show", headers, method="get", id=secrets.source["id"])
        assert status in (403, 404), body
        status, body = api(app, "harvest_source_list", headers, method="get")
        assert status == 200
        assert_hidden(secrets, json.dumps(body, ensure_ascii=False), "harvest_source_list")
        for params in ({"id": secrets.harvest_object}, {"dataset_id": secrets.private["id"]}):
            status, body = api(app, "harvest_object_show", headers, method="get", **params)
            assert status in (403, 404), (params, body)
            assert_hidden(secrets, json.dumps(body, ensure_ascii=False), f"harvest_object_show {params}")
        status, body = api(app, "harvest_object_list", headers, method="get", source_id=secrets.source["id"])
        assert status in (403, 404)
        for url in (f"/harvest/{secrets.source['name']}", f"/harvest/about/{secrets.source['name']}",
                    f"/harvest/object/{secrets.harvest_object}", f"/dataset/harvest_object/{secrets.private['id']}",
                    f"/harvest/{secrets.source['name']}/job"):
            response = app.get(url, headers=headers)
            assert response.status_code in (302, 403, 404), (url, response.status_code)
            assert_hidden(secrets, response.body, url)
        listing = app.get("/harvest/", headers=headers)
        assert_hidden(secrets, listing.body, "/harvest/")
    # the owner's department sees its source and the record
    owner = {"Authorization": factories.SysadminWithToken()["token"]}
    status, body = api(app, "harvest_object_show", owner, method="get", id=secrets.harvest_object)
    assert status == 200 and "Geheimquelle" in body["result"]["content"]


def test_a_harvested_dataset_made_private_stays_private_when_harvested_again(secrets):
    """Our harvesters write datasets public; a steward may take one private, and the next
    import of the same record must not publish it again."""
    from ckanext.harvest.model import HarvestJob, HarvestObject
    from ckanext.osnabrueck_harvesters import base

    site = {"user": factories.Sysadmin()["name"], "ignore_auth": True}
    dataset = {"name": f"geerntet-{uuid.uuid4().hex[:6]}", "title": "Geerntet", "notes": "n",
               "owner_org": secrets.org_a["id"], "contact_email": "geo@osnabrueck.de",
               "theme": [f"{EU}/data-theme/ENVI"]}
    job = HarvestJob(source_id=secrets.source["id"])
    job.save()
    first = HarvestObject(guid="record-1", job=job, source=job.source, content=json.dumps(dataset))
    first.save()
    base._write(dict(site), first, dataset)
    first.save()
    call_action("package_patch", site, id=first.package_id, private=True)
    again = HarvestObject(guid="record-1", job=job, source=job.source, package_id=first.package_id,
                          content=json.dumps({**dataset, "title": "Geerntet, neu"}))
    again.save()
    base._write(dict(site), again, {**dataset, "title": "Geerntet, neu"})
    shown = call_action("package_show", id=first.package_id)
    assert shown["title"] == "Geerntet, neu" and shown["private"] is True
    assert model.Package.get(first.package_id).private


def test_search_and_organisation_pages(app, secrets):
    for headers in secrets.viewers().values():
        for url in ("/dataset/", "/dataset/?q=Geheimprojekt", "/dataset/?q=Entwurf", "/dataset/?tags=geheimtag",
                    f"/organization/{secrets.org_a['name']}", f"/organization/{secrets.org_a['name']}?q=Geheim",
                    f"/organization/quality/{secrets.org_a['name']}", "/group/", "/"):
            response = app.get(url, headers=headers)
            assert response.status_code == 200, url
            assert_hidden(secrets, response.body, url)
            if "geheimtag" not in url:  # no tag facet or cloud shows the private dataset's tag
                assert "geheimtag" not in response.body, url
        assert secrets.public["title"] in app.get("/dataset/", headers=headers).body
        for dataset in secrets.hidden:
            for url in (f"/dataset/{dataset['name']}", f"/dataset/{dataset['id']}",
                        f"/dataset/{dataset['name']}/resource/{secrets.table}", f"/dataset/edit/{dataset['name']}"):
                response = app.get(url, headers=headers, follow_redirects=False)
                assert response.status_code in (302, 403, 404), url
                assert_hidden(secrets, response.body, url)
