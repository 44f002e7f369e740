"""Browser tests: the portal served by gunicorn on loopback (test databases), driven by
Debian's Chromium through Playwright, checked with axe-core from npm.

Screenshots of the key pages go to test-artifacts/browser/.
"""
from __future__ import annotations

import os
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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    tab = context.new_page()
    tab.set_default_timeout(20000)
    yield tab
    context.close()


def axe_serious(tab) -> list[dict]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the current page."""
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
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
