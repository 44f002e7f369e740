"""The demo's harvest-source definitions (config/harvest-sources/*.yaml) are valid."""
import json
from pathlib import Path

import pytest

from ckanext.osnabrueck_harvesters import runner

pytestmark = pytest.mark.usefixtures("with_plugins")
SOURCES = Path(__file__).resolve().parents[2] / "config" / "harvest-sources"


def test_every_source_definition_names_a_loaded_harvester_and_a_valid_config():
    sources = runner.read_sources(SOURCES, runner.default_variables())
    assert {s["source_type"] for s in sources} == {"osnabrueck_sensorthings", "osnabrueck_ogc", "osnabrueck_csw"}
    for source in sources:
        assert source["url"].startswith("http://127.0.0.1:"), source["url"]
        harvester = runner._harvester(source["source_type"])
        assert harvester.validate_config(json.dumps(source["config"]))
        assert source["config"]["owner_org"] == source["owner_org"]
