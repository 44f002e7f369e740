"""The "Daten-Fenster" of a harvested IoT dataset: the latest observation of each
Datastream and a small chart of the last days, read live from the SensorThings API.

Reads are short (timeout, no retries) and cached in Redis for a few minutes, so a page
view never waits long and a popular page does not hammer the API. When the API is down
the page still renders and says so.
"""
from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

import requests

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from . import fetch
from .charts import chart

MAX_ROWS = 50
WINDOW_MAX_BYTES = 4 * 1024 * 1024  # 1000 observations are ~100 kB
CHART_STREAMS = 3


def _get(url: str) -> dict:
    timeout = float(tk.config.get("ckanext.osnabrueck.sensor_window_timeout") or 3)
    with fetch.session(max_bytes=WINDOW_MAX_BYTES, deadline=2 * timeout) as session:
        response = session.get(url, timeout=timeout, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


def latest(service_url: str, datastream_filter: str) -> tuple[list[dict], int]:
    """(rows of name, unit, time, result; total number of Datastreams)."""
    expand = "Observations($orderby=phenomenonTime desc;$top=1;$select=phenomenonTime,result)"
    url = (f"{service_url}/Datastreams?$filter={quote(datastream_filter)}&$select=id,name,unitOfMeasurement"
           f"&$expand={quote(expand, safe='()=;$,')}&$top={MAX_ROWS}&$orderby=name&$count=true")
    page = _get(url)
    rows = []
    for stream in page.get("value", []):
        observation = (stream.get("Observations") or [{}])[0]
        rows.append({"id": stream.get("@iot.id"), "name": stream.get("name"),
                     "unit": (stream.get("unitOfMeasurement") or {}).get("symbol") or "",
                     "time": observation.get("phenomenonTime"), "result": observation.get("result")})
    return rows, page.get("@iot.count", len(rows))


def series(service_url: str, datastream_id, since: dt.datetime) -> list[tuple[str, float]]:
    url = (f"{service_url}/Datastreams({datastream_id})/Observations?$select=phenomenonTime,result"
           f"&$orderby=phenomenonTime asc&$top=1000"
           f"&$filter={quote('phenomenonTime ge ' + since.strftime('%Y-%m-%dT%H:%M:%SZ'))}")
    return [(o["phenomenonTime"], o["result"]) for o in _get(url).get("value", [])
            if isinstance(o.get("result"), (int, float)) and not isinstance(o.get("result"), bool)]


def window(dataset: dict, now: dt.datetime | None = None) -> dict | None:
    """What the dataset page shows, or None for datasets without a SensorThings API."""
    service, flt = dataset.get("iot_service_url"), dataset.get("iot_datastream_filter")
    if not service or not flt:
        return None
    key = f"osnabrueck:sensor-window:{dataset['id']}:{dataset.get('metadata_modified')}"
    cached = _cache(lambda redis: redis.get(key))
    if cached:
        return json.loads(cached)
    result = _read(service, flt, now or dt.datetime.now(dt.timezone.utc))
    ttl = int(tk.config.get("ckanext.osnabrueck.sensor_window_cache") or 300)
    _cache(lambda redis: redis.set(key, json.dumps(result), ex=ttl if result.get("rows") else min(ttl, 60)))
    return result


def _read(service: str, flt: str, now: dt.datetime) -> dict:
    days = int(tk.config.get("ckanext.osnabrueck.sensor_window_days") or 3)
    try:
        rows, count = latest(service, flt)
        numeric = [row for row in rows if isinstance(row["result"], (int, float))][:CHART_STREAMS]
        lines = [{"name": row["name"], "unit": row["unit"],
                  "points": series(service, row["id"], now - dt.timedelta(days=days))} for row in numeric]
    except (requests.RequestException, ValueError):
        return {"error": True, "service": service}
    return {"rows": rows, "count": count, "chart": chart(lines), "days": days, "service": service}


def _cache(operation):
    """Run a Redis operation; without Redis the page is just read uncached."""
    try:
        return operation(connect_to_redis())
    except Exception:  # noqa: BLE001 - no cache is no reason to fail the page
        return None
