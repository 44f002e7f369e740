"""WCAG 2.1 AA checks (axe-core) of the key pages, keyboard-only use and a phone screen."""
import pytest

from ckan.tests import factories, helpers
from ckanext.osnabrueck.demo import loader

from ckanext_osnabrueck.factories import EU, OsnabrueckDataset
from .conftest import Tab, axe_serious, report, screenshot

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_datastore")
PASSWORD = "Sehr-geheim-2026"


@pytest.fixture
def portal_data():
    """An organisation with an editor, a dataset on transport with a table (DataStore,
    table and chart views) and a second dataset."""
    loader.load_groups()
    admin = factories.Sysadmin()
    editor = factories.User(name="redaktion", password=PASSWORD)
    org = factories.Organization(name="verkehr", title="Fachbereich Verkehr",
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = OsnabrueckDataset(name="radzaehlung", title="Radverkehrszählung", owner_org=org["id"],
                                theme=[f"{EU}/data-theme/TRAN"], tag_string="Rad,Verkehr",
                                resources=[{"name": "Zählwerte (CSV)", "url": "https://example.org/rad.csv",
                                            "format": "CSV"}])
    OsnabrueckDataset(name="baeume", title="Straßenbäume", owner_org=org["id"])
    resource = dataset["resources"][0]
    as_admin = {"user": admin["name"]}
    helpers.call_action("datastore_create", as_admin, resource_id=resource["id"], force=True,
                        fields=[{"id": "tag", "type": "date"}, {"id": "rad", "type": "int"}],
                        records=[{"tag": f"2026-10-{d:02d}", "rad": 800 + d * 7} for d in range(1, 29)])
    for view_type, title in (("datatables_view", "Tabelle"), ("osnabrueck_chart", "Diagramm")):
        helpers.call_action("resource_view_create", as_admin, resource_id=resource["id"], view_type=view_type,
                            title=title)
    return {"dataset": dataset, "resource": resource, "org": org, "editor": editor}


def _login(page, portal_url, name):
    page.goto(f"{portal_url}/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    with page.expect_navigation():
        page.press("#field-password", "Enter")
    assert "/user/login" not in page.url, "login failed"


PAGES = {
    "home": "/",
    "search": "/dataset/?q=Rad",
    "dataset": "/dataset/radzaehlung",
    "resource": "/dataset/radzaehlung/resource/{resource}",
    "organization": "/organization/verkehr",
    "api-help": "/daten-api",
    "login": "/user/login",
    "home-en": "/en/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(page, portal_url, portal_data, name):
    page.goto(portal_url + PAGES[name].format(resource=portal_data["resource"]["id"]))
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert page.title()
    assert not (found := axe_serious(page)), report(found)


def test_stewards_edit_form_has_no_serious_accessibility_violations(page, portal_url, portal_data):
    _login(page, portal_url, "redaktion")
    page.goto(f"{portal_url}/dataset/edit/radzaehlung")
    page.wait_for_load_state("networkidle")
    screenshot(page, "edit-form")
    assert page.locator("form#dataset-edit").count() == 1, page.url
    screenshot(page, "edit-form")
    assert not (found := axe_serious(page)), report(found)


def _tab_to(page, predicate: str, limit: int = 80) -> dict:
    """Press Tab until the focused element satisfies the JS predicate (on document.activeElement)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate("() => { const el = document.activeElement; return (" + predicate + ") ? "
                              "{tag: el.tagName, href: el.getAttribute('href'), text: el.innerText} : null; }")
        if found:
            return found
    raise AssertionError(f"no focusable element matching {predicate} within {limit} tabs")


def test_keyboard_only_from_home_through_search_to_a_download(page, portal_url, portal_data):
    page.goto(portal_url + "/")
    skip = _tab_to(page, "el.getAttribute('href') === '#content'", 3)
    assert skip["tag"] == "A"
    _tab_to(page, "el.id === 'osn-home-q'")
    page.keyboard.type("Radverkehrszählung")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/dataset" in page.url and "q=Radverkehrsz" in page.url
    _tab_to(page, "el.getAttribute('href') === '/dataset/radzaehlung'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/dataset/radzaehlung")
    download = _tab_to(page, "el.classList.contains('resource-url-analytics')")
    assert download["href"] == "https://example.org/rad.csv" and "Herunterladen" in download["text"]
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused download button shows no focus outline"


def test_phone_screen_has_no_horizontal_scrolling_and_a_menu(browser, portal_url, portal_data):
    tab = Tab(browser, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = tab.page
    try:
        for name, path in (("home-mobile", "/"), ("dataset-mobile", "/dataset/radzaehlung")):
            page.goto(portal_url + path)
            page.wait_for_load_state("networkidle")
            screenshot(page, name)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
            assert not (found := axe_serious(page)), report(found)
        toggler = page.locator("button.navbar-toggler")
        assert toggler.is_visible()
        toggler.click()
        page.locator("#main-navigation-toggle a[href='/daten-api']").wait_for(state="visible")
    finally:
        tab.close()
