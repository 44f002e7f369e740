"""ckanext-xloader's downloads through the guarded fetcher.

xloader 2.5.2 downloads a resource's URL with a bare ``requests.get`` in the worker: an
editor's resource URL ``http://127.0.0.1:8983/solr/…&wt=csv`` loaded other organisations'
private metadata into a table anyone could read with ``datastore_search``. Its one download
function, ``jobs.get_response`` (used for the file and for the excerpt of a too-large one),
is replaced at start-up by this one; the blocked address ends the job like any other
download error (``requests.RequestException``). Size stays xloader's own limit
(``ckanext.xloader.max_content_length``), which it counts while streaming.
"""
from __future__ import annotations

import time

import ckan.plugins as p

from . import fetch

STILL_PROCESSING = 202  # some servers (ArcGIS Hub) answer 202 while they build the file


def get_response(url: str, headers: dict):
    from ckanext.xloader import jobs

    guarded = fetch.session(deadline=jobs.DOWNLOAD_TIMEOUT * 10)
    response, wait = guarded.get(url, headers=headers, timeout=jobs.DOWNLOAD_TIMEOUT, stream=True), 1
    while response.status_code == STILL_PROCESSING and wait < 120:
        response.close()
        time.sleep(wait)
        response, wait = guarded.get(url, headers=headers, timeout=jobs.DOWNLOAD_TIMEOUT, stream=True), wait * 3
    response.raise_for_status()
    return response


def install() -> None:
    if p.plugin_loaded("xloader"):
        from ckanext.xloader import jobs

        jobs.get_response = get_response
