"""The pure mapping, on SensorThings JSON recorded from FROST (data/things.json)."""
import json
from pathlib import Path

import pytest
from shapely.geometry import shape

from ckanext.osnabrueck_harvesters.sensorthings import config, mapping

BASE = "https://daten-api.osnabrueck.de/v1.1"
THINGS = json.loads((Path(__file__).parent / "data" / "things.json").read_text())["value"]
CONFIG = config.parse(json.dumps({
    "owner_org": "swo-netz", "themes": ["ENVI"], "tags": ["IoT"], "contact_email": "iot@swo-netz.de",
    "groups": [
        {"name": "belegtstatus", "title": "Belegtstatus Behindertenparkplätze", "observed_property": "Belegtstatus",
         "themes": ["TRAN"]},
        {"name": "grundwasser", "title": "Grundwasser", "thing_name": "GWM*", "owner_org": "umwelt"},
        {"name": "baeume", "title": "Bäume", "thing_property": {"kind": "baumsensor"}},
    ]}))
CONTEXT = mapping.Context(BASE, {"swo-netz": "SWO Netz GmbH", "umwelt": "Umwelt"},
                          {"contributor_id": "http://dcat-ap.de/def/contributors/SWONetzGmbH"})


def datasets(cfg=CONFIG, things=THINGS):
    return {name: mapping.dataset_dict(group, members, cfg, CONTEXT)
            for name, (group, members) in mapping.group_things(things, cfg).items()}


def test_things_are_grouped_by_observed_property_name_pattern_and_property():
    groups = mapping.group_things(THINGS, CONFIG)
    sizes = {name: len(members) for name, (_, members) in groups.items()}
    ungrouped = [name for name in sizes if name.startswith("iot-")]
    assert sizes["belegtstatus"] == 3 and sizes["grundwasser"] == 2 and sizes["baeume"] == 1
    assert len(ungrouped) == 1 and ungrouped[0].startswith("iot-bodentemperatur-westerberg-")


def test_ungrouped_things_can_be_skipped():
    cfg = config.parse(json.dumps({"ungrouped": "skip", "groups": [
        {"name": "grundwasser", "title": "Grundwasser", "thing_name": "GWM*"}]}))
    assert list(mapping.group_things(THINGS, cfg)) == ["grundwasser"]


def test_a_group_becomes_one_dcat_ap_de_dataset():
    parking = datasets()["belegtstatus"]
    assert parking["title"] == "Belegtstatus Behindertenparkplätze"
    assert parking["owner_org"] == "swo-netz" and parking["publisher_name"] == "SWO Netz GmbH"
    assert parking["contributor_id"] == "http://dcat-ap.de/def/contributors/SWONetzGmbH"
    assert parking["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/TRAN"]
    assert parking["frequency"].endswith("/frequency/UPDATE_CONT")
    tags = [tag["name"] for tag in parking["tags"]]
    assert tags == ["IoT", "Belegtstatus", "Parkplatzsensor LoRaWAN"]
    assert "3 Messstellen mit 3 Datenströmen" in parking["notes"]


def test_spatial_and_temporal_coverage_come_from_locations_and_phenomenon_times():
    parking = datasets()["belegtstatus"]
    geometry = shape(json.loads(parking["spatial"]))
    assert geometry.geom_type == "MultiPoint" and len(geometry.geoms) == 3
    expected = [tuple(t["Locations"][0]["location"]["coordinates"]) for t in THINGS[:3]]
    assert sorted((p.x, p.y) for p in geometry.geoms) == sorted(expected)
    starts = [t["Datastreams"][0]["phenomenonTime"].split("/")[0] for t in THINGS[:3]]
    assert parking["temporal_start"] == min(starts)[:10]
    assert "temporal_end" not in parking  # live data: no end, or every observation changes it


def test_a_source_may_ask_for_the_temporal_end():
    cfg = config.parse(json.dumps({"temporal_end": True, "ungrouped": "skip", "groups": [
        {"name": "grundwasser", "title": "Grundwasser", "thing_name": "GWM*"}]}))
    ends = [t["Datastreams"][0]["phenomenonTime"].split("/")[-1] for t in THINGS[3:5]]
    assert datasets(cfg)["grundwasser"]["temporal_end"] == max(ends)[:10]


def test_distributions_are_the_api_a_csv_export_and_geojson():
    api, csv, geojson = datasets()["grundwasser"]["resources"]
    assert api["format"] == "JSON" and api["access_url"].startswith(f"{BASE}/Datastreams?$filter=startswith(Thing/name")
    assert api["access_services"][0]["endpoint_url"] == [BASE]
    assert csv["format"] == "CSV" and "$resultFormat=CSV" in csv["download_url"]
    assert "startswith(Datastream/Thing/name,%27GWM%27)" in csv["url"]
    assert geojson["format"] == "GEOJSON" and "$resultFormat=GeoJSON" in geojson["url"]


@pytest.mark.parametrize("matcher, value, expected", [
    ("observed_property", "Belegtstatus", "ObservedProperty/name eq 'Belegtstatus'"),
    ("thing_name", "GWM*", "startswith(Thing/name,'GWM')"),
    ("thing_name", "*Linde*", "substringof('Linde',Thing/name)"),
    ("thing_name", "O'Brien", "Thing/name eq 'O''Brien'"),
    ("thing_property", {"kind": "baumsensor"}, "Thing/properties/kind eq 'baumsensor'"),
    ("thing_id", 7, "Thing/id eq 7"),
])
def test_datastream_filters_select_exactly_the_group(matcher, value, expected):
    group = config.Group("x", "X", matcher, value)
    assert mapping.odata_filter(group, "Thing/", "") == expected


def test_keywords_become_valid_ckan_tags_without_duplicates():
    streams = [{"ObservedProperty": {"name": "PM2.5 (µg/m³)"}, "Sensor": {"name": "iot"}}]
    assert mapping.keywords(["IoT", "x"], streams) == ["IoT", "PM2.5 µg m³"]


def test_the_hash_changes_only_with_the_dataset():
    first, again = datasets(), datasets()
    assert mapping.content_hash(first["belegtstatus"]) == mapping.content_hash(again["belegtstatus"])
    moved = json.loads(json.dumps(THINGS))
    moved[0]["Locations"][0]["location"]["coordinates"] = [8.0, 52.0]
    changed = datasets(things=moved)
    assert mapping.content_hash(changed["belegtstatus"]) != mapping.content_hash(first["belegtstatus"])
    assert mapping.content_hash(changed["grundwasser"]) == mapping.content_hash(first["grundwasser"])
