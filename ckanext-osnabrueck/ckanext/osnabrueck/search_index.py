"""The search index of datasets: values too long for Solr are cut (``fit_terms``), and
the datasets a harvest source clear deletes leave it (``harvested_package_ids``, ``forget``).

Values too long for Solr's string fields are cut in the search index.

CKAN's Solr schema indexes every field without a type of its own (``*``, which covers the
scheming fields such as ``identifier``) and ``title_string``, ``url``, ``res_url``, …
as one term each, and Solr refuses a document with a term over 32,766 bytes: a
10,000-character title or identifier made package_create and package_update fail with a
500. The dataset keeps its values; only the index gets them cut (the stored
``validated_data_dict`` that package_search returns stays whole).
"""
from __future__ import annotations

import json

MAX_TERM_BYTES = 32766
# Tokenised or stored-only fields have no term limit; ckanext-spatial reads ``spatial``
# (GeoJSON) after this and drops it from the document.
UNLIMITED = {"data_dict", "validated_data_dict", "text", "notes", "title", "title_ngram", "name_ngram",
             "res_name", "res_description", "author", "author_email", "maintainer", "maintainer_email", "urls",
             "spatial"}
UNLIMITED_PREFIXES = ("extras_", "res_extras_")


def cut(value: str, limit: int = MAX_TERM_BYTES) -> str:
    data = value.encode("utf-8")
    if len(data) <= limit:
        return value
    return data[:limit].decode("utf-8", errors="ignore")


def datasets_only(search_params: dict) -> dict:
    """Searches that do not ask for a type find datasets, not harvest sources: the counts
    of organisations and themes, and API clients, took the sources for datasets. The
    harvest pages ask for dataset_type:harvest themselves."""
    fq = search_params.get("fq") or ""
    if "dataset_type:" not in fq:
        search_params["fq"] = f"{fq} +dataset_type:dataset".strip()
    return search_params


def formats_as_shown(pkg_dict: dict) -> dict:
    """res_format as package_show has it (the EU file-type code, "GEOJSON").

    CKAN indexes the dataset through its default schema, whose clean_format turns codes
    into its own spellings ("GeoJSON"): fq=res_format:GEOJSON found nothing although
    every API answer says GEOJSON."""
    shown = json.loads(pkg_dict.get("validated_data_dict") or "{}").get("resources")
    if shown is not None:
        pkg_dict["res_format"] = [resource.get("format") or "" for resource in shown]
    return pkg_dict


def fit_terms(pkg_dict: dict) -> dict:
    for key, value in pkg_dict.items():
        if key in UNLIMITED or key.startswith(UNLIMITED_PREFIXES):
            continue
        if isinstance(value, str):
            pkg_dict[key] = cut(value)
        elif isinstance(value, list):
            pkg_dict[key] = [cut(item) if isinstance(item, str) else item for item in value]
    return pkg_dict


def harvested_package_ids(source_id: str) -> list[str]:
    """The datasets of a harvest source's objects: those harvest_source_clear deletes."""
    import ckan.model as model
    from ckanext.harvest.model import HarvestObject

    rows = model.Session.query(HarvestObject.package_id).filter(
        HarvestObject.harvest_source_id == source_id, HarvestObject.package_id.isnot(None)).distinct()
    return [package_id for (package_id,) in rows]


def forget(package_ids: list[str]) -> None:
    """Remove deleted datasets from the search index (so from search, the catalogue and
    the sitemap, which are built from it) and their RDF chunks from the cache.
    harvest_source_clear deletes datasets with SQL, past package_delete's reindexing."""
    from ckan.lib import search

    from . import rdf_cache

    for package_id in package_ids:
        search.clear(package_id)
    if package_ids:
        search.commit()
    rdf_cache.forget(package_ids)
