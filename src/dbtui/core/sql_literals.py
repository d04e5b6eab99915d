"""SQL literals and identifiers for generated statements (INSERT export), per dialect.

Dialects: ``"postgresql"`` and ``"sqlite"``. Strings use standard SQL
quoting (quotes doubled, backslashes literal: PostgreSQL's
``standard_conforming_strings``, on by default since 9.1).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from uuid import UUID

from dbtui.core.values import JSON_TYPE_NAMES, format_decimal, format_float, format_value, to_json

DIALECTS = ("postgresql", "sqlite")


def quote_identifier(name: str) -> str:
    """``name`` as a double-quoted identifier (inner quotes doubled); valid in both dialects."""
    return '"' + name.replace('"', '""') + '"'


def quote_string(text: str) -> str:
    """``text`` as a single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_literal(value: object, dialect: str = "postgresql", type_name: str = "") -> str:
    """``value`` as a literal of ``dialect`` that inserts back to the same value.

    ``None`` is ``NULL``; booleans are ``TRUE``/``FALSE`` (PostgreSQL) or
    ``1``/``0`` (SQLite); numbers are bare and exact; bytes are
    ``'\\x..'::bytea`` or ``X'..'``; non-finite floats and decimals are
    ``'NaN'::float8``-style casts in PostgreSQL, while SQLite (which has no
    NaN) gets ``NULL`` for NaN and ``9e999``/``-9e999`` for infinities.
    JSON (any value of a json/jsonb column, dicts, and lists for SQLite) is
    written as JSON text; other lists as PostgreSQL array literals; anything else as
    the quoted display text (dates, times, UUIDs, intervals, ranges).

    Raises:
        ValueError: an unknown dialect.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}; expected one of {DIALECTS}")
    postgres = dialect == "postgresql"
    if value is None:
        return "NULL"
    if type_name.strip().lower() in JSON_TYPE_NAMES:
        return quote_string(to_json(value))
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if postgres else ("1" if value else "0")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _number(value, postgres)
    if isinstance(value, bytes | bytearray | memoryview):
        hexed = bytes(value).hex()
        return f"'\\x{hexed}'::bytea" if postgres else f"X'{hexed}'"
    if isinstance(value, str):
        return quote_string(value)
    return _structured(value, postgres, type_name)


def _number(value: float | Decimal, postgres: bool) -> str:
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    if finite:
        return format_decimal(value) if isinstance(value, Decimal) else format_float(value)
    text = format_decimal(value) if isinstance(value, Decimal) else format_float(value)
    if postgres:
        cast = "numeric" if isinstance(value, Decimal) else "float8"
        return f"'{text}'::{cast}"
    if text == "NaN":
        return "NULL"
    return "-9e999" if text.startswith("-") else "9e999"


def _structured(value: object, postgres: bool, type_name: str) -> str:
    if isinstance(value, Mapping) or (isinstance(value, list | tuple) and not postgres):
        return quote_string(to_json(value))
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta | UUID):
        return quote_string(format_value(value))
    return quote_string(format_value(value, type_name))
