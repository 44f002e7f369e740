"""Capabilities → records, on documents recorded from the demo MapServer (8.0)."""
from pathlib import Path

import pytest

from ckanext.osnabrueck_harvesters.http import SourceError
from ckanext.osnabrueck_harvesters.ogc import capabilities

DATA = Path(__file__).parent / "data"
URL = "http://geo.example/ows"


def test_wms_layers_are_the_named_leaf_layers_with_wgs84_boxes():
    wms = capabilities.parse("WMS", URL, (DATA / "wms-1.3.0-capabilities.xml").read_bytes())
    assert [layer.name for layer in wms.layers] == ["stadtteile", "baustellen", "spielplaetze"]
    stadtteile = wms.layers[0]
    assert stadtteile.title == "Stadtteile" and "23 Stadtteile" in stadtteile.abstract
    west, south, east, north = stadtteile.bbox
    assert 7.9 < west < east < 8.2 and 52.1 < south < north < 52.4
    assert wms.provider == "Stadt Osnabrück, Fachbereich Geodaten"
    assert "dl-de/by-2-0" in wms.access_constraints


def test_wfs_feature_types_lose_their_namespace_and_offer_geojson():
    wfs = capabilities.parse("WFS", URL, (DATA / "wfs-2.0.0-capabilities.xml").read_bytes())
    assert [(t.name, t.type_name) for t in wfs.layers][1] == ("baustellen", "ms:baustellen")
    assert wfs.geojson_format == "application/geo+json"
    assert wfs.capabilities_url() == f"{URL}?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities"


@pytest.mark.parametrize("body, message", [
    (b"<WMS_Capabilities", "kein gültiges XML"),
    (b'<ServiceExceptionReport><ServiceException>msWMSLoadGetMapParams(): kaputt</ServiceException>'
     b'</ServiceExceptionReport>', "Der Dienst meldet einen Fehler: msWMSLoadGetMapParams\\(\\): kaputt"),
    (b"<html><body>Wartungsarbeiten</body></html>", "nicht lesbar"),
])
def test_unreadable_capabilities_are_a_source_error(body, message):
    with pytest.raises(SourceError, match=message):
        capabilities.parse("WMS", URL, body)
