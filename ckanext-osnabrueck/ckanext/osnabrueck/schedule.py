"""The portal's periodic tasks, run by one long-lived ``ckan osnabrueck schedule`` process.

* harvest: ``harvest_jobs_run`` finishes harvest jobs whose objects are done and starts
  the jobs of sources that are due by their frequency;
* tracking: summarises the raw page views (ckanext-tracking) and re-indexes the datasets
  whose view counts changed, so that "most viewed" can sort by them;
* tables: submits table loads again that were cut off (tables.retry_cut_off).

A failing task is logged and tried again at its next turn; it never stops the others.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import ckan.plugins.toolkit as tk

from . import tables

log = logging.getLogger(__name__)


@dataclass
class Task:
    name: str
    minutes: float
    run: Callable[[], object]
    last: float | None = field(default=None)

    def due(self, now: float) -> bool:
        return self.last is None or now - self.last >= self.minutes * 60


def harvest() -> None:
    from .logic import site_context

    tk.get_action("harvest_jobs_run")(site_context(), {})


def tracking() -> None:
    """ckanext-tracking's update, started at the first raw view when nothing was summarised yet
    (its own default walks every day since 2011)."""
    from ckan import model
    from ckanext.tracking.cli.tracking import update_all
    from ckanext.tracking.model import TrackingRaw, TrackingSummary

    summarised = model.Session.query(TrackingSummary.tracking_date).first()
    if summarised:
        update_all()
        return
    first = model.Session.query(model.Session.query(TrackingRaw.access_timestamp)
                                .order_by(TrackingRaw.access_timestamp).limit(1).subquery()).scalar()
    if first:
        update_all((first - dt.timedelta(days=1)).strftime("%Y-%m-%d"))


def tasks() -> list[Task]:
    return [Task("harvest", tk.config.get("ckanext.osnabrueck.schedule.harvest_minutes"), harvest),
            Task("tracking", tk.config.get("ckanext.osnabrueck.schedule.tracking_minutes"), tracking),
            Task("tables", tk.config.get("ckanext.osnabrueck.schedule.tables_minutes"), tables.retry_cut_off)]


def tick(pending: list[Task], now: float, context: Callable) -> list[str]:
    """Run the due tasks, each in its own request context; returns the names of those that failed."""
    failed = []
    for task in pending:
        if not task.due(now):
            continue
        task.last = now
        try:
            with context():
                task.run()
        except Exception:  # noqa: BLE001 - one task's failure must not stop the scheduler
            log.exception("scheduled task %s failed; next try in %s minutes", task.name, task.minutes)
            failed.append(task.name)
        finally:
            from ckan import model
            model.Session.remove()
    return failed


def run_forever(context: Callable, sleep=time.sleep, clock=time.monotonic) -> None:
    pending = tasks()
    while True:
        tick(pending, clock(), context)
        sleep(30)
