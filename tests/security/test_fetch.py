"""F1 of issue #16: no server-side fetch reaches an internal address.

Every fetcher (the guard itself, the resource proxy, xloader, the Daten-Fenster, the URL
checks and the harvesters) is aimed at a canary: an HTTP server on a loopback port that is
not allowlisted, directly and through a redirect from an allowlisted server. The canary's
hits must stay empty, and the refusal must be told in words, not as the canary's answer.
"""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from ckan.lib import jobs
from ckan.tests import factories, helpers
from ckanext.osnabrueck import fetch, sensor_window, urlcheck, xloader_fetch
from ckanext_osnabrueck.factories import OsnabrueckDataset
from harvesters.lib import gather_errors, harvest_source, run

from conftest import fetch_allowed
from .conftest import api

INTERNAL = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
            "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1",
            "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::"]


@contextlib.contextmanager
def redirector(target: str):
    """An allowlisted loopback server (a "public" site) that redirects every GET and HEAD."""
    class Handler(BaseHTTPRequestHandler):
        def _redirect(self):
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = _redirect

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with fetch_allowed(url):
            yield url + "/harmless.csv"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["direct", "redirect"])
def aim(request, canary):
    """The URL an attacker enters: the canary itself, or a redirect to it."""
    target = canary.url + "/solr/ckan/select?q=capacity:private&wt=csv"
    if request.param == "direct":
        yield target
    else:
        with redirector(target) as url:
            yield url


# --- the guard ----------------------------------------------------------------------------

@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("address", INTERNAL)
def test_every_internal_range_is_refused(address, monkeypatch):
    """Through the portal's own session: literal addresses resolve locally, and a refused
    address never reaches a socket (connecting would fail the test)."""
    def no_connection(*args, **kwargs):
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(socket.socket, "connect", no_connection)
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(fetch.Blocked):
        fetch.session().get(f"http://{host}:80/", timeout=5)


@pytest.mark.usefixtures("with_plugins")
def test_the_guard_refuses_the_canary_and_redirects_to_it(aim, canary):
    with pytest.raises(fetch.Blocked):
        fetch.session().get(aim, timeout=5)
    assert canary.hits == {}


@pytest.mark.usefixtures("with_plugins")
def test_names_are_resolved_before_the_check(canary):
    with pytest.raises(fetch.Blocked):
        fetch.session().get(canary.url.replace("127.0.0.1", "localhost"), timeout=5)
    assert canary.hits == {}


@pytest.mark.usefixtures("with_plugins")
def test_the_connection_goes_to_the_checked_address(monkeypatch):
    """DNS rebinding: the name is resolved once, and the pool connects to that address (no
    second lookup that could answer 127.0.0.1). Nothing is sent: only the pool key is built."""
    lookups = []

    def resolve(host, port, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    prepared = requests.Request("GET", "http://rebind.example/x").prepare()
    adapter = fetch.session().get_adapter(prepared.url)
    host_params, _ = adapter.build_connection_pool_key_attributes(prepared, True)
    assert host_params["host"] == "8.8.8.8" and prepared.headers["Host"] == "rebind.example"
    assert lookups == ["rebind.example"]


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://127.0.0.1/x",
                                 "http:///nohost"])
def test_only_http_and_https_with_a_host(url):
    with pytest.raises((fetch.Blocked, requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL)):
        fetch.session().get(url, timeout=5)


@pytest.mark.usefixtures("with_plugins")
def test_size_and_time_are_capped(scripted_server):
    scripted_server.answer("/big", (200, b"x" * 5000, 0))
    with pytest.raises(fetch.TooLarge):
        fetch.session(max_bytes=1000).get(scripted_server.url + "/big", timeout=5)
    assert len(fetch.session(max_bytes=5000).get(scripted_server.url + "/big", timeout=5).content) == 5000


