"""Benchmark: the portal under load and under faults (issue #8), on its own isolated stack.

Runs a complete stack of its own (scripts/run.sh with OSN_RUN_DIR=.run/load and ports
5442/6389/8993/5010/8095-8099, see STACK_ENV), so the demo portal and the tests on the
default ports are never touched. Then, with N closed-loop clients on loopback (default 50,
no think time) sending a weighted mix of package_search (facets, queries), package_show,
dataset pages, search pages, home, DCAT catalogue pages and dataset .ttl/.rdf, downloads of
uploaded files and datastore_search:

  load      the mix for --seconds (default 300) while the stack's own gather/fetch consumers
            process harvest jobs of the demo's harvest sources (created through the API;
            the IoT source gets --harvest-things new Things first, so there is real work)
  faults    the mix for --fault-seconds each, a fault injected after --fault-at seconds:
              solr      kill -9 Solr, --outage s later `services.sh start solr`
              fetch     kill -9 the harvest fetch consumer in the middle of a job with
                        --fault-things new Things, then `portal.sh start`; the job must finish
              postgres  `services.sh stop postgres`, --outage s later `start postgres`
            reporting the status codes per kind, responses with a Python traceback, requests
            beyond --timeout, and the time to recover: from the end of the fault (the restart
            command returned) to the end of the first probe round (one request of every kind)
            that was fully good
  stock     the same mix, --stock-seconds, against the portal and then against stock CKAN
            (the same database and ini, our plugins and scheming dropped as in
            bench/pages.py, stock ckanext-dcat profile), both without a harvest; ratios

Every dataset (package_show as sysadmin, private ones included, ids from the database) is
snapshotted before and after each phase: "datasets lost" are those active before that are
gone or no longer active after; "changed" those whose package_show differs, ignoring
tracking_summary (page views), the DataStore loader's flags and metadata_modified (the jobs
worker finishes loading tables in the background) and, for harvested datasets the concurrent
harvest re-imported (their harvest_object_id changed), everything but id, name, type, state,
private and owner.
Datasets missing from the search index are counted too.

An error is any 5xx, any other unexpected status, a connection error or a timeout. Targets:
zero errors under load; under faults no tracebacks, no hangs, quick recovery and zero
datasets lost. Prints a table, writes test-artifacts/bench/load.json.

Usage: .venv/bin/python bench/load.py [--clients 50] [--seconds 300] [--datasets 1000]
       [--faults solr,fetch,postgres] [--stop]     (--help for all options)
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "bench")]
STACK_ENV = {"OSN_RUN_DIR": str(REPO / ".run" / "load"), "OSN_PG_PORT": "5442", "OSN_REDIS_PORT": "6389",
             "OSN_SOLR_PORT": "8993", "OSN_CKAN_PORT": "5010", "OSN_FROST_PORT": "8095",
             "OSN_FROST_TEST_PORT": "8096", "OSN_MAPSERVER_PORT": "8097", "OSN_PYCSW_PORT": "8098",
             "OSN_PYCSW_TEST_PORT": "8099"}
RUN = Path(STACK_ENV["OSN_RUN_DIR"])
INI = RUN / "ckan.ini"
PORT = int(STACK_ENV["OSN_CKAN_PORT"])
STOCK_PORT = 5011
BASE = f"http://127.0.0.1:{PORT}"
FROST = f"http://127.0.0.1:{STACK_ENV['OSN_FROST_PORT']}/FROST-Server/v1.1"
TRACEBACK = b"Traceback (most recent call last)"
WORDS = ["Verkehr", "Parkplatz", "Bäume", "Wahl", "Grundwasser", "Energie", "Schulen", "Luft", "Radweg",
         "Bevölkerung", "Sensor", "Baustellen"]
# Differences that are no loss: page-view counters (ckanext-tracking), and what the jobs
# worker's DataStore loader writes when it finishes a table (it may still be loading the
# tables of datasets harvested minutes before): the flags and the modification times.
IGNORED_KEYS = {"tracking_summary", "datastore_active", "datastore_contains_all_records_of_source_file",
                "metadata_modified"}
IDENTITY = ("id", "name", "type", "state", "private", "owner_org")


# --- the isolated stack -------------------------------------------------------------------

def sh(*command: str, log: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run a repo script with the isolated stack's environment."""
    out = open(log, "a") if log else subprocess.PIPE
    try:
        result = subprocess.run(command, cwd=REPO, env={**os.environ, **STACK_ENV}, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
    finally:
        if log:
            out.close()
    if check and result.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {(result.stdout or '')[-2000:]}"
                         + (f" see {log}" if log else ""))
    return result


