"""datastore_search_sql cannot tie up the web workers: a statement ends after a few seconds
(per request and, as a backstop, for the read-only role in the database), and an answer
larger than the cap is refused by PostgreSQL before it reaches the worker. All of them
end as a 409 with a JSON error, never a 500 or a worker busy for a minute."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from .conftest import api

pytestmark = pytest.mark.usefixtures("with_plugins")


def _sql(app, sql: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    status, body = api(app, "datastore_search_sql", {}, method="get", sql=sql)
    return status, body, time.monotonic() - started


@pytest.mark.ckan_config("ckanext.osnabrueck.datastore_sql_timeout_ms", "1000")
def test_a_slow_query_ends_by_timeout(app):
    status, body, seconds = _sql(app, "SELECT count(*) FROM generate_series(1, 1000000000)")
    assert status == 409 and body["success"] is False, body
    assert seconds < 5, seconds  # CKAN's own limit was 60 s
    message = body["error"]["query"][0]
    assert "1" in message and "Query took too long" not in message, message


def test_the_default_timeout_is_a_few_seconds(ckan_config):
    from ckan.plugins import toolkit as tk

    assert 1000 <= tk.config.get("ckanext.osnabrueck.datastore_sql_timeout_ms") <= 10_000


@pytest.mark.parametrize("sql", [
    "SELECT array_fill(1, ARRAY[10000000]) AS x",  # one row of 40 MB
    "SELECT repeat('x', 4000) AS x FROM generate_series(1, 5000)",  # 20 MB in many rows
    # the text of the query cannot close the size check's parentheses or comment it out
    "SELECT array_fill(1, ARRAY[10000000]) AS x) AS osnabrueck_row) AS osnabrueck_w --",
    "SELECT array_fill(1, ARRAY[10000000]) AS x /*",
])
def test_a_huge_answer_is_refused(app, sql):
    status, body, seconds = _sql(app, sql)
    assert status == 409 and body["success"] is False, body
    assert "result" not in body
    assert seconds < 10, seconds


def test_the_size_message_names_the_limit(app):
    status, body, _ = _sql(app, "SELECT array_fill(1, ARRAY[10000000]) AS x")
    assert status == 409
    assert "10 MB" in body["error"]["query"][0], body


@pytest.mark.parametrize("sql", [
    "SELECT array_fill(1, ARRAY[1000000000]) AS x",  # beyond PostgreSQL's array size
    "SELECT repeat('x', 2000000000) AS x",
])
def test_program_limits_are_the_callers_error(app, sql):
    status, body, _ = _sql(app, sql)
    assert status == 409 and body["error"]["query"], body


def test_ordinary_queries_answer_as_before(app):
    status, body, _ = _sql(app, "SELECT g, 'x' AS a, 2 AS a2 FROM generate_series(1, 300) g ORDER BY g DESC")
    assert status == 200, body
    result = body["result"]
    assert [record["g"] for record in result["records"]][:3] == [300, 299, 298]
    assert len(result["records"]) == 300 and [f["id"] for f in result["fields"]] == ["g", "a", "a2"]
    # the answer names the query as it was sent, not the size check around it
    assert result["sql"] == "SELECT g, 'x' AS a, 2 AS a2 FROM generate_series(1, 300) g ORDER BY g DESC"


def test_the_read_only_role_has_a_statement_timeout():
    """A backstop for statements that CKAN does not time itself (scripts/configure.py;
    docker/ does the same in production)."""
    from ckanext.datastore.backend import DatastoreBackend

    engine = DatastoreBackend.get_active_backend()._get_read_engine()
    with engine.connect() as connection:
        user = connection.execute(sa.text("SELECT current_user")).scalar()
        timeout = connection.execute(sa.text("SELECT setting::int FROM pg_settings "
                                             "WHERE name = 'statement_timeout'")).scalar()
    assert user == "datastore_ro"
    assert 0 < timeout <= 60_000, timeout
