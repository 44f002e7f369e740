"""Public pages of datasets and resources render every schema field (no 500s)."""
import pytest
from bs4 import BeautifulSoup

from .factories import OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
SPEC = "http://www.opengis.net/def/serviceType/ogc/wms"


def test_resource_page_lists_standards_and_data_services_as_links(app):
    dataset = OsnabrueckDataset(conforms_to=["https://example.org/schema"], resources=[{
        "name": "Karte (WMS)", "url": "https://geo.example/wms?SERVICE=WMS&REQUEST=GetCapabilities",
        "format": "WMS_SRVC", "conforms_to": [SPEC],
        "access_services": [{"title": "WMS", "endpoint_url": ["https://geo.example/wms"], "conforms_to": [SPEC]}]}])
    resource = dataset["resources"][0]
    page = BeautifulSoup(app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}", status=200).body,
                         "html.parser")
    links = {a["href"] for a in page.select(".osn-uri-list a")}
    assert {SPEC, "https://geo.example/wms"} <= links
    dataset_page = BeautifulSoup(app.get(f"/dataset/{dataset['name']}", status=200).body, "html.parser")
    assert "https://example.org/schema" in {a["href"] for a in dataset_page.select(".osn-uri-list a")}
