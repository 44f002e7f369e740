"""The resource proxy (``/dataset/<id>/resource/<resource_id>/proxy``) of the map and
table previews and the OGC service proxy (``…/service_proxy``) of the map viewer, through
the guarded fetcher.

They replace the views of CKAN's ``resource_proxy`` plugin and of ckanext-geoview, which
fetched any URL an editor entered, internal ones included, and handed the answer to
whoever asked (Solr's private index; tests/security/test_fetch.py). Here:

* only who may see the resource gets anything; a private resource is "not found" (404);
* the answer is capped at ``ckan.resource_proxy.max_file_size`` and served as an attachment
  with ``nosniff`` and a sandboxing CSP: the previews read it with XHR, a browser that
  opens it does not run its HTML or SVG on the portal's origin;
* failures are a short text in the UI language, shown inside the preview, never a page;
* the service proxy asks the resource's service with the viewer's OGC parameters (the
  stored URL's own SERVICE, REQUEST, BBOX, ... replaced), as ckanext-geoview's did.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from flask import Response, request, stream_with_context

import ckan.plugins.toolkit as tk

from . import fetch

# The parameters the map viewer sets itself (ckanext-geoview's OGC_EXCLUDED_PARAMS).
OGC_PARAMS = {"service", "version", "request", "outputformat", "typename", "typenames", "layers", "srsname",
              "bbox", "maxfeatures", "count"}
SAFE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox",
                "Content-Disposition": "attachment"}


def _text(status: int, message: str) -> Response:
    return Response(message, status=status, mimetype="text/plain", headers=SAFE_HEADERS)


def _resource(resource_id: str) -> dict | None:
    try:
        user = getattr(tk.current_user, "name", "") or ""
        return tk.get_action("resource_show")({"user": user}, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def view(id: str, resource_id: str):  # noqa: A002 - the route's parameter name
    return _proxy(resource_id, lambda url: url)


def service_view(id: str, resource_id: str):  # noqa: A002
    return _proxy(resource_id, _service_request)


def _service_request(url: str) -> str:
    """The service's URL with the viewer's OGC request in place of the stored one."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in OGC_PARAMS]
    asked = [(k, v) for k, v in request.args.items(multi=True) if k]
    return urlunsplit(parts._replace(query=urlencode(kept + asked), fragment=""))


def _proxy(resource_id: str, address):
    resource = _resource(resource_id)
    if resource is None:
        return _text(404, tk._("Resource not found"))
    max_bytes = tk.config.get("ckan.resource_proxy.max_file_size")
    timeout = tk.config.get("ckan.resource_proxy.timeout")
    guarded = fetch.session(max_bytes=max_bytes, deadline=max(timeout, 1) * 6)
    try:
        upstream = guarded.get(address(resource.get("url") or ""), timeout=timeout, stream=True)
        upstream.raise_for_status()
        declared = upstream.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise fetch.TooLarge(declared)
    except fetch.Blocked:
        return _text(409, tk._("The preview cannot load this address: it is not a public web address."))
    except fetch.TooLarge:
        return _text(409, tk._("The file is too large for the preview (at most %(mb)s MB).")
                     % {"mb": max_bytes // (1024 * 1024)})
    except requests.HTTPError as error:
        return _text(409, tk._("The preview could not load the data: the server answered %(status)s.")
                     % {"status": error.response.status_code})
    except requests.Timeout:
        return _text(504, tk._("The preview could not load the data: the server did not answer in time."))
    except requests.RequestException:
        return _text(502, tk._("The preview could not load the data: the server cannot be reached."))
    return Response(stream_with_context(_capped(upstream, max_bytes, guarded.deadline)), status=200,
                    mimetype=upstream.headers.get("Content-Type") or "application/octet-stream",
                    headers=SAFE_HEADERS)


def _capped(upstream: requests.Response, max_bytes: int, deadline: float):
    """The body in pieces, cut off at the cap and at the fetch deadline (the status is sent
    already; a cut-off body fails to parse in the preview instead of filling the worker's
    memory or holding its thread for a server that trickles)."""
    sent = 0
    try:
        for piece in fetch.pieces(upstream, deadline):
            sent += len(piece)
            if sent > max_bytes:
                return
            yield piece
    except requests.Timeout:
        return
    finally:
        upstream.close()


def install(app) -> None:
    """Put these views in place of the resource_proxy plugin's and ckanext-geoview's (when
    those plugins are loaded)."""
    for endpoint, replacement in (("resource_proxy.proxy_view", view), ("service_proxy.proxy_service", service_view)):
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = replacement