@pytest.mark.usefixtures("with_plugins")
def test_a_slow_answer_is_cut_off(scripted_server):
    """A server that trickles its body never ends the read timeout of each chunk: the
    deadline for the whole body does."""
    scripted_server.trickle("/slow", chunks=20, pause=0.2)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        fetch.session(deadline=1).get(scripted_server.url + "/slow", timeout=5)
    assert time.monotonic() - started < 3
    assert fetch.session(deadline=10).get(scripted_server.url + "/slow", timeout=5).content == b"x" * 20


# --- the fetchers -------------------------------------------------------------------------

def _private_dataset_with_url(world, url: str, fmt: str = "CSV") -> dict:
    dataset = OsnabrueckDataset(owner_org=world.org_a["id"], private=True,
                                resources=[{"name": "Interna", "url": url, "format": fmt}])
    return dataset


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("proxy", ["proxy", "service_proxy?SERVICE=WMS&REQUEST=GetCapabilities"])
def test_the_resource_proxies_do_not_fetch_internal_addresses(app, world, aim, canary, proxy):
    dataset = _private_dataset_with_url(world, aim)
    resource = dataset["resources"][0]
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/{proxy}",
                       headers=world.headers("editor_a"), status=409)
    assert "keine öffentliche Webadresse" in response.body
    assert response.headers["Content-Type"].startswith("text/plain")
    assert canary.hits == {}


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("proxy", ["proxy", "service_proxy"])
def test_the_proxies_hide_private_resources_and_serve_safely(app, world, scripted_server, proxy):
    scripted_server.answer("/page.html", (200, "<script>alert(document.cookie)</script>", 0))
    dataset = _private_dataset_with_url(world, scripted_server.url + "/page.html", "HTML")
    path = f"/dataset/{dataset['id']}/resource/{dataset['resources'][0]['id']}/{proxy}"
    assert app.get(path, status=404).body.strip() != ""  # anonymous: not found, not a 500
    app.get(path, headers=world.headers("editor_b"), status=404)
    response = app.get(path, headers=world.headers("editor_a"), status=200)
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "attachment"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_service_proxy_asks_the_service_with_the_viewers_ogc_request(app, world, scripted_server):
    scripted_server.answer("/ows?map=stadt&SERVICE=WFS&REQUEST=GetFeature&TYPENAME=ms%3Abaeume", (200, "<gml/>", 0))
    dataset = OsnabrueckDataset(owner_org=world.org_a["id"], resources=[
        {"name": "WFS", "url": scripted_server.url + "/ows?map=stadt&SERVICE=WFS&REQUEST=GetCapabilities#x",
         "format": "WFS_SRVC"}])
    response = app.get(f"/dataset/{dataset['id']}/resource/{dataset['resources'][0]['id']}/service_proxy"
                       "?SERVICE=WFS&REQUEST=GetFeature&TYPENAME=ms:baeume", status=200)
    assert response.body == "<gml/>"


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.resource_proxy.timeout", "1")
def test_the_proxy_cuts_off_a_server_that_trickles(app, world, scripted_server):
    """The proxy streams to the browser: a public server sending a byte now and then must
    not hold a web worker's thread beyond the deadline (6 × the proxy timeout)."""
    scripted_server.trickle("/langsam.csv", chunks=100, pause=0.1)
    dataset = OsnabrueckDataset(owner_org=world.org_a["id"], resources=[
        {"name": "Langsam", "url": scripted_server.url + "/langsam.csv", "format": "CSV"}])
    started = time.monotonic()
    response = app.get(f"/dataset/{dataset['id']}/resource/{dataset['resources'][0]['id']}/proxy")
    assert time.monotonic() - started < 8
    assert 0 < len(response.body) < 100


@pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_redis")
def test_xloader_does_not_load_internal_addresses(world, aim, canary, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", factories.SysadminWithToken()["token"])
    with pytest.raises(fetch.Blocked):
        xloader_fetch.get_response(aim, {})
    dataset = _private_dataset_with_url(world, aim)
    jobs.Worker(["default"]).work(burst=True)
    resource = helpers.call_action("resource_show", id=dataset["resources"][0]["id"])
    assert not resource.get("datastore_active")
    assert canary.hits == {}  # (the job's error report goes to ckan.site_url, not served in tests)


@pytest.mark.usefixtures("with_plugins", "clean_redis")
def test_the_daten_fenster_does_not_read_internal_addresses(aim, canary):
    dataset = {"id": "w", "metadata_modified": "1", "iot_service_url": aim, "iot_datastream_filter": "id eq 1"}
    assert sensor_window.window(dataset)["error"] is True
    assert canary.hits == {}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_harvester_only_fields_cannot_be_set_through_the_api(app, world, canary):
    dataset = OsnabrueckDataset(owner_org=world.org_a["id"])
    status, body = api(app, "package_patch", world.headers("editor_a"), id=dataset["id"],
                       iot_service_url=canary.url, iot_datastream_filter="id eq 1")
    assert status == 409 and "iot_service_url" in body["error"], body
    status, body = api(app, "package_create", world.headers("editor_a"), name="iot-eigenbau",
                       **{k: v for k, v in dataset.items() if k in ("title", "notes", "owner_org", "contact_email",
                                                                    "theme")},
                       iot_service_url=canary.url)
    assert status == 409 and "iot_service_url" in body["error"], body
    assert helpers.call_action("package_show", id=dataset["id"]).get("iot_service_url") in (None, "")


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_form_update_keeps_the_harvested_fields():
    dataset = OsnabrueckDataset()
    context = {"user": factories.Sysadmin()["name"], "osnabrueck_harvester": True}
    helpers.call_action("package_patch", context=context, id=dataset["id"],
                        iot_service_url="https://iot.example.org/v1.1", iot_datastream_filter="id eq 1")
    shown = helpers.call_action("package_show", id=dataset["id"])
    form = {k: v for k, v in shown.items() if not k.startswith("iot_")}
    helpers.call_action("package_update", context={"user": context["user"]}, **{**form, "title": "Neuer Titel"})
    after = helpers.call_action("package_show", id=dataset["id"])
    assert after["title"] == "Neuer Titel" and after["iot_service_url"] == "https://iot.example.org/v1.1"


@pytest.mark.usefixtures("with_plugins")
def test_url_checks_say_nothing_about_internal_addresses(aim, canary):
    ok, status, error = urlcheck.check_url(aim, 5)
    assert (ok, status) == (False, None) and error.startswith("blocked")
    assert canary.hits == {}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_quality_report_is_no_port_scanner(app, world, canary):
    """What an editor reads back through osnabrueck_quality_show about an internal URL: it
    was not checked, and nothing of the answer (status, server text) behind it."""
    url = canary.url + "/solr/admin/info/system"
    dataset = _private_dataset_with_url(world, url)
    urlcheck.check_dataset_urls(dataset["id"])
    status, body = api(app, "osnabrueck_quality_show", world.headers("editor_a"), id=dataset["id"])
    assert status == 200, body
    check = body["result"]["url_checks"][url]
    assert (check["ok"], check["status"], check["error"]) == (False, None, "blocked: not a public http(s) address")
    assert canary.hits == {}


HARVESTERS = {  # source type → config beyond the shared keys
    "osnabrueck_sensorthings": {},
    "osnabrueck_ogc": {"services": ["WMS", "WFS"]},
    "osnabrueck_arcgis": {},
    "osnabrueck_csw": {},
}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("source_type", HARVESTERS)
def test_harvesters_do_not_read_internal_addresses(aim, canary, source_type):
    source = harvest_source(f"intern-{source_type[11:]}", aim, source_type, ("swo-netz", "SWO Netz GmbH"),
                            {"owner_org": "swo-netz", "retries": 0, "timeout": 5, "contact_email": "a@b.de",
                             **HARVESTERS[source_type]})
    job, report = run(source)
    assert "internen Netz" in gather_errors(report), report
    assert job["stats"].get("added", 0) == 0
    assert canary.hits == {}
