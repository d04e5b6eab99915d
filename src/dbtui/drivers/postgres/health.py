"""Index health checks for the current PostgreSQL database (``plans-and-advisors.md`` B.8).

Each check is one catalog or statistics query (:mod:`.advice_queries`) turned
into :class:`~dbtui.core.advice.HealthFinding` records with the fix as DDL
(``DROP INDEX CONCURRENTLY``, ``CREATE INDEX CONCURRENTLY``, ``REINDEX INDEX
CONCURRENTLY``) and what it frees or costs. Nothing here changes the database;
the UI runs a fix only after the user confirms it. Usage-based checks (unused
indexes, sequential scans) count since the statistics were last reset, and
statistics are per server: a standby has its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from dbtui.core.advice import HealthFinding, HealthKind
from dbtui.core.advisor.evidence import size_text
from dbtui.core.advisor.indexes import quote_ident
from dbtui.core.plan import Severity
from dbtui.drivers.postgres import advice_queries as q

Rows = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]
"""``rows(query, params)``: runs a query with psycopg parameters (so ``%%`` is ``%``) and
returns dict rows."""

ENGINE = "postgresql"
SEQ_SCAN_MIN_ROWS = 10_000
"""Tables (and average sequential scans) smaller than this are not worth a finding."""
BLOAT_MIN_BYTES = 20 * 1024 * 1024
"""Estimated waste below this is not reported."""
BLOAT_MIN_SHARE = 0.5
"""... nor waste below this share of the relation's size."""
_MAXALIGN = 8
_PAGE_HEADER = 24
_BTREE_SPECIAL = 16
_BTREE_FILL = 0.9


def health(
    rows: Rows,
    *,
    bloat_min_bytes: int = BLOAT_MIN_BYTES,
    seq_scan_min_rows: int = SEQ_SCAN_MIN_ROWS,
) -> list[HealthFinding]:
    """Every finding of every check, most severe first.

    Args:
        rows: Runs a query on a connection to the database to check.
        bloat_min_bytes: Smallest estimated waste worth reporting, in bytes.
        seq_scan_min_rows: Smallest table (live rows) and average sequential scan
            worth a sequential-scan finding.

    Raises:
        QueryError: a check failed (e.g. no privilege on a statistics view).
    """
    since = _since(rows)
    found = [
        *unused_indexes(rows, since),
        *duplicate_indexes(rows),
        *redundant_indexes(rows),
        *unindexed_foreign_keys(rows),
        *invalid_indexes(rows),
        *seq_scan_tables(rows, since, seq_scan_min_rows),
        *table_bloat(rows, bloat_min_bytes),
        *index_bloat(rows, bloat_min_bytes),
    ]
    return sorted(found, key=lambda f: f.severity, reverse=True)


def _since(rows: Rows) -> str:
    result = rows(q.STATS_RESET, {})
    reset = result[0]["stats_reset"] if result else None
    if reset is None:
        return "since statistics collection began"
    return f"since statistics were reset ({reset:%Y-%m-%d %H:%M})"


def _size_fact(size: int | None) -> tuple[str, str]:
    return ("size", size_text(size) if size is not None else "unknown")


def unused_indexes(rows: Rows, since: str) -> Iterator[HealthFinding]:
    """Valid indexes never scanned, that back no constraint (unique ones are kept)."""
    for row in rows(q.UNUSED_INDEXES, {}):
        size = int(row["bytes"])
        yield HealthFinding(
            engine=ENGINE,
            kind=HealthKind.UNUSED_INDEX,
            target=row["table_name"],
            subject=row["index_name"],
            detail=f"Index {row['index_name']} has not been used by any scan {since}; "
            "it is still updated by every write to the table.",
            ddl=f"DROP INDEX CONCURRENTLY {row['index_name']}",
            severity=Severity.MEDIUM if size >= 100 * 1024 * 1024 else Severity.LOW,
            frees_bytes=size,
            facts=(_size_fact(size), ("scans", str(row["idx_scan"])), ("counted", since)),
        )


