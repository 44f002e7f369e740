"""Hardening of the web layer, installed on the Flask app by the plugin (IMiddleware).

* CSRF: CKAN 2.12.0 exempts the view of every request without a session (API token or
  anonymous) through Flask-WTF's ``csrf.exempt``, which lasts as long as the process: one
  anonymous visit to /dataset/edit/x switched CSRF protection of that form off for every
  logged-in user (tests/security/test_hostile_input.py). Here an exemption made
  while a request is served holds for that request only.
* Action API: bodies above ``ckanext.osnabrueck.api_max_body_mb`` (file uploads excepted)
  get a 413, JSON nested too deeply for the parser a 400 (it was a RecursionError, a 500),
  and every HTTP error under /api/ (404, 405, 413, …) is answered as JSON in the API's
  error format, not as an HTML page; so are CKAN's own 400s (a bare JSON string before).
* Every request: text with NUL characters or lone UTF-16 surrogates (in the path, query,
  form or JSON), which PostgreSQL cannot store, gets a 400 instead of a 500; CKAN's bulk
  page of a group (bulk actions exist for organisations only) a 404 instead of a 500;
  so does an RDF format ckanext-dcat does not know (/catalog.foo).
* Action API: parameters of the wrong kind in any action (a negative limit, "maybe" as a
  flag, a list as username) get a 400 (logic/structure.py); they were 500s.
* Bodies stay readable: middleware that reads the raw body after the views (CKAN's
  tracking reads ``wsgi.input`` of ``POST /_tracking``) found the stream emptied by the
  form parsing here, and answered every page view's beacon with a 500. Form and JSON
  bodies are cached and put back; a beacon is rewritten to the two fields the tracking
  reads (its own parser failed on any other shape), or refused with a 400.
* Every request: Flask's MAX_CONTENT_LENGTH, unless configured, is the largest upload
  CKAN accepts (``ckan.max_resource_size``, ``ckan.max_image_size``) plus 1 MB of form.
"""
from __future__ import annotations

import io
import json
import logging
import re
from functools import partial
from urllib.parse import parse_qs, quote, urlencode

from flask import Flask, g, has_request_context, request
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge, default_exceptions

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)
MB = 1024 * 1024
BODY_METHODS = ("POST", "PUT", "PATCH")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class RequestExemptions(set):
    """Flask-WTF's set of CSRF-exempt views: entries added during a request (CKAN's
    per-request exemption) last for that request; those added at start-up stay."""

    def add(self, view):
        if has_request_context():
            g.osnabrueck_csrf_exempt = view
        else:
            super().add(view)

    def __contains__(self, view):
        return super().__contains__(view) or (has_request_context()
                                              and g.get("osnabrueck_csrf_exempt") == view)


def upload_limit() -> int:
    largest = max(tk.config.get("ckan.max_resource_size"), tk.config.get("ckan.max_image_size"))
    return (int(largest) + 1) * MB


def install(app):
    """Apply the hardening to CKAN's Flask app; returns the app unchanged otherwise."""
    if not isinstance(app, Flask):
        log.warning("osnabrueck: the app is wrapped already (%r); web hardening not installed", app)
        return app
    csrf = app.extensions.get("csrf")
    if csrf is not None and not isinstance(csrf._exempt_views, RequestExemptions):
        csrf._exempt_views = RequestExemptions(csrf._exempt_views)
        csrf.exempt("ckanext.osnabrueck.views.tracking_beacon")  # counts views, nobody's data
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = upload_limit()
    app.before_request(check_api_body)
    app.before_request(keep_body_readable)
    app.before_request(check_text)
    app.before_request(no_group_bulk_page)
    app.before_request(check_api_params)
    app.before_request(known_rdf_format)
    app.after_request(api_error_format)
    for code, exception in default_exceptions.items():
        page = app.error_handler_spec[None][code].get(exception)
        app.register_error_handler(code, partial(api_json_error, app, page))
    return app


def is_api() -> bool:
    """Whether the request is one of the action API's (also used by outage)."""
    return request.path == "/api" or request.path.startswith("/api/") or request.blueprint == "api"


