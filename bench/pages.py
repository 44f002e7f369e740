"""Benchmark: page speed of the Osnabrück theme vs stock CKAN's theme, on 10,000 datasets.

Both variants are served by gunicorn (2 workers each) from the same *test* database and
Solr core, filled by bench/catalog.py's generator (tests reset both; run `make test`
before relying on them again):

  portal   the portal's plugins and templates (test.ini)
  stock    stock CKAN 2.12 templates and dataset type: the same plugins minus osnabrueck,
           its chart view and scheming (the datasets show as CKAN's free extras)

Requests are sent one at a time over HTTP on loopback, the two variants interleaved, so
that both see the same machine state. For each page the script prints p50 and p95 and the
ratio portal/stock. Nothing is asserted; target: p50 and p95 at most 1.2x stock.

Usage: .venv/bin/python bench/pages.py [--datasets 10000] [--requests 100]
(the local services must run: `make run` or scripts/services.sh start)
"""
from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "bench")]
from served import gunicorn_portal  # noqa: E402 - tests/ is on the path only now
PORTS = {"portal": 5096, "stock": 5097}
STOCK_DROPS = {"osnabrueck", "osnabrueck_chart", "scheming_datasets", "osnabrueck_sensorthings", "osnabrueck_ogc",
               "osnabrueck_csw", "osnabrueck_arcgis"}
FACETS = '["groups","organization","res_format","license_id","tags"]'


def pages(count: int) -> dict[str, callable]:
    """Page kind -> a function giving the next path to request."""
    rng = random.Random(7)
    words = ["Verkehr", "Park", "Bäume", "Wahl", "Grundwasser", "Energie", "Schulen", "Luft"]
    return {
        "home": lambda: "/",
        "search+facets": lambda: f"/dataset/?q={rng.choice(words)}&sort=score+desc%2C+metadata_modified+desc",
        "dataset page": lambda: f"/dataset/bench-{rng.randrange(count):05d}",
        "package_search": lambda: f"/api/3/action/package_search?q={rng.choice(words)}&facet.field={FACETS}&rows=20",
    }


def settings(variant: str) -> dict:
    """The stock variant drops the portal's own plugins and scheming from test.ini's list."""
    if variant == "portal":
        return {}
    from configparser import RawConfigParser

    parser = RawConfigParser(strict=False)
    parser.read(REPO / "test.ini")
    plugins = parser.get("app:main", "ckan.plugins").split()
    return {"ckan.plugins": " ".join(p for p in plugins if p not in STOCK_DROPS),
            "ckan.views.default_views": "image_view datatables_view"}


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def measure(count: int, per_page: int) -> dict[tuple[str, str], list[float]]:
    times: dict[tuple[str, str], list[float]] = {}
    sessions = {variant: requests.Session() for variant in PORTS}
    for kind, next_path in pages(count).items():
        for round_ in range(per_page + 5):
            path = next_path()
            for variant, port in PORTS.items():
                started = time.perf_counter()
                response = sessions[variant].get(f"http://127.0.0.1:{port}{path}", timeout=60)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{variant} {path} answered {response.status_code}")
                if round_ >= 5:  # the first rounds warm caches and workers
                    times.setdefault((kind, variant), []).append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=100, help="requests per page kind and variant")
    args = parser.parse_args()

    import catalog

    app = catalog.make_app()
    import ckan.plugins.toolkit as tk

    # The generated resources are links that lead nowhere: nothing for the DataStore loader.
    tk.config["ckanext.xloader.formats"] = ""
    with app._wsgi_app.test_request_context():
        catalog.ensure_datasets(args.datasets)

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as servers:
        for variant, port in PORTS.items():
            servers.enter_context(gunicorn_portal(port, Path(tmp), settings(variant), seconds=120))
        times = measure(args.datasets, args.requests)

    print(f"\n{args.datasets} datasets, {args.requests} requests per page and variant, one at a time\n")
    print(f"{'page':16} {'variant':8} {'p50 ms':>8} {'p95 ms':>8}")
    for kind in pages(args.datasets):
        for variant in PORTS:
            values = times[(kind, variant)]
            print(f"{kind:16} {variant:8} {statistics.median(values) * 1000:8.1f} {percentile(values, 95) * 1000:8.1f}")
    print()
    for kind in pages(args.datasets):
        portal, stock = times[(kind, "portal")], times[(kind, "stock")]
        print(f"{kind:16} portal/stock  p50 {statistics.median(portal) / statistics.median(stock):4.2f}x  "
              f"p95 {percentile(portal, 95) / percentile(stock, 95):4.2f}x   (target: <= 1.2x)")


if __name__ == "__main__":
    sys.exit(main())
