"""The Daten-Fenster of harvested IoT datasets, against the real test FROST-Server."""
import datetime as dt

import pytest
import requests

from ckanext.osnabrueck import sensor_window
from ckanext.osnabrueck.demo import sensors

NOW = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)


def test_chart_scales_every_series_into_the_picture():
    chart = sensor_window.chart([{"name": "a", "unit": "m", "points": [("2026-11-20T00:00:00Z", 1.0),
                                                                         ("2026-11-21T00:00:00Z", 3.0)]}],
                                width=100, height=50)
    assert chart["lines"][0]["points"] == "10.0,40.0 90.0,10.0"
    assert (chart["min"], chart["max"]) == (1.0, 3.0)
    assert sensor_window.chart([{"name": "a", "unit": "", "points": [("2026-11-20T00:00:00Z", 1.0)]}]) is None


@pytest.mark.usefixtures("with_plugins", "clean_redis")
def test_latest_values_and_chart_come_from_the_api(frost):
    for thing in sensors.groundwater(NOW)[:2]:
        requests.post(f"{frost}/Things", json=thing, timeout=30).raise_for_status()
    dataset = {"id": "x", "metadata_modified": "1", "iot_service_url": frost,
               "iot_datastream_filter": "startswith(Thing/name,'GWM')"}
    window = sensor_window.window(dataset, NOW)
    assert window["count"] == 2 and [row["name"] for row in window["rows"]] == [
        "Grundwasserstand GWM001", "Grundwasserstand GWM002"]
    assert window["rows"][0]["time"].startswith(NOW.strftime("%Y-%m-%dT%H"))
    assert len(window["chart"]["lines"]) == 2
    assert sensor_window.window({**dataset, "iot_service_url": "http://127.0.0.1:9/x"}, NOW) == window  # cached


@pytest.mark.usefixtures("with_plugins", "clean_redis")
def test_an_unreachable_api_is_reported_not_raised():
    dataset = {"id": "y", "metadata_modified": "1", "iot_service_url": "http://127.0.0.1:9/v1.1",
               "iot_datastream_filter": "id eq 1"}
    assert sensor_window.window(dataset)["error"] is True
    assert sensor_window.window({"id": "z"}) is None
