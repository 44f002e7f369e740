"""Journeys through the demo portal in Chromium, as a visitor would take them (issue #17).

Every journey fails on a console error and on a failed same-origin sub-request (the
Journey tab), and on wrong content: maps without features, tables sorted as text, charts
without a time axis, codes instead of words, a second language on a page, sideways
scrolling on a phone. Screenshots go to test-artifacts/browser/journey-*.png.
"""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import Journey, screenshot

# UI words of the other language that leaked into pages before (fixed list, issue #17).
ENGLISH_ON_GERMAN_PAGES = ["Please draw query extent", "Draw an extent", "Zoom in", "Not Found", "Forbidden",
                           "New Package", "Followers", "Apply", "Activity Stream", "(dct:", "(dcatde:",
                           "contributorID", "WMS_SRVC", "WFS_SRVC", "regionalKey/"]
GERMAN_ON_ENGLISH_PAGES = ["OpenStreetMap-Mitwirkende", "Landwirtschaft, Fischerei", "Bevölkerung und Gesellschaft",
                           "Datensätze", "Herunterladen", "Suchen"]


def _resource(demo_url: str, dataset: str, fmt: str) -> dict:
    shown = requests.get(f"{demo_url}/api/3/action/package_show", params={"id": dataset}, timeout=30).json()["result"]
    return next(r for r in shown["resources"] if r["format"] == fmt)


def _text(page) -> str:
    return page.inner_text("body")


def _no_leaks(text: str, words: list[str]) -> None:
    leaks = [word for word in words if word in text]
    assert not leaks, f"words of the other language or codes on the page: {leaks}"


def _preview_frame(page):
    page.wait_for_selector("iframe")
    frame = page.frames[1]
    frame.wait_for_load_state("networkidle")
    return frame


def test_home_search_and_facets_read_as_words(journey):
    page = journey.visit("/")
    assert page.locator(".osn-themes li").count() == 13
    _no_leaks(_text(page), ENGLISH_ON_GERMAN_PAGES)
    page = journey.visit("/dataset/")
    formats = page.locator("nav[aria-label='Formate'], section:has(h2:has-text('Formate'))").first.inner_text()
    assert "WMS-Dienst" in formats and "GeoJSON" in formats and "WMS_SRVC" not in formats
    page.locator("a:has-text('WMS-Dienst')").first.click()
    page.wait_for_load_state("networkidle")
    assert "res_format=WMS_SRVC" in page.url
    assert page.locator(".dataset-item").count() >= 1
    api = page.locator("a:has-text('API-Dokumentation')")
    assert api.get_attribute("href").endswith("/daten-api")
    _no_leaks(_text(page), ENGLISH_ON_GERMAN_PAGES)
    screenshot(page, "journey-search")


def test_the_map_search_speaks_german(journey):
    page = journey.visit("/dataset/")
    assert page.locator("#dataset-map-container.leaflet-container").count() == 1
    titles = page.eval_on_selector_all("#dataset-map-container a[title]", "links => links.map(a => a.title)")
    assert "Vergrößern" in titles and "Bereich zeichnen" in titles, titles
    page.locator("#dataset-map-container a[title='Bereich zeichnen']").click()
    _no_leaks(_text(page), ENGLISH_ON_GERMAN_PAGES)


def _painted_pixels(frame) -> int:
    """Non-transparent pixels on the map's canvases (no base map: only the data draws)."""
    return frame.evaluate("""() => [...document.querySelectorAll('.map canvas')].reduce((sum, canvas) => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0; for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++; return sum + n; }, 0)""")


def test_the_wfs_preview_draws_the_features(journey, demo_url):
    resource = _resource(demo_url, "stadtteile", "WFS_SRVC")
    page = journey.visit(f"/dataset/stadtteile/resource/{resource['id']}", settle_ms=4000)
    frame = _preview_frame(page)
    frame.wait_for_selector(".map canvas")
    page.wait_for_timeout(2000)
    assert _painted_pixels(frame) > 5000, "the map shows no feature"
    assert "WFS-Dienst" in _text(page)
    screenshot(page, "journey-wfs")


