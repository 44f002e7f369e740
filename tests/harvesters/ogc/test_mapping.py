"""Layers → datasets: pure mapping on the recorded capabilities."""
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from shapely.geometry import shape

from ckanext.osnabrueck_harvesters.mapping import Context
from ckanext.osnabrueck_harvesters.ogc import capabilities, config, mapping

DATA = Path(__file__).parent / "data"
URL = "http://geo.example/ows"
SERVICES = {kind: capabilities.parse(kind, URL, (DATA / f"{kind.lower()}-{v}-capabilities.xml").read_bytes())
            for kind, v in capabilities.VERSIONS.items()}
CONTEXT = Context(URL, {"geodaten": "Fachbereich Geodaten"}, {"contributor_id": "http://dcat-ap.de/def/contributors/X"})


def datasets(cfg: dict) -> dict:
    parsed = config.parse(json.dumps(cfg))
    merged = mapping.merge(list(SERVICES.values()), parsed)
    return {name: mapping.dataset_dict(name, layers, SERVICES, parsed, CONTEXT) for name, layers in merged.items()}


def test_wms_layer_and_wfs_feature_type_of_one_name_make_one_dataset():
    found = datasets({"owner_org": "geodaten", "themes": ["REGI"], "layers": {"baustellen": {"themes": ["TRAN"]}}})
    assert sorted(found) == ["baustellen", "spielplaetze", "stadtteile"]
    baustellen = found["baustellen"]
    assert [r["format"] for r in baustellen["resources"]] == ["WMS_SRVC", "WFS_SRVC", "GEOJSON"]
    assert baustellen["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/TRAN"]
    assert found["stadtteile"]["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/REGI"]
    assert baustellen["publisher_name"] == "Fachbereich Geodaten"
    assert {t["name"] for t in baustellen["tags"]} == {"Baustellen", "Verkehr", "Straßen"}


def test_distributions_point_at_capabilities_and_a_geojson_getfeature():
    wms, wfs, geo = datasets({"owner_org": "geodaten"})["baustellen"]["resources"]
    assert wms["url"] == f"{URL}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"
    assert wms["access_services"][0]["endpoint_url"] == [URL]
    assert wfs["conforms_to"] == ["http://www.opengis.net/def/serviceType/ogc/wfs"]
    query = parse_qs(urlsplit(geo["download_url"]).query)
    assert query["TYPENAMES"] == ["ms:baustellen"] and query["OUTPUTFORMAT"] == ["application/geo+json"]
    assert geo["license_attribution_by_text"] == "Stadt Osnabrück, Fachbereich Geodaten"


def test_spatial_coverage_is_the_layer_box():
    area = shape(json.loads(datasets({"owner_org": "geodaten"})["stadtteile"]["spatial"]))
    assert area.geom_type == "Polygon" and area.contains(shape({"type": "Point", "coordinates": [8.047, 52.279]}))


def test_include_exclude_patterns_and_a_prefix_choose_layers_and_names():
    found = datasets({"owner_org": "geodaten", "include": ["s*"], "exclude": ["spiel*"], "name_prefix": "gis-"})
    assert list(found) == ["stadtteile"] and found["stadtteile"]["name"] == "gis-stadtteile"


def test_wms_only_layers_have_no_wfs_or_download():
    only_wms = {"WMS": SERVICES["WMS"]}
    parsed = config.parse('{"services": ["WMS"]}')
    layers = mapping.merge([SERVICES["WMS"]], parsed)["spielplaetze"]
    dataset = mapping.dataset_dict("spielplaetze", layers, only_wms, parsed, CONTEXT)
    assert [r["format"] for r in dataset["resources"]] == ["WMS_SRVC"]
