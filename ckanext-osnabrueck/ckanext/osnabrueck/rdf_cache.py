"""Fast catalogue pages: each dataset's serialised RDF is cached in Redis, keyed by its id
and ``metadata_modified``, so an update makes a new key and the old entry just expires.

A page is the catalogue head (catalogue, dcat:dataset links, Hydra paging), serialised as
usual, followed by the cached chunk of every dataset. Turtle chunks are statements without
the prefix lines; RDF/XML chunks are the rdf:Description elements without the rdf:RDF
root. The prefixes and namespace declarations of head and chunks are merged; blank nodes
keep the unique labels rdflib gave them. The triples are those of the uncached output
(tests/ckanext_osnabrueck/test_rdf_cache.py compares them).
"""
from __future__ import annotations

import hashlib
import logging
import re

from rdflib import Graph
from redis.exceptions import RedisError

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles.base import DCAT, GSP, CleanedURIRef, namespaces
from ckanext.dcat.utils import dataset_uri

from . import rdf
from .profiles import DCATDE

log = logging.getLogger(__name__)

FORMATS = {"ttl": "turtle", "turtle": "turtle", "rdf": "xml", "xml": "xml"}
TTL_SECONDS = 7 * 24 * 3600
VERSION = "1"
PREFIX = re.compile(r"^@prefix [^\n]*\n", re.MULTILINE)
XML_ROOT = re.compile(r"<rdf:RDF(?P<ns>[^>]*)>(?P<body>.*)</rdf:RDF>", re.DOTALL)
XMLNS = re.compile(r'xmlns:[\w.-]+="[^"]*"')
DECLARATION = re.compile(r'(?:@prefix |xmlns:)(?P<prefix>[\w.-]*)(?::\s*<|=")(?P<iri>[^>"]*)')


def enabled(data_dict: dict) -> bool:
    return (tk.asbool(tk.config.get("ckanext.osnabrueck.rdf_cache"))
            and FORMATS.get(data_dict.get("format") or "xml") is not None
            and not data_dict.get("profiles"))


def _settings_hash() -> str:
    keys = ("ckanext.dcat.rdf.profiles", "ckanext.dcat.base_uri", "ckan.site_url", "ckan.locale_default")
    text = VERSION + "|" + "|".join(str(tk.config.get(key)) for key in keys)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _key(fmt: str, dataset: dict) -> str:
    return f"osnabrueck:rdf:{_settings_hash()}:{fmt}:{dataset['id']}:{dataset['metadata_modified']}"


def _split(fmt: str, text: str) -> tuple[list[str], str]:
    """(prefix or namespace declarations, statements) of one serialisation."""
    if fmt == "turtle":
        return PREFIX.findall(text), PREFIX.sub("", text).strip() + "\n"
    match = XML_ROOT.search(text)
    return XMLNS.findall(match.group("ns")), match.group("body").strip() + "\n"


class PrefixConflict(Exception):
    """Two chunks use one prefix for different namespaces; the page is built in one graph."""


class Cold(Exception):
    """Most of the page is not cached yet. Building it in one graph, as ckanext-dcat does,
    is then cheaper than one chunk per dataset; the missing chunks are warmed in the
    background (``enqueue_warm``) for the next crawl."""

    def __init__(self, missing_ids: list[str]):
        super().__init__(f"{len(missing_ids)} datasets not cached")
        self.missing_ids = missing_ids


def _graph() -> Graph:
    """A graph with every namespace of the profiles bound to a fixed prefix, so that all
    chunks declare the same prefixes (rdflib would otherwise invent ns1, ns2 … per graph)."""
    graph = Graph()
    for prefix, namespace in {**namespaces, "dcatde": DCATDE, "gsp": GSP}.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def _dataset_chunk(serializer: RDFSerializer, fmt: str, dataset: dict) -> tuple[list[str], str]:
    serializer.g = _graph()
    serializer.graph_from_dataset(dataset)
    return _split(fmt, serializer.g.serialize(format=fmt))


def _merge(declarations: list[str]) -> list[str]:
    seen = {}
    for declaration in declarations:
        match = DECLARATION.search(declaration)
        prefix, iri = match.group("prefix"), match.group("iri")
        if seen.setdefault(prefix, iri) != iri:
            raise PrefixConflict(prefix)
    return list(dict.fromkeys(declarations))


def _store(redis, key: str, declarations: list[str], body: str) -> list[str]:
    declarations = [d.rstrip("\n") for d in declarations]
    redis.set(key, "\n".join(declarations) + "\n\n" + body, ex=TTL_SECONDS)
    return declarations


def warm(dataset_ids: str | list[str]) -> int:
    """Job: cache public datasets' chunks in every format, so that no crawl pays for them;
    returns how many were cached."""
    ids = [dataset_ids] if isinstance(dataset_ids, str) else dataset_ids
    return sum(_warm_one(dataset_id) for dataset_id in ids)


