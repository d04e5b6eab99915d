"""How values come back from PostgreSQL: faithful Python values that never fail to load.

psycopg already returns ``Decimal`` for numeric, Python objects for json and
jsonb, and the server's text for types it does not know (pgvector's
``vector``, PostGIS types...), because dbtui reads results in text format.
Two things are changed on dbtui's connections:

* JSON numbers with a fraction load as ``Decimal`` rather than ``float``, so
  ``{"price": 0.1000000000000000055}`` is shown exactly as stored;
* dates, timestamps and intervals that Python cannot represent (``infinity``,
  years before 1 or after 9999, intervals over 999,999,999 days) come back as
  the server's text instead of making the whole fetch fail.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from typing import Any

import psycopg
from psycopg.abc import Buffer
from psycopg.types import datetime as pg_datetime
from psycopg.types.json import set_json_loads


def _as_text(data: Buffer) -> str:
    return bytes(data).decode("utf-8", "replace")


class _SafeDateLoader(pg_datetime.DateLoader):
    def load(self, data: Buffer) -> Any:
        try:
            return super().load(data)
        except psycopg.DataError:
            return _as_text(data)


class _SafeTimestampLoader(pg_datetime.TimestampLoader):
    def load(self, data: Buffer) -> Any:
        try:
            return super().load(data)
        except psycopg.DataError:
            return _as_text(data)


class _SafeTimestamptzLoader(pg_datetime.TimestamptzLoader):
    def load(self, data: Buffer) -> Any:
        try:
            return super().load(data)
        except psycopg.DataError:
            return _as_text(data)


class _SafeIntervalLoader(pg_datetime.IntervalLoader):
    def load(self, data: Buffer) -> Any:
        try:
            return super().load(data)
        except (psycopg.DataError, OverflowError, ValueError):
            return _as_text(data)


def configure(conn: psycopg.Connection[Any]) -> None:
    """Install dbtui's loaders on ``conn`` (text format only; arrays use them too)."""
    set_json_loads(partial(json.loads, parse_float=Decimal), conn)
    conn.adapters.register_loader("date", _SafeDateLoader)
    conn.adapters.register_loader("timestamp", _SafeTimestampLoader)
    conn.adapters.register_loader("timestamptz", _SafeTimestamptzLoader)
    conn.adapters.register_loader("interval", _SafeIntervalLoader)
