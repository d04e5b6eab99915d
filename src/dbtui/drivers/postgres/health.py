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

    A duplicate group keeps one index (the finding says which and why); neither that one nor
    the dropped copies are also reported as unused or redundant, so no fix drops every copy.
    When there is any finding, a last one (severity NONE) says since when the usage
    statistics count (``pg_stat_database.stats_reset``), which decides what "unused" means.

    Args:
        rows: Runs a query on a connection to the database to check.
        bloat_min_bytes: Smallest estimated waste worth reporting, in bytes.
        seq_scan_min_rows: Smallest table (live rows) and average sequential scan
            worth a sequential-scan finding.

    Raises:
        QueryError: a check failed (e.g. no privilege on a statistics view).
    """
    since, window = _since(rows)
    duplicates = list(duplicate_indexes(rows, since))
    dropped = {f.subject for f in duplicates}
    kept = {value for f in duplicates for label, value in f.facts if label == "kept"}
    found = [
        *(f for f in unused_indexes(rows, since) if f.subject not in dropped | kept),
        *duplicates,
        *(f for f in redundant_indexes(rows) if f.subject not in dropped),
        *unindexed_foreign_keys(rows),
        *invalid_indexes(rows),
        *seq_scan_tables(rows, since, seq_scan_min_rows),
        *table_bloat(rows, bloat_min_bytes),
        *index_bloat(rows, bloat_min_bytes),
    ]
    if found:  # what "unused" and "never scanned" mean depends on it
        found.append(window)
    return sorted(found, key=lambda f: f.severity, reverse=True)


SHORT_WINDOW_DAYS = 7
"""Usage counted over fewer days than this says little about "unused"."""


def _since(rows: Rows) -> tuple[str, HealthFinding]:
    """(``"since ..."`` for the usage-based findings, a finding that says since when the
    usage statistics count and whether that is long enough to mean anything)."""
    result = rows(q.STATS_RESET, {})
    reset = result[0]["stats_reset"] if result else None
    if reset is None:
        since = "since statistics collection began (they were never reset)"
        detail = (
            "Usage counts (index and sequential scans) count since statistics collection "
            "began: pg_stat_database.stats_reset is empty, so they were never reset (since "
            "PostgreSQL 15 they survive a clean restart, not a crash or a restore). Check that "
            "this covers a full business cycle before dropping an 'unused' index."
        )
        facts: tuple[tuple[str, str], ...] = (("statistics reset", "never"),)
    else:
        days = (result[0]["now"] - reset).total_seconds() / 86400
        since = f"since statistics were reset ({reset:%Y-%m-%d %H:%M}, {days:,.1f} days ago)"
        detail = (
            f"Usage counts (index and sequential scans) count since {reset:%Y-%m-%d %H:%M %Z} "
            f"(pg_stat_database.stats_reset), {days:,.1f} days ago."
        )
        if days < SHORT_WINDOW_DAYS:
            detail += (
                f" That is under {SHORT_WINDOW_DAYS} days: an index 'unused' over so short a "
                "time may still serve a weekly or monthly job, so 'unused' means little yet."
            )
        facts = (("statistics reset", f"{reset:%Y-%m-%d %H:%M %Z}"), ("days", f"{days:,.1f}"))
    window = HealthFinding(
        engine=ENGINE,
        kind=HealthKind.STATS_WINDOW,
        target="(database)",
        subject="usage statistics",
        detail=detail + " Statistics are per server: a standby counts its own.",
        severity=Severity.NONE,
        facts=facts,
    )
    return since, window


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


def duplicate_indexes(rows: Rows, since: str = "") -> Iterator[HealthFinding]:
    """Indexes identical to another one: one per group is kept, and the finding says which
    and why (it backs a constraint, else it is the primary key or unique, else it is the
    older one, else the first by name); every other copy is proposed for dropping."""
    for row in rows(q.DUPLICATE_INDEXES, {}):
        names, enforcing, sizes = row["indexes"], row["enforcing"], row["sizes"]
        keep, why = names[0], _why_kept(row)
        if row["scans"][0] == 0 and since:
            why += f"; note that {keep} has not been scanned {since} either"
        for name, enforces, size in zip(names[1:], enforcing[1:], sizes[1:], strict=True):
            detail = f"Index {name} is an exact duplicate of {keep}. Keep {keep}: {why}."
            ddl = f"DROP INDEX CONCURRENTLY {name}"
            if enforces:
                detail += f" {name} backs a constraint too: drop one of the constraints first."
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
                facts=(_size_fact(int(size)), ("duplicate of", keep), ("kept", keep),
                       ("why kept", why)),
            )  # fmt: skip


def _why_kept(row: Mapping[str, Any]) -> str:
    """Why the first index of a duplicate group is the one to keep."""
    constraint = row["constraints"][0]
    if constraint:
        return f"it backs the constraint {constraint}"
    if row["is_primary"][0]:
        return "it is the primary key"
    if row["is_unique"][0] and not all(row["is_unique"]):
        return "it is unique, the others are not"
    oids = [int(oid) for oid in row["oids"]]
    if oids[0] == min(oids) and oids.count(oids[0]) == 1:
        return "it is the older one (created first), so queries and tools may already name it"
    return "it comes first by name"


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
