"""GovData's side: ckanext-dcat's own DCATRDFHarvester (the code GovData's harvester derives
from) harvests the portal's /catalog.ttl over HTTP, page by page, into a second CKAN site.

The source is this test site (test.ini) served by gunicorn; the target is the site of
tests/harvest-target.ini (its own database and Solr core). The harvest runs without
queues (ckanext-harvest's run_test_harvester).
"""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ckanext.osnabrueck.demo import loader
from served import gunicorn_portal

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
BIN = Path(sys.executable).parent
TARGET = Path(__file__).resolve().parents[1] / "harvest-target.ini"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args, ini=TARGET, check=True):
    command = [str(BIN / args[0]), *(["-c", str(ini)] if args[0] == "ckan" else []), *args[1:]]
    if args[0] == "ckanapi":
        command = [str(BIN / "ckanapi"), *args[1:], "-c", str(ini)]
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}  # ckanapi re-executes "ckan"
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    if check:
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture
def source_site(tmp_path):
    """This test site's catalogue over HTTP, 10 datasets per page."""
    port = free_port()
    settings = {"ckanext.dcat.base_uri": f"http://127.0.0.1:{port}", "ckanext.dcat.datasets_per_page": 10}
    with gunicorn_portal(port, tmp_path, settings) as url:
        yield url


@pytest.fixture
def target_site():
    """An empty second CKAN site with an organisation for the harvested datasets."""
    run("ckan", "db", "clean", "--yes")
    run("ckan", "db", "init")
    run("ckan", "db", "pending-migrations", "--apply")
    run("ckan", "search-index", "clear")
    run("ckanapi", "action", "organization_create", "name=govdata", "title=GovData-Test")
    return TARGET


def test_dcat_rdf_harvester_ingests_every_page(source_site, target_site):
    report = loader.load_all()
    expected = {spec["title"]: spec for spec in loader.read_yaml("datasets.yaml")}
    assert len(report.created) == len(expected) > 2 * 10  # three pages at least (datasets_per_page = 10)

    config = json.dumps({"rdf_format": "text/turtle"})
    run("ckan", "harvester", "source", "create", "osnabrueck", f"{source_site}/catalog.ttl", "dcat_rdf",
        "Open Data Osnabrück", "true", "govdata", "MANUAL", config)
    run("ckan", "harvester", "run-test", "osnabrueck")

    found = json.loads(run("ckanapi", "action", "package_search", "rows=1000", "q=*:*").stdout)
    harvested = {d["title"]: d for d in found["results"] if d.get("type") == "dataset"}
    assert set(harvested) == set(expected), sorted(set(expected) ^ set(harvested))
    for title, dataset in harvested.items():
        assert dataset["contributor_id"] == "http://dcat-ap.de/def/contributors/SWONetzGmbH", title
        assert dataset["license_id"] or all(r.get("license") for r in dataset["resources"]), title
        assert len(dataset["resources"]) == len(expected[title]["resources"]), title
        for resource in dataset["resources"]:
            assert resource["license"].startswith("http://dcat-ap.de/def/licenses/"), title
            assert resource["format"] in {"CSV", "XLSX", "GEOJSON", "JSON", "PDF", "HTML"}, (title, resource["format"])
