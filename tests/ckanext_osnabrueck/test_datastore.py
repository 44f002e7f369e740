"""Tables reach the DataStore through ckanext-xloader, and its API answers anonymous users
on public data only."""
import datetime
import io
import json

import pytest

from ckan import model
from ckan.lib import jobs
from ckan.tests import factories, helpers
from ckanext.osnabrueck import tables

from .factories import OsnabrueckDataset

CSV = "monat;besuche\n2025-01;33336\n2025-02;36647\n2025-03;30211\n".encode()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["jahr", "co2e_kilotonnen"])
    for year, value in ((1990, 520.5), (2000, 480.0), (2010, 430.25)):
        book.active.append([year, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_needs_loading_new_changed_and_busy_tables():
    fresh = {"url": "https://x/a.csv", "datastore_active": False}
    assert tables.needs_loading(fresh, None)
    loaded = {"url": "https://x/a.csv", "datastore_active": True, "last_modified": "2026-11-01T10:00:00"}
    assert not tables.needs_loading(loaded, {"state": "complete", "last_updated": "2026-11-02T00:00:00"})
    assert tables.needs_loading(loaded, {"state": "complete", "last_updated": "2026-10-30T00:00:00"})
    assert not tables.needs_loading(fresh, {"state": "pending", "last_updated": "2026-11-02T00:00:00"})
    assert not tables.needs_loading({**fresh, "url_type": "xloader"}, None)


def test_cut_off_loads_are_those_pending_or_failed_for_the_moment():
    assert tables.is_cut_off({"state": "pending", "error": "{}"})
    assert tables.is_cut_off({"state": "error", "error": '{"message": "HTTPConnectionPool(host=\'127.0.0.1\', '
                                                         'port=5000): Max retries exceeded with url: /x.csv"}'})
    assert tables.is_cut_off({"state": "error", "error": '{"message": "Invalid HTTP response: 503 Unavailable"}'})
    assert not tables.is_cut_off({"state": "error", "error": '{"message": "Error parsing CSV file: bad quoting"}'})
    assert not tables.is_cut_off({"state": "error", "error": '{"message": "not found: /dataset/5efeb7d3-b030-4507"}'})
    assert not tables.is_cut_off({"state": "complete", "error": "{}"})


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_datastore")
def test_a_load_lost_with_its_job_is_submitted_again(scripted_server, ckan_config, monkeypatch):
    """The worker's queue was lost (a restore, a Redis flush): the task stays "pending"
    until the scheduler submits it again; then the table arrives."""
    admin = factories.SysadminWithToken()
    monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", admin["token"])
    scripted_server.answer("/baeder.csv", (200, CSV, 0))
    dataset = OsnabrueckDataset(resources=[{"name": "Bäder", "url": f"{scripted_server.url}/baeder.csv",
                                            "format": "CSV"}])
    resource_id = dataset["resources"][0]["id"]
    jobs.get_queue().empty()  # the job is gone, its task still says "pending"
    assert tables._task(resource_id)["state"] == "pending"
    jobs.Worker(["default"]).work(burst=True)
    assert not helpers.call_action("resource_show", id=resource_id)["datastore_active"]
    # xloader takes a pending task for lost only some seconds after its last update
    model.Session.query(model.TaskStatus).filter_by(entity_id=resource_id).update(
        {"last_updated": datetime.datetime.utcnow() - datetime.timedelta(minutes=10)})
    model.Session.commit()

    assert tables.retry_cut_off() == 1
    jobs.Worker(["default"]).work(burst=True)
    assert helpers.call_action("resource_show", id=resource_id)["datastore_active"]


@pytest.mark.usefixtures("with_plugins", "clean_datastore")
def test_tables_sent_with_the_dataset_are_loaded_by_the_worker(scripted_server, ckan_config, monkeypatch):
    admin = factories.SysadminWithToken()
    monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", admin["token"])
    scripted_server.answer("/baeder.csv", (200, CSV, 0))
    scripted_server.answer("/treibhausgas.xlsx", (200, _xlsx(), 0))
    jobs.get_queue().empty()
    dataset = OsnabrueckDataset(resources=[
        {"name": "Bäder", "url": f"{scripted_server.url}/baeder.csv", "format": "CSV"},
        {"name": "Treibhausgase", "url": f"{scripted_server.url}/treibhausgas.xlsx", "format": "XLSX"},
        {"name": "Karte", "url": f"{scripted_server.url}/karte.pdf", "format": "PDF"}])

    jobs.Worker(["default"]).work(burst=True)

    shown = {r["name"]: r for r in helpers.call_action("package_show", id=dataset["id"])["resources"]}
    assert not shown["Karte"]["datastore_active"]
    baeder = helpers.call_action("datastore_search", resource_id=shown["Bäder"]["id"])
    assert [int(r["besuche"]) for r in baeder["records"]] == [33336, 36647, 30211]
    gases = helpers.call_action("datastore_search", resource_id=shown["Treibhausgase"]["id"], sort="jahr")
    assert len(gases["records"]) == 3 and {"jahr", "co2e_kilotonnen"} <= {f["id"] for f in gases["fields"]}
    # In the portal xloader's callback (an API call back to the web app) adds the default views.
    helpers.call_action("resource_create_default_resource_views", {"user": admin["name"]}, resource=shown["Bäder"],
                        create_datastore_views=True)
    views = {v["view_type"] for v in helpers.call_action("resource_view_list", id=shown["Bäder"]["id"])}
    assert {"datatables_view", "osnabrueck_chart"} <= views


@pytest.fixture
def two_tables(clean_datastore):
    """A public and a private dataset ("Datenraum") of one organisation, each with a table."""
    org, admin = factories.Organization(), factories.Sysadmin()
    made = {}
    for name, private in (("oeffentlich", False), ("datenraum", True)):
        dataset = OsnabrueckDataset(name=name, owner_org=org["id"], private=private,
                                    resources=[{"name": name, "url": "https://example.org/t.csv", "format": "CSV"}])
        rid = dataset["resources"][0]["id"]
        helpers.call_action("datastore_create", {"user": admin["name"]}, resource_id=rid, force=True,
                            fields=[{"id": "wert", "type": "int"}], records=[{"wert": 1}, {"wert": 2}])
        made[name] = rid
    return made


def _anonymous(app, action, **params):
    response = app.get(f"/api/3/action/{action}", query_string=params)
    return response.status_code, json.loads(response.body)


@pytest.mark.usefixtures("with_plugins")
def test_anonymous_users_query_public_tables(app, two_tables):
    status, body = _anonymous(app, "datastore_search", resource_id=two_tables["oeffentlich"])
    assert status == 200 and [r["wert"] for r in body["result"]["records"]] == [1, 2]
    status, body = _anonymous(app, "datastore_search_sql",
                              sql=f'SELECT sum(wert) AS summe FROM "{two_tables["oeffentlich"]}"')
    assert status == 200 and body["result"]["records"] == [{"summe": 3}]


@pytest.mark.usefixtures("with_plugins")
def test_tables_of_private_datasets_stay_closed_to_anonymous_users(app, two_tables):
    private = two_tables["datenraum"]
    status, body = _anonymous(app, "datastore_search", resource_id=private)
    assert status == 403 and not body["success"]
    for sql in (f'SELECT * FROM "{private}"',
                f'SELECT * FROM "{two_tables["oeffentlich"]}" UNION SELECT * FROM "{private}"',
                "SELECT * FROM _table_metadata"):
        status, body = _anonymous(app, "datastore_search_sql", sql=sql)
        assert status in (403, 404, 409) and not body["success"], sql
        assert "wert" not in json.dumps(body.get("result", {}))
    status, body = _anonymous(app, "datastore_info", id=private)
    assert status in (403, 404) and not body["success"]
    status, body = _anonymous(app, "datastore_search", resource_id="_table_metadata")
    assert status in (403, 404) and private not in json.dumps(body)


GERMAN = ("Stadtteil_Nr;Stadtteil;Einwohner;temperatur_c;gemessen;stichtag\n"
          "01;Innenstadt;9800;9,57;07.12.2026 10:15;31.12.2025\n"
          "02;Weststadt;13900;10,35;07.12.2026 11:15;31.12.2025\n"
          "03;Westerberg;11200;-1,5;07.12.2026 12:15;31.12.2025\n").encode("cp1252")
ENGLISH = ("station,depth_cm,temperature_c,measured\n"
           "A,5,9.57,2026-12-07T10:00:00\nA,20,10.35,2026-12-07T11:00:00\nB,50,8.1,2026-12-07T12:00:00\n").encode()


def _callback_in_process(monkeypatch, admin: dict) -> None:
    """xloader's job reports back to the web app over HTTP (xloader_hook), which runs the
    IXloader hooks; the tests' site URL is no server, so the job calls the action itself."""
    from ckanext.xloader import jobs as xloader_jobs

    def callback(result_url, api_key, job_dict):
        helpers.call_action("xloader_hook", {"user": admin["name"]}, **job_dict)
        return True

    monkeypatch.setattr(xloader_jobs, "callback_xloader_hook", callback)


@pytest.mark.usefixtures("with_plugins", "clean_datastore")
def test_tables_get_real_column_types_in_german_and_english_notation(scripted_server, ckan_config, monkeypatch):
    admin = factories.SysadminWithToken()
    monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", admin["token"])
    _callback_in_process(monkeypatch, admin)
    scripted_server.answer("/einwohner.csv", (200, GERMAN, 0))
    scripted_server.answer("/boden.csv", (200, ENGLISH, 0))
    jobs.get_queue().empty()
    dataset = OsnabrueckDataset(resources=[
        {"name": "Einwohner", "url": f"{scripted_server.url}/einwohner.csv", "format": "CSV"},
        {"name": "Boden", "url": f"{scripted_server.url}/boden.csv", "format": "CSV"}])
    jobs.Worker(["default"]).work(burst=True)
    shown = {r["name"]: r["id"] for r in helpers.call_action("package_show", id=dataset["id"])["resources"]}

    german = helpers.call_action("datastore_search", resource_id=shown["Einwohner"], sort="Einwohner desc")
    assert {f["id"]: f["type"] for f in german["fields"]} == {
        "_id": "int", "Stadtteil_Nr": "text", "Stadtteil": "text", "Einwohner": "int8", "temperatur_c": "numeric",
        "gemessen": "timestamp", "stichtag": "date"}
    assert [r["Einwohner"] for r in german["records"]] == [13900, 11200, 9800]
    assert [r["Stadtteil_Nr"] for r in german["records"]] == ["02", "03", "01"]  # codes keep their zeros
    assert helpers.call_action("datastore_search", resource_id=shown["Einwohner"], sort="temperatur_c desc")[
        "records"][0]["temperatur_c"] == 10.35
    english = helpers.call_action("datastore_search", resource_id=shown["Boden"], sort="temperature_c desc")
    assert [r["temperature_c"] for r in english["records"]] == [10.35, 9.57, 8.1]
    assert {f["id"]: f["type"] for f in english["fields"]}["measured"] == "timestamp"

    # Saving the whole dataset again, as the demo loader and API clients do (package_update
    # without the flag, which it then drops), keeps the tables shown.
    again = helpers.call_action("package_show", id=dataset["id"])
    again["resources"] = [{k: v for k, v in r.items() if k != "datastore_active"} for r in again["resources"]]
    helpers.call_action("package_update", {"user": admin["name"]}, **again)
    shown_again = helpers.call_action("package_show", id=dataset["id"])["resources"]
    assert all(r["datastore_active"] for r in shown_again), [(r["name"], r["datastore_active"]) for r in shown_again]


def test_a_column_stays_text_unless_every_value_fits():
    from ckanext.osnabrueck.column_types import infer

    typed = {c.column: c.sql_type for c in infer(
        ["plz", "wert", "gemischt", "tausender", "kennung"],
        [["49074", "1.5", "2,5", "1.234,5", "007"], ["49076", "2.25", "1.5", "12,0", "12"],
         ["", "", "x", "", ""]])}
    assert typed == {"plz": "int8", "wert": "numeric", "tausender": "numeric"}


@pytest.mark.usefixtures("with_plugins", "clean_datastore")
def test_table_downloads_are_named_after_the_resource(app):
    admin = factories.Sysadmin()
    dataset = OsnabrueckDataset(resources=[{"name": "Einwohner nach Stadtteilen", "url": "https://example.org/e.csv",
                                            "format": "CSV"}])
    resource_id = dataset["resources"][0]["id"]
    helpers.call_action("datastore_create", {"user": admin["name"]}, resource_id=resource_id, force=True,
                        fields=[{"id": "einwohner", "type": "int"}], records=[{"einwohner": 9800}])
    for fmt in ("csv", "json"):
        response = app.get(f"/datastore/dump/{resource_id}", query_string={"format": fmt})
        assert response.headers["Content-Disposition"] == f'attachment; filename="Einwohner nach Stadtteilen.{fmt}"'


@pytest.mark.usefixtures("with_plugins", "clean_datastore")
def test_a_value_past_the_sample_that_does_not_fit_leaves_the_table_as_loaded(monkeypatch):
    from ckanext.osnabrueck import column_types

    admin = factories.Sysadmin()
    dataset = OsnabrueckDataset(resources=[{"name": "Zählung", "url": "https://example.org/z.csv", "format": "CSV"}])
    resource_id = dataset["resources"][0]["id"]
    helpers.call_action("datastore_create", {"user": admin["name"]}, resource_id=resource_id, force=True,
                        fields=[{"id": "anzahl", "type": "text"}],
                        records=[{"anzahl": "12"}, {"anzahl": "13"}, {"anzahl": "k. A."}])
    monkeypatch.setattr(column_types, "SAMPLE_ROWS", 2)
    assert column_types.type_table(resource_id) == []
    shown = helpers.call_action("datastore_search", resource_id=resource_id)
    assert {f["id"]: f["type"] for f in shown["fields"]}["anzahl"] == "text"
    assert [r["anzahl"] for r in shown["records"]] == ["12", "13", "k. A."]
