"""Every page of the catalogue, with the Osnabrück demo content, validates against
GovData's official DCAT-AP.de shapes with zero violations (2.0 + Konventionen, and 3.0)."""
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import Namespace

from ckan.cli.cli import ckan
from ckanext.osnabrueck import shacl
from ckanext.osnabrueck.demo import loader

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SHARED = Path(__file__).resolve().parents[3] / "shared" / "dcat-ap-de"

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "dcatap_de"),
    pytest.mark.ckan_config("ckanext.osnabrueck.shacl_dir", str(SHARED)),
    pytest.mark.skipif(not shacl.available(SHARED),
                       reason=f"GovData's SHACL shapes are absent ({SHARED}): ../shared/dcat-ap-de is needed"),
]


def catalogue_pages(app):
    url = "/catalog.ttl"
    while url:
        g = Graph().parse(data=app.get(url).body, format="turtle")
        yield g
        following = next(g.objects(None, HYDRA.next), None)
        url = str(following).replace("http://test.ckan.net", "") if following else None


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "12")
def test_every_catalogue_page_has_zero_violations(app):
    loader.load_all()
    pages = list(catalogue_pages(app))
    assert len(pages) == 3
    for number, page in enumerate(pages, 1):
        for profile in shacl.PROFILES:
            report = shacl.validate(page, SHARED, profile)
            assert report.violations == [], (number, profile, [f.line() for f in report.violations[:5]])


def test_a_broken_dataset_is_caught():
    """The check can fail: a distribution without licence and an unknown contributor."""
    from .factories import OsnabrueckDataset
    from ckanext.osnabrueck import rdf
    from ckan.tests.helpers import call_action

    dataset = OsnabrueckDataset(resources=[{"name": "r", "url": "https://x.org/a.csv", "format": "CSV"}])
    shown = call_action("package_show", id=dataset["id"])
    shown["contributor_id"] = "http://dcat-ap.de/def/contributors/gibtEsNicht"
    report = shacl.validate(rdf.dataset_graph(shown), SHARED, "v20_de_spec_implr")
    assert any("contributorID" in f.message or "contributorID" in f.path for f in report.violations)


def test_shacl_command_reports_per_dataset_in_german(cli):
    from .factories import OsnabrueckDataset

    OsnabrueckDataset(name="grundwasser")
    result = cli.invoke(ckan, ["osnabrueck", "shacl", "--dataset", "grundwasser"])
    assert result.exit_code == 0, result.output
    assert "grundwasser [DCAT-AP.de 2.0 – Spezifikation + Konventionen]: ok" in result.output
    assert "grundwasser [DCAT-AP 3.0.de – Deutsche Spezifikation]: ok" in result.output
