"""What the portal's own pages show: the home page and the "Daten-API" help page.

Everything is read through the actions as the current user, so private datasets
("Datenräume") appear only to those who may see them anyway.
"""
from __future__ import annotations

from urllib.parse import urlencode

import ckan.plugins.toolkit as tk

from . import vocabularies

# Font Awesome 6 (shipped with CKAN) icons of the 13 EU data themes.
THEME_ICONS = {
    "agri": "fa-wheat-awn", "econ": "fa-euro-sign", "educ": "fa-graduation-cap", "ener": "fa-bolt",
    "envi": "fa-leaf", "gove": "fa-landmark", "heal": "fa-heart-pulse", "intr": "fa-globe",
    "just": "fa-scale-balanced", "regi": "fa-map-location-dot", "soci": "fa-people-group",
    "tech": "fa-microchip", "tran": "fa-bus",
}
HOME_ROWS = 5


def _search(**params) -> dict:
    return tk.get_action("package_search")({}, params)


def themes(counts: dict[str, int], lang: str) -> list[dict]:
    """The 13 theme tiles (pure but for the vocabulary): code, label, icon, dataset count."""
    return [{"name": c["code"].lower(), "label": c.get(lang) or c["de"], "icon": THEME_ICONS.get(c["code"].lower(), "fa-folder"),
             "count": counts.get(c["code"].lower(), 0)} for c in vocabularies.get("data-theme").concepts]


def _group_counts(facets: dict) -> dict[str, int]:
    return {item["name"]: item["count"] for item in facets["search_facets"].get("groups", {}).get("items", [])}


def theme_tiles(lang: str) -> list[dict]:
    """The theme page's tiles, with the counts of the datasets the user may see."""
    return themes(_group_counts(_search(rows=0, **{"facet.field": '["groups"]', "facet.limit": -1})), lang)


def home(lang: str) -> dict:
    facets = _search(rows=0, **{"facet.field": '["groups", "organization"]', "facet.limit": -1})
    group_counts = _group_counts(facets)
    newest = _search(rows=HOME_ROWS, sort="metadata_created desc")["results"]
    popular = _search(rows=HOME_ROWS, sort="views_recent desc, views_total desc",
                      fq="views_total:[1 TO *]")["results"]
    organizations = sorted(facets["search_facets"].get("organization", {}).get("items", []),
                           key=lambda item: (-item["count"], item["display_name"]))
    return {"count": facets["count"], "themes": themes(group_counts, lang), "newest": newest,
            "popular": popular, "organizations": organizations}


def api_examples() -> dict:
    """Example calls against this portal, with a real public dataset and table where there is one."""
    base = tk.config.get("ckan.site_url").rstrip("/")
    api = f"{base}/api/3/action"
    dataset = (_search(rows=1, sort="metadata_modified desc")["results"] or [{}])[0]
    table = _datastore_example()
    iot = _search(rows=3, fq="iot_service_url:[* TO *]")["results"]
    search_params = {"q": "Verkehr", "facet.field": '["groups","organization","res_format"]', "rows": 5}
    name = dataset.get("name", "DATENSATZ")
    snippet = dataset_snippets(name)
    examples = {
        "base": base,
        "api": api,
        "package_search": f"{api}/package_search?{urlencode(search_params)}",
        "package_show": snippet["url"],
        "package_show_python": snippet["python"],
        "dataset": dataset,
        "table": table,
        "catalog": f"{base}/catalog.ttl",
        "catalog_modified": f"{base}/catalog.ttl?{urlencode({'modified_since': '2026-01-01'})}",
        "dataset_rdf": f"{base}/dataset/{name}.ttl",
        "iot": [{"name": d["name"], "title": d["title"], "service": d.get("iot_service_url"),
                 "filter": d.get("iot_datastream_filter")} for d in iot],
        "limits": limits(),
    }
    if table:
        rid = table["resource_id"]
        examples["datastore_search"] = f"{api}/datastore_search?{urlencode({'resource_id': rid, 'limit': 5})}"
        sql = f'SELECT * FROM "{rid}" LIMIT 5'
        examples["sql"] = sql
        examples["datastore_search_sql"] = f"{api}/datastore_search_sql?{urlencode({'sql': sql})}"
    return examples


def _datastore_example() -> dict | None:
    """The newest table in the DataStore that the current user may read and that is public,
    or None. The DataStore's own table list is the source: the search index does not know
    which resources were loaded."""
    try:
        tables = tk.get_action("datastore_search_sql")({"ignore_auth": True}, {
            "sql": 'SELECT name FROM "_table_metadata" LIMIT 50'})["records"]
    except (tk.ObjectNotFound, tk.ValidationError):
        return None
    for table in tables:
        try:
            resource = tk.get_action("resource_show")({}, {"id": table["name"]})
            dataset = tk.get_action("package_show")({}, {"id": resource["package_id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        if resource.get("datastore_active") and not dataset.get("private"):
            return {"resource_id": resource["id"], "name": resource.get("name"), "dataset": dataset["name"],
                    "dataset_title": dataset["title"]}
    return None


def limits() -> dict:
    return {"rows_max": tk.config.get("ckan.search.rows_max"),
            "datastore_rows_max": tk.config.get("ckan.datastore.search.rows_max"),
            "datastore_rows_default": tk.config.get("ckan.datastore.search.rows_default"),
            "catalog_page": tk.config.get("ckanext.dcat.datasets_per_page")}


def dataset_snippets(name: str) -> dict:
    base = tk.config.get("ckan.site_url").rstrip("/")
    url = f"{base}/api/3/action/package_show?{urlencode({'id': name})}"
    python = ("import requests\n\n"
              f"response = requests.get({base + '/api/3/action/package_show'!r}, params={{'id': {name!r}}}, timeout=30)\n"
              "dataset = response.json()['result']\n"
              "for resource in dataset['resources']:\n"
              "    print(resource['format'], resource['url'])")
    return {"url": url, "curl": f"curl '{url}'", "python": python}