def test_the_wms_preview_shows_map_images(journey, demo_url):
    """The WMS images come from the map server itself (another origin: the canvas cannot be
    read), so the images it answered are checked: a blank 256-pixel PNG is a few hundred
    bytes, one with the districts drawn several thousand."""
    images = []
    journey.page.on("response", lambda r: images.append(r) if "GetMap" in r.url and r.status == 200 else None)
    resource = _resource(demo_url, "stadtteile", "WMS_SRVC")
    page = journey.visit(f"/dataset/stadtteile/resource/{resource['id']}", settle_ms=5000)
    _preview_frame(page).wait_for_selector(".map canvas")
    assert images, "the map asked for no image"
    assert max(len(r.body()) for r in images) > 3000, "the map images are blank"
    assert all(r.headers["content-type"].startswith("image/png") for r in images)
    assert "WMS-Dienst" in _text(page)
    screenshot(page, "journey-wms")


@pytest.mark.parametrize("dataset", ["stadtteile", "fahrradabstellanlagen", "bodentemperatur-echtzeit"])
def test_geojson_previews_draw_their_features(journey, demo_url, dataset):
    """Harvested from MapServer, uploaded, and harvested from the SensorThings API."""
    resource = _resource(demo_url, dataset, "GEOJSON")
    page = journey.visit(f"/dataset/{dataset}/resource/{resource['id']}", settle_ms=3000)
    frame = _preview_frame(page)
    frame.wait_for_selector(".leaflet-overlay-pane path, .leaflet-marker-icon")
    drawn = frame.locator(".leaflet-overlay-pane path, .leaflet-marker-icon").count()
    assert drawn > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, "the long URL widens the page"
    screenshot(page, f"journey-geojson-{dataset}")


def _column(frame, index: int) -> list[str]:
    return frame.eval_on_selector_all(f"table.dataTable tbody tr td:nth-child({index})",
                                      "cells => cells.map(c => c.innerText.trim())")


def test_the_table_preview_sorts_numbers_as_numbers(journey, demo_url):
    resource = _resource(demo_url, "bevoelkerung-stadtteile", "CSV")
    page = journey.visit(f"/dataset/bevoelkerung-stadtteile/resource/{resource['id']}", settle_ms=3000)
    frame = _preview_frame(page)
    frame.wait_for_selector("table.dataTable tbody tr td")
    headers = frame.eval_on_selector_all("table.dataTable thead tr:first-child th", "ths => ths.map(t => t.innerText.trim())")
    index = headers.index("Einwohner") + 1
    header = frame.locator("table.dataTable thead tr:first-child th").nth(index - 1)
    for _ in range(2):  # ascending, then descending
        header.click()
        frame.wait_for_timeout(1500)
    values = [int(re.sub(r"\D", "", v)) for v in _column(frame, index) if v]
    assert len(values) >= 5 and values == sorted(values, reverse=True), values
    screenshot(page, "journey-table-sorted")


def test_the_chart_has_time_on_its_axis_and_one_line_per_depth(journey, demo_url):
    resource = _resource(demo_url, "bodentemperatur", "CSV")
    shown = requests.get(f"{demo_url}/api/3/action/resource_view_list", params={"id": resource["id"]}, timeout=30)
    chart = next(v for v in shown.json()["result"] if v["view_type"] == "osnabrueck_chart")
    page = journey.visit(f"/dataset/bodentemperatur/resource/{resource['id']}?view_id={chart['id']}")
    lines = page.locator(".osn-chart-view svg polyline")
    assert lines.count() == 3
    caption = page.locator(".osn-chart-view").inner_text()
    assert "zeitpunkt" in caption and "tiefe_cm" in caption and re.search(r"20\d\d-\d\d-\d\d", caption), caption
    screenshot(page, "journey-chart")


def test_a_sensor_dataset_shows_its_daten_fenster_and_words_not_codes(journey):
    page = journey.visit("/dataset/bodentemperatur-echtzeit")
    assert page.locator(".osnabrueck-sensor-window svg polyline").count() >= 1
    text = _text(page)
    assert "Stadt Osnabrück (03404000)" in text
    assert "Datenstrom-Filter" not in text and "ObservedProperty/name" not in text
    assert page.locator("#package-info").inner_text().strip().startswith("Herunterladen")
    _no_leaks(text, ENGLISH_ON_GERMAN_PAGES)
    screenshot(page, "journey-sensor")


def test_a_harvested_catalogue_dataset_and_its_organisation_count(journey):
    page = journey.visit("/dataset/strassenbaumkataster")
    _no_leaks(_text(page), ENGLISH_ON_GERMAN_PAGES)
    page = journey.visit("/organization/")
    listed = page.locator("li:has(a[href$='/organization/geodaten-verkehrsanlagen'])").first.inner_text()
    page = journey.visit("/organization/geodaten-verkehrsanlagen")
    heading = page.locator("h1, h2").filter(has_text=re.compile(r"\d+ Datensätze")).first.inner_text()
    assert re.search(r"\d+", heading).group() in listed, (heading, listed)
    screenshot(page, "journey-organization")