def duplicate_indexes(rows: Rows) -> Iterator[HealthFinding]:
    """Indexes identical to another one; the one backing a constraint is the one kept."""
    for row in rows(q.DUPLICATE_INDEXES, {}):
        names, enforcing, sizes = row["indexes"], row["enforcing"], row["sizes"]
        keep = names[0]
        for name, enforces, size in zip(names[1:], enforcing[1:], sizes[1:], strict=True):
            detail = f"Index {name} is an exact duplicate of {keep}."
            ddl = f"DROP INDEX CONCURRENTLY {name}"
            if enforces:
                detail += " Both enforce uniqueness or a constraint: drop one constraint first."
                ddl = ""
            yield HealthFinding(
                engine=ENGINE,
                kind=HealthKind.DUPLICATE_INDEX,
                target=row["table_name"],
                subject=name,
                detail=detail,
                ddl=ddl,
                severity=Severity.MEDIUM,
                frees_bytes=int(size),
                facts=(_size_fact(int(size)), ("duplicate of", keep)),
            )


def redundant_indexes(rows: Rows) -> Iterator[HealthFinding]:
    """Btree indexes whose keys lead another btree index on the same table."""
    for row in rows(q.REDUNDANT_INDEXES, {}):
        size = int(row["bytes"])
        yield HealthFinding(
            engine=ENGINE,
            kind=HealthKind.REDUNDANT_INDEX,
            target=row["table_name"],
            subject=row["index_name"],
            detail=f"The keys of {row['index_name']} are the leading keys of "
            f"{row['covered_by']}, which serves the same queries.",
            ddl=f"DROP INDEX CONCURRENTLY {row['index_name']}",
            severity=Severity.LOW,
            frees_bytes=size,
            facts=(_size_fact(size), ("covered by", str(row["covered_by_def"]))),
        )


def unindexed_foreign_keys(rows: Rows) -> Iterator[HealthFinding]:
    """Foreign keys whose referencing columns lead no valid, non-partial index."""
    for row in rows(q.UNINDEXED_FOREIGN_KEYS, {}):
        columns = [str(c) for c in row["fk_columns"]]
        reltuples = float(row["reltuples"])
        size = estimated_index_bytes(reltuples, float(row["key_width"] or 8.0) or 8.0)
        keys = ", ".join(quote_ident(c) for c in columns)
        yield HealthFinding(
            engine=ENGINE,
            kind=HealthKind.UNINDEXED_FOREIGN_KEY,
            target=row["table_name"],
            subject=str(row["fk"]),
            detail=f"Foreign key {row['fk']} ({', '.join(columns)}) references "
            f"{row['referenced_table']} but no index starts with these columns: every "
            "DELETE or key UPDATE there scans this table, and joins on it cannot use an index.",
            ddl=f"CREATE INDEX CONCURRENTLY ON {row['table_name']} ({keys})",
            severity=Severity.MEDIUM if reltuples >= SEQ_SCAN_MIN_ROWS else Severity.LOW,
            costs_bytes=size,
            facts=(
                ("table rows", f"{reltuples:,.0f}"),
                ("table size", size_text(int(row["table_bytes"]))),
                ("new index (estimate)", size_text(size)),
            ),
        )


def invalid_indexes(rows: Rows) -> Iterator[HealthFinding]:
    """Indexes a failed ``CREATE INDEX CONCURRENTLY`` left invalid (none being built now)."""
    for row in rows(q.INVALID_INDEXES, {}):
        size = int(row["bytes"])
        yield HealthFinding(
            engine=ENGINE,
            kind=HealthKind.INVALID_INDEX,
            target=row["table_name"],
            subject=row["index_name"],
            detail=f"Index {row['index_name']} is invalid (a CREATE INDEX CONCURRENTLY "
            "failed): queries never use it but writes still maintain it. Drop it, then "
            f"create it again if it is needed: {row['definition']}",
            ddl=f"DROP INDEX CONCURRENTLY {row['index_name']}",
            severity=Severity.HIGH,
            frees_bytes=size,
            facts=(_size_fact(size), ("definition", str(row["definition"]))),
        )


