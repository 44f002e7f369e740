"""Benchmark: harvesting a SensorThings API (the local test FROST-Server).

Loads N Things with 3 Datastreams each (default 2,000 Things, 6,000 Datastreams, one
observation each) into the *test* FROST-Server, then harvests them into the *test*
CKAN database twice, with every Thing its own dataset (the worst case for the portal):

  full        first harvest: every dataset created
  unchanged   second harvest, nothing changed on the server (target: <= 10 % of full)

and prints times, datasets per second and the process's peak memory (maximum resident set
size) after each run. The stock reference, measured in the same run, is what any
ckanext-harvest plugin pays at least: a plain package_create of the same dataset dicts
(a sample of them, renamed); the harvest's cost per dataset is printed as a ratio to it.

Usage: .venv/bin/python bench/harvest_sta.py [--things 2000]
(run `make test` or scripts/services.sh start + start frost_test first; it resets the test
FROST database and the test CKAN database)
"""
from __future__ import annotations

import argparse
import sys
import resource
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "bench")]


def load_things(base: str, count: int) -> None:
    started = time.perf_counter()
    with requests.Session() as session:
        for i in range(count):
            session.post(f"{base}/Things", json=_thing(i), timeout=60).raise_for_status()
    print(f"loaded {count} Things ({3 * count} Datastreams) into FROST in {time.perf_counter() - started:.1f} s",
          flush=True)


def _thing(i: int) -> dict:
    lon, lat = 7.97 + (i % 100) * 0.0016, 52.23 + (i // 100) * 0.005
    streams = [{"name": f"Sensor {i} {prop}", "description": prop,
                "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                "unitOfMeasurement": {"name": "u", "symbol": "u", "definition": "u"},
                "ObservedProperty": {"name": prop, "definition": f"https://example.org/{prop}", "description": prop},
                "Sensor": {"name": "Bench-Sensor", "description": "b", "encodingType": "text/plain", "metadata": "b"},
                "Observations": [{"phenomenonTime": "2026-11-20T10:00:00Z", "result": i}]}
               for prop in ("Temperatur", "Feuchte", "Druck")]
    return {"name": f"Bench Thing {i:05d}", "description": "Benchmark", "properties": {"kind": "bench"},
            "Locations": [{"name": "p", "description": "p", "encodingType": "application/geo+json",
                           "location": {"type": "Point", "coordinates": [lon, lat]}}],
            "Datastreams": streams}


def timed(label: str, function, datasets: int):
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    # ru_maxrss is KiB on Linux; it is the peak of the whole process so far.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:10} {seconds:8.1f} s  {datasets / seconds:6.1f} datasets/s  "
          f"peak RSS so far {peak:6.0f} MiB", flush=True)
    return seconds, result


def stock_reference(sample: int) -> float:
    """Seconds per dataset for package_create of harvested dicts under new names."""
    import ckan.plugins.toolkit as tk
    from ckanext.osnabrueck.logic import site_context

    found = tk.get_action("package_search")(site_context(), {"fq": "dataset_type:dataset", "rows": sample})
    copies = [_copy(dataset) for dataset in found["results"]]
    seconds, _ = timed("stock", lambda: [tk.get_action("package_create")(site_context(), data)
                                         for data in copies], len(copies))
    return seconds / len(copies)


def _copy(dataset: dict) -> dict:
    drop = {"id", "revision_id", "metadata_created", "metadata_modified", "organization", "groups",
            "relationships_as_object", "relationships_as_subject", "num_resources", "num_tags",
            "creator_user_id", "harvest"}
    copy = {key: value for key, value in dataset.items() if key not in drop}
    # package_show lists some schema fields again as extras; keep only true extras.
    copy["extras"] = [extra for extra in dataset.get("extras", []) if extra["key"] not in dataset]
    copy["name"] = f"ref-{dataset['name']}"[:100]
    copy["resources"] = [{k: v for k, v in resource.items() if k not in ("id", "package_id")}
                         for resource in dataset["resources"]]
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--things", type=int, default=2000)
    parser.add_argument("--reference", type=int, default=200, help="datasets created the stock way")
    args = parser.parse_args()

    from conftest import empty_frost
    from catalog import _migrate, make_app

    base = empty_frost()
    load_things(base, args.things)
    flask_app = make_app()._wsgi_app
    with flask_app.test_request_context():
        from ckan import model
        from ckan.lib import search
        from ckan.tests import factories
        from ckanext.osnabrueck_harvesters import runner

        model.repo.rebuild_db()
        search.clear_all()
        _migrate()
        factories.Organization(name="swo-netz", title="SWO Netz GmbH")
        source = runner.ensure_source({"name": "bench", "title": "Bench", "url": base, "owner_org": "swo-netz",
                                       "source_type": "osnabrueck_sensorthings",
                                       "config": {"themes": ["ENVI"], "contact_email": "iot@swo-netz.de",
                                                  "owner_org": "swo-netz", "ungrouped": "thing"}})
        full, job = timed("full", lambda: runner.run_now(source["id"]), args.things)
        print(f"           job {job['status']}: {job['stats']}")
        again, job = timed("unchanged", lambda: runner.run_now(source["id"]), args.things)
        print(f"           job {job['status']}: {job['stats']}")
        stock = stock_reference(args.reference)
    per_dataset = full / args.things
    print(f"\nre-harvest without changes: {100 * again / full:.1f} % of the full harvest (target: <= 10 %)")
    print(f"full harvest: {1000 * per_dataset:.1f} ms per dataset; stock package_create of the same "
          f"dicts: {1000 * stock:.1f} ms; ratio {per_dataset / stock:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