def check_api_body():
    if not is_api() or request.method not in BODY_METHODS or request.mimetype == "multipart/form-data":
        return
    limit = tk.config.get("ckanext.osnabrueck.api_max_body_mb") * MB
    request.max_content_length = limit
    too_large = RequestEntityTooLarge(tk._("The request body is larger than %(size)s MB.") % {"size": limit // MB})
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    if request.content_length is None and len(request.get_data(cache=True)) >= limit:
        raise too_large  # a streamed (chunked) body, cut at the limit
    if request.is_json:
        try:
            data = request.get_json(silent=True)  # cached for the action view
        except RecursionError:
            raise BadRequest(tk._("The JSON of the request is nested too deeply.")) from None
        if isinstance(data, dict) and not isinstance(data.get("id", ""), (str, type(None))):
            raise BadRequest(tk._('The parameter "id" must be a text.'))


def keep_body_readable():
    if request.method not in BODY_METHODS or request.mimetype == "multipart/form-data":
        return  # uploads are streamed to the file store, and no middleware rereads them
    body = request.get_data(cache=True)  # request.form and get_json() parse the cache
    if request.path == "/_tracking":
        body = _tracking_beacon(body)
        request.environ.setdefault("HTTP_USER_AGENT", "")  # the tracking's key reads it unchecked
    request.environ["wsgi.input"] = io.BytesIO(body)


def _tracking_beacon(body: bytes) -> bytes:
    """The page-view beacon in the only shape ckanext-tracking parses: ``url=…&type=…``."""
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    kind = fields.get("type", [""])[0]
    # The tracking script sends the path without its trailing slash: the home page is "".
    url = fields["url"][0] or "/" if "url" in fields else ""
    if not url or kind not in ("page", "resource"):
        # ckanext-tracking's after_request hook counts (and fails on) every POST whose
        # PATH_INFO is /_tracking, refused ones included: a refused beacon is hidden from it.
        request.environ["PATH_INFO"] = "/_tracking/refused"
        raise BadRequest(tk._("A page view needs a url and a type (page or resource)."))
    return urlencode({"url": url, "type": kind}, quote_via=quote).encode()  # tracking unquotes, no "+"


def _unstorable(value) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(key) or _unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False


def check_text():
    values = [request.view_args or {}, request.args.to_dict(flat=False)]
    if request.method in BODY_METHODS:
        values.append(request.form.to_dict(flat=False))
        if is_api() and request.is_json:
            values.append(request.get_json(silent=True))
    if any(_unstorable(value) for value in values):
        raise BadRequest(tk._("The request contains NUL characters or invalid Unicode."))


def no_group_bulk_page():
    if request.endpoint == "group.bulk_process":
        raise NotFound()


def check_api_params():
    """Parameters whose kind is the same in every action (a limit, a true/false flag, an
    identifier) get a 400 when they are of the wrong kind (logic.structure.param_error)."""
    if not is_api():
        return
    from .logic import structure

    params = [request.args.to_dict()]
    if request.method in BODY_METHODS:
        params.append(request.form.to_dict())
        body = request.get_json(silent=True) if request.is_json else None
        if isinstance(body, dict):
            params.append(body)
    message = next(filter(None, map(structure.param_error, params)), None)
    if message:
        raise BadRequest(message)


# ckanext-dcat's formats; another one (/catalog.foo) failed in rdflib with a 500.
RDF_ENDPOINTS = ("dcat.read_catalog", "dcat.read_dataset", "dcat.read_dataset_series")


def known_rdf_format():
    if request.endpoint in RDF_ENDPOINTS and (request.view_args or {}).get("_format"):
        from ckanext.dcat.utils import CONTENT_TYPES

        if request.view_args["_format"] not in CONTENT_TYPES:
            raise NotFound()


def api_error_format(response):
    """CKAN answers some bad API requests with a bare JSON string; clients expect the
    API's error object."""
    if (response.status_code == 400 and is_api() and response.mimetype == "application/json"
            and not response.is_streamed):
        try:
            body = json.loads(response.get_data())
        except ValueError:
            return response
        if isinstance(body, str):
            response.set_data(json.dumps({"success": False, "error": {"__type": "Bad Request", "message": body}}))
    return response


def api_json_error(app, page, error):
    """HTTP errors of the action API as JSON; other pages keep CKAN's error page."""
    if not is_api():
        return page(error) if page else error
    body = {"success": False, "error": {"__type": error.name, "message": error.description}}
    response = app.response_class(json.dumps(body), status=error.code, mimetype="application/json")
    for name, value in error.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    return response
