"""Map search on the search page and the extent map on dataset pages (templates)."""
import json

import pytest
from bs4 import BeautifulSoup

from .factories import OsnabrueckDataset

IN_CITY = '{"type": "Point", "coordinates": [8.047, 52.279]}'
IN_BERLIN = '{"type": "Point", "coordinates": [13.4, 52.5]}'

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _page(app, url, **params) -> BeautifulSoup:
    return BeautifulSoup(app.get(url, query_string=params, status=200).body, "html.parser")


def test_search_page_offers_a_map_opened_on_osnabrueck(app):
    page = _page(app, "/dataset/")
    widget = page.select_one("#dataset-map [data-module=spatial-query]")
    assert widget is not None
    (south, west), (north, east) = json.loads(widget["data-default_extent"])
    assert west < 8.047 < east and south < 52.279 < north
    assert page.select_one("#dataset-map h2").get_text(strip=True) == "Nach Ort filtern"


def test_city_link_filters_by_the_solr_spatial_field_without_javascript(app):
    OsnabrueckDataset(name="in-osnabrueck", spatial=IN_CITY)
    OsnabrueckDataset(name="in-berlin", spatial=IN_BERLIN)
    link = _page(app, "/dataset/").select_one(".osn-map-search-city a")
    assert "ext_bbox=" in link["href"]

    filtered = BeautifulSoup(app.get(link["href"], status=200).body, "html.parser")
    names = {a["href"].rsplit("/", 1)[-1] for a in filtered.select(".dataset-heading a")}
    assert names == {"in-osnabrueck"}
    assert filtered.select_one("#dataset-map h2 a.action").get_text(strip=True) == "Ortsfilter entfernen"


def test_dataset_page_shows_its_extent_on_a_map(app):
    OsnabrueckDataset(name="mit-ort", spatial=IN_CITY)
    OsnabrueckDataset(name="ohne-ort")
    shown = _page(app, "/dataset/mit-ort").select_one("[data-module=dataset-map]")
    assert json.loads(shown["data-extent"])["coordinates"] == [8.047, 52.279]
    assert _page(app, "/dataset/ohne-ort").select_one("[data-module=dataset-map]") is None
