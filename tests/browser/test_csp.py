"""The Content-Security-Policy in a real browser (issue #16, F3/F11): the portal's own
scripts run under it, and only the core forms with inline handlers relax it.

Every page of a test goes through ``Tab``, which fails on any policy violation the browser
reports (a blocked script, handler or eval)."""
import pytest

from ckan.tests import factories

from .conftest import Tab
from .test_accessibility import PASSWORD, _login, portal_data  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_datastore")


def _csp(response) -> str:
    return response.headers.get("content-security-policy", "")


def test_steward_forms_run_their_scripts_under_the_policy(browser, portal_url, portal_data):
    admin = factories.Sysadmin(password=PASSWORD)
    tab = Tab(browser, viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = tab.page
    try:
        _login(page, portal_url, admin["name"])
        for path in ("/organization/edit/verkehr", "/group/new", f"/user/edit/{admin['name']}",
                     "/ckan-admin/config", "/dataset/edit/radzaehlung"):
            response = page.goto(portal_url + path)
            page.wait_for_load_state("networkidle")
            assert response.status == 200, path
            assert "'unsafe-inline'" not in _csp(response).split("script-src")[1].split(";")[0], path
            # CKAN's JavaScript ran: its modules (slug preview, image upload, ...) are initialised
            assert page.evaluate("() => Object.keys(window.ckan?.module?.instances || {}).length > 0"), path
        # The resource form's inline handlers need 'unsafe-inline': its "Link" button works.
        response = page.goto(f"{portal_url}/dataset/radzaehlung/resource/new")
        assert "'unsafe-inline'" in _csp(response)
        page.click("#resource-link-button")
        assert page.evaluate("() => document.getElementById('resource-url-link').checked")
    finally:
        tab.close()
