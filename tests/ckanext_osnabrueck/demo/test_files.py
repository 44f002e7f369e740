"""The demo files: byte-stable across runs and well-formed."""
import csv
import io
import time
import json

import pytest

from ckanext.osnabrueck.demo import files


@pytest.mark.parametrize("name", sorted(files.GENERATORS))
def test_every_file_is_deterministic_and_parses(name):
    blob = files.generate(name)
    assert blob == files.generate(name)
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        time.sleep(1.1)  # openpyxl stamps the save time, to the second
        assert blob == files.generate(name)
        rows = list(load_workbook(io.BytesIO(blob)).active.iter_rows(values_only=True))
        assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
        return
    text = blob.decode("utf-8")
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
    else:
        data = json.loads(text)
        if name.endswith(".geojson"):
            assert data["type"] == "FeatureCollection" and data["features"]


def test_stadtteile_are_23_valid_polygons_inside_osnabrueck():
    from shapely.geometry import shape

    features = json.loads(files.generate("stadtteile.geojson"))["features"]
    assert len(features) == 23
    assert len({f["properties"]["name"] for f in features}) == 23
    for feature in features:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and geometry.area > 0
        minx, miny, maxx, maxy = geometry.bounds
        assert 7.9 < minx < maxx < 8.2 and 52.2 < miny < maxy < 52.36


def test_population_file_covers_all_stadtteile():
    rows = list(csv.DictReader(io.StringIO(files.generate("bevoelkerung-stadtteile.csv").decode()),
                               delimiter=";"))
    assert [r["Stadtteil"] for r in rows] == [s[1] for s in files.STADTTEILE]
    for row in rows:
        assert int(row["maennlich"]) + int(row["weiblich"]) == int(row["Einwohner"])


def test_unknown_generator_is_a_clear_error():
    with pytest.raises(KeyError, match="no demo file generator named 'nope.csv'"):
        files.generate("nope.csv")
