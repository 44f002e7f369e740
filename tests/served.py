"""The portal served by gunicorn on loopback, from an ini that extends test.ini: used by the
browser tests, the GovData harvest test and bench/pages.py."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def gunicorn_portal(port: int, directory: Path, settings: dict | None = None, seconds: int = 90,
                    base_ini: Path = REPO / "test.ini", workers: int = 2):
    """Serve ``base_ini`` (test.ini) plus ``settings`` (site URL: the port's, unless set) and yield
    its URL; the gunicorn log is ``directory/portal-<port>.log``."""
    url = f"http://127.0.0.1:{port}"
    ini, log_path = directory / f"portal-{port}.ini", directory / f"portal-{port}.log"
    settings = {"ckan.site_url": url, **(settings or {})}
    lines = [f"use = config:{base_ini}", *(f"{key} = {value}" for key, value in settings.items())]
    ini.write_text("[app:main]\n" + "\n".join(lines) + "\n")
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"),
                                   "--config", str(REPO / "config" / "gunicorn.conf.py"), "--chdir", str(REPO / "config"),
                                   "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
                                   "wsgi:application"],
                                  env={**os.environ, "CKAN_INI": str(ini)}, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(f"{url}/api/3/action/status_show", server, log_path, seconds)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_up(url: str, server: subprocess.Popen, log_path: Path, seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the portal at {url} did not start:\n" + log_path.read_text()[-2000:])