def test_the_theme_page_shows_the_theme_tiles(journey):
    page = journey.visit("/group/")
    assert page.locator(".osn-themes li").count() == 13
    text = _text(page)
    assert "Mitglieder" not in text and "Was sind Gruppen" not in text
    screenshot(page, "journey-themes")


def test_error_pages_and_the_api_page_are_german(journey):
    page = journey.visit("/dataset/gibt-es-nicht")
    assert "Seite nicht gefunden" in _text(page) or "nicht gefunden" in _text(page)
    _no_leaks(_text(page), ENGLISH_ON_GERMAN_PAGES)
    page = journey.visit("/daten-api")
    _no_leaks(_text(page), ENGLISH_ON_GERMAN_PAGES)


def test_english_pages_are_english(journey):
    for path in ("/en/", "/en/group/", "/en/group/envi"):
        page = journey.visit(path)
        _no_leaks(_text(page), GERMAN_ON_ENGLISH_PAGES)
    assert "Environment" in _text(page)


@pytest.mark.parametrize("path", ["/", "/dataset/", "/dataset/bodentemperatur-echtzeit", "/group/", "/organization/",
                                  "/daten-api"])
def test_phones_do_not_scroll_sideways_and_see_the_content_first(browser, demo_url, path):
    tab = Journey(browser, demo_url, viewport={"width": 390, "height": 844}, locale="de-DE")
    try:
        page = tab.visit(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if page.locator(".secondary").count() and page.locator(".primary").count():
            assert page.locator(".primary").bounding_box()["y"] < page.locator(".secondary").bounding_box()["y"]
        screenshot(page, "journey-phone" + path.replace("/", "-").rstrip("-"))
    finally:
        tab.close()


# What each kind of preview shows when it works (in its frame, or on the page for the chart).
SHOWS_DATA = {
    "datatables_view": "table.dataTable tbody tr td:not(.dataTables_empty)",
    "geojson_view": ".leaflet-overlay-pane path, .leaflet-marker-icon",
    "geo_view": ".map canvas",
    "image_view": "img",
    "osnabrueck_chart": ".osn-chart-view svg polyline",
}


def _shows(where, selector: str) -> bool:
    """The preview has drawn its data (attached: a flat line of a chart has no height)."""
    try:
        where.wait_for_selector(selector, state="attached", timeout=15000)
    except PlaywrightTimeout:
        return False
    return True


def _demo_datasets(demo_url: str) -> list[str]:
    return requests.get(f"{demo_url}/api/3/action/package_list", timeout=30).json()["result"]


def test_every_preview_of_every_demo_dataset_shows_its_data(journey, demo_url):
    """The promise of issue #17: every preview of every demo dataset, opened as a visitor
    opens it, shows data (no error text, no empty frame)."""
    checked = []
    for name in _demo_datasets(demo_url):
        dataset = requests.get(f"{demo_url}/api/3/action/package_show", params={"id": name}, timeout=30).json()["result"]
        for resource in dataset["resources"]:
            views = requests.get(f"{demo_url}/api/3/action/resource_view_list", params={"id": resource["id"]},
                                 timeout=30).json()["result"]
            for view in views:
                page = journey.visit(f"/dataset/{name}/resource/{resource['id']}?view_id={view['id']}", settle_ms=800)
                where = page if view["view_type"] == "osnabrueck_chart" else _preview_frame(page)
                selector = SHOWS_DATA.get(view["view_type"])
                if selector:
                    assert _shows(where, selector), f"{name}: the {view['view_type']} preview shows no data"
                assert where.locator(".data-viewer-error, .text-danger").count() == 0, (name, view["view_type"])
                checked.append(view["view_type"])
    assert {"datatables_view", "geojson_view", "geo_view", "osnabrueck_chart"} <= set(checked), checked


def test_the_activity_stream_of_a_dataset_is_german_and_shows_no_third_party_pictures(journey):
    page = journey.visit("/dataset/activity/bevoelkerung-stadtteile")
    options = page.eval_on_selector_all("#activity_types_filter_select option", "os => os.map(o => o.innerText.trim())")
    assert "Neuer Datensatz" in options and "New Package" not in options, options
    assert not page.eval_on_selector_all("img", "imgs => imgs.filter(i => i.src.includes('gravatar'))")
