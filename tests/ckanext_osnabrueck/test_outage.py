"""Outages answer 503, not 500 (outage.py): pages and the API, on a bare Flask app with the
handlers installed, so no test database is needed. bench/load.py checks the real thing
(Solr killed, PostgreSQL restarted) on its own stack."""
from pathlib import Path

import pytest
import sqlalchemy.exc
from flask import Flask, abort, jsonify, request

from ckan.lib.search.common import SearchError, SolrConnectionError
from ckanext.osnabrueck import outage

PO = Path(outage.__file__).parent / "i18n" / "de" / "LC_MESSAGES" / "ckanext-osnabrueck.po"


def _app(tmp_path, monkeypatch) -> Flask:
    monkeypatch.setitem(outage.tk.config, "ckan.webassets.path", str(tmp_path / "webassets"))
    app = Flask(__name__)

    @app.route("/dataset/")
    def search_page():
        raise SolrConnectionError("Solr returned an error while searching.")

    @app.route("/dataset/search-aborts")
    def search_aborts():
        abort(500, "Solr returned an error while searching.")  # as CKAN's dataset search does

    @app.route("/")
    def home():
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    @app.route("/organization/")
    def organizations():
        raise SearchError(f"SOLR returned an error running query: {{}} Error: SolrError('Solr responded with an "
                          f"error {request.args.get('status', '(HTTP 503)')}: [Reason: SolrCore is loading]')")

    @app.route("/api/3/action/<name>")
    def action(name):
        # CKAN's action view catches every exception and answers like this itself.
        kinds = {"package_search": ("Search Connection Error", 500), "package_show": ("Internal Server Error", 500),
                 "package_list": ("Validation Error", 409), "group_list": ("Search Error", 409)}
        kind, status = kinds[name]
        message = request.args.get("message", "x")
        return jsonify({"success": False, "error": {"__type": kind, "message": message}}), status

    @app.route("/api/3/action/status_show")
    def broken_before():
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("the database system is shutting down"))

    outage.register(app)
    return app


def test_pages_answer_503_in_german_without_traceback(tmp_path, monkeypatch):
    client = _app(tmp_path, monkeypatch).test_client()
    for path in ("/", "/dataset/"):
        response = client.get(path)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == outage.RETRY_AFTER
        assert "no-store" in response.headers["Cache-Control"]
        body = response.get_data(as_text=True)
        assert "Der Dienst ist vorübergehend nicht erreichbar" in body and "Traceback" not in body
        assert "connection refused" not in body  # no internals on a public page


def test_api_answers_503_json(tmp_path, monkeypatch):
    client = _app(tmp_path, monkeypatch).test_client()
    for name in ("package_search", "status_show"):
        response = client.get(f"/api/3/action/{name}")
        assert response.status_code == 503, name
        body = response.json
        assert body["success"] is False and body["error"]["__type"] == "Service Unavailable"


@pytest.mark.parametrize("down, status", [(True, 503), (False, 500)])
def test_api_internal_error_is_503_only_while_a_service_is_down(tmp_path, monkeypatch, down, status):
    monkeypatch.setattr(outage, "_outage", lambda: down)
    response = _app(tmp_path, monkeypatch).test_client().get("/api/3/action/package_show")
    assert response.status_code == status


@pytest.mark.parametrize("down, status", [(True, 503), (False, 500)])
def test_500_pages_are_503_only_while_a_service_is_down(tmp_path, monkeypatch, down, status):
    monkeypatch.setattr(outage, "_outage", lambda: down)
    response = _app(tmp_path, monkeypatch).test_client().get("/dataset/search-aborts")
    assert response.status_code == status


def test_other_api_errors_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(outage, "_outage", lambda: True)
    response = _app(tmp_path, monkeypatch).test_client().get("/api/3/action/package_list")
    assert response.status_code == 409 and response.json["error"]["__type"] == "Validation Error"


def test_solr_answering_503_itself_is_an_outage(tmp_path, monkeypatch):
    """Solr restarted, its core still loading: pysolr's error inside CKAN's SearchError."""
    monkeypatch.setattr(outage, "_outage", lambda: False)  # the health check passes again by then
    client = _app(tmp_path, monkeypatch).test_client()
    assert client.get("/organization/").status_code == 503
    busy = client.get("/api/3/action/group_list", query_string={"message": "Search error: (HTTP 503)"})
    assert busy.status_code == 503 and busy.json["error"]["__type"] == "Service Unavailable"
    other = client.get("/api/3/action/group_list", query_string={"message": "Search error: (HTTP 400)"})
    assert other.status_code == 409
    # other search errors keep their handling (here Flask's own: 500)
    assert client.get("/organization/", query_string={"status": "(HTTP 400)"}).status_code == 500


def test_webassets_folders_exist_after_start(tmp_path, monkeypatch):
    class Bundle:
        output = "ckanext-harvest/%(version)s_harvest.css"

    monkeypatch.setattr("ckan.lib.webassets_tools.env", [Bundle()], raising=False)
    _app(tmp_path, monkeypatch)
    assert (tmp_path / "webassets" / ".webassets-cache").is_dir()
    assert (tmp_path / "webassets" / "ckanext-harvest").is_dir()
    outage.prepare_webassets_cache()  # a second worker: no error when it exists


def test_messages_have_german_translations():
    po = PO.read_text()
    for english, german in [("The service is temporarily unavailable", "Der Dienst ist vorübergehend nicht erreichbar"),
                            ("Try again", "Erneut versuchen")]:
        assert f'msgid "{english}"\nmsgstr "{german}"' in po
