"""Outages of PostgreSQL, Solr or Redis answer 503 "Service Unavailable", never a 500.

bench/load.py found that while Solr or PostgreSQL is down, pages answered CKAN's generic
500 page and the API 500 "Internal Server Error" / "Search Connection Error". To browsers,
load balancers and crawlers (GovData) that reads as a bug; 503 with Retry-After says "try
again shortly", and crawlers keep their copy instead of dropping it.

* pages: a self-contained 503 page in the request's language: no template and no helper,
  since the failing service may be what they need;
* the API catches every exception itself (500, or 409 for search errors); its answer becomes
  503 ``{"success": false, "error": {"__type": "Service Unavailable", ...}}`` when the error
  is a Solr connection error, or when the database or Solr fails its health check right then
  (checked only for those error answers);
* pages that CKAN answers with 500 itself (the dataset search aborts with 500 when Solr is
  unreachable; Solr errors while its cores load) become the 503 page when the database or
  Solr fails its health check right then.

It also creates the webassets cache folder and the output folder of every asset bundle at
start: gunicorn's workers otherwise race to create them at their first page, and the loser
answers 500 (FileExistsError in webassets; bench/load.py met it on ckanext-harvest's CSS).

Solr answering 503 itself (a core still loading after a restart) reaches CKAN as a
SearchError naming "(HTTP 503)": that is an outage too, on pages and in the API.
"""
from __future__ import annotations

import json
import logging
import os
from functools import partial
from html import escape

import redis
import sqlalchemy.exc
from flask import Flask, Response, request

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError, SolrConnectionError

from . import health
from .security import is_api

log = logging.getLogger(__name__)

RETRY_AFTER = "30"
# Errors that mean "a service is unreachable", not "the code is wrong".
UNAVAILABLE = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, SolrConnectionError,
               redis.exceptions.ConnectionError)
# API error types that an outage causes among others; then the health checks decide.
SUSPECT_API_ERRORS = {"Internal Server Error", "Search Error"}
# pysolr's words for a 503 answer of Solr, inside CKAN's SearchError message.
SOLR_BUSY = "(HTTP 503)"


def register(app) -> None:
    """Install the handlers on CKAN's Flask app (IMiddleware.make_middleware)."""
    prepare_webassets_cache()
    if not isinstance(app, Flask):
        log.warning("outage handlers not installed: %r is not the Flask app", app)
        return
    for error in UNAVAILABLE:
        app.register_error_handler(error, unavailable)
    app.register_error_handler(SearchError, partial(search_error, app))
    app.after_request(outage_response)


def prepare_webassets_cache() -> None:
    path = tk.config.get("ckan.webassets.path") or os.path.join(tk.config.get("ckan.storage_path") or "",
                                                                "webassets")
    if not path.strip(os.sep):
        return
    folders = {".webassets-cache"} | {os.path.dirname(output) for output in _bundle_outputs()}
    try:
        for folder in folders:
            os.makedirs(os.path.join(path, folder), exist_ok=True)
    except OSError as error:  # a read-only or missing storage is reported by CKAN itself
        log.warning("could not create the webassets folders: %s", error)


def _bundle_outputs() -> list[str]:
    from ckan.lib import webassets_tools

    env = getattr(webassets_tools, "env", None)  # set once CKAN's assets are initialised
    if env is None:
        return []
    return [bundle.output for bundle in env if getattr(bundle, "output", None)]


def _text() -> tuple[str, str, str, str]:
    """Title, message, link text and language code, in the request's language."""
    try:
        return (tk._("The service is temporarily unavailable"),
                tk._("The portal cannot reach one of its services right now. Please try again in a few "
                     "minutes."), tk._("Try again"), tk.h.lang() or "de")
    except Exception:  # noqa: BLE001 - no translations when the request failed before its set-up
        return ("Der Dienst ist vorübergehend nicht erreichbar",
                "Das Portal erreicht gerade einen seiner Dienste nicht. Bitte versuchen Sie es in einigen "
                "Minuten erneut.", "Erneut versuchen", "de")


def _api_body() -> str:
    title, message, _, _ = _text()
    return json.dumps({"help": request.url, "success": False,
                       "error": {"__type": "Service Unavailable", "message": f"{title}. {message}"}})


def _response(body: str, mimetype: str) -> Response:
    response = Response(body, status=503, mimetype=mimetype)
    response.headers["Retry-After"] = RETRY_AFTER
    response.headers["Cache-Control"] = "no-store"
    return response


def unavailable(error: Exception) -> Response:
    """Flask error handler for UNAVAILABLE errors raised by a page or before a request."""
    # One line, no traceback: the outage is the cause, and it floods the log otherwise.
    log.error("service unavailable on %s: %s: %s", request.path, type(error).__name__, str(error).splitlines()[0]
              if str(error) else "")
    if is_api():
        return _response(_api_body(), "application/json")
    return _page()


def search_error(app, error: SearchError):
    """Solr's own 503 is an outage; other search errors keep CKAN's handling."""
    if SOLR_BUSY in str(error):
        return unavailable(error)
    fallback = app.error_handler_spec[None][None].get(Exception)
    if fallback is None:
        raise error
    return fallback(error)


def _page() -> Response:
    title, message, again, lang = _text()
    page = (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} – Open Data Osnabrück</title></head>"
            f'<body style="font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em">'
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
            f'<p><a href="{escape(request.path)}">{escape(again)}</a></p></body></html>')
    return _response(page, "text/html")


def _outage() -> bool:
    checks = {"database": health._check_database, "solr": health._check_solr}
    return any(not health.run_check(check)["ok"] for check in checks.values())


def outage_response(response: Response) -> Response:
    """after_request: 500 pages and the API's own 500/409 error answers become 503 when a
    service is down."""
    if not is_api():
        return _page() if response.status_code == 500 and _outage() else response
    if response.status_code not in (409, 500) or response.mimetype != "application/json":
        return response
    try:
        error = json.loads(response.get_data()).get("error") or {}
    except ValueError:
        return response
    kind = error.get("__type") if isinstance(error, dict) else None
    busy = SOLR_BUSY in str(error.get("message") or "")
    if kind == "Search Connection Error" or (kind in SUSPECT_API_ERRORS and (busy or _outage())):
        return _response(_api_body(), "application/json")
    return response
