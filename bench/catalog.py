"""Benchmark: crawling the DCAT catalogue, the portal (dcatap_de + cache) vs stock ckanext-dcat.

Generates N datasets in the portal's full schema (default 10,000) in the *test* database
and Solr core (tests reset both, so run `make test` before relying on them again), then
crawls every page of /catalog.ttl and /catalog.rdf, 100 datasets per page, with:

  stock        ckanext-dcat's euro_dcat_ap_3 profile, uncached (the reference)
  portal-cold  dcatap_de with the per-dataset cache, cache empty: pages are built in one
               graph as ckanext-dcat does, and their datasets queued for warming
  portal-warm  dcatap_de with the per-dataset cache, after the background worker has run
               those jobs (its time is printed separately; in the portal every save warms
               its dataset, so crawls normally find the cache warm)

and prints the total time, p50/p95 per page and the ratio to stock. Pages are requested
through CKAN's WSGI app in-process, so the figures exclude HTTP but include everything
CKAN does for a request. Nothing is asserted; targets: whole crawl >= 5x faster than
stock, p95 <= 300 ms per 100-dataset page.

Usage: .venv/bin/python bench/catalog.py [--datasets 10000] [--formats ttl,rdf]
(the local services must run: `make run` or scripts/services.sh start)
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VARIANTS = {
    "stock": {"ckanext.dcat.rdf.profiles": "euro_dcat_ap_3", "ckanext.osnabrueck.rdf_cache": "false"},
    "portal-cold": {"ckanext.dcat.rdf.profiles": "dcatap_de", "ckanext.osnabrueck.rdf_cache": "true"},
    "portal-warm": {"ckanext.dcat.rdf.profiles": "dcatap_de", "ckanext.osnabrueck.rdf_cache": "true"},
}


def make_app():
    from ckan.cli import load_config
    from ckan.config.middleware import make_app as ckan_app

    config = load_config(str(REPO / "test.ini"))
    config["ckanext.dcat.datasets_per_page"] = "100"
    config["ckan.site_url"] = "http://bench.local"
    return ckan_app(config)


def dataset_specs(count: int):
    """Demo datasets, cycled, each a different name and title; resources as links."""
    from ckanext.osnabrueck.demo import loader

    specs, orgs = loader.read_yaml("datasets.yaml"), {o["name"]: o for o in loader.read_yaml("organizations.yaml")}
    for index in range(count):
        spec = specs[index % len(specs)]
        data = loader.dataset_dict(spec, orgs[spec["org"]], "http://dcat-ap.de/def/contributors/SWONetzGmbH")
        data.update(name=f"bench-{index:05d}", title=f"{spec['title']} ({index})")
        data["resources"] = [{**loader.resource_dict(res, orgs[spec["org"]]),
                              "url": f"https://daten.osnabrueck.de/bench/{index}/{res.get('file', 'link')}"}
                             for res in spec["resources"]]
        yield data


def ensure_datasets(count: int) -> None:
    import ckan.plugins.toolkit as tk
    from ckan.lib import search
    from ckanext.osnabrueck.demo import loader

    from ckanext.osnabrueck.logic import site_context

    context = site_context()
    search_result = tk.get_action("package_search")(context, {"q": "*:*", "rows": 1, "sort": "name desc"})
    last = search_result["results"][0]["name"] if search_result["results"] else ""
    if search_result["count"] == count and last == f"bench-{count - 1:05d}":
        print(f"{count} benchmark datasets already there")
        return
    from ckan import model
    model.repo.rebuild_db()
    search.clear_all()
    _migrate()
    loader.load_organizations()
    loader.load_groups()
    started = time.perf_counter()
    # Index without a Solr commit per dataset (each reopens a searcher); one commit at the end.
    tk.config["ckan.search.solr_commit"] = False
    for number, data in enumerate(dataset_specs(count), 1):
        tk.get_action("package_create")(dict(context), data)
        if number % 1000 == 0:
            print(f"  {number} datasets created ({time.perf_counter() - started:.0f} s)", flush=True)
    tk.config["ckan.search.solr_commit"] = True
    search.commit()
    print(f"{count} datasets created and indexed in {time.perf_counter() - started:.0f} s")


def _migrate():
    from ckan.cli.db import _run_migrations
    import ckan.plugins as plugins

    for name in ("activity", "harvest", "osnabrueck", "tracking"):
        if plugins.plugin_loaded(name):
            _run_migrations(name)


def crawl(client, fmt: str) -> list[float]:
    times, page = [], 1
    while True:
        started = time.perf_counter()
        response = client.get(f"/catalog.{fmt}?page={page}")
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"/catalog.{fmt}?page={page} answered {response.status_code}")
        if b"hydra:next" not in response.data and b"hydra#next" not in response.data \
                and b"nextPage" not in response.data:
            return times
        page += 1


def drain_jobs(flask_app) -> None:
    """Run the queued cache-warming jobs, as the portal's background worker would."""
    from ckan.lib import jobs

    started = time.perf_counter()
    with flask_app.test_request_context():
        jobs.Worker(["default"]).work(burst=True)
    print(f"     background worker warmed the cache in {time.perf_counter() - started:.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--formats", default="ttl,rdf")
    args = parser.parse_args()

    app = make_app()
    flask_app = app._wsgi_app
    import ckan.plugins.toolkit as tk
    from ckan.lib.redis import connect_to_redis

    with flask_app.test_request_context():
        ensure_datasets(args.datasets)
    redis = connect_to_redis()
    for key in redis.scan_iter("osnabrueck:rdf:*"):
        redis.delete(key)
    from ckan.lib import jobs
    jobs.get_queue("default").empty()  # warm jobs queued while the datasets were created

    client = flask_app.test_client()
    results = {}
    for fmt in args.formats.split(","):
        for variant, settings in VARIANTS.items():
            tk.config.update(settings)
            if variant == "portal-warm":
                drain_jobs(flask_app)
            times = crawl(client, fmt)
            results[(fmt, variant)] = times
            print(f"{fmt:4} {variant:12} pages {len(times):4}  total {sum(times):8.2f} s  "
                  f"p50 {statistics.median(times) * 1000:7.1f} ms  "
                  f"p95 {statistics.quantiles(times, n=20)[18] * 1000 if len(times) > 1 else times[0] * 1000:7.1f} ms",
                  flush=True)
    print()
    for fmt in args.formats.split(","):
        stock = sum(results[(fmt, "stock")])
        for variant in ("portal-cold", "portal-warm"):
            ratio = stock / sum(results[(fmt, variant)])
            print(f"{fmt:4} {variant:12} {ratio:5.1f}x faster than stock ckanext-dcat (target: 5x)")


if __name__ == "__main__":
    sys.exit(main())
