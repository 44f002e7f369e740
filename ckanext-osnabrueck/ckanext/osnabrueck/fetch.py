"""The one guarded fetcher for every server-side HTTP request whose URL a user, an editor or
a harvest source chose: the resource proxy, ckanext-xloader's downloads, the Daten-Fenster,
the URL checks and the harvesters.

Without it an editor could make the server read any internal address and show him the
answer (Solr's index with other organisations' private datasets, through the resource
proxy or the DataStore; tests/security/test_fetch.py). Here:

* The host is resolved and the connection goes to the address that was checked
  (requests-hardened pins it), so DNS rebinding between check and connect does not help.
  Loopback, private, link-local, multicast, reserved and translation ranges are refused,
  IPv4 and IPv6 alike; so is every redirect to them (each hop is checked again).
* Only http and https; at most ``MAX_REDIRECTS`` hops.
* Time and size are limited: a read timeout per chunk, a deadline for the whole body,
  and a byte cap (``TooLarge``).
* The demo's local services (FROST, MapServer, pycsw, the portal itself for xloader) are
  reachable through ``ckanext.osnabrueck.fetch_allowlist``: exact host:port pairs, set in
  the development config only. Production leaves it empty.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

import ckan.plugins.toolkit as tk

MAX_REDIRECTS = 5
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
CHUNK = 64 * 1024


class Blocked(requests.RequestException):
    """The URL or one of its redirects leads to an address the portal does not fetch."""


class TooLarge(requests.RequestException):
    """The answer is larger than the caller's byte cap."""


def allowlist() -> set[tuple[str, int]]:
    """(host, port) pairs that may be fetched although their address is internal."""
    pairs, items = set(), tk.config.get("ckanext.osnabrueck.fetch_allowlist") or []
    for item in items.split() if isinstance(items, str) else items:
        host, _, port = str(item).strip().rpartition(":")
        if host and port.isdigit():
            pairs.add((host.strip("[]").lower(), int(port)))
    return pairs


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(parts.scheme, 0)


def check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise Blocked(f"only http and https URLs with a host are fetched: {url[:200]}")


class _GuardedAdapter(IPFilterAdapter):
    """requests-hardened's adapter (checks and pins the resolved address), with the
    allowlist of the development config as the only exception."""

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        check_scheme(request.url)
        if _host_port(request.url) in allowlist():
            return HTTPAdapter.build_connection_pool_key_attributes(self, request, verify, cert)
        try:
            return super().build_connection_pool_key_attributes(request, verify, cert)
        except InvalidIPAddress as error:
            raise Blocked(f"internal address {error} refused: {request.url[:200]}") from None


class GuardedSession(requests.Session):
    """A requests session whose every request, redirects included, goes through the guard.

    ``max_bytes`` caps a body read by ``content``/``json()``/``text`` (the session streams
    and reads it here); ``deadline`` (seconds) bounds the whole body. Callers that stream
    themselves use ``read_capped``."""

    def __init__(self, max_bytes: int, deadline: float):
        super().__init__()
        self.max_bytes, self.deadline = max_bytes, deadline
        self.max_redirects = MAX_REDIRECTS
        self.trust_env = False  # no proxy from the environment around the guard
        self.mount("http://", _GuardedAdapter(is_https_proto=False))
        self.mount("https://", _GuardedAdapter(is_https_proto=True))

    def request(self, method, url, *args, stream=False, **kwargs):
        check_scheme(url)
        response = super().request(method, url, *args, stream=True, **kwargs)
        if not stream:
            try:
                response._content = read_capped(response, self.max_bytes, self.deadline)
            finally:
                response.close()
        return response


def read_capped(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """The body of a streamed response; TooLarge past ``max_bytes``, Timeout past ``deadline`` s."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"{declared} bytes announced, {max_bytes} allowed")
    body = bytearray()
    for piece in pieces(response, deadline):
        body += piece
        if len(body) > max_bytes:
            raise TooLarge(f"more than {max_bytes} bytes")
    return bytes(body)


def pieces(response: requests.Response, deadline: float):
    """The body of a streamed response in pieces as they arrive; Timeout once ``deadline``
    seconds have passed. (``iter_content`` waits for a whole chunk, so a server trickling a
    few bytes at a time was never cut off.)"""
    end = time.monotonic() + deadline
    read1 = getattr(response.raw, "read1", None)
    arriving = iter(lambda: read1(CHUNK, decode_content=True), b"") if read1 else response.iter_content(CHUNK)
    for piece in arriving:
        yield piece
        if time.monotonic() > end:
            raise requests.Timeout(f"the answer took longer than {deadline:g} s")


def cap_mb(guarded: requests.Session) -> int:
    """The byte cap of a guarded session in MB (for messages)."""
    return getattr(guarded, "max_bytes", 0) // (1024 * 1024)


def session(max_bytes: int | None = None, deadline: float | None = None) -> GuardedSession:
    """A guarded session with the portal's default limits (``ckanext.osnabrueck.fetch_*``)."""
    if max_bytes is None:
        max_bytes = tk.config.get("ckanext.osnabrueck.fetch_max_mb") * 1024 * 1024
    if deadline is None:
        deadline = tk.config.get("ckanext.osnabrueck.fetch_deadline")
    return GuardedSession(max_bytes, deadline)
