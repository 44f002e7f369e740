"""RDF of the portal's datasets through ckanext-dcat's serializer and the configured profile."""
from __future__ import annotations

from typing import Iterator

from rdflib import Graph

import ckan.plugins.toolkit as tk
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles.base import DCAT


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