def seq_scan_tables(rows: Rows, since: str, min_rows: int) -> Iterator[HealthFinding]:
    """Big tables read mostly by big sequential scans (PgHero's ``missing_indexes``)."""
    for row in rows(q.SEQ_SCAN_TABLES, {"min_rows": min_rows}):
        scans, read = int(row["seq_scan"]), int(row["seq_tup_read"])
        yield HealthFinding(
            engine=ENGINE,
            kind=HealthKind.SEQ_SCANS,
            target=row["table_name"],
            subject=row["table_name"],
            detail=f"{row['table_name']} ({int(row['rows']):,} rows) was read by "
            f"{scans:,} sequential scans of {int(row['avg_rows_per_seq_scan']):,} rows on "
            f"average {since}. The workload advisor can find which queries need an index.",
            severity=Severity.MEDIUM,
            facts=(
                ("sequential scans", f"{scans:,}"),
                ("rows read by them", f"{read:,}"),
                ("index scans", f"{int(row['idx_scan']):,}"),
            ),
        )


def estimated_index_bytes(reltuples: float, key_width: float, block_size: int = 8192) -> int:
    """Size of a new btree over ``reltuples`` entries of ``key_width`` bytes (estimate)."""
    entry = 4 + _align(8 + key_width)
    per_page = (block_size - _PAGE_HEADER - _BTREE_SPECIAL) * _BTREE_FILL
    return int((math.ceil(reltuples * entry / per_page) + 1) * block_size)


def _align(width: float) -> float:
    return math.ceil(width / _MAXALIGN) * _MAXALIGN


def table_bloat(rows: Rows, min_bytes: int) -> Iterator[HealthFinding]:
    """Tables whose pages hold far fewer live rows than fit (estimated from pg_stats)."""
    for row in rows(q.TABLE_BLOAT, {"min_bytes": min_bytes}):
        header = 23 + (math.ceil(int(row["natts"]) / 8) if row["has_nulls"] else 0)
        tuple_bytes = _align(header) + _align(float(row["data_width"])) + 4
        waste = _waste(row, math.ceil(float(row["reltuples"]) * tuple_bytes / _usable(row)))
        if waste is None or waste < min_bytes:
            continue
        yield _bloat_finding(
            row, HealthKind.TABLE_BLOAT, row["table_name"], waste,
            f"VACUUM (FULL, ANALYZE) {row['table_name']}",
            "VACUUM FULL rewrites the table under an exclusive lock (reads and writes wait); "
            "pg_repack does it online.",
        )  # fmt: skip


def index_bloat(rows: Rows, min_bytes: int) -> Iterator[HealthFinding]:
    """Btree indexes much bigger than their entries need (PgHero's estimate)."""
    for row in rows(q.INDEX_BLOAT, {"min_bytes": min_bytes}):
        if row["data_width"] is None:
            continue
        entry = 4 + _align(8 + float(row["data_width"]))
        expected = math.ceil(float(row["reltuples"]) * entry / _usable(row)) + 1
        waste = _waste(row, expected)
        if waste is None or waste < min_bytes:
            continue
        yield _bloat_finding(
            row, HealthKind.INDEX_BLOAT, row["index_name"], waste,
            f"REINDEX INDEX CONCURRENTLY {row['index_name']}",
            "REINDEX CONCURRENTLY rebuilds it without blocking reads or writes.",
        )  # fmt: skip


def _usable(row: Mapping[str, Any]) -> float:
    return float(int(row["block_size"]) - _PAGE_HEADER)


def _waste(row: Mapping[str, Any], expected_pages: float) -> int | None:
    """Wasted bytes when over :data:`BLOAT_MIN_SHARE` of the relation, else ``None``."""
    pages, block = float(row["relpages"]), int(row["block_size"])
    if pages <= 0 or (pages - expected_pages) / pages < BLOAT_MIN_SHARE:
        return None
    return int((pages - expected_pages) * block)


def _bloat_finding(
    row: Mapping[str, Any], kind: HealthKind, subject: str, waste: int, ddl: str, how: str
) -> HealthFinding:
    total = int(float(row["relpages"]) * int(row["block_size"]))
    return HealthFinding(
        engine=ENGINE,
        kind=kind,
        target=row["table_name"],
        subject=subject,
        detail=f"{subject} takes {size_text(total)}, of which about {size_text(waste)} "
        f"({waste / total:.0%}) holds no live data (estimate from statistics). {how}",
        ddl=ddl,
        severity=Severity.MEDIUM if waste >= 1024**3 else Severity.LOW,
        frees_bytes=waste,
        facts=(("size", size_text(total)), ("wasted (estimate)", size_text(waste))),
    )
