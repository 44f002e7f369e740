"""Browser tests: the portal served by gunicorn on loopback (test databases), driven by
Debian's Chromium through Playwright, checked with axe-core from npm.

Screenshots of the key pages go to test-artifacts/browser/.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from served import gunicorn_portal

REPO = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("OSN_BROWSER_TEST_PORT", "5098"))
CHROMIUM = os.environ.get("OSN_CHROMIUM", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts" / "browser"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def portal_url():
    """The portal on its own port, reading the test databases (test.ini), site URL set to it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with gunicorn_portal(PORT, ARTIFACTS.parent, {"ckanext.dcat.base_uri": f"http://127.0.0.1:{PORT}"}) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert AXE.exists(), "axe-core is missing: scripts/setup.sh installs it with npm ci"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


class Tab:
    """A browser context with axe-core loaded into every page, and the Content-Security-
    Policy violations its pages report (a script of the portal that the policy blocks)."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(**options)
        # An init script comes through the DevTools protocol, so the pages' policy stays in
        # force (a script tag added to the page would need 'unsafe-inline').
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.page.set_default_timeout(20000)
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def close(self) -> None:
        self.context.close()
        assert not self.csp_violations, "\n".join(self.csp_violations)


@pytest.fixture
def page(browser):
    tab = Tab(browser, viewport={"width": 1280, "height": 900}, locale="de-DE")
    yield tab.page
    tab.close()


def axe_serious(tab) -> list[dict]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the current page (axe is
    loaded into every page by the context's init script)."""
    # Top document only, as before axe came through the init script: the previews' frames
    # are audited under issue #18.
    result = tab.evaluate("tags => axe.run(document, {iframes: false, runOnly: {type: 'tag', values: tags}})",
                          WCAG_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def screenshot(tab, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def report(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in violations)


# --- journeys through the demo portal ----------------------------------------------------

DEMO_PORT = int(os.environ.get("OSN_DEMO_TEST_PORT", "5097"))
DEMO_INI = REPO / ".run" / "ckan.ini"


class Journey(Tab):
    """A Tab that also fails on every console error and on every same-origin sub-request
    that fails or answers 4xx/5xx (frames included): what a person would meet as a broken
    page, whatever the page's own status."""

    def __init__(self, browser, origin: str, **options):
        super().__init__(browser, **options)
        self.origin = origin
        self.problems: list[str] = []
        self.page.on("console", self._error)
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._failed)
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        # An alert() of a page script (DataTables warns with one) is a broken page too.
        self.problems.append(f"dialog on {self.page.url}: {dialog.message[:300]}")
        dialog.dismiss()

    def _error(self, message) -> None:
        # The page's own status (an error page's 404) is the page's content, not a failure.
        document = "Failed to load resource" in message.text and message.location.get("url") == self.page.url
        if message.type == "error" and not document:
            self.problems.append(f"console error on {self.page.url}: {message.text[:300]}")

    def _response(self, response) -> None:
        if response.url.startswith(self.origin) and response.status >= 400 and \
                response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url[:200]} on {self.page.url}")

    def _failed(self, request) -> None:
        if request.url.startswith(self.origin):
            self.problems.append(f"failed: {request.url[:200]} ({request.failure}) on {self.page.url}")

    def visit(self, path: str, settle_ms: int = 1500):
        self.page.goto(self.origin + path)
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(settle_ms)
        return self.page

    def close(self) -> None:
        problems, self.problems = self.problems, []
        super().close()
        assert not problems, "\n".join(problems)


def _demo_loaded() -> bool:
    """The demo's datasets are in the local databases (make run has loaded them)."""
    if not DEMO_INI.exists():
        return False
    done = subprocess.run([str(REPO / ".venv" / "bin" / "ckan"), "-c", str(DEMO_INI), "osnabrueck", "demo-status"],
                          capture_output=True, text=True, timeout=300)
    return done.returncode == 0


def _portal_up() -> bool:
    import requests

    port = os.environ.get("OSN_CKAN_PORT", "5000")
    try:
        return requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=5).ok
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def demo_url():
    """The demo content (make run), served on its own port without base map tiles (the
    tests are offline) and with page views counted. When the demo is missing, make run's
    script loads it first; the portal processes it starts are stopped after the journeys,
    so that they do not compete with the rest of the suite."""
    started = False
    if not _demo_loaded():
        subprocess.run(["bash", str(REPO / "scripts" / "run.sh")], check=True, timeout=2400)
        started = True
    elif not _portal_up():
        # The demo's uploads are linked at make run's address (the search index keeps their
        # URLs), so the previews fetch them from that portal.
        subprocess.run(["bash", str(REPO / "scripts" / "portal.sh"), "start"], check=True, timeout=300)
        started = True
    subprocess.run([str(REPO / ".venv" / "bin" / "ckan"), "-c", str(DEMO_INI), "osnabrueck", "demo-status", "--wait", "600"],
                   check=True, timeout=900)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        with gunicorn_portal(DEMO_PORT, ARTIFACTS.parent, {"ckanext.osnabrueck.map_tiles": "",
                                                           "ckanext.dcat.base_uri": f"http://127.0.0.1:{DEMO_PORT}"},
                             base_ini=DEMO_INI) as url:
            yield url
    finally:
        if started:
            subprocess.run(["bash", str(REPO / "scripts" / "portal.sh"), "stop"], check=False, timeout=120)


@pytest.fixture
def journey(browser, demo_url):
    tab = Journey(browser, demo_url, viewport={"width": 1280, "height": 900}, locale="de-DE")
    yield tab
    tab.close()
