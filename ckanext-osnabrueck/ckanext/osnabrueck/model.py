"""Tables of the osnabrueck plugin (created by its alembic migrations, see migration/)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ckan.model import meta

url_check_table = sa.Table(
    "osnabrueck_url_check", meta.metadata,
    sa.Column("url", sa.UnicodeText, primary_key=True),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("error", sa.UnicodeText, nullable=True),
    sa.Column("checked_at", sa.DateTime, nullable=False),
)


def url_checks(urls) -> dict[str, dict]:
    """The stored result of each given URL that has been checked."""
    urls = list(urls)
    if not urls:
        return {}
    rows = meta.Session.execute(sa.select(url_check_table).where(url_check_table.c.url.in_(urls)))
    return {row.url: {"ok": row.ok, "status": row.status, "error": row.error,
                      "checked_at": row.checked_at.isoformat()} for row in rows}


def save_url_check(url: str, ok: bool, status: int | None, error: str | None) -> None:
    from sqlalchemy.dialects.postgresql import insert

    values = {"url": url, "ok": ok, "status": status, "error": error,
              "checked_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)}
    statement = insert(url_check_table).values(**values)
    meta.Session.execute(statement.on_conflict_do_update(index_elements=["url"], set_=values))
    meta.Session.commit()
