"""What the PostgreSQL advisor needs to know about the tables a statement names.

One query each for the tables (resolved through the search path like the
statement would be), their columns, their indexes and their ``pg_stats``
figures, whatever the number of tables. Results are cached per advisor call
(a workload names the same tables many times).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dbtui.core.advisor.heuristic import ColumnStats
from dbtui.core.advisor.indexes import ExistingIndex
from dbtui.core.advisor.shape import TableRef
from dbtui.drivers.postgres import advice_queries as q

Rows = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]
"""Runs a query with parameters and returns dict rows."""

TABLE_KINDS = frozenset({"r", "m", "p"})
"""Ordinary tables, materialised views and partitioned parents: what HypoPG can put
hypothetical indexes on (one on a partitioned parent serves every partition)."""
PARTITIONED = "p"
"""``relkind`` of a partitioned parent: its index is created without CONCURRENTLY."""
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})


@dataclass
class TableFacts:
    """One table as the advisor sees it.

    Attributes:
        oid: The table's oid.
        schema: Its schema.
        name: Its name.
        relkind: ``pg_class.relkind`` (``r`` table, ``p`` partitioned, ``v`` view...).
        reltuples: The planner's row count estimate (0 when never analysed).
        columns: Column name -> type name, in column order.
        indexes: Its indexes.
        stats: Column name -> ``pg_stats`` figures; filled on demand (heuristic mode).
    """

    oid: int
    schema: str
    name: str
    relkind: str
    reltuples: float
    columns: dict[str, str] = field(default_factory=dict)
    indexes: list[ExistingIndex] = field(default_factory=list)
    stats: dict[str, ColumnStats] | None = None

    @property
    def indexable(self) -> bool:
        """HypoPG can index it and it is a user table."""
        return self.relkind in TABLE_KINDS and self.schema not in SYSTEM_SCHEMAS


class TableCache:
    """Table facts by the ``TableRef.key`` a statement used, loaded in batches."""

    def __init__(self, rows: Rows) -> None:
        self._rows = rows
        self._by_ref: dict[tuple[str | None, str], TableFacts | None] = {}

    def load(self, refs: Sequence[TableRef]) -> dict[tuple[str | None, str], TableFacts]:
        """Facts for every ref that names an existing table (missing ones are left out)."""
        missing = [ref for ref in refs if ref.key not in self._by_ref]
        if missing:
            self._fetch(missing)
        return {ref.key: facts for ref in refs if (facts := self._by_ref.get(ref.key))}

    def _fetch(self, refs: Sequence[TableRef]) -> None:
        rows = self._rows(
            q.TABLES, {"schemas": [r.schema for r in refs], "names": [r.name for r in refs]}
        )
        found: dict[int, TableFacts] = {}
        for ref in refs:
            self._by_ref[ref.key] = None
        for row in rows:
            ref = refs[int(row["ord"]) - 1]
            facts = found.get(int(row["oid"])) or TableFacts(
                int(row["oid"]),
                str(row["schema"]),
                str(row["name"]),
                str(row["relkind"]),
                float(row["reltuples"] or 0.0),
            )
            found[facts.oid] = facts
            self._by_ref[ref.key] = facts
        if found:
            self._details(found)

    def _details(self, tables: dict[int, TableFacts]) -> None:
        oids = list(tables)
        for row in self._rows(q.COLUMNS, {"oids": oids}):
            tables[int(row["oid"])].columns[str(row["name"])] = str(row["type"])
        for row in self._rows(q.INDEXES, {"oids": oids}):
            tables[int(row["oid"])].indexes.append(
                ExistingIndex(
                    name=str(row["name"]),
                    keys=tuple(str(k) for k in row["keys"] or ()),
                    method=str(row["method"]),
                    valid=bool(row["valid"]),
                    partial=bool(row["partial"]),
                    unique=bool(row["is_unique"]),
                )
            )

    def stats(self, facts: TableFacts) -> dict[str, ColumnStats]:
        """``pg_stats`` of ``facts``' columns (empty when never analysed or not readable)."""
        if facts.stats is None:
            rows = self._rows(q.STATS, {"schemas": [facts.schema], "names": [facts.name]})
            facts.stats = {
                str(r["column_name"]): ColumnStats(
                    float(r["null_frac"] or 0.0), float(r["n_distinct"] or 0.0)
                )
                for r in rows
            }
        return facts.stats
