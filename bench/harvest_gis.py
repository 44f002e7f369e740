"""Benchmark: harvesting GIS sources into the *test* CKAN database.

  csw       N ISO 19139 records (default 2,000) written into the test pycsw through CSW-T,
            harvested by osnabrueck_csw (full), then again with nothing changed
  arcgis    an ArcGIS REST services directory of M layers (default 300: 30 services of 10
            layers in 3 folders) replayed on loopback, harvested by osnabrueck_arcgis (full),
            then again unchanged

Target: each unchanged re-harvest <= 10 % of its full harvest. The stock reference, in the
same run, is a plain package_create of a sample of the harvested datasets (bench/harvest_sta.py).

Usage: .venv/bin/python bench/harvest_gis.py [--records 2000] [--layers 300]
(make test starts the services; it resets the test pycsw and the test CKAN database)
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "bench")]


def csw_records(count: int):
    from ckanext.osnabrueck.demo import geodata

    template = geodata.RECORDS[0]
    return [dataclasses.replace(template, identifier=f"bench-{i:05d}", title=f"Bench-Geodatensatz {i:05d}",
                                abstract=f"Geodatensatz {i} für den Benchmark.") for i in range(count)]


def arcgis_directory(layers: int, per_service: int = 10) -> dict:
    """Resource path → JSON of a synthetic services directory, in Esri's documented shapes."""
    from harvesters.arcgis.replay import recorded

    sample = recorded()
    service, layer = sample["/WFS/wfs_verkehr/MapServer"], sample["/WFS/wfs_verkehr/MapServer/0"]
    folders = [f"Ordner{f}" for f in range(3)]
    data = {"": {"currentVersion": 11.1, "folders": folders, "services": []}}
    services = (layers + per_service - 1) // per_service
    for s in range(services):
        folder, path = folders[s % 3], f"{folders[s % 3]}/dienst_{s:03d}"
        data.setdefault(f"/{folder}", {"folders": [], "services": []})["services"].append(
            {"name": path, "type": "MapServer"})
        ids = range(min(per_service, layers - s * per_service))
        data[f"/{path}/MapServer"] = {**service, "layers": [{"id": i, "name": f"Layer {s}-{i}", "type": "Feature Layer"}
                                                            for i in ids]}
        for i in ids:
            data[f"/{path}/MapServer/{i}"] = {**layer, "id": i, "name": f"Layer {s}-{i}"}
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--layers", type=int, default=300)
    parser.add_argument("--reference", type=int, default=200)
    args = parser.parse_args()

    from catalog import _migrate, make_app
    from conftest import CSW_URL
    from harvest_sta import stock_reference, timed
    from harvesters.arcgis.replay import replay
    from harvesters.scripted import Script, serve
    from ckanext.osnabrueck.demo import geodata

    geodata.delete_all(CSW_URL)
    inserted = geodata.insert(CSW_URL, csw_records(args.records))
    print(f"wrote {inserted} ISO records into the test pycsw", flush=True)
    flask_app = make_app()._wsgi_app
    results = {}
    with flask_app.test_request_context(), serve(Script()) as script:
        from ckan import model
        from ckan.lib import search
        from ckan.tests import factories
        from ckanext.osnabrueck_harvesters import runner

        model.repo.rebuild_db()
        search.clear_all()
        _migrate()
        factories.Organization(name="geodaten", title="Fachbereich Geodaten")
        common = {"owner_org": "geodaten", "license_id": "dl-by-de/2.0", "contact_email": "geodaten@osnabrueck.de",
                  "themes": ["REGI"]}
        sources = {
            "csw": ({"url": CSW_URL, "source_type": "osnabrueck_csw"}, args.records),
            "arcgis": ({"url": replay(script, arcgis_directory(args.layers)), "source_type": "osnabrueck_arcgis"},
                       args.layers),
        }
        for name, (spec, count) in sources.items():
            source = runner.ensure_source({"name": f"bench-{name}", "title": name, "owner_org": "geodaten",
                                           "config": common, **spec})
            full, job = timed(f"{name} full", lambda: runner.run_now(source["id"]), count)
            print(f"           job {job['status']}: {job['stats']}")
            again, job = timed(f"{name} again", lambda: runner.run_now(source["id"]), count)
            print(f"           job {job['status']}: {job['stats']}")
            results[name] = (full, again, count)
        stock = stock_reference(args.reference)
    print()
    for name, (full, again, count) in results.items():
        print(f"{name:7} re-harvest without changes: {100 * again / full:5.1f} % of the full harvest (target <= 10 %); "
              f"full {1000 * full / count:.0f} ms per dataset = {full / count / stock:.2f}x stock package_create "
              f"({1000 * stock:.0f} ms)")


if __name__ == "__main__":
    sys.exit(main())
