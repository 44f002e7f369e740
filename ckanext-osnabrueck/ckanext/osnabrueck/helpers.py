"""Template helpers of the Osnabrück theme."""
from __future__ import annotations

import json
import re

import ckan.model as model
import ckan.plugins.toolkit as tk

from markupsafe import Markup

from . import headers, vocabularies
from .maps import get_common_map_config, get_common_map_config_geojson, get_common_map_config_geoviews

__all__ = ["osnabrueck_area_label", "osnabrueck_error_page", "osnabrueck_contributor_id", "osnabrueck_political_geocoding_uri", "osnabrueck_license_uri", "osnabrueck_vocabulary_choices",
           "osnabrueck_vocabulary_label", "osnabrueck_lang", "osnabrueck_quality", "osnabrueck_selected",
           "osnabrueck_sensor_window", "osnabrueck_default_extent",
           "osnabrueck_catalog_bbox_param", "osnabrueck_home", "osnabrueck_theme_tiles", "osnabrueck_theme_title", "osnabrueck_api_examples",
           "osnabrueck_static_pages", "osnabrueck_api_snippet", "osnabrueck_extent_text",
           "osnabrueck_csp_nonce", "osnabrueck_inert_scripts",
           # chained: the portal's base map for ckanext-spatial's and ckanext-geoview's maps
           "get_common_map_config", "get_common_map_config_geojson", "get_common_map_config_geoviews"]


def osnabrueck_lang() -> str:
    """The UI language, falling back to the portal's default outside requests."""
    try:
        return tk.h.lang() or tk.config.get("ckan.locale_default")
    except (RuntimeError, AttributeError, TypeError):
        return tk.config.get("ckan.locale_default") or "de"


def osnabrueck_error_page(code, content) -> dict:
    """Title and text of an error page in the UI language (errors.page)."""
    from .errors import page

    return page(code, content)


def osnabrueck_contributor_id() -> str:
    """The portal's default dcatde:contributorID."""
    return tk.config.get("ckanext.osnabrueck.contributor_id")


def osnabrueck_political_geocoding_uri() -> str:
    """The portal's default political geocoding (Osnabrück's regional key)."""
    return tk.config.get("ckanext.osnabrueck.political_geocoding_uri")


REGIONAL_KEY = re.compile(r"/regionalKey/(\d{12})$")


def osnabrueck_area_label(uri: str | None) -> str:
    """A political geocoding URI as people name it: "Stadt Osnabrück (03404000)" (the
    municipality key, from the 12-digit regional key); other areas by their key."""
    match = REGIONAL_KEY.search(uri or "")
    if not match:
        return uri or ""
    key = match.group(1)
    if uri == tk.config.get("ckanext.osnabrueck.political_geocoding_uri"):
        return f"{tk.config.get('ckanext.osnabrueck.political_geocoding_label')} ({key[:5]}{key[9:]})"
    return tk._("Regional key %(key)s") % {"key": key}


def osnabrueck_license_uri(license_id: str | None) -> str | None:
    """The dcat-ap.de URI of a licence of the portal's list (config/licenses.json)."""
    licence = model.Package.get_license_register().get(license_id) if license_id else None
    return getattr(licence, "uri", None) if licence else None


def osnabrueck_vocabulary_choices(field: dict) -> list[dict]:
    """Scheming ``choices_helper``: the field's vocabulary in the UI language."""
    return vocabularies.choices(field["vocabulary"], osnabrueck_lang(), field.get("vocabulary_value", "uri"))


def osnabrueck_vocabulary_label(name: str, value) -> str:
    """The label of a vocabulary value (URI or code) in the UI language."""
    return vocabularies.get(name).label(value, osnabrueck_lang())


def osnabrueck_quality(dataset_id: str) -> dict | None:
    """The dataset's quality score for the steward's box on the dataset page, or None."""
    try:
        return tk.get_action("osnabrueck_quality_show")({}, {"id": dataset_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def osnabrueck_selected(value) -> list[str]:
    """The chosen values of a multi-value field, whether stored (list, JSON) or just submitted."""
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    text = str(value)
    if text.startswith("["):
        try:
            return [str(item) for item in json.loads(text)]
        except ValueError:
            return []
    return [text]


def osnabrueck_sensor_window(pkg: dict) -> dict | None:
    """Latest observations and a chart of a harvested IoT dataset (see sensor_window)."""
    from . import sensor_window

    return sensor_window.window(pkg)


def osnabrueck_default_extent() -> str:
    """The catalogue's bbox as the [[south, west], [north, east]] a Leaflet map opens on."""
    west, south, east, north = catalog_bbox()
    return json.dumps([[south, west], [north, east]])


def osnabrueck_catalog_bbox_param() -> str:
    """The catalogue's bbox as the ext_bbox search parameter (west,south,east,north)."""
    return ",".join(str(v) for v in catalog_bbox())


def catalog_bbox() -> tuple[float, float, float, float]:
    """west, south, east, north of the area the catalogue covers."""
    west, south, east, north = (float(v) for v in tk.config.get("ckanext.osnabrueck.catalog_bbox").split(","))
    return west, south, east, north


def osnabrueck_home() -> dict:
    """Counts, theme tiles, newest and most viewed datasets and organisations of the home page."""
    from . import pages

    return pages.home(osnabrueck_lang())


def osnabrueck_theme_tiles() -> list[dict]:
    """The 13 theme tiles of the theme page, in the UI language."""
    from . import pages

    return pages.theme_tiles(osnabrueck_lang())


def osnabrueck_theme_title(group: dict) -> str:
    """A theme group's title in the UI language (the groups' own titles are German)."""
    concept = vocabularies.get("data-theme").find((group.get("name") or "").upper())
    return (concept.get(osnabrueck_lang()) or concept["de"]) if concept else group.get("display_name") or ""


def osnabrueck_api_examples() -> dict:
    """Working example calls of the "Daten-API" help page."""
    from . import pages

    return pages.api_examples()


def osnabrueck_static_pages() -> list[tuple[str, str]]:
    """(endpoint, title) of the static pages, for the footer."""
    from . import views

    return [(f"osnabrueck.{name}", tk._(title)) for name, title in views.STATIC_PAGES]


def osnabrueck_api_snippet(dataset_name: str) -> dict:
    """Ready-to-copy calls of a dataset's API record: curl and Python."""
    from . import pages

    return pages.dataset_snippets(dataset_name)


def osnabrueck_extent_text(spatial) -> str:
    """A GeoJSON extent as readable bounds: "7.97–8.13° Ost, 52.23–52.33° Nord"."""
    try:
        geometry = json.loads(spatial) if isinstance(spatial, str) else spatial
        points = list(_coordinates(geometry["coordinates"]))
    except (ValueError, TypeError, KeyError):
        return str(spatial)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return tk._("%(west).2f–%(east).2f° east, %(south).2f–%(north).2f° north") % {
        "west": min(lons), "east": max(lons), "south": min(lats), "north": max(lats)}


def _coordinates(value):
    if value and isinstance(value[0], (int, float)):
        yield value
    else:
        for item in value:
            yield from _coordinates(item)


def osnabrueck_csp_nonce() -> str:
    """The request's Content-Security-Policy nonce for inline scripts (headers)."""
    return headers.nonce()


def osnabrueck_inert_scripts(html) -> Markup:
    """A rendered block with its un-nonced inline scripts turned into inert data blocks,
    for templates of other plugins whose scripts an override provides with a nonce (the
    browser would log every refused script as an error)."""
    return Markup(headers.INERT.sub('<script type="text/plain" data-replaced-by-nonced-copy>', str(html)))
