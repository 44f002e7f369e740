"""Security headers of every answer, and safe downloads of uploaded files.

* Every page: a Content-Security-Policy, ``X-Frame-Options``, ``nosniff``, a referrer and a
  permissions policy, the same locally and in production (nginx adds only HSTS there).
  Scripts run from the portal's origin, or inline with the request's nonce
  (``osnabrueck_csp_nonce()`` in templates). The only exception are the steward forms of
  CKAN core whose buttons carry inline ``onclick``/``onchange`` handlers (resource
  and API-token forms, ``INLINE_HANDLER_PAGES``): CSP cannot allow an inline handler by
  nonce, so those pages, behind a login, keep ``'unsafe-inline'`` for scripts.
* Uploaded files: served as attachments, except raster images and the formats the
  portal's previews read itself, with ``nosniff`` and ``Content-Security-Policy: sandbox``:
  an editor's HTML or SVG upload does not run script on the portal's origin (it did,
  with the rights of whoever opened the link; tests/security/test_headers.py).
* Links: "download" of a linked resource whose URL is no http(s)/ftp address (``javascript:``,
  ``data:``) answers 400 instead of redirecting there (a 500 before).
"""
from __future__ import annotations

import re
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import g, has_request_context, request

import ckan.plugins.toolkit as tk

from . import fetch

# CKAN 2.12's templates with inline handlers: the resource upload field and the API-token
# list (tests/browser/test_csp.py). Image uploads of organisations, groups and users use a
# JavaScript module and keep the nonce-only policy.
INLINE_HANDLER_PAGES = (".new_resource", "_resource.new", "_resource.edit", ".resources", "user.api_tokens")
INLINE_FORMATS = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/geo+json",
                  "application/json", "text/csv", "text/plain"}
LINK_SCHEMES = ("http", "https", "ftp")
INERT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*ld\+json)[^>]*>", re.IGNORECASE)
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def nonce() -> str:
    """This request's script nonce (templates: ``osnabrueck_csp_nonce()``)."""
    if not has_request_context():
        return ""
    if "osnabrueck_csp_nonce" not in g:
        g.osnabrueck_csp_nonce = secrets.token_urlsafe(18)
    return g.osnabrueck_csp_nonce


def _local_sources() -> str:
    """The development stack's services that previews load directly (WMS images of MapServer)."""
    return " ".join(f"http://{host}:{port}" for host, port in sorted(fetch.allowlist()))


def policy(endpoint: str | None) -> str:
    inline = any((endpoint or "").endswith(page) for page in INLINE_HANDLER_PAGES)
    scripts = "'self' 'unsafe-inline'" if inline else f"'self' 'nonce-{nonce()}'"
    local = _local_sources()
    return "; ".join([
        "default-src 'self'", f"script-src {scripts}", "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: https: {local}".strip(), "font-src 'self' data:",
        f"connect-src 'self' https: {local}".strip(), "worker-src 'self' blob:", "frame-src 'self'",
        "frame-ancestors 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"])


def add_headers(response):
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", policy(request.endpoint))
    return response


def _is_download(endpoint: str) -> bool:
    return endpoint == "resource.download" or endpoint.endswith("_resource.download")


def _resource(resource_id: str) -> dict | None:
    try:
        return tk.get_action("resource_show")({"user": getattr(tk.current_user, "name", "") or ""},
                                              {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None  # CKAN's view answers these


def safe_download(view):
    @wraps(view)
    def download(*args, **kwargs):
        resource = _resource(kwargs.get("resource_id", ""))
        if resource and resource.get("url_type") != "upload" and \
                urlsplit(resource.get("url") or "").scheme.lower() not in LINK_SCHEMES:
            return tk.abort(400, tk._("This link is not a web address and cannot be opened."))
        response = view(*args, **kwargs)
        if resource and resource.get("url_type") == "upload" and response.status_code == 200:
            _harden_upload(response, kwargs.get("filename") or resource["url"].rsplit("/", 1)[-1])
        return response
    return download


def _harden_upload(response, filename: str) -> None:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    if response.mimetype not in INLINE_FORMATS:
        response.headers.set("Content-Disposition", "attachment", filename=filename or "download")


def install(app) -> None:
    for endpoint, view in list(app.view_functions.items()):
        if _is_download(endpoint):
            app.view_functions[endpoint] = safe_download(view)
        elif endpoint == "datastore.dump":
            app.view_functions[endpoint] = named_dump(view)
    app.after_request(add_headers)


def named_dump(view):
    """A table's download (CSV, TSV, JSON, XML of the DataStore) named after the resource,
    "Einwohner nach Stadtteilen.csv", not after its UUID."""
    @wraps(view)
    def dump(resource_id: str, *args, **kwargs):
        response = view(resource_id, *args, **kwargs)
        resource = _resource(resource_id) if response.status_code == 200 else None
        disposition = response.headers.get("Content-Disposition", "")
        if resource and resource.get("name") and "filename=" in disposition:
            extension = disposition.rsplit(".", 1)[-1].strip('"; ')
            stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", resource["name"]).strip()[:100] or resource_id
            response.headers.set("Content-Disposition", "attachment", filename=f"{stem}.{extension}")
        return response
    return dump