def _warm_one(dataset_id: str) -> bool:
    try:
        dataset = tk.get_action("package_show")({"user": "", "ignore_auth": False}, {"id": dataset_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return False  # private, draft or deleted: never in the catalogue
    if dataset.get("private") or dataset.get("state") != "active":
        return False
    redis, serializer = connect_to_redis(), RDFSerializer()
    for fmt in set(FORMATS.values()):
        try:
            _store(redis, _key(fmt, dataset), *_dataset_chunk(serializer, fmt, dataset))
        except Exception as error:  # noqa: BLE001 - the crawl will leave it out too
            _skipped(dataset, error)
            return False
    return True


def forget(dataset_ids: list[str]) -> int:
    """Drop the cached chunks of deleted datasets (harvest_source_clear deletes datasets
    past package_delete); returns how many keys were dropped."""
    ids = set(dataset_ids)
    if not ids:
        return 0
    try:
        redis = connect_to_redis()
        # osnabrueck:rdf:<settings>:<format>:<id>:<metadata_modified>
        keys = [key for key in redis.scan_iter(match="osnabrueck:rdf:*", count=1000)
                if key.decode().split(":")[4] in ids]
        return redis.delete(*keys) if keys else 0
    except RedisError:  # Redis down: the chunks expire; the catalogue no longer lists them
        return 0


def enqueue_warm(dataset_ids: str | list[str]) -> None:
    if tk.asbool(tk.config.get("ckanext.osnabrueck.rdf_cache")):
        try:
            tk.enqueue_job(warm, [dataset_ids], title=f"RDF-Cache {dataset_ids}"[:200], queue="default")
        except Exception:  # noqa: BLE001 - Redis down: the next crawl computes the chunk itself
            pass


def _chunks(fmt: str, datasets: list[dict], cold_ok: bool = False) -> list[tuple[dict, list[str], str]]:
    """(dataset, declarations, statements) of each dataset that can be serialised; one
    that cannot is left out and logged (rdf.record_problem): GovData harvests a page at a
    time, and one broken dataset must not fail the page of 100."""
    redis = connect_to_redis()
    keys = [_key(fmt, dataset) for dataset in datasets]
    cached = redis.mget(keys) if keys else []
    missing = [dataset["id"] for hit, dataset in zip(cached, datasets) if hit is None]
    if not cold_ok and len(missing) * 2 > len(datasets):
        raise Cold(missing)
    serializer = RDFSerializer()
    chunks = []
    for key, hit, dataset in zip(keys, cached, datasets):
        if hit is not None:
            head, _, body = hit.decode().partition("\n\n")
            chunks.append((dataset, head.split("\n") if head else [], body))
            continue
        try:
            declarations, body = _dataset_chunk(serializer, fmt, dataset)
        except Exception as error:  # noqa: BLE001 - whatever breaks one dataset's RDF
            _skipped(dataset, error)
            continue
        chunks.append((dataset, _store(redis, key, declarations, body), body))
    return chunks


def _skipped(dataset: dict, error: Exception) -> None:
    log.error("dataset %s left out of the catalogue: its RDF cannot be serialised", dataset.get("name"),
              exc_info=error)
    rdf.record_problem(dataset, rdf.FAILED, type(error).__name__)


def catalog_page(url_format: str, datasets: list[dict], pagination_info: dict | None) -> str:
    """A catalogue page in Turtle or RDF/XML: the catalogue head, then each dataset's
    cached chunk. A mostly cold page, or one whose chunks disagree on a prefix, is built in
    one graph as ckanext-dcat does (same search result, no second query); if that fails
    (a dataset that cannot be serialised), chunk by chunk, without the failing ones."""
    fmt = FORMATS[url_format or "xml"]
    try:
        return _page(fmt, datasets, pagination_info)
    except Cold as cold:
        enqueue_warm(cold.missing_ids)
    except PrefixConflict:
        pass
    try:
        return RDFSerializer().serialize_catalog({}, datasets, _format=url_format, pagination_info=pagination_info)
    except Exception:  # noqa: BLE001 - one dataset's RDF; _chunks names and skips it
        log.warning("catalogue page built in one graph failed; building it dataset by dataset", exc_info=True)
        return _page(fmt, datasets, pagination_info, cold_ok=True)


def _page(fmt: str, datasets: list[dict], pagination_info: dict | None, cold_ok: bool = False) -> str:
    chunks = _chunks(fmt, datasets, cold_ok)
    included = [dataset for dataset, _, _ in chunks]
    return _assemble(fmt, _head(fmt, included, pagination_info), [chunk[1:] for chunk in chunks])


def _head(fmt: str, datasets: list[dict], pagination_info: dict | None) -> tuple[list[str], str]:
    """The catalogue, its dcat:dataset links and the Hydra paging, serialised."""
    serializer = RDFSerializer()
    serializer.g = _graph()
    catalog_ref = serializer.graph_from_catalog({})
    for dataset in datasets:
        serializer.g.add((catalog_ref, DCAT.dataset, CleanedURIRef(dataset_uri(dataset))))
    if pagination_info:
        serializer._add_pagination_triples(pagination_info)
    return _split(fmt, serializer.g.serialize(format=fmt))


def _assemble(fmt: str, head: tuple[list[str], str], chunks: list[tuple[list[str], str]]) -> str:
    declarations, head_body = head
    merged = _merge([d.rstrip("\n") for d in declarations] + [d for c in chunks for d in c[0]])
    bodies = [head_body] + [body for _, body in chunks]
    if fmt == "turtle":
        return "\n".join(merged) + "\n\n" + "\n".join(bodies)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n   ' + "\n   ".join(merged) + "\n>\n"
            + "".join(bodies) + "</rdf:RDF>\n")
