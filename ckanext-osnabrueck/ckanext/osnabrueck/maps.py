"""One base map for every map of the portal: the search and extent maps of ckanext-spatial
and the previews of ckanext-geoview (Leaflet and OpenLayers).

The three read ``ckanext.spatial.common_map.*`` under different key names (``custom_url``,
``custom.url``), so the portal's own tile setting is handed to each of them here.
An empty setting is the no-tiles mode (type ``none``, handled by assets/js/maps.js): the
data layer draws on a blank map and no third party is asked for tiles.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from .views import N_

# The default attribution (config_declaration.yaml), marked for the catalogue.
N_("&copy; OpenStreetMap contributors")


def base_map() -> dict:
    url = (tk.config.get("ckanext.osnabrueck.map_tiles") or "").strip()
    if not url:
        return {"type": "none"}
    attribution = tk._(tk.config.get("ckanext.osnabrueck.map_attribution"))
    # Leaflet reads custom_url and attribution; OpenLayers strips the "custom." prefix.
    return {"type": "custom", "custom_url": url, "attribution": attribution,
            "custom.url": url, "custom.attribution": attribution}


@tk.chained_helper
def get_common_map_config(next_helper) -> dict:
    """ckanext-spatial's search and extent maps."""
    return {**next_helper(), **base_map()}


@tk.chained_helper
def get_common_map_config_geoviews(next_helper) -> dict:
    """ckanext-geoview's OpenLayers previews (WMS, WFS, KML, GML)."""
    return {**next_helper(), **base_map()}


@tk.chained_helper
def get_common_map_config_geojson(next_helper) -> dict:
    """ckanext-geoview's Leaflet preview of GeoJSON."""
    return {**next_helper(), **base_map()}