def pid_of(name: str) -> int | None:
    try:
        pid = int((RUN / "pids" / f"{name}.pid").read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def stack_running() -> bool:
    return (sh("bash", "scripts/services.sh", "status", check=False).returncode == 0
            and sh("bash", "scripts/portal.sh", "status", check=False).returncode == 0
            and all(pid_of(name) for name in ("frost", "mapserver", "pycsw")))


def ensure_stack() -> None:
    if stack_running():
        print(f"isolated stack already running on {BASE}", flush=True)
        return
    print(f"starting the isolated stack (scripts/run.sh, log {RUN / 'log' / 'bench-run.log'})", flush=True)
    (RUN / "log").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    sh("bash", "scripts/run.sh", log=RUN / "log" / "bench-run.log")
    print(f"  up in {time.monotonic() - started:.0f} s", flush=True)


def portal_processes() -> dict[str, bool]:
    return {name: pid_of(name) is not None for name in ("web", "worker", "gather", "fetch", "schedule")}


def psql(query: str) -> list[str]:
    pg_bin = os.environ.get("OSN_PG_BIN", "/usr/lib/postgresql/15/bin")
    result = subprocess.run([f"{pg_bin}/psql", "-h", str(RUN / "postgres"), "-p", STACK_ENV["OSN_PG_PORT"],
                             "-U", "postgres", "-d", "ckan_default", "-Atc", query],
                            capture_output=True, text=True, check=True)
    return [line for line in result.stdout.splitlines() if line]


# --- the API, as sysadmin ---------------------------------------------------------------------

class Api:
    def __init__(self, token: str, base: str = BASE):
        self.base, self.session = base, requests.Session()
        self.session.headers["Authorization"] = token

    def __call__(self, action: str, timeout: float = 60, **data):
        response = self.session.post(f"{self.base}/api/3/action/{action}", json=data, timeout=timeout)
        body = response.json()
        if not body.get("success"):
            raise RuntimeError(f"{action}: {response.status_code} {body.get('error')}")
        return body["result"]


def admin_token() -> str:
    output = sh(str(REPO / ".venv" / "bin" / "ckan"), "-c", str(INI), "user", "token", "add", "admin",
                "bench-load").stdout
    return output.strip().splitlines()[-1].strip()


# --- catalogue size -----------------------------------------------------------------------------

def topup(count: int) -> None:
    """Fill up to ``count`` active datasets with bench/catalog.py's generator (a child process,
    so that this one stays a light HTTP client)."""
    active = int(psql("SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active'")[0])
    if active >= count:
        print(f"{active} datasets in the catalogue (>= {count})", flush=True)
        return
    print(f"{active} datasets in the catalogue; creating {count - active} more", flush=True)
    subprocess.run([sys.executable, __file__, "--_topup", str(count - active)], check=True,
                   env={**os.environ, **STACK_ENV})


def _topup_child(missing: int) -> None:
    import catalog
    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.lib import jobs, search
    import ckan.plugins.toolkit as tk
    from ckanext.osnabrueck import rdf_cache
    from ckanext.osnabrueck.logic import site_context

    app = make_app(load_config(str(INI)))
    with app._wsgi_app.test_request_context():
        # The generated resources are links that lead nowhere: nothing for the DataStore loader;
        # one Solr commit at the end instead of one per dataset.
        tk.config["ckanext.xloader.formats"] = ""
        tk.config["ckan.search.solr_commit"] = False
        existing = {name for (name,) in model.Session.query(model.Package.name)
                    .filter(model.Package.name.like("bench-%"))}
        created, started = [], time.perf_counter()
        for data in catalog.dataset_specs(len(existing) + missing):
            if data["name"] in existing:
                continue
            created.append(tk.get_action("package_create")(site_context(), data)["id"])
            if len(created) % 200 == 0:
                print(f"  {len(created)} created ({time.perf_counter() - started:.0f} s)", flush=True)
        search.commit()
        # URL checks of links that lead nowhere would only keep the worker busy during the
        # benchmark; the catalogue's RDF cache is filled here instead of by queued jobs.
        jobs.get_queue("default").empty()
        rdf_cache.warm(created)
    print(f"  {len(created)} datasets created, indexed and cached in {time.perf_counter() - started:.0f} s")


def add_things(count: int) -> int:
    """Add ``count`` new Things to the stack's FROST (bench/harvest_sta.py's), each one dataset of
    the IoT source (it keeps ungrouped Things as datasets of their own)."""
    import harvest_sta

    found = requests.get(f"{FROST}/Things", params={"$filter": "startswith(name,'Bench Thing')", "$count": "true",
                                                    "$top": "0"}, timeout=30).json()
    first = found["@iot.count"]
    with requests.Session() as session:
        for index in range(first, first + count):
            session.post(f"{FROST}/Things", json=harvest_sta._thing(index), timeout=60).raise_for_status()
    return count


# --- the request mix ------------------------------------------------------------------------------

class Mix:
    """Request kind -> (weight, function of a Random giving the next path); built from the portal."""

    def __init__(self):
        names, uploads, tables = [], [], []
        with requests.Session() as session:
            start = 0
            while True:
                page = session.get(f"{BASE}/api/3/action/package_search",
                                   params={"q": "*:*", "rows": 1000, "start": start}, timeout=120).json()["result"]
                for dataset in page["results"]:
                    names.append(dataset["name"])
                    for resource in dataset["resources"]:
                        if resource.get("url_type") == "upload":
                            uploads.append(urlsplit(resource["url"]).path)
                        if resource.get("datastore_active"):
                            tables.append(resource["id"])
                start += 1000
                if start >= page["count"]:
                    break
            orgs = session.get(f"{BASE}/api/3/action/organization_list", timeout=60).json()["result"]
        if not (names and uploads and tables):
            raise SystemExit(f"the portal has too little to load: {len(names)} datasets, {len(uploads)} uploads, "
                             f"{len(tables)} DataStore tables")
        self.datasets, self.uploads, self.tables = len(names), len(uploads), len(tables)
        from pages import FACETS
        catalog_pages = max(1, -(-len(names) // 100))
        word = lambda rng: quote(rng.choice(WORDS))  # noqa: E731

        def package_search(rng):
            fq = rng.choice(["", "&fq=res_format:CSV", f"&fq=organization:{rng.choice(orgs)}"])
            return f"/api/3/action/package_search?q={word(rng)}&facet.field={quote(FACETS)}&rows=20{fq}"

        def search_page(rng):
            extra = rng.choice(["", "&res_format=CSV", f"&organization={rng.choice(orgs)}", "&page=2"])
            return f"/dataset/?q={word(rng)}{extra}"

        self.kinds = {
            "package_search": (14, package_search),
            "package_show": (12, lambda rng: f"/api/3/action/package_show?id={rng.choice(names)}"),
            "dataset page": (12, lambda rng: f"/dataset/{rng.choice(names)}"),
            "search page": (10, search_page),
            "home": (5, lambda rng: "/"),
            "catalog page": (6, lambda rng: f"/catalog.{rng.choice(['ttl', 'rdf'])}?page={rng.randint(1, catalog_pages)}"),
            "dataset rdf": (9, lambda rng: f"/dataset/{rng.choice(names)}.{rng.choice(['ttl', 'rdf'])}"),
            "download": (10, lambda rng: rng.choice(uploads)),
            "datastore_search": (12, lambda rng: f"/api/3/action/datastore_search?resource_id={rng.choice(tables)}"
                                                 f"&limit={rng.choice([10, 100])}"
                                                 + rng.choice(["", f"&q={word(rng)}"])),
        }
        self.names, self.weights = list(self.kinds), [weight for weight, _ in self.kinds.values()]

    def next(self, rng: random.Random) -> tuple[str, str]:
        kind = rng.choices(self.names, self.weights)[0]
        return kind, self.kinds[kind][1](rng)


def fetch(port: int, path: str, timeout: float) -> tuple[int | str, float, bool]:
    """(status or "timeout"/"connection", seconds, body has a Python traceback). One connection per
    request: gunicorn's sync workers close it after each response anyway."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    traceback = False
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        status, traceback = response.status, TRACEBACK in body
    except (TimeoutError, socket.timeout):
        status = "timeout"
    except (OSError, http.client.HTTPException):
        status = "connection"
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    if seconds > timeout:  # a slow trickle of bytes is a hang too
        status = "timeout"
    return status, seconds, traceback


def is_error(status) -> bool:
    return status != 200


class Load:
    """Closed-loop clients sending the mix until stopped; samples are (start, end, kind, status,
    seconds, traceback) with times relative to the phase's start."""

    def __init__(self, mix: Mix, port: int, clients: int, timeout: float, seed: int = 1):
        self.mix, self.port, self.clients, self.timeout, self.seed = mix, port, clients, timeout, seed
        self.samples: list[tuple] = []
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.until = 0.0  # load time to stop at; ``during`` may move it

    def _client(self, number: int) -> None:
        rng = random.Random(self.seed * 1000 + number)
        while not self.stop.is_set():
            kind, path = self.mix.next(rng)
            started = time.monotonic() - self.t0
            status, seconds, traceback = fetch(self.port, path, self.timeout)
            self.samples.append((started, started + seconds, kind, status, seconds, traceback, path))

    def run(self, seconds: float, during=None) -> float:
        """Load for ``seconds`` (``during(load)`` runs meanwhile in this thread); returns the
        elapsed time."""
        self.t0 = time.monotonic()
        threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(self.clients)]
        for thread in threads:
            thread.start()
        self.until = seconds
        if during:
            during(self)
        while self.now() < self.until:
            time.sleep(0.2)
        self.stop.set()
        for thread in threads:
            thread.join(self.timeout + 5)
        return time.monotonic() - self.t0

    def now(self) -> float:
        return time.monotonic() - self.t0


class Prober(threading.Thread):
    """Rounds of one request of every kind, sent together, every 2 s: a round is good
    when every request answered 200 without a traceback."""

    def __init__(self, load: Load):
        super().__init__(daemon=True)
        self.load, self.rounds, self.stop = load, [], threading.Event()
        self.rng = random.Random(99)

    def run(self):
        with ThreadPoolExecutor(len(self.load.mix.names)) as pool:
            while not self.stop.is_set():
                started = self.load.now()
                paths = [(kind, self.load.mix.kinds[kind][1](self.rng)) for kind in self.load.mix.names]
                results = list(pool.map(lambda kp: (kp[0], fetch(self.load.port, kp[1], self.load.timeout)), paths))
                good = all(status == 200 and not traceback for _, (status, _, traceback) in results)
                self.rounds.append((started, self.load.now(), good, {kind: r[0] for kind, r in results}))
                self.stop.wait(max(0.0, 2.0 - (self.load.now() - started)))


# --- the concurrent harvest ---------------------------------------------------------------------

class Harvest(threading.Thread):
    """Keeps a harvest job running for each source (a new one when its last has finished) and
    calls harvest_jobs_run every 15 s, as the scheduler does every 15 minutes (it marks jobs
    finished and resubmits stale queue messages). The stack's consumers do the work."""

    def __init__(self, api: Api, sources: list[dict]):
        super().__init__(daemon=True)
        self.api, self.sources = api, {s["id"]: s for s in sources}
        self.paused: set[str] = set()
        self.jobs: list[str] = []
        self.api_errors = 0
        self.stop = threading.Event()

    def busy(self, source_id: str) -> bool:
        return any(self.api("harvest_job_list", source_id=source_id, status=status) for status in ("New", "Running"))

    def run(self):
        last_run = 0.0
        while not self.stop.is_set():
            try:
                for source_id in self.sources:
                    if source_id not in self.paused and not self.busy(source_id):
                        self.jobs.append(self.api("harvest_job_create", source_id=source_id)["id"])
                if time.monotonic() - last_run > 15:
                    self.api("harvest_jobs_run")
                    last_run = time.monotonic()
            except Exception:  # noqa: BLE001 - the API is down during faults; try again
                self.api_errors += 1
            self.stop.wait(5)

    def report(self) -> dict:
        """Status and totals of the jobs this driver created."""
        statuses, totals = collections.Counter(), collections.Counter()
        for job_id in self.jobs:
            try:
                job = self.api("harvest_job_show", id=job_id)
            except Exception:  # noqa: BLE001
                statuses["unknown"] += 1
                continue
            statuses[job["status"]] += 1
            totals.update({key: value for key, value in (job.get("stats") or {}).items() if isinstance(value, int)})
        return {"jobs": len(self.jobs), "status": dict(statuses), "objects": dict(totals),
                "driver_api_errors": self.api_errors}


def wait_harvest_idle(api: Api, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            api("harvest_jobs_run")
            if not any(api("harvest_job_list", status=status) for status in ("New", "Running")):
                return True
        except Exception:  # noqa: BLE001
            pass
        time.sleep(5)
    return False


# --- snapshots ------------------------------------------------------------------------------------

def snapshot(api: Api) -> dict:
    """package_show of every non-deleted dataset in the database, and the ids in the search index."""
    ids = psql("SELECT id FROM package WHERE type = 'dataset' AND state <> 'deleted'")
    local = threading.local()

    def show(dataset_id):
        if not hasattr(local, "api"):
            local.api = Api(api.session.headers["Authorization"])
        for attempt in range(3):
            try:
                return dataset_id, local.api("package_show", id=dataset_id)
            except Exception as error:  # noqa: BLE001
                if attempt == 2:
                    return dataset_id, {"_error": str(error)[:200]}
                time.sleep(1)

    with ThreadPoolExecutor(4) as pool:
        shown = dict(pool.map(show, ids))
    indexed, start = set(), 0
    while True:
        page = api("package_search", q="*:*", fl="id", rows=1000, start=start, include_private=True,
                   include_drafts=True)
        indexed.update(hit["id"] for hit in page["results"])
        start += 1000
        if start >= page["count"]:
            break
    return {"datasets": shown, "indexed": indexed}


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in IGNORED_KEYS}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _harvest_object(dataset: dict) -> str | None:
    return next((e["value"] for e in dataset.get("extras", []) if e["key"] == "harvest_object_id"), None)


def compare(before: dict, after: dict) -> dict:
    lost, changed, reimported, fields = [], [], 0, collections.Counter()
    for dataset_id, old in before["datasets"].items():
        if "_error" in old or old.get("state") != "active":
            continue
        new = after["datasets"].get(dataset_id)
        if not new or "_error" in new or new.get("state") != "active":
            lost.append(old["name"])
            continue
        if _harvest_object(old) != _harvest_object(new):
            reimported += 1
            old, new = {k: old.get(k) for k in IDENTITY}, {k: new.get(k) for k in IDENTITY}
        old, new = _clean(old), _clean(new)
        if old != new:
            changed.append(old["name"])
            fields.update(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    active = {i for i, d in after["datasets"].items() if d.get("state") == "active" and not d.get("_error")}
    return {"lost": len(lost), "lost_names": lost[:20], "changed": len(changed), "changed_names": changed[:20],
            "changed_fields": dict(fields), "reimported_by_harvest": reimported,
            "new": len(set(after["datasets"]) - set(before["datasets"])),
            "unreadable_after": sum("_error" in d for d in after["datasets"].values()),
            "not_in_index": len(active - after["indexed"]), "datasets_after": len(active)}


# --- figures --------------------------------------------------------------------------------------

def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def figures(samples: list[tuple], seconds: float) -> dict:
    def one(rows):
        times = [row[4] for row in rows]
        return {"requests": len(rows), "req_per_s": round(len(rows) / seconds, 2),
                "errors": sum(is_error(row[3]) for row in rows),
                "tracebacks": sum(row[5] for row in rows),
                "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
                "p95_ms": round(percentile(times, 95) * 1000, 1) if times else None,
                "p99_ms": round(percentile(times, 99) * 1000, 1) if times else None,
                "status": dict(collections.Counter(str(row[3]) for row in rows))}

    kinds = sorted({row[2] for row in samples})
    return {"seconds": round(seconds, 1), "overall": one(samples),
            "kinds": {kind: one([row for row in samples if row[2] == kind]) for kind in kinds}}


def print_figures(title: str, result: dict) -> None:
    print(f"\n{title}  ({result['seconds']:.0f} s)")
    print(f"  {'kind':17} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}  statuses")
    for kind, row in [*result["kinds"].items(), ("overall", result["overall"])]:
        print(f"  {kind:17} {row['requests']:8} {row['req_per_s']:7.1f} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
              f"{row['p99_ms']:8.1f} {row['errors']:6}  {row['status']}")
    sys.stdout.flush()


def print_compare(title: str, result: dict) -> None:
    print(f"  {title}: datasets lost: {result['lost']}, changed: {result['changed']} "
          f"(re-imported by the harvest: {result['reimported_by_harvest']}, new: {result['new']}, "
          f"not in the search index: {result['not_in_index']}, unreadable: {result['unreadable_after']})"
          + (f"; lost {result['lost_names']}" if result["lost"] else "")
          + (f"; changed fields {result['changed_fields']}" if result["changed"] else ""), flush=True)


# --- phases ---------------------------------------------------------------------------------------

def fault_report(load: Load, prober: Prober, injected: float, ended: float) -> dict:
    """What the portal answered from the fault's start until the first good round after its end."""
    recovered = next((end for start, end, good, _ in prober.rounds if start >= ended and good), None)
    until = recovered if recovered is not None else load.now()
    during = [row for row in load.samples if row[0] >= injected and row[0] <= until]
    per_kind = collections.defaultdict(collections.Counter)
    for row in during:
        per_kind[row[2]][str(row[3])] += 1
    errors = [row for row in load.samples if is_error(row[3]) or row[5]]
    return {"injected_at_s": round(injected, 1), "fault_ended_at_s": round(ended, 1),
            "fault_seconds": round(ended - injected, 1),
            "recovered_s_after_fault_end": round(recovered - ended, 1) if recovered is not None else None,
            "status_during_fault": {kind: dict(counter) for kind, counter in sorted(per_kind.items())},
            "errors": len(errors), "tracebacks": sum(row[5] for row in load.samples),
            "timeouts": sum(row[3] == "timeout" for row in load.samples),
            # requests that ended before the fault or started after the recovery
            "errors_outside_fault": sum(1 for row in errors if row[1] < injected or row[0] > until),
            "first_error_s": round(min(row[0] for row in errors), 1) if errors else None,
            "last_error_s": round(max(row[1] for row in errors), 1) if errors else None,
            "traceback_paths": sorted({row[6] for row in load.samples if row[5]})[:5],
            "bad_probe_rounds": sum(not good for _, _, good, _ in prober.rounds)}


def print_fault(name: str, report: dict) -> None:
    recovered = report["recovered_s_after_fault_end"]
    print(f"\nfault {name}: injected at {report['injected_at_s']} s, lasted {report['fault_seconds']} s, "
          f"recovered {'%.1f s after its end' % recovered if recovered is not None else 'NOT within the phase'}; "
          f"errors {report['errors']} ({report['errors_outside_fault']} outside the fault), "
          f"tracebacks {report['tracebacks']}, timeouts {report['timeouts']}")
    for kind, counter in report["status_during_fault"].items():
        print(f"    {kind:17} {counter}")
    for key in ("processes_after", "harvest_job"):
        if key in report:
            print(f"    {key}: {report[key]}")
    sys.stdout.flush()


def run_fault(name: str, mix: Mix, args, inject) -> tuple[dict, dict]:
    """Load for --fault-seconds; ``inject(load)`` runs after --fault-at s and returns (start,
    end) of the fault in load time, and extra report entries."""
    load = Load(mix, PORT, args.clients, args.timeout, seed=len(name))
    prober = Prober(load)
    box = {}

    def during(load):
        prober.start()
        time.sleep(args.fault_at)
        box["start"], box["end"], box["extra"] = inject(load)
        # At least the phase's remaining time under load after the fault, however long it took.
        load.until = max(args.fault_seconds, box["end"] + args.fault_seconds - args.fault_at - args.outage)

    seconds = load.run(args.fault_seconds, during=during)
    # Keep probing until a good round after the fault (bounded), so recovery is always measured.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(s >= box["end"] and good for s, _, good, _ in prober.rounds):
        time.sleep(0.5)
    prober.stop.set()
    prober.join(args.timeout + 5)
    report = {**fault_report(load, prober, box["start"], box["end"]), **box["extra"]}
    return figures(load.samples, seconds), report


def kill_solr(args):
    def inject(load):
        start = load.now()
        os.kill(pid_of("solr"), signal.SIGKILL)
        time.sleep(args.outage)
        sh("bash", "scripts/services.sh", "start", "solr")
        return start, load.now(), {"processes_after": portal_processes()}
    return inject


def restart_postgres(args):
    def inject(load):
        start = load.now()
        sh("bash", "scripts/services.sh", "stop", "postgres")
        time.sleep(args.outage)
        sh("bash", "scripts/services.sh", "start", "postgres")
        end = load.now()
        time.sleep(5)  # processes that die of the outage do so at their next database access
        return start, end, {"processes_after": portal_processes()}
    return inject


def kill_fetch(args, api: Api, harvest: Harvest, iot: dict):
    def inject(load):
        harvest.paused.add(iot["id"])
        deadline = time.monotonic() + 120
        while harvest.busy(iot["id"]) and time.monotonic() < deadline:
            time.sleep(1)
        things = add_things(args.fault_things)
        job = api("harvest_job_create", source_id=iot["id"])
        # Progress from the database: the job's stats count objects before they are imported.
        done, deadline = 0, time.monotonic() + 180
        while time.monotonic() < deadline:
            done = int(psql(f"SELECT count(*) FROM harvest_object WHERE harvest_job_id = '{job['id']}' "
                            "AND state IN ('COMPLETE', 'ERROR')")[0])
            if done >= max(3, things // 4):
                break
            time.sleep(0.2)
        start = load.now()
        pid = pid_of("fetch")
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        dead = wait_dead(pid, 10)
        sh("bash", "scripts/portal.sh", "start")
        harvest.paused.discard(iot["id"])
        return start, load.now(), {"harvest_job": {"id": job["id"], "things_added": things,
                                                   "objects_done_at_kill": done, "consumer_dead_after_kill": dead,
                                                   "killed_at": killed_at},
                                   "processes_after": portal_processes()}
    return inject


def wait_dead(pid: int, seconds: float) -> bool:
    """Whether the process is gone (a zombie counts as gone) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z":
                return True
        except (OSError, IndexError):
            return True
        time.sleep(0.1)
    return False


def finish_fetch_job(api: Api, report: dict, seconds: float) -> None:
    """Wait for the job of the fetch fault to finish (ckanext-harvest resubmits a fetch message
    that was in progress for 180 s; harvest_jobs_run does that and marks jobs finished)."""
    job_report = report["harvest_job"]
    deadline = job_report["killed_at"] + seconds
    job = {}
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            api("harvest_jobs_run")
            job = api("harvest_job_show", id=job_report["id"])
            if job["status"] == "Finished":
                break
        time.sleep(10)
    job_report.update(status=job.get("status"), stats=job.get("stats"),
                      finished_s_after_kill=round(time.monotonic() - job_report.pop("killed_at"), 1)
                      if job.get("status") == "Finished" else None,
                      gather_errors=len(job.get("gather_error_summary") or []),
                      object_errors=job.get("object_error_summary"))


def stock_settings() -> dict:
    """The stock variant, as bench/pages.py and bench/catalog.py build it: our plugins and
    scheming dropped, stock ckanext-dcat profile."""
    from configparser import RawConfigParser

    from pages import STOCK_DROPS

    parser = RawConfigParser(strict=False)
    parser.read(INI)
    plugins = parser.get("app:main", "ckan.plugins").split()
    return {"ckan.plugins": " ".join(p for p in plugins if p not in STOCK_DROPS),
            "ckan.views.default_views": "image_view datatables_view",
            "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3"}


# --- main -----------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300, help="length of the load phase")
    parser.add_argument("--datasets", type=int, default=1000, help="top the catalogue up to this many (0: no)")
    parser.add_argument("--timeout", type=float, default=30, help="a request slower than this is a hang")
    parser.add_argument("--faults", default="solr,fetch,postgres")
    parser.add_argument("--fault-seconds", type=float, default=75)
    parser.add_argument("--fault-at", type=float, default=20)
    parser.add_argument("--outage", type=float, default=10, help="seconds Solr/PostgreSQL stay down")
    parser.add_argument("--harvest-things", type=int, default=100, help="new Things for the load phase's harvest")
    parser.add_argument("--fault-things", type=int, default=150, help="new Things for the fetch fault's job")
    parser.add_argument("--harvest-wait", type=float, default=420, help="max seconds for the fetch fault's job")
    parser.add_argument("--stock-seconds", type=float, default=60, help="0: no stock comparison")
    parser.add_argument("--stop", action="store_true", help="stop the isolated stack at the end")
    parser.add_argument("--output", default=str(REPO / "test-artifacts" / "bench" / "load.json"))
    parser.add_argument("--_topup", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._topup:
        return _topup_child(args._topup)

    started = time.monotonic()
    ensure_stack()
    if args.datasets:
        topup(args.datasets)
    api = Api(admin_token())
    sources = api("harvest_source_list")
    iot = next(s for s in sources if s["type"] == "osnabrueck_sensorthings")
    mix = Mix()
    print(f"\n{mix.datasets} public datasets, {mix.uploads} uploaded files, {mix.tables} DataStore tables; "
          f"{len(sources)} harvest sources; {args.clients} clients, timeout {args.timeout:.0f} s", flush=True)
    result = {"clients": args.clients, "timeout_s": args.timeout, "public_datasets": mix.datasets,
              "weights": {kind: weight for kind, (weight, _) in mix.kinds.items()}, "faults": {}}

    wait_harvest_idle(api, 120)
    snap = snapshot(api)
    print(f"snapshot: {len(snap['datasets'])} datasets", flush=True)

    # LOAD with a concurrent harvest.
    added = add_things(args.harvest_things)
    harvest = Harvest(api, sources)
    harvest.start()
    load = Load(mix, PORT, args.clients, args.timeout)
    seconds = load.run(args.seconds)
    result["load"] = figures(load.samples, seconds)
    result["load"]["tracebacks_paths"] = sorted({row[6] for row in load.samples if row[5]})[:5]
    print_figures(f"LOAD: {args.clients} clients, harvest running ({added} new Things on the IoT source)",
                  result["load"])
    harvest.stop.set()
    harvest.join()
    idle = wait_harvest_idle(api, 300)
    result["load"]["harvest"] = {**harvest.report(), "idle_after": idle}
    print(f"  harvest during the load: {result['load']['harvest']}", flush=True)
    after = snapshot(api)
    result["load"]["datasets"] = compare(snap, after)
    print_compare("load", result["load"]["datasets"])
    snap = after

    for name in [f for f in args.faults.split(",") if f]:
        harvest = Harvest(api, sources)
        harvest.start()
        inject = {"solr": lambda: kill_solr(args), "postgres": lambda: restart_postgres(args),
                  "fetch": lambda: kill_fetch(args, api, harvest, iot)}[name]()
        load_figures, report = run_fault(name, mix, args, inject)
        harvest.stop.set()
        harvest.join()
        if name == "fetch":
            finish_fetch_job(api, report, args.harvest_wait)
        if not all(portal_processes().values()):
            report["restarted_after_phase"] = [p for p, up in portal_processes().items() if not up]
            sh("bash", "scripts/portal.sh", "start")
        report["harvest"] = {**harvest.report(), "idle_after": wait_harvest_idle(api, 300)}
        after = snapshot(api)
        report["datasets"] = compare(snap, after)
        snap = after
        result["faults"][name] = {"load": load_figures, **report}
        print_fault(name, report)
        print_figures(f"  load during fault {name}", load_figures)
        print_compare(f"fault {name}", report["datasets"])

    if args.stock_seconds:
        with tempfile.TemporaryDirectory() as tmp:
            from served import gunicorn_portal

            portal = Load(mix, PORT, args.clients, args.timeout, seed=5)
            result["compare_portal"] = figures(portal.samples, portal.run(args.stock_seconds))
            print_figures("COMPARE: portal, no harvest", result["compare_portal"])
            with gunicorn_portal(STOCK_PORT, Path(tmp), stock_settings(), seconds=180, base_ini=INI,
                                 workers=int(os.environ.get("OSN_WEB_WORKERS", 3))):
                fetch(STOCK_PORT, "/", 60)  # first request builds the templates' caches
                stock = Load(mix, STOCK_PORT, args.clients, args.timeout, seed=5)
                result["compare_stock"] = figures(stock.samples, stock.run(args.stock_seconds))
            print_figures("COMPARE: stock CKAN, no harvest", result["compare_stock"])
        ratios = {}
        print("\nportal/stock (same mix, clients and database):")
        rows = lambda r: {**r["kinds"], "overall": r["overall"]}  # noqa: E731
        mine, theirs = rows(result["compare_portal"]), rows(result["compare_stock"])
        for kind in mine:
            a, b = mine[kind], theirs.get(kind)
            if not b or not b["requests"] or not a["requests"]:
                continue
            ratios[kind] = {"throughput": round(a["req_per_s"] / b["req_per_s"], 2),
                            "p50": round(a["p50_ms"] / b["p50_ms"], 2), "p95": round(a["p95_ms"] / b["p95_ms"], 2),
                            "p99": round(a["p99_ms"] / b["p99_ms"], 2)}
            print(f"  {kind:17} throughput {ratios[kind]['throughput']:5.2f}x  p50 {ratios[kind]['p50']:5.2f}x  "
                  f"p95 {ratios[kind]['p95']:5.2f}x  p99 {ratios[kind]['p99']:5.2f}x")
        result["ratios_portal_to_stock"] = ratios

    print_summary(result)
    result["wall_seconds"] = round(time.monotonic() - started)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(f"\nwritten {output} ({result['wall_seconds']} s in all)")
    if args.stop:
        sh("bash", "scripts/portal.sh", "stop")
        sh("bash", "scripts/services.sh", "stop")


def print_summary(result: dict) -> None:
    load = result["load"]["overall"]
    print("\n=== SUMMARY ===")
    print(f"load     {load['req_per_s']:6.1f} req/s  p50 {load['p50_ms']:7.1f} ms  p95 {load['p95_ms']:7.1f} ms  "
          f"p99 {load['p99_ms']:7.1f} ms  errors {load['errors']} (target 0)  "
          f"datasets lost: {result['load']['datasets']['lost']}, changed: {result['load']['datasets']['changed']}")
    for name, fault in result["faults"].items():
        recovered = fault["recovered_s_after_fault_end"]
        print(f"{name:8} errors {fault['errors']:5}  tracebacks {fault['tracebacks']}  timeouts {fault['timeouts']}  "
              f"recovered {'%5.1f s' % recovered if recovered is not None else '   never'} after the fault  "
              f"datasets lost: {fault['datasets']['lost']}, changed: {fault['datasets']['changed']}"
              + (f"  harvest job {fault['harvest_job'].get('status')}" if "harvest_job" in fault else ""))
    if "ratios_portal_to_stock" in result:
        overall = result["ratios_portal_to_stock"].get("overall", {})
        print(f"stock    portal/stock throughput {overall.get('throughput')}x, p50 {overall.get('p50')}x, "
              f"p95 {overall.get('p95')}x")


if __name__ == "__main__":
    sys.exit(main())
