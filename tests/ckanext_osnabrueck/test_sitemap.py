"""/sitemap.xml lists the public pages with their English alternates, and never a private
dataset ("Datenraum"), a draft or a deleted dataset."""
import xml.etree.ElementTree as ET

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from .factories import OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
SITE = "http://test.ckan.net"


def _urls(app, path="/sitemap.xml") -> dict:
    response = app.get(path, status=200)
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.body)
    return {url.find("s:loc", NS).text: url for url in root.findall("s:url", NS)}


def test_public_pages_and_datasets_are_listed_with_english_alternates(app):
    org = factories.Organization(name="stadtplanung")
    factories.Group(name="umwelt")
    public = OsnabrueckDataset(owner_org=org["id"])
    urls = _urls(app)
    entry = urls[f"{SITE}/dataset/{public['name']}"]
    assert entry.find("s:lastmod", NS).text == public["metadata_modified"][:10]
    alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", NS)}
    assert alternates == {"de": f"{SITE}/dataset/{public['name']}", "en": f"{SITE}/en/dataset/{public['name']}"}
    for path in ("/", "/dataset/", "/daten-api", "/impressum", "/barrierefreiheit",
                 "/organization/stadtplanung", "/group/umwelt"):
        assert SITE + path in urls, path


def test_private_draft_and_deleted_datasets_never_appear(app):
    org = factories.Organization()
    public = OsnabrueckDataset(owner_org=org["id"])
    private = OsnabrueckDataset(owner_org=org["id"], private=True)
    draft = OsnabrueckDataset(owner_org=org["id"], state="draft")
    deleted = OsnabrueckDataset(owner_org=org["id"])
    call_action("package_delete", {"user": factories.Sysadmin()["name"]}, id=deleted["id"])
    listed = " ".join(_urls(app))
    assert public["name"] in listed
    for hidden in (private, draft, deleted):
        assert hidden["name"] not in listed and hidden["id"] not in listed


def test_the_english_sitemap_lists_the_same_default_language_pages(app):
    OsnabrueckDataset(owner_org=factories.Organization()["id"])
    assert sorted(_urls(app, "/en/sitemap.xml")) == sorted(_urls(app))
