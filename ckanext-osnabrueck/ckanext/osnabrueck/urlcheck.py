"""Checks of access and download URLs, run as background jobs (never in a request).

A URL counts as reachable when it answers 2xx or 3xx within the timeout. HEAD first,
GET (streamed, body not read) where a server does not support HEAD. Files uploaded to the
portal are checked in the file store instead: the portal need not call itself, and the
check does not depend on the web app being up at that moment.
"""
from __future__ import annotations

import logging
import os

import requests

import ckan.lib.uploader as uploader
import ckan.plugins.toolkit as tk

from . import fetch, model, quality
from .logic import site_context

log = logging.getLogger(__name__)
QUEUE = "default"
USER_AGENT = "OpenDataOsnabrueck-URLCheck/1.0 (+https://opendata.osnabrueck.de)"


def check_url(url: str, timeout: float) -> tuple[bool, int | None, str | None]:
    """Through the guarded fetcher: internal addresses are not checked, and what is stored
    (and shown by osnabrueck_quality_show) says only that, so the check is no port scanner."""
    headers = {"User-Agent": USER_AGENT}
    try:
        with fetch.session(max_bytes=0, deadline=timeout) as session:
            response = session.head(url, timeout=timeout, allow_redirects=True, headers=headers)
            if response.status_code in (400, 403, 405, 501):
                response = session.get(url, timeout=timeout, allow_redirects=True, headers=headers, stream=True)
                response.close()
        return response.status_code < 400, response.status_code, None
    except fetch.Blocked:
        return False, None, "blocked: not a public http(s) address"
    except requests.RequestException as error:
        return False, None, f"{type(error).__name__}: {error}"[:500]


def check_dataset_urls(dataset_id: str) -> dict[str, bool]:
    """Job: check every access and download URL of a dataset and store the results."""
    try:
        dataset = tk.get_action("package_show")(site_context(), {"id": dataset_id})
    except tk.ObjectNotFound:
        return {}
    timeout = tk.config.get("ckanext.osnabrueck.url_check_timeout")
    uploads = {resource["url"]: resource for resource in dataset.get("resources", [])
               if resource.get("url_type") == "upload"}
    results = {}
    for url in quality.urls_to_check(dataset):
        ok, status, error = check_upload(uploads[url]) if url in uploads else check_url(url, timeout)
        model.save_url_check(url, ok, status, error)
        results[url] = ok
    return results


def check_upload(resource: dict) -> tuple[bool, int | None, str | None]:
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    if os.path.isfile(path):
        return True, 200, None
    return False, 404, "uploaded file missing from the file store"


def enqueue(dataset_id: str) -> None:
    """Check a dataset's URLs in the background; a missing queue must not break saving."""
    try:
        tk.enqueue_job(check_dataset_urls, [dataset_id], title=f"URL-Prüfung {dataset_id}", queue=QUEUE)
    except Exception:  # noqa: BLE001 - Redis down: the score shows "not yet checked"
        log.warning("could not enqueue the URL check of %s", dataset_id, exc_info=True)
