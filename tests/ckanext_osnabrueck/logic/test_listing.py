"""Harvest sources are packages of type "harvest" to CKAN: lists and counts of datasets
leave them out, the harvest pages still find them."""
import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.osnabrueck_harvesters import runner

from ..factories import OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def org_with_source():
    org = factories.Organization(name="geodaten")
    OsnabrueckDataset(name="stadtteile", owner_org=org["id"])
    runner.ensure_source({"name": "gis", "title": "GIS", "url": "http://127.0.0.1:9/ows", "source_type": "osnabrueck_ogc",
                          "owner_org": "geodaten", "config": {"owner_org": "geodaten"}})
    return org


def test_package_list_and_search_list_datasets_not_harvest_sources(org_with_source):
    assert call_action("package_list") == ["stadtteile"]
    assert [d["name"] for d in call_action("package_search")["results"]] == ["stadtteile"]
    assert call_action("package_search", fq="+dataset_type:harvest")["count"] == 1  # the harvest pages


def test_organisation_and_theme_counts_are_datasets(org_with_source):
    orgs = call_action("organization_list", all_fields=True)
    assert [(o["name"], o["package_count"]) for o in orgs] == [("geodaten", 1)]
    assert call_action("organization_show", id="geodaten")["package_count"] == 1
