"""SVG line charts drawn on the server (pure functions).

Used by the Daten-Fenster of IoT datasets and by the DataStore chart view: the chart
needs no JavaScript, and the templates pair it with a text alternative and a table.
"""
from __future__ import annotations

import datetime as dt


def chart(lines: list[dict], width: int = 640, height: int = 200) -> dict | None:
    """SVG polylines (pure): one line per series, on a shared time axis and value range."""
    points = [(time, value) for line in lines for time, value in line["points"]]
    if len(points) < 2:
        return None
    times = [_epoch(time) for time, _ in points]
    values = [value for _, value in points]
    t0, t1, v0, v1 = min(times), max(times), min(values), max(values)
    span_t, span_v = (t1 - t0) or 1, (v1 - v0) or 1
    pad = 10

    def xy(time, value):
        x = pad + (_epoch(time) - t0) / span_t * (width - 2 * pad)
        y = height - pad - (value - v0) / span_v * (height - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    return {"width": width, "height": height, "min": v0, "max": v1,
            "start": min(time for time, _ in points)[:16].replace("T", " "),
            "end": max(time for time, _ in points)[:16].replace("T", " "),
            "lines": [{"name": line["name"], "unit": line["unit"],
                       "points": " ".join(xy(t, v) for t, v in line["points"])} for line in lines]}


def _epoch(time: str) -> float:
    return dt.datetime.fromisoformat(time.split("/")[-1].replace("Z", "+00:00")).timestamp()
