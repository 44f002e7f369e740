"""ISO 19139 → DCAT-AP.de: pure mapping of what ckanext-spatial's ISODocument reads."""
import json
from pathlib import Path

from shapely.geometry import shape

from ckanext.osnabrueck_harvesters.csw import mapping
from ckanext.osnabrueck_harvesters.mapping import Context
from ckanext.spatial.harvested_metadata import ISODocument

EU = "http://publications.europa.eu/resource/authority"
VALUES = ISODocument((Path(__file__).parent / "data" / "record.xml").read_text()).read_values()
LICENCES = [{"id": "dl-by-de/2.0", "title": "Datenlizenz Deutschland Namensnennung 2.0",
             "url": "https://www.govdata.de/dl-de/by-2-0"},
            {"id": "cc-by/4.0", "title": "Creative Commons Namensnennung – 4.0 International (CC BY 4.0)",
             "url": "https://creativecommons.org/licenses/by/4.0/"}]
FORMATS = [{"code": "ZIP", "extensions": [".zip"]}, {"code": "CSV", "extensions": [".csv"]}]
CONTEXT = Context("http://csw.example/csw", {"umwelt": "Fachbereich Umwelt"}, {})
META = {"owner_org": "umwelt", "license_id": "cc-by/4.0", "themes": ["GOVE"]}


def dataset(values=VALUES, meta=META):
    return mapping.dataset_dict(values, meta, CONTEXT, LICENCES, FORMATS)


def test_core_fields_themes_frequency_and_coverage():
    data = dataset()
    assert data["title"] == "Baumkataster <Test> & Co" and data["identifier"] == VALUES["guid"]
    assert data["theme"] == [f"{EU}/data-theme/ENVI"]  # from topicCategory "environment"
    assert data["frequency"] == f"{EU}/frequency/MONTHLY"
    assert data["temporal_start"] == "2020-01-01" and data["issued"] == "2024-01-15"
    assert shape(json.loads(data["spatial"])).bounds == (7.97, 52.23, 8.13, 52.33)
    assert [t["name"] for t in data["tags"]] == ["Bäume", "Stadtgrün"]
    assert data["publisher_name"] == "Stadt Osnabrück" and data["contact_email"] == "geodaten@osnabrueck.de"


def test_the_gdi_de_licence_json_wins_over_the_source_default():
    data = dataset()
    assert data["license_id"] == "dl-by-de/2.0"
    assert {r.get("license_attribution_by_text") for r in data["resources"][:2]} == {"Stadt Osnabrück"}


def test_a_licence_named_by_url_or_none_at_all():
    by_url = {**VALUES, "limitations-on-public-access": ["Nutzung nach https://creativecommons.org/licenses/by/4.0/"]}
    assert dataset(by_url, {**META, "license_id": "dl-zero-de/2.0"})["license_id"] == "cc-by/4.0"
    assert dataset({**VALUES, "limitations-on-public-access": []})["license_id"] == "cc-by/4.0"


def test_online_resources_become_distributions_and_the_record_is_linked():
    wms, zip_, record = dataset()["resources"]
    assert wms["format"] == "WMS_SRVC" and wms["access_services"][0]["endpoint_url"] == ["https://geo.example/wms"]
    assert zip_["format"] == "ZIP" and zip_["download_url"] == "https://geo.example/daten/baeume.zip"
    assert record["format"] == "XML" and "request=GetRecordById" in record["url"]
    assert f"id={VALUES['guid']}" in record["url"]


def test_a_record_without_topic_takes_the_source_themes():
    assert dataset({**VALUES, "topic-category": []})["theme"] == [f"{EU}/data-theme/GOVE"]
