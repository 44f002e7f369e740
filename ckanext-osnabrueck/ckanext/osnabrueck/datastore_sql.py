"""Limits of ``datastore_search_sql`` beyond CKAN's own (the chained action is in
logic/action.py).

* The functions it may call: CKAN's list without those that run SQL passed as text, which
  the DataStore's check of the queried tables never sees: ``ts_rewrite(query, select)``
  let anonymous users read private tables (tests/security/test_leaks.py: test_datastore).
  Without the ``json(b)_populate_record(set)`` functions too, whose only use is to turn a
  named row type into its columns (see below). The list is written at start-up from the
  installed CKAN's, so that CKAN updates of it take effect here too.
* Tables named as types: every table is also a row type, ``null::"<resource id>"``, and
  ``(null::"<id>").*`` or ``json_populate_recordset(null::"<id>", '[{}]')`` showed a private
  table's columns and types; CKAN checks only the tables in FROM. ``type_tables`` finds
  them, so that they are checked like those (closing the functions alone would leave
  ``(null::"<id>").*``; the check alone would leave a way open should a table's type be
  reachable under another name, e.g. a domain, hence both).
* The size of the answer: CKAN caps the rows (``ckan.datastore.search.rows_max``), not
  their size, and one row of ``array_fill(1, ARRAY[100000000])`` was 300 MB that a web
  worker converted for 39 s. ``capped`` wraps the query so that PostgreSQL itself stops
  once the rows' size passes the limit, before anything reaches the worker. The wrapper
  needs ``pg_column_size``, added to the list (it tells the size of values the caller
  can read anyway).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pglast
import pglast.stream

UNSAFE = {"ts_rewrite", "json_populate_record", "json_populate_recordset", "jsonb_populate_record",
          "jsonb_populate_recordset"}
WRAPPER_FUNCTIONS = {"pg_column_size"}
KEY = "ckan.datastore.sqlsearch.allowed_functions_file"
# Raised inside PostgreSQL (as an invalid integer) when the answer grows too large.
TOO_LARGE = "osnabrueck-result-too-large"
MB = 1024 * 1024


def ckan_allowlist() -> Path:
    from ckanext.datastore.plugin import sql_functions_allowlist_file

    return Path(sql_functions_allowlist_file())


def write_allowlist(directory: Path | None = None) -> Path:
    """CKAN's list without UNSAFE, with WRAPPER_FUNCTIONS, written atomically (every web
    worker starts with this)."""
    names = [line for line in ckan_allowlist().read_text().splitlines()
             if line.strip().strip('"').lower() not in UNSAFE]
    names += sorted(WRAPPER_FUNCTIONS - {name.strip().strip('"').lower() for name in names})
    target = Path(directory or tempfile.gettempdir()) / f"osnabrueck-datastore-functions-{os.getuid()}.txt"
    partial = target.with_name(f"{target.name}.{os.getpid()}")
    partial.write_text("\n".join(names) + "\n")
    partial.replace(target)
    return target


def use_allowlist(config) -> None:
    """Point the DataStore at the portal's list, unless the site configures its own."""
    configured = config.get(KEY)
    if not configured or Path(configured) == ckan_allowlist():
        config[KEY] = str(write_allowlist())


def _statement(sql: str):
    """The single SELECT of ``sql``, or None (CKAN then refuses it with its own message)."""
    try:
        statements = pglast.parser.parse_sql(sql)
    except pglast.parser.ParseError:
        return None
    if len(statements) != 1 or type(statements[0].stmt).__name__ != "SelectStmt":
        return None
    return statements[0]


def type_tables(sql: str) -> set[str]:
    """The names used as types in ``sql`` that may be tables (an array type of a table is
    its name with a leading ``_``)."""
    from ckanext.datastore.backend.postgres import nodes

    statement = _statement(sql)
    names = set()
    for node in nodes(statement) if statement is not None else ():
        parts = [part.get("sval") or "" for part in node.get("names") or ()] if node["@"] == "TypeName" else []
        if parts and parts[0] != "pg_catalog":  # the built-in types
            name = parts[-1]
            names |= {name, name[1:]} if name.startswith("_") else {name}
    return names - {""}


def capped(sql: str, max_mb: int) -> str:
    """``sql`` wrapped so that PostgreSQL raises TOO_LARGE once the rows so far take more
    than ``max_mb`` (their size in PostgreSQL: measuring their text would cost as much as
    sending it, and a single huge value could not be interrupted). The query is
    re-serialised from its parse tree first: its text could otherwise close the
    wrapper's parentheses or comment out its check."""
    statement = _statement(sql)
    if statement is None:
        return sql
    query = pglast.stream.RawStream()(statement)
    # The error's text must depend on the row: a constant would be raised when planning.
    return (f"SELECT (osnabrueck_w.osnabrueck_row).* FROM (SELECT osnabrueck_row, "
            f"sum(pg_column_size(osnabrueck_row)) OVER (ROWS UNBOUNDED PRECEDING) AS osnabrueck_size "
            f"FROM ({query}) AS osnabrueck_row) AS osnabrueck_w "
            f"WHERE CASE WHEN osnabrueck_w.osnabrueck_size > {int(max_mb) * MB} "
            f"THEN ('{TOO_LARGE} ' || osnabrueck_w.osnabrueck_size)::int ELSE 1 END = 1")


# SQLSTATE classes of errors a query causes by itself: data exceptions (invalid input, division by
# zero), program limits (an array or string too large) and running out of memory.
CALLERS_ERRORS = ("22", "54", "53200")


def callers_error(error) -> bool:
    """Whether a database error is the query's fault (a 409), not the service's."""
    code = getattr(getattr(error, "orig", None), "pgcode", None) or ""
    return code.startswith(CALLERS_ERRORS)
