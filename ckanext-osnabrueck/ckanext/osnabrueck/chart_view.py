"""The chart view of DataStore tables: the "Daten-Fenster" of time series.

A table qualifies when it has a time column (typed timestamp/date, or text holding ISO
dates, months or years) and at least one numeric column. Wide tables chart up to three
numeric columns; long tables with a category column (e.g. one row per counting point
and hour) chart the first numeric column per category. The chart is SVG drawn on the
server (charts.chart) with the values as a table beside it, so it needs no JavaScript.
"""
from __future__ import annotations

import re
from collections import Counter

import ckan.plugins.toolkit as tk

from .charts import chart
from .views import N_

# Default view titles stored in English (views created outside a request) are translated
# when shown (resource_views_list_item.html); these marks put them into the catalogue.
VIEW_TITLES = (N_("Chart"), N_("Table"), N_("Map viewer"), N_("Image"))

MAX_ROWS = 1000
MAX_SERIES = 3
MAX_CATEGORIES = 8
NUMERIC_TYPES = {"numeric", "int", "int2", "int4", "int8", "float4", "float8"}
TIME_TYPES = {"timestamp", "timestamptz", "date"}
ISO_TIME = re.compile(r"^\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?$")
YEAR_NAMES = {"jahr", "year", "berichtsjahr"}


def _number(value) -> float | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        return None


def iso_time(value, name: str = "") -> str | None:
    """An ISO timestamp for a time value (pure): "2025-03" -> "2025-03-01", year 2020 -> "2020-01-01"."""
    text = str(value).strip() if value not in (None, "") else ""
    if name.lower() in YEAR_NAMES and re.fullmatch(r"\d{4}(\.0+)?", text):
        return f"{text[:4]}-01-01"
    if not ISO_TIME.match(text):
        return None
    return f"{text}-01" if len(text) == 7 else text.replace(" ", "T")


IDENTIFIER = re.compile(r"(^|[/_@.\s])(id|nr|nummer|kennung|schluessel|schlüssel|code)$", re.IGNORECASE)


def columns(fields: list[dict], records: list[dict]) -> dict | None:
    """Which columns to chart (pure): {"time", "values", "category"}, or None.

    The x axis is the time column. In a long table (a time occurs in several rows) the
    column that tells those rows apart (depth, station, sensor) splits the series, even
    when it holds numbers (or identifies a sensor). Identifiers and constant columns are
    never plotted."""
    names = [f["id"] for f in fields if not f["id"].startswith("_")]
    types = {f["id"]: f.get("type", "text") for f in fields}

    def present(name):
        return [r.get(name) for r in records if r.get(name) not in (None, "")]

    def all_values(name, test):
        values = present(name)
        return bool(values) and all(test(v) for v in values)

    time = next((n for n in names if types[n] in TIME_TYPES
                 or all_values(n, lambda v, n=n: iso_time(v, n) is not None)), None)
    if not time:
        return None
    others = [n for n in names if n != time and len(set(map(str, present(n)))) > 1]
    category = _category(others, records, time)
    numeric = [n for n in others if n != category and not IDENTIFIER.search(n)
               and (types[n] in NUMERIC_TYPES or all_values(n, lambda v: _number(v) is not None))]
    if not numeric:
        return None
    return {"time": time, "values": numeric[:1] if category else numeric[:MAX_SERIES], "category": category}


def _category(candidates: list[str], records: list[dict], time: str) -> str | None:
    """The column with few values that makes (time, value) unique in a long table."""
    times = [r.get(time) for r in records]
    if len(set(times)) == len(times):
        return None
    for name in candidates:
        values = {str(r.get(name)) for r in records}
        repeats = 2 * len(values) <= len(records)
        if repeats and 1 < len(values) <= MAX_CATEGORIES and \
                len({(r.get(time), str(r.get(name))) for r in records}) > len(set(times)):
            return name
    return None


def series(records: list[dict], cols: dict) -> list[dict]:
    """The chart's lines (pure): per numeric column, or per category of a long table."""
    time, category = cols["time"], cols["category"]

    def points(rows, name):
        pairs = ((iso_time(r.get(time), time), _number(r.get(name))) for r in rows)
        return sorted((t, v) for t, v in pairs if t and v is not None)

    if category:
        name = cols["values"][0]
        top = [value for value, _ in Counter(r.get(category) for r in records).most_common(MAX_SERIES)]
        return [{"name": f"{name} ({category} {value})", "unit": "",
                 "points": points([r for r in records if r.get(category) == value], name)} for value in top]
    return [{"name": name, "unit": "", "points": points(records, name)} for name in cols["values"]]


def _search(resource_id: str, limit: int, sort: str | None = None) -> dict:
    params = {"resource_id": resource_id, "limit": limit, "include_total": True}
    if sort:
        params["sort"] = sort
    return tk.get_action("datastore_search")({"ignore_auth": True}, params)


def _table_columns(resource_id: str) -> dict | None:
    """columns() of the table's first 100 rows; None without a table or a chartable one."""
    try:
        sample = _search(resource_id, 100)
    except (tk.ObjectNotFound, tk.ValidationError):
        return None
    return columns(sample["fields"], sample["records"])


def table_chart(resource_id: str) -> dict | None:
    """The newest MAX_ROWS rows of the table, charted; None when nothing qualifies."""
    cols = _table_columns(resource_id)
    if not cols:
        return None
    try:
        result = _search(resource_id, MAX_ROWS, f'"{cols["time"]}" desc')
    except (tk.ObjectNotFound, tk.ValidationError):
        return None
    lines = series(result["records"], cols)
    drawn = chart(lines)
    if not drawn:
        return None
    return {**drawn, "time": cols["time"], "rows": len(result["records"]), "total": result.get("total"),
            "table": lines}


def can_view(resource: dict) -> bool:
    return bool(resource.get("datastore_active")) and _table_columns(resource["id"]) is not None
