"""ArcGIS REST JSON (recorded, see data/README.md) → datasets: pure mapping."""
import json

from shapely.geometry import Point, shape

from ckanext.osnabrueck_harvesters.arcgis import config, mapping
from ckanext.osnabrueck_harvesters.mapping import Context

from .replay import recorded

ROOT = "https://geo.osnabrueck.de/arcgis/rest/services"
DATA = recorded()
CONTEXT = Context(ROOT, {"geodaten": "Fachbereich Geodaten"}, {})
OSNABRUECK = Point(8.047, 52.279)


def service(path):
    info = DATA[f"/{path}/MapServer"]
    layers = tuple(DATA[f"/{path}/MapServer/{layer['id']}"] for layer in info["layers"])
    return mapping.Service(path, "MapServer", info, layers)


def datasets(path, **cfg):
    return mapping.datasets(ROOT, service(path), config.parse(json.dumps({"owner_org": "geodaten", **cfg})), CONTEXT)


def test_each_layer_is_a_dataset_with_wms_wfs_rest_and_geojson():
    found = datasets("WFS/wfs_verkehr", layers={"Baustellen": {"themes": ["TRAN"]}})
    assert sorted(found) == ["WFS/wfs_verkehr/MapServer/0", "WFS/wfs_verkehr/MapServer/1"]
    baustellen = found["WFS/wfs_verkehr/MapServer/0"]
    assert baustellen["name"] == "wfs-verkehr-baustellen" and baustellen["title"] == "Baustellen"
    assert [r["format"] for r in baustellen["resources"]] == ["WMS_SRVC", "WFS_SRVC", "REST", "GEOJSON"]
    wms, wfs, rest, geo = baustellen["resources"]
    assert wms["url"] == ("https://geo.osnabrueck.de/arcgis/services/WFS/wfs_verkehr/MapServer/WMSServer"
                          "?request=GetCapabilities&service=WMS")
    assert wfs["access_services"][0]["endpoint_url"] == [
        "https://geo.osnabrueck.de/arcgis/services/WFS/wfs_verkehr/MapServer/WFSServer"]
    assert rest["access_url"] == f"{ROOT}/WFS/wfs_verkehr/MapServer/0"
    assert geo["url"] == f"{ROOT}/WFS/wfs_verkehr/MapServer/0/query?where=1%3D1&outFields=%2A&f=geojson"
    assert geo["license_attribution_by_text"] == "© Stadt Osnabrück, FB Geodaten"
    assert baustellen["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/TRAN"]


def test_extent_is_reprojected_from_utm32_to_wgs84():
    area = shape(json.loads(datasets("WFS/wfs_verkehr")["WFS/wfs_verkehr/MapServer/0"]["spatial"]))
    west, south, east, north = area.bounds
    assert 7.98 < west < 8.0 and 8.14 < east < 8.16 and 52.23 < south < 52.245 and 52.30 < north < 52.32
    assert area.contains(OSNABRUECK)


def test_web_mercator_extent_and_service_copyright_as_fallback():
    trees = datasets("Umwelt/baeume")["Umwelt/baeume/MapServer/0"]
    assert shape(json.loads(trees["spatial"])).contains(OSNABRUECK)
    assert [r["format"] for r in trees["resources"]] == ["REST", "GEOJSON"]  # no WMS/WFS extension
    assert trees["resources"][0]["license_attribution_by_text"] == "Stadt Osnabrück, Osnabrücker ServiceBetrieb"


def test_description_html_is_sanitised_to_markdown():
    notes = datasets("WFS/wfs_verkehr")["WFS/wfs_verkehr/MapServer/0"]["notes"]
    assert "**Baustellen**" in notes and "[osnabrueck.de](https://www.osnabrueck.de/baustellen)" in notes
    assert "<" not in notes and "alert" not in notes


def test_service_mode_makes_one_dataset_with_the_layers_as_distributions():
    found = datasets("WFS/wfs_verkehr", mode="service")
    (guid, dataset), = found.items()
    assert guid == "WFS/wfs_verkehr/MapServer" and dataset["name"] == "wfs-wfs-verkehr"
    assert dataset["title"] == "Verkehr" and {t["name"] for t in dataset["tags"]} == {"Verkehr", "Baustellen", "Straßen"}
    assert [r["format"] for r in dataset["resources"]] == ["WMS_SRVC", "WFS_SRVC", "REST", "GEOJSON", "REST", "GEOJSON"]


def test_a_broken_extent_is_left_out():
    assert mapping.wgs84_extent({"xmin": "NaN"}) is None
    assert mapping.wgs84_extent({"xmin": 1, "ymin": 1, "xmax": 2, "ymax": 2, "spatialReference": {"wkid": 999999}}) is None
