"""Browser tests: the portal served by gunicorn on loopback (test databases), driven by
Debian's Chromium through Playwright, checked with axe-core from npm.

Screenshots of the key pages go to test-artifacts/browser/.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("OSN_BROWSER_TEST_PORT", "5098"))
CHROMIUM = os.environ.get("OSN_CHROMIUM", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts" / "browser"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory):
    """The portal on its own port, reading the test databases (test.ini), site URL set to it."""
    url = f"http://127.0.0.1:{PORT}"
    ini = tmp_path_factory.mktemp("browser") / "browser.ini"
    ini.write_text(f"[app:main]\nuse = config:{REPO / 'test.ini'}\nckan.site_url = {url}\n"
                   f"ckanext.dcat.base_uri = {url}\n")
    log = open(REPO / "test-artifacts" / "browser-portal.log", "w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(REPO / "config"),
                               "--bind", f"127.0.0.1:{PORT}", "--workers", "2", "--timeout", "60", "wsgi:application"],
                              env={**os.environ, "CKAN_INI": str(ini)}, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"{url}/api/3/action/status_show", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen, seconds: int = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the browser-test portal exited; see test-artifacts/browser-portal.log")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the browser-test portal did not answer at {url}")


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
