"""URL checks run as background jobs against real HTTP servers and store their results."""
import http.server
import threading

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.osnabrueck import model, urlcheck

from conftest import fetch_allowed

from .factories import OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        if self.path == "/no-head":
            self.send_response(405)
        else:
            self.send_response(200 if self.path.startswith("/ok") else 404)
        self.end_headers()

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    with fetch_allowed(url):
        yield url
    httpd.shutdown()


def test_check_stores_reachable_and_broken_urls(server):
    dataset = OsnabrueckDataset(resources=[
        {"name": "ok", "url": f"{server}/ok.csv", "format": "CSV", "download_url": f"{server}/ok-download.csv"},
        {"name": "weg", "url": f"{server}/gone.csv", "format": "CSV"},
        {"name": "get", "url": f"{server}/no-head", "format": "HTML"},
    ])
    results = urlcheck.check_dataset_urls(dataset["id"])
    assert results == {f"{server}/ok.csv": True, f"{server}/ok-download.csv": True,
                       f"{server}/gone.csv": False, f"{server}/no-head": True}
    stored = model.url_checks(results)
    assert stored[f"{server}/gone.csv"]["status"] == 404

    score = call_action("osnabrueck_quality_show", id=dataset["id"])
    access = next(i for i in score["indicators"] if i["id"] == "access_url_status")
    assert tuple(access["share"]) == (2, 3) and access["points"] == 33


def test_unreachable_host_is_recorded_with_its_error():
    dataset = OsnabrueckDataset(resources=[{"name": "r", "url": "http://127.0.0.1:9/x.csv", "format": "CSV"}])
    urlcheck.check_dataset_urls(dataset["id"])
    result = model.url_checks(["http://127.0.0.1:9/x.csv"])["http://127.0.0.1:9/x.csv"]
    assert result["ok"] is False and result["status"] is None and "ConnectionError" in result["error"]


def test_uploaded_files_are_checked_in_the_file_store(create_with_upload):
    dataset = OsnabrueckDataset()
    resource = create_with_upload(b"a;b\n1;2\n", "werte.csv", package_id=dataset["id"], format="CSV", name="Werte",
                                  context={"user": factories.Sysadmin()["name"]})
    results = urlcheck.check_dataset_urls(dataset["id"])
    assert results == {resource["url"]: True}


def test_saving_a_dataset_enqueues_its_check(monkeypatch):
    queued = []
    monkeypatch.setattr(urlcheck.tk, "enqueue_job", lambda fn, args, **kw: queued.append((fn, args, kw)))
    dataset = OsnabrueckDataset()
    assert [args for fn, args, _ in queued if fn is urlcheck.check_dataset_urls] == [[dataset["id"]]]
