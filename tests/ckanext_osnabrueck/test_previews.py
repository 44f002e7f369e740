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
