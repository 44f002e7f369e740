"""Every resource gets its default previews, also when it arrives through package_update
(CKAN 2.12 creates them only in package_create, resource_create and on a format change)."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.osnabrueck import previews

from .factories import OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
GEOJSON = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Dom"}, ' \
          b'"geometry": {"type": "Point", "coordinates": [8.0442, 52.2776]}}]}'


def _view_types(resource_id: str) -> list[str]:
    return sorted(view["view_type"] for view in call_action("resource_view_list", id=resource_id))


def _upload(name: str = "parkplaetze.geojson") -> dict:
    return {"name": "Parkplätze", "format": "GeoJSON", "url": name, "url_type": "upload",
            "upload": FileStorage(io.BytesIO(GEOJSON), filename=name, content_type="application/geo+json")}


def test_a_geojson_upload_added_by_package_update_gets_a_map(ckan_config, tmp_path, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    dataset = OsnabrueckDataset()
    call_action("package_update", {"user": factories.Sysadmin()["name"]}, **{**dataset, "resources": [_upload()]})
    resource = call_action("package_show", id=dataset["id"])["resources"][0]
    assert _view_types(resource["id"]) == ["geojson_view"]


def test_ensure_all_repairs_resources_without_views_and_leaves_the_rest():
    dataset = OsnabrueckDataset(resources=[
        {"name": "Karte", "url": "https://example.org/karte.geojson", "format": "GeoJSON"},
        {"name": "Bild", "url": "https://example.org/plan.png", "format": "PNG"}])
    karte, bild = (resource["id"] for resource in dataset["resources"])
    assert _view_types(karte) == ["geojson_view"] and _view_types(bild) == ["image_view"]
    model.Session.query(model.ResourceView).filter_by(resource_id=karte).delete()
    model.Session.commit()

    assert previews.ensure_all() == 1
    assert _view_types(karte) == ["geojson_view"] and _view_types(bild) == ["image_view"]
    assert previews.ensure_all() == 0


@pytest.mark.usefixtures("clean_datastore")
def test_charts_of_tables_without_a_time_series_are_removed():
    """A status table (text values per time) keeps its table view and loses the chart that
    could only say it had nothing to chart; a table with values keeps its chart."""
    admin = factories.Sysadmin()
    charts = {}
    for name, fields, record in (
            ("status", [{"id": "zeit", "type": "timestamp"}, {"id": "@iot.id", "type": "int8"},
                        {"id": "status", "type": "text"}], {"@iot.id": 1, "status": "frei"}),
            ("werte", [{"id": "zeit", "type": "timestamp"}, {"id": "wert", "type": "numeric"}], {"wert": 1.5})):
        dataset = OsnabrueckDataset(resources=[{"name": name, "url": "https://example.org/t.csv", "format": "CSV"}])
        resource_id = dataset["resources"][0]["id"]
        call_action("datastore_create", {"user": admin["name"]}, resource_id=resource_id, force=True, fields=fields,
                    records=[{**record, "zeit": f"2026-12-0{day}T10:00:00", **({"wert": day} if name == "werte" else {})}
                             for day in (1, 2, 3)])
        charts[name] = call_action("resource_view_create", {"user": admin["name"]}, resource_id=resource_id,
                                   view_type="osnabrueck_chart", title="Diagramm")["id"]

    assert previews.prune_charts() == 1
    remaining = {view.id for view in model.Session.query(model.ResourceView).filter_by(view_type="osnabrueck_chart")}
    assert remaining == {charts["werte"]}
