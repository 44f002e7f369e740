"""``GET /sitemap.xml``: the public pages for search engines, with their English
alternates. Built from an anonymous package_search, so private datasets ("Datenräume"),
drafts and deleted datasets can never appear in it."""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

sitemap = Blueprint("osnabrueck_sitemap", __name__)

# The sitemap protocol's limit per file; a city catalogue stays far below it.
MAX_URLS = 50000
PAGE_ROWS = 1000


def _anonymous() -> dict:
    return {"user": "", "ignore_auth": False}


def _path(endpoint: str, **values) -> str:
    # The default language's path, whatever the language of the request.
    return tk.url_for(endpoint, locale="default", **values)


def _dataset_entries() -> list[tuple[str, str | None]]:
    entries, start = [], 0
    while start < MAX_URLS:
        result = tk.get_action("package_search")(_anonymous(), {
            "q": "*:*", "fl": "name,metadata_modified", "rows": PAGE_ROWS, "start": start,
            "sort": "name asc", "include_private": False, "include_drafts": False})
        rows = result["results"]
        entries += [(_path("dataset.read", id=row["name"]), row.get("metadata_modified")) for row in rows]
        start += PAGE_ROWS
        if len(rows) < PAGE_ROWS:
            break
    return entries


def _group_entries(kind: str) -> list[tuple[str, str | None]]:
    names = tk.get_action(f"{kind}_list")(_anonymous(), {"all_fields": False})
    return [(_path(f"{kind}.read", id=name), None) for name in names]


def osnabrueck_sitemap_entries() -> list[tuple[str, str | None]]:
    """(path, last modification) of every public page worth indexing."""
    pages = [(_path(endpoint), None) for endpoint in ("home.index", "dataset.search", "osnabrueck.api_help")]
    pages += [(_path(endpoint), None) for endpoint, _ in tk.h.osnabrueck_static_pages()]
    return (pages + _group_entries("organization") + _group_entries("group")
            + _dataset_entries())[:MAX_URLS]


def render_sitemap(entries: list[tuple[str, str | None]], site_url: str) -> str:
    """The urlset document; each page with its German (default) and English versions."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for path, modified in entries:
        german, english = site_url + path, site_url + "/en" + path
        lines.append(f"<url><loc>{escape(german)}</loc>")
        if modified:
            lines.append(f"<lastmod>{escape(modified[:10])}</lastmod>")
        lines.append(f'<xhtml:link rel="alternate" hreflang="de" href={quoteattr(german)}/>')
        lines.append(f'<xhtml:link rel="alternate" hreflang="en" href={quoteattr(english)}/></url>')
    lines.append("</urlset>")
    return "\n".join(lines)


@sitemap.route("/sitemap.xml")
def sitemap_view():
    site_url = tk.config.get("ckan.site_url").rstrip("/")
    body = render_sitemap(osnabrueck_sitemap_entries(), site_url)
    return Response(body, mimetype="application/xml", headers={"Cache-Control": "public, max-age=3600"})
