"""How values come back from PostgreSQL: faithful Python values that never fail to load.

psycopg already returns ``Decimal`` for numeric, Python objects for json and
jsonb, and the server's text for types it does not know (pgvector's
``vector``, PostGIS types...), because dbtui reads results in text format.
Two things are changed on dbtui's connections:

* JSON numbers with a fraction load as ``Decimal`` rather than ``float``, so
  ``{"price": 0.1000000000000000055}`` is shown exactly as stored;
* dates and timestamps that Python cannot represent (``infinity``, years
  before 1 or after 9999) come back as the server's text instead of making the
  whole fetch fail;
* intervals come back as the server's text ("1 year 2 mons"), which a
  ``timedelta`` cannot hold faithfully.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from typing import Any

import psycopg
from psycopg import postgres
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format
from psycopg.types.json import set_json_loads


def _as_text(data: Buffer) -> str:
    return bytes(data).decode("utf-8", "replace")


def _safe_loader(type_name: str) -> type[Loader]:
    """A text loader for ``type_name`` that falls back to the server's text.

    It wraps psycopg's own loader (the C one from psycopg-binary when installed,
    which cannot be subclassed), so ordinary values load at C speed and only
    out-of-range ones (``infinity``, year 10000) become text.
    """
    oid = postgres.types[type_name].oid
    base = postgres.adapters.get_loader(oid, Format.TEXT)
    assert base is not None

    class SafeLoader(Loader):
        def __init__(self, oid: int, context: AdaptContext | None = None) -> None:
            super().__init__(oid, context)
            self._inner = base(oid, context)  # type: ignore[misc]

        def load(self, data: Buffer) -> Any:
            try:
                return self._inner.load(data)
            except (psycopg.DataError, OverflowError, ValueError):
                return _as_text(data)

    SafeLoader.__name__ = f"Safe{base.__name__}"
    return SafeLoader


class IntervalTextLoader(Loader):
    """Intervals as the server prints them ("1 year 2 mons"): a timedelta would turn
    months into 30 days and lose what was stored."""

    def load(self, data: Buffer) -> Any:
        return _as_text(data)


def configure(conn: psycopg.Connection[Any]) -> None:
    """Install dbtui's loaders on ``conn`` (text format only; arrays use them too)."""
    set_json_loads(partial(json.loads, parse_float=Decimal), conn)
    for type_name in ("date", "timestamp", "timestamptz"):
        conn.adapters.register_loader(type_name, _SAFE_LOADERS[type_name])
    conn.adapters.register_loader("interval", IntervalTextLoader)


_SAFE_LOADERS = {name: _safe_loader(name) for name in ("date", "timestamp", "timestamptz")}
