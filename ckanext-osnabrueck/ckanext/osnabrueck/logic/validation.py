"""Schema validation of stored datasets (for `ckan osnabrueck validate-all` and the score)."""
from __future__ import annotations

from typing import Iterator

import ckan.plugins.toolkit as tk

from . import site_context
from .action import schema_errors


def all_dataset_ids() -> Iterator[str]:
    """Ids of all datasets, private ones and drafts included."""
    start, rows = 0, 500
    while True:
        page = tk.get_action("package_search")(site_context(), {
            "q": "*:*", "fl": "id", "rows": rows, "start": start, "sort": "name asc",
            "include_private": True, "include_drafts": True})
        yield from (hit["id"] for hit in page["results"])
        start += rows
        if start >= page["count"]:
            return


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    flat = {}
    for key, value in errors.items():
        name = f"{prefix}{key}"
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                flat.update(_flatten(item, f"{name}[{index}]."))
        elif isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif value:
            flat[name] = [str(message) for message in value]
    return flat


def iri_errors(dataset: dict) -> dict[str, list[str]]:
    """Stored URLs that are not valid IRIs (saved before the validators percent-encoded
    them), and whether the dataset's RDF cannot be written."""
    import ckan.model as model

    from .. import iri, rdf

    errors = {}
    for repair in iri.stored_repairs(model.Package.get(dataset["id"])):
        errors.setdefault(repair.field, []).append(
            tk._('"{value}" is not a valid IRI; "ckan osnabrueck repair-iris" percent-encodes it.')
            .format(value=str(repair.old)[:200]))
    failure = rdf.serialisation_error(dataset)
    if failure:
        errors["rdf"] = [tk._("The dataset's RDF (Turtle) cannot be written: {error}").format(error=failure)]
    return errors


def invalid_datasets() -> Iterator[tuple[str, dict[str, list[str]]]]:
    """(name, {field: messages}) of each dataset that the current schema rejects, or whose
    stored URLs or RDF GovData could not take."""
    for dataset_id in all_dataset_ids():
        # The database is the truth here, not the search index's copy.
        dataset = tk.get_action("package_show")(site_context(use_cache=False), {"id": dataset_id})
        errors = _flatten(schema_errors(site_context(), dataset))
        for field, messages in iri_errors(dataset).items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            yield dataset["name"], errors
