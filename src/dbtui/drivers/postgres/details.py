"""Facts for the details pane: sizes, counters and maintenance times of one object."""

from __future__ import annotations

from collections.abc import Sequence

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.drivers.postgres import queries
from dbtui.drivers.postgres.nodes import (
    MATVIEW,
    Row,
    Runner,
    detail_rows,
    estimate_text,
    human_size,
)

_SIZED = frozenset({Kind.TABLE, MATVIEW})


def details(run: Runner, node: CatalogNode) -> Sequence[tuple[str, str]]:
    """(name, value) facts about ``node``; one query for tables and databases.

    Tables (partitions included) and materialized views get their row
    estimate, sizes, vacuum/analyze history and scan counters; a database
    its size and activity; anything else the facts already in ``node.meta``.
    """
    key = node.key
    if node.kind in _SIZED and len(key) == 6:
        rows = run(queries.TABLE_DETAILS, {"schema": key[3], "name": key[5]})
        return _table_facts(rows[0]) if rows else node.meta
    if node.kind == Kind.DATABASE and len(key) == 2:
        rows = run(queries.DATABASE_DETAILS, {"name": key[1]})
        return _database_facts(rows[0]) if rows else node.meta
    return node.meta


def _table_facts(row: Row) -> list[tuple[str, str]]:
    return detail_rows(
        [
            ("Row estimate", estimate_text(row["estimate"])),
            ("Live rows", row["n_live_tup"]),
            ("Dead rows", row["n_dead_tup"]),
            ("Total size", human_size(row["total_size"])),
            ("Table size", human_size(row["table_size"])),
            ("Index size", human_size(row["index_size"])),
            ("TOAST size", human_size(row["toast_size"])),
            ("Sequential scans", row["seq_scan"]),
            ("Rows read by sequential scans", row["seq_tup_read"]),
            ("Index scans", row["idx_scan"]),
            ("Rows fetched by index scans", row["idx_tup_fetch"]),
            ("Rows inserted", row["n_tup_ins"]),
            ("Rows updated", row["n_tup_upd"]),
            ("Rows deleted", row["n_tup_del"]),
            ("Last vacuum", row["last_vacuum"] or "never"),
            ("Last autovacuum", row["last_autovacuum"] or "never"),
            ("Last analyze", row["last_analyze"] or "never"),
            ("Last autoanalyze", row["last_autoanalyze"] or "never"),
            ("Vacuums (manual / auto)", _pair(row["vacuum_count"], row["autovacuum_count"])),
            ("Analyzes (manual / auto)", _pair(row["analyze_count"], row["autoanalyze_count"])),
            ("Owner", row["owner"]),
            ("Comment", row["comment"]),
        ]
    )


def _database_facts(row: Row) -> list[tuple[str, str]]:
    return detail_rows(
        [
            ("Size", human_size(row["size"])),
            ("Owner", row["owner"]),
            ("Encoding", row["encoding"]),
            ("Collation", row["datcollate"]),
            ("Connections", row["numbackends"]),
            ("Commits", row["xact_commit"]),
            ("Rollbacks", row["xact_rollback"]),
            ("Comment", row["comment"]),
        ]
    )


def _pair(first: object, second: object) -> str | None:
    if first is None and second is None:
        return None
    return f"{first or 0} / {second or 0}"
