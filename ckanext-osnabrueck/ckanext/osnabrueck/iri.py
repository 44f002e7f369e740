"""IRIs (RFC 3987) of the schema's URL-valued fields.

Users paste addresses such as ArcGIS queries (``…?geometry={"xmin":7.9}``) that browsers
accept but that are not IRIs: ``"``, ``{``, ``}``, spaces and the like must be
percent-encoded. rdflib refuses them when it writes Turtle or N-Triples
(``rdflib.term._is_valid_uri``), which broke every catalogue page holding such a value.
Percent-encoding them is lossless: servers decode them back to the same request, so
nothing published is lost. The input validators, the RDF profile and the repair of stored
values (``ckan osnabrueck repair-iris``) all use :func:`normalise`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import quote

from rdflib.term import _invalid_uri_chars, _is_valid_uri

# rdflib's list, which decides whether Turtle serialisation fails, plus the control
# characters that RFC 3987 allows nowhere in an IRI.
ENCODED = frozenset(_invalid_uri_chars) | {chr(code) for code in range(0x20)} | {"\x7f"}
# A "%" that does not start a percent-encoding stands for itself.
STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
URL_PRESETS = ("osnabrueck_uri", "osnabrueck_uri_list")


def normalise(value: str) -> str:
    """``value`` with every character that IRIs do not allow percent-encoded (UTF-8).
    Idempotent: an existing percent-encoding is kept as it is."""
    value = STRAY_PERCENT.sub("%25", value)
    if not any(char in ENCODED for char in value):
        return value
    return "".join(quote(char, safe="") if char in ENCODED else char for char in value)


def is_valid(value: str) -> bool:
    """Whether rdflib serialises ``value`` as an IRI, and RFC 3987 allows its characters."""
    text = str(value)  # a URIRef never equals a str
    return _is_valid_uri(text) and normalise(text) == text


def has_scheme(value: str) -> bool:
    return bool(SCHEME.match(value))


# --- stored values ------------------------------------------------------------------------

def url_fields(fields: list[dict]) -> dict[str, set[str]]:
    """{field name: names of its URL-valued subfields} of the URL-valued fields of a
    scheming field list; a field with URL subfields (access_services) maps to them, a
    URL field itself to an empty set. The resource ``url`` counts (unless an upload)."""
    found = {}
    for field in fields:
        subfields = field.get("repeating_subfields")
        if subfields:
            names = {sub["field_name"] for sub in subfields if sub.get("preset") in URL_PRESETS}
            if names:
                found[field["field_name"]] = names
        elif field.get("preset") in URL_PRESETS + ("resource_url_upload",):
            found[field["field_name"]] = set()
    return found


def _schema() -> dict:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    return scheming_get_dataset_schema("dataset")


def _fixed(value: Any, subfields: set[str]) -> Any:
    """The value with its URLs normalised, in the form it is stored in: a string, a JSON
    list in a string, a list, or a list of subfield dicts. Values that are not URLs at all
    are left alone: the schema reports them (validate-all)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                parsed = json.loads(text)
            except ValueError:
                return value
            fixed = _fixed(parsed, subfields)
            return value if fixed == parsed else json.dumps(fixed)
        return normalise(value) if has_scheme(text) else value
    if isinstance(value, list):
        return [_fixed(item, subfields) for item in value]
    if isinstance(value, dict):
        return {key: _fixed(item, set()) if key in subfields else item for key, item in value.items()}
    return value


@dataclass
class Repair:
    """One stored value that is not a valid IRI, and the value that replaces it."""
    field: str
    old: Any
    new: Any


def _repairs_of(owner: str, values: dict, fields: dict[str, set[str]]) -> Iterator[Repair]:
    for name, subfields in fields.items():
        value = values.get(name)
        if value in (None, ""):
            continue
        new = _fixed(value, subfields)
        if new != value:
            yield Repair(f"{owner}{name}", value, new)


def _resources(package) -> list:
    return [resource for resource in package.resources_all if resource.state == "active"]


def stored_repairs(package) -> list[Repair]:
    """The repairs a dataset (``model.Package``) needs, read from the database as stored:
    core columns (``url``) and the extras of the package and its resources."""
    schema = _schema()
    dataset_fields = url_fields(schema["dataset_fields"])
    resource_fields = url_fields(schema["resource_fields"])
    repairs = list(_repairs_of("", {**package.extras, "url": package.url}, dataset_fields))
    for index, resource in enumerate(_resources(package)):
        values = {**(resource.extras or {}), "url": None if resource.url_type == "upload" else resource.url}
        repairs += _repairs_of(f"resources[{index}].", values, resource_fields)
    return repairs


def apply_repairs(package) -> list[Repair]:
    """Percent-encode the dataset's stored URLs in place (the caller commits and
    reindexes); returns what was changed."""
    repairs = stored_repairs(package)
    resources = _resources(package)
    for repair in repairs:
        owner, _, name = repair.field.rpartition(".")
        target = resources[int(owner[len("resources["):-1])] if owner else package
        if name == "url":
            target.url = repair.new
        else:
            # Assigning a new dict: the resource's JSON column does not track in-place changes.
            target.extras = {**target.extras, name: repair.new}
    return repairs


# Characters that make a stored value a candidate for repair (PostgreSQL regex): a cheap
# first pass, so that the command, run at every start, reads only the few such datasets.
CANDIDATE = r'[<>"{}|\\^`[:space:][:cntrl:]]|%(?![0-9A-Fa-f]{2})'
CANDIDATES = """
SELECT p.id FROM package p WHERE p.state <> 'deleted' AND (
  p.url ~ :bad
  OR EXISTS (SELECT 1 FROM jsonb_each_text(p.extras) e WHERE e.key = ANY(:dataset_keys) AND e.value ~ :bad)
  OR EXISTS (SELECT 1 FROM resource r WHERE r.package_id = p.id AND r.state = 'active' AND (
    (coalesce(r.url_type, '') <> 'upload' AND r.url ~ :bad)
    OR EXISTS (SELECT 1 FROM jsonb_each_text(NULLIF(r.extras, '')::jsonb) e
               WHERE e.key = ANY(:resource_keys) AND e.value ~ :bad))))
ORDER BY p.name
"""


def candidate_ids() -> list[str]:
    import sqlalchemy as sa

    import ckan.model as model

    schema = _schema()
    return list(model.Session.execute(sa.text(CANDIDATES), {
        "bad": CANDIDATE, "dataset_keys": list(url_fields(schema["dataset_fields"])),
        "resource_keys": list(url_fields(schema["resource_fields"]))}).scalars())


def repair_all(dry_run: bool = False) -> Iterator[tuple[str, list[Repair]]]:
    """Percent-encode the stored URLs of every dataset that needs it, then reindex it and
    renew its catalogue chunks (a new ``metadata_modified`` is a new cache key).

    A command rather than an alembic migration: the values live in the extras of
    packages and resources, which only the schema explains, and a repaired dataset must
    be reindexed (the catalogue reads the search index). Idempotent; run after
    ``ckan db upgrade`` by scripts/run.sh and the image's migrate step."""
    import datetime

    import ckan.model as model
    from ckan.lib.search import rebuild

    from . import rdf, rdf_cache

    for package_id in candidate_ids():
        package = model.Package.get(package_id)
        repairs = stored_repairs(package) if dry_run else apply_repairs(package)
        if not repairs:
            continue
        if not dry_run:
            package.metadata_modified = datetime.datetime.utcnow()
            model.Session.commit()
            rebuild(package.id)
            rdf.clear_problem(package.name)
            rdf_cache.enqueue_warm(package.id)
        yield package.name, repairs
