"""Benchmark: harvesting a SensorThings API (the local test FROST-Server).

Loads N Things with 3 Datastreams each (default 2,000 Things, 6,000 Datastreams, one
observation each) into the *test* FROST-Server, then harvests them into the *test*
CKAN database twice, with every Thing its own dataset (the worst case for the portal):

  full        first harvest: every dataset created
  unchanged   second harvest, nothing changed on the server (target: <= 10 % of full)

and prints times, datasets per second and the peak memory (tracemalloc) of each run. The
reference is the stock path the harvester shares with every ckanext-harvest plugin:
package_create per dataset, whose time per dataset is printed as well.

Usage: .venv/bin/python bench/harvest_sta.py [--things 2000]
(run `make test` or scripts/services.sh start + start frost_test first; it resets the test
FROST database and the test CKAN database)
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
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


def timed(label: str, function, datasets: int | None = None):
    tracemalloc.start()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rate = f"  {datasets / seconds:6.1f} datasets/s" if datasets else ""
    print(f"{label:10} {seconds:8.1f} s{rate}  peak memory {peak:6.1f} MiB", flush=True)
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--things", type=int, default=2000)
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
    print(f"\nre-harvest without changes: {100 * again / full:.1f} % of the full harvest (target: <= 10 %)")
    print(f"full harvest: {1000 * full / args.things:.1f} ms per dataset (package_create with the "
          f"DCAT-AP.de schema, indexing and the mapping)")


if __name__ == "__main__":
    sys.exit(main())
