"""Runs ckanext-harvest's gather and fetch consumers with a blocking Redis connection.

ckanext-harvest 1.6.3 waits for queue messages with ``BLPOP`` and no timeout, relying on a
socket that blocks forever. redis-py 8 (pinned by CKAN 2.12) sets a 5 s default socket
timeout, so an idle consumer crashes after 5 s (ckan/ckanext-harvest#581, open). Until that
is fixed upstream, the consumers get connections without a socket timeout. Only these
long-lived consumer processes are affected; the web app keeps redis-py's defaults.

A consumer also outlives its failures: ckanext-harvest lets an error that escapes a stage
(Solr or PostgreSQL gone, Redis restarted) end the process, and with it all harvesting
until someone restarts it. Here the consumer logs the error and starts again; the job it
was working on is then finished by the timeout (``ckan.harvest.timeout``).
"""
from __future__ import annotations

import functools
import logging
import time

from ckan import model
from ckanext.harvest import queue, utils

log = logging.getLogger(__name__)
RESTART_DELAY = 5.0


def _without_socket_timeout(get_connection):
    @functools.wraps(get_connection)
    def wrapper():
        connection = get_connection()
        connection.connection_pool.connection_kwargs["socket_timeout"] = None
        return connection
    return wrapper


def blocking_redis() -> None:
    """Make ckanext-harvest's Redis connections block (idempotent)."""
    if not getattr(queue.get_connection_redis, "__wrapped__", None):
        queue.get_connection_redis = _without_socket_timeout(queue.get_connection_redis)


def run(stage: str) -> None:
    """Run the 'gather' or 'fetch' consumer until the process is stopped."""
    consumers = {"gather": utils.gather_consumer, "fetch": utils.fetch_consumer}
    if stage not in consumers:
        raise ValueError(f"unknown harvest stage {stage!r}; expected gather or fetch")
    blocking_redis()
    while True:
        try:
            consumers[stage]()
            return
        except Exception:  # noqa: BLE001 - any failure of a stage; the loop is the supervisor
            log.exception("harvest %s consumer failed; starting again in %.0f s", stage, RESTART_DELAY)
            model.Session.remove()
            time.sleep(RESTART_DELAY)
