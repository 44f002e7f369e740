"""RDF of the portal's datasets through ckanext-dcat's serializer and the configured profile,
and the record of datasets whose RDF needed repair or could not be written (for /health)."""
from __future__ import annotations

import json
import logging
import time
from typing import Iterator

from rdflib import Graph

import ckan.plugins.toolkit as tk
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles.base import DCAT

log = logging.getLogger(__name__)

PROBLEMS = "osnabrueck:rdf-problems"  # sorted set: dataset name -> time of the last problem
PROBLEM_DETAILS = "osnabrueck:rdf-problems:details"  # hash: dataset name -> JSON
# As long as the catalogue's cache keeps a repaired chunk (rdf_cache.TTL_SECONDS): the
# problem is not seen again while the chunk is served from the cache.
PROBLEM_SECONDS = 7 * 24 * 3600
REPAIRED, FAILED = "repaired", "failed"


def _context() -> dict:
    # Anonymous on purpose: what is validated is what GovData can see.
    return {"ignore_auth": False, "user": ""}


def public_dataset_ids() -> Iterator[str]:
    start, rows = 0, 500
    while True:
        page = tk.get_action("package_search")(_context(), {"q": "*:*", "fl": "name", "rows": rows,
                                                            "start": start, "sort": "name asc"})
        yield from (hit["name"] for hit in page["results"])
        start += rows
        if start >= page["count"]:
            return


def dataset_graph(dataset: dict) -> Graph:
    """The dataset's graph, with a catalogue around it as GovData harvests it."""
    serializer = RDFSerializer()
    catalog_ref = serializer.graph_from_catalog({})
    dataset_ref = serializer.graph_from_dataset(dataset)
    serializer.g.add((catalog_ref, DCAT.dataset, dataset_ref))
    return serializer.g


def dataset_graphs(ids: list[str] | None = None) -> Iterator[tuple[str, Graph]]:
    for dataset_id in ids or public_dataset_ids():
        dataset = tk.get_action("package_show")(_context(), {"id": dataset_id})
        yield dataset["name"], dataset_graph(dataset)


def _public(dataset: dict) -> bool:
    # /health is public: only datasets that anyone may see are named there.
    return not dataset.get("private") and dataset.get("state", "active") == "active"


def record_problem(dataset: dict, kind: str, error: str) -> None:
    """Note that a dataset's RDF was repaired (invalid IRIs percent-encoded) or could not
    be written (it was left out of the catalogue). Redis down: only the log has it."""
    if not _public(dataset):
        return
    name = dataset.get("name") or dataset.get("id")
    now = time.time()
    try:
        from ckan.lib.redis import connect_to_redis

        pipe = connect_to_redis().pipeline()
        pipe.zadd(PROBLEMS, {name: now})
        pipe.hset(PROBLEM_DETAILS, name, json.dumps({"problem": kind, "error": error, "at": int(now)}))
        pipe.execute()
    except Exception:  # noqa: BLE001 - the RDF output must not depend on the record
        log.warning("could not record the RDF problem of %s", name, exc_info=True)


def clear_problem(name: str) -> None:
    from ckan.lib.redis import connect_to_redis

    pipe = connect_to_redis().pipeline()
    pipe.zrem(PROBLEMS, name)
    pipe.hdel(PROBLEM_DETAILS, name)
    pipe.execute()


def recent_problems() -> list[dict]:
    """{dataset, problem, error, at} of the problems of the last PROBLEM_SECONDS, newest first."""
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()
    old = [name for name in redis.zrangebyscore(PROBLEMS, 0, time.time() - PROBLEM_SECONDS)]
    if old:
        redis.zrem(PROBLEMS, *old)
        redis.hdel(PROBLEM_DETAILS, *old)
    names = redis.zrevrange(PROBLEMS, 0, -1)
    details = redis.hmget(PROBLEM_DETAILS, names) if names else []
    return [{"dataset": name.decode(), **json.loads(detail)}
            for name, detail in zip(names, details) if detail is not None]


def serialisation_error(dataset: dict) -> str | None:
    """Why the dataset's Turtle, as GovData harvests it, cannot be written (None: it can)."""
    try:
        dataset_graph(dataset).serialize(format="turtle")
    except Exception as error:  # noqa: BLE001 - any failure is what validate-all reports
        return f"{type(error).__name__}: {error}"[:300]
    return None
