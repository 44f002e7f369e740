"""The DataStore chart view: which columns a table charts (pure), and the rendered view."""
import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers
from ckanext.osnabrueck import chart_view

from .factories import OsnabrueckDataset

FIELDS = [{"id": "_id", "type": "int"}, {"id": "monat", "type": "text"}, {"id": "rathaus", "type": "text"},
          {"id": "stadthaus", "type": "numeric"}]
WIDE = [{"monat": f"2025-{m:02d}", "rathaus": str(90 + m), "stadthaus": 100 - m} for m in range(1, 13)]


def test_iso_time_reads_dates_months_and_year_columns():
    assert chart_view.iso_time("2025-03") == "2025-03-01"
    assert chart_view.iso_time("2025-03-04 10:00") == "2025-03-04T10:00"
    assert chart_view.iso_time("2026-10-25T00:00:00Z") == "2026-10-25T00:00:00Z"
    assert chart_view.iso_time("1990", "jahr") == "1990-01-01"
    assert chart_view.iso_time("1990") is None  # a four-digit count is no year
    assert chart_view.iso_time("Neumarkt") is None


def test_wide_table_charts_its_numeric_columns_over_time():
    cols = chart_view.columns(FIELDS, WIDE)
    assert cols == {"time": "monat", "values": ["rathaus", "stadthaus"], "category": None}
    lines = chart_view.series(WIDE, cols)
    assert [line["name"] for line in lines] == ["rathaus", "stadthaus"]
    assert lines[0]["points"][0] == ("2025-01-01", 91.0)
    assert len(lines[1]["points"]) == 12


def test_long_table_charts_one_line_per_category():
    fields = [{"id": "zeitpunkt", "type": "timestamp"}, {"id": "knotenpunkt", "type": "text"},
              {"id": "kfz", "type": "int4"}]
    records = [{"zeitpunkt": f"2026-10-25T{h:02d}:00:00", "knotenpunkt": k, "kfz": h * 10 + i}
               for h in range(5) for i, k in enumerate(["Neumarkt", "Rosenplatz"])]
    cols = chart_view.columns(fields, records)
    assert cols == {"time": "zeitpunkt", "values": ["kfz"], "category": "knotenpunkt"}
    lines = chart_view.series(records, cols)
    assert sorted(line["name"] for line in lines) == ["kfz (knotenpunkt Neumarkt)", "kfz (knotenpunkt Rosenplatz)"]
    assert all(len(line["points"]) == 5 for line in lines)


def test_a_numeric_category_splits_the_series_and_identifiers_are_never_plotted():
    """Bodentemperatur: one row per time and depth; the sensor export: one per observation
    and Datastream, with the observation's id and a constant unit."""
    fields = [{"id": "zeitpunkt", "type": "timestamp"}, {"id": "tiefe_cm", "type": "int8"},
              {"id": "temperatur_c", "type": "numeric"}]
    records = [{"zeitpunkt": f"2026-10-25T{h:02d}:00:00", "tiefe_cm": depth, "temperatur_c": 5 + h + depth / 100}
               for h in range(6) for depth in (5, 20, 50)]
    assert chart_view.columns(fields, records) == {"time": "zeitpunkt", "values": ["temperatur_c"],
                                                   "category": "tiefe_cm"}
    sensor = [{"id": "@iot.id", "type": "int8"}, {"id": "resultTime", "type": "timestamp"},
              {"id": "result", "type": "numeric"}, {"id": "einheit", "type": "text"},
              {"id": "Datastream/@iot.id", "type": "int8"}]
    rows = [{"@iot.id": i, "resultTime": f"2026-12-0{1 + i // 2}T10:00:00", "result": 7.5 + i, "einheit": "°C",
             "Datastream/@iot.id": 1 + i % 2} for i in range(8)]
    assert chart_view.columns(sensor, rows) == {"time": "resultTime", "values": ["result"],
                                                "category": "Datastream/@iot.id"}
    wide = [{"monat": f"2025-{m:02d}", "zaehlstelle_nr": m, "wert": 3 * m} for m in range(1, 13)]
    assert chart_view.columns([{"id": "monat"}, {"id": "zaehlstelle_nr", "type": "int8"},
                               {"id": "wert", "type": "int8"}], wide)["values"] == ["wert"]


def test_tables_without_time_or_numbers_are_not_charted():
    people = [{"stadtteil": "Innenstadt", "einwohner": "9800"}, {"stadtteil": "Weststadt", "einwohner": "13300"}]
    assert chart_view.columns([{"id": "stadtteil"}, {"id": "einwohner"}], people) is None
    dates_only = [{"datum": "2026-01-05", "abfallart": "Restmüll"}]
    assert chart_view.columns([{"id": "datum"}, {"id": "abfallart"}], dates_only) is None


@pytest.mark.usefixtures("with_plugins", "clean_datastore")
def test_chart_view_renders_an_accessible_svg_with_the_values_as_table(app):
    dataset = OsnabrueckDataset(resources=[{"name": "Verbrauch", "url": "https://example.org/v.csv", "format": "CSV"}])
    resource, admin = dataset["resources"][0], {"user": factories.Sysadmin()["name"]}
    helpers.call_action("datastore_create", admin, resource_id=resource["id"], force=True,
                        fields=[{"id": "monat", "type": "text"}, {"id": "rathaus", "type": "numeric"}],
                        records=[{"monat": r["monat"], "rathaus": r["rathaus"]} for r in WIDE])
    assert chart_view.can_view(helpers.call_action("resource_show", id=resource["id"]))
    view = helpers.call_action("resource_view_create", admin, resource_id=resource["id"], view_type="osnabrueck_chart",
                               title="Chart")
    page = BeautifulSoup(app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}?view_id={view['id']}",
                                 status=200).body, "html.parser")
    svg = page.select_one("figure.osn-chart svg[role=img]")
    assert svg is not None and svg.find("title").text.strip()
    assert len(svg.select("polyline")) == 1
    assert "91.0" in page.select_one(".osn-chart-view details table").text
