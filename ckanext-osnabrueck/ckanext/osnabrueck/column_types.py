"""Real column types for DataStore tables: integer, numeric, date, timestamp or text.

ckanext-xloader loads CSV by COPY into text columns (its own type guessing knows neither
German decimals nor German dates, and turns integers into numeric). Text sorts 9800 after
13900, so once a table is loaded (``IXloader.after_upload``) its text columns are typed:
frictionless infers each column's type from all its values (up to ``SAMPLE_ROWS``), with
the German notations among the candidates, and PostgreSQL converts the column in place.
``ckan osnabrueck type-tables`` does the same for tables loaded before.

A column stays text unless every value fits the type: codes with leading zeros (regional
keys, postcodes, "007") are never numbers, and "1.5" is never read as 15.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import sqlalchemy as sa

log = logging.getLogger(__name__)
SAMPLE_ROWS = 100000
# Tried in this order; the first that fits every value of a column wins.
CANDIDATES = [
    {"type": "datetime"},
    {"type": "datetime", "format": "%d.%m.%Y %H:%M:%S"},
    {"type": "datetime", "format": "%d.%m.%Y %H:%M"},
    {"type": "date"},
    {"type": "date", "format": "%d.%m.%Y"},
    {"type": "integer", "bareNumber": True},
    {"type": "number", "bareNumber": True},
    {"type": "number", "decimalChar": ",", "bareNumber": True},
    {"type": "number", "decimalChar": ",", "groupChar": ".", "bareNumber": True},
    {"type": "string"},
]
LEADING_ZERO = re.compile(r"^\s*[+-]?0\d")
GERMAN_GROUPED = re.compile(r"^\s*[+-]?\d{1,3}(\.\d{3})+(,\d+)?\s*$|^\s*[+-]?\d+(,\d+)?\s*$")


@dataclass(frozen=True)
class Conversion:
    column: str
    sql_type: str
    using: str  # SQL expression of the text value {col}


def conversion(column: str, field: dict, values: list[str]) -> Conversion | None:
    """Pure: how to type one text column, from frictionless' field and the values (None:
    it stays text)."""
    kind, fmt = field.get("type"), field.get("format")
    present = [v for v in values if v and v.strip()]
    if not present or kind in (None, "string", "any"):
        return None
    if kind in ("integer", "number") and any(LEADING_ZERO.match(v) and not v.strip().startswith(("0.", "0,"))
                                             for v in present):
        return None
    value = "NULLIF(btrim({col}), '')"
    if kind == "integer":
        return Conversion(column, "int8", f"{value}::int8")
    if kind == "number" and field.get("decimalChar") == ",":
        if field.get("groupChar") == "." and not all(GERMAN_GROUPED.match(v) for v in present):
            return None
        return Conversion(column, "numeric", f"replace(replace({value}, '.', ''), ',', '.')::numeric")
    if kind == "number":
        return Conversion(column, "numeric", f"{value}::numeric")
    if kind == "date":
        return Conversion(column, "date", f"to_date({value}, 'DD.MM.YYYY')" if fmt else f"{value}::date")
    if kind == "datetime" and fmt:
        pattern = "DD.MM.YYYY HH24:MI:SS" if fmt.endswith("%S") else "DD.MM.YYYY HH24:MI"
        return Conversion(column, "timestamp", f"to_timestamp({value}, '{pattern}')::timestamp")
    if kind == "datetime":
        return Conversion(column, "timestamp", f"{value}::timestamp")
    return None


def infer(columns: list[str], rows: list[list[str]]) -> list[Conversion]:
    """The conversions of the columns whose values all fit a type (frictionless)."""
    from frictionless import Detector

    if not rows:
        return []
    detector = Detector(field_confidence=1.0, sample_size=len(rows), field_missing_values=[""])
    data = [["" if cell is None else str(cell) for cell in row] for row in rows]
    schema = detector.detect_schema(data, labels=list(columns), field_candidates=CANDIDATES)
    found = []
    for index, field in enumerate(schema.fields):
        if (done := conversion(columns[index], field.to_descriptor(), [row[index] for row in data])) is not None:
            found.append(done)
    return found


def type_table(resource_id: str) -> list[Conversion]:
    """Type the text columns of a DataStore table in place; returns what was converted."""
    from ckanext.datastore.backend.postgres import get_write_engine, identifier

    try:
        with get_write_engine().begin() as connection:
            columns = _text_columns(connection, resource_id)
            if not columns:
                return []
            rows = connection.execute(sa.text("SELECT {} FROM {} LIMIT {}".format(
                ", ".join(identifier(c) for c in columns), identifier(resource_id), SAMPLE_ROWS))).fetchall()
            conversions = infer(columns, [list(row) for row in rows])
            for change in conversions:
                connection.execute(sa.text("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}".format(
                    identifier(resource_id), identifier(change.column), change.sql_type,
                    change.using.format(col=identifier(change.column)))))
    except sa.exc.DBAPIError as error:
        # A value past the sample that does not fit (or a table dropped meanwhile): the
        # table stays as loaded, all text, rather than failing the load's callback.
        log.warning("could not type %s, its columns stay text: %s", resource_id, error.orig)
        return []
    if conversions:
        log.info("typed %s: %s", resource_id, ", ".join(f"{c.column}={c.sql_type}" for c in conversions))
    return conversions


def _text_columns(connection, resource_id: str) -> list[str]:
    """The table's text columns, in table order (the DataStore's own columns left out)."""
    rows = connection.execute(sa.text(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = :table AND data_type = 'text' AND column_name NOT LIKE '\\_%' "
        "ORDER BY ordinal_position"), {"table": resource_id}).fetchall()
    return [row[0] for row in rows]


def tabled_resources() -> list:
    """The active resources that have a DataStore table (model.Resource rows)."""
    from ckan import model
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().connect() as connection:
        tables = {row[0] for row in connection.execute(sa.text(
            "SELECT name FROM \"_table_metadata\" WHERE alias_of IS NULL"))}
    return model.Session.query(model.Resource).filter(
        model.Resource.state == "active", model.Resource.id.in_(tables)).all()


def type_all_tables() -> dict[str, list[Conversion]]:
    """Every active DataStore table of the portal (idempotent: typed columns are skipped)."""
    return {row.id: changes for row in tabled_resources() if (changes := type_table(row.id))}
