"""PgHero's index heuristic from ``pg_stats``, for when HypoPG is not available (B.5).

Per table, each filter term's matching rows are estimated from the column's
``null_frac`` and ``n_distinct``; terms are taken most selective first, adding
columns until fewer than :data:`TARGET_ROWS` rows are left, two columns are
reached, or a range column was added; trailing columns that remove less than
70 % of the rows left are dropped again, and so are all of them when together they
leave over 5 % of the table (dbtui's addition). ORDER BY columns (up to the first DESC
one) follow the filter columns while the filter leaves many rows. Tables under
:data:`MIN_TABLE_ROWS` rows get nothing. The result is unverified: the caller
marks it heuristic. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dbtui.core.advisor.candidates import use_key
from dbtui.core.advisor.indexes import IndexKey
from dbtui.core.advisor.shape import ColumnUse, Use

MIN_TABLE_ROWS = 500
TARGET_ROWS = 50
MAX_COLUMNS = 2
KEEP_RATIO = 0.3
"""A column is kept only when it leaves at most this share of the rows before it."""
MAX_LEFT_SHARE = 0.05
"""dbtui's addition: filter columns that together still leave more than this share of
the table are dropped (the planner would rather scan the table)."""
_RANGE_OPERATORS = frozenset({">", ">=", "<", "<=", "BETWEEN", "~~", "~~*"})


@dataclass(frozen=True)
class ColumnStats:
    """``pg_stats`` figures for one column.

    Attributes:
        null_frac: Share (0..1) of rows that are NULL.
        n_distinct: Distinct values: positive = a count; negative = minus a share of
            the rows (-1: every value distinct); 0 = unknown.
    """

    null_frac: float
    n_distinct: float


@dataclass(frozen=True)
class HeuristicIndex:
    """A heuristic suggestion for one table.

    Attributes:
        keys: Index keys in order.
        rows_before: Rows in the table (``reltuples``).
        rows_after: Estimated rows the indexed terms leave.
        trigram: The most selective term is a LIKE/ILIKE: a trigram GiST index.
    """

    keys: tuple[IndexKey, ...]
    rows_before: float
    rows_after: float
    trigram: bool = False


def term_rows(use: ColumnUse, stats: ColumnStats, rows_left: float, total: float) -> float:
    """Rows left after applying ``use`` to ``rows_left`` of ``total`` rows."""
    if use.operator == "IS NULL":
        return rows_left * stats.null_frac
    if use.operator == "IS NOT NULL":
        return rows_left * (1.0 - stats.null_frac)
    rows_left *= 1.0 - stats.null_frac
    if stats.n_distinct == 0:
        per_value = 0.0
    elif stats.n_distinct < 0:
        per_value = (-1.0 / stats.n_distinct) * rows_left / max(total, 1.0)
    else:
        per_value = rows_left / stats.n_distinct
    if use.operator in _RANGE_OPERATORS:
        return (rows_left + per_value) / 10.0
    if use.operator == "<>":
        return rows_left - per_value
    return per_value


def choose(
    uses: Sequence[ColumnUse],
    stats: Mapping[str, ColumnStats],
    reltuples: float,
    *,
    limited: bool = False,
) -> HeuristicIndex | None:
    """PgHero's pick for one table's uses, or ``None`` (small table, nothing selective).

    Args:
        uses: The table's column uses (only filters and ORDER BY are considered).
        stats: Column name -> its statistics; columns without statistics are skipped.
        reltuples: Rows in the table (planner estimate).
        limited: The statement has a LIMIT, so an index that only provides the
            ORDER BY order is worth it even without a filter column.
    """
    if reltuples < MIN_TABLE_ROWS:
        return None
    terms = [
        u for u in uses if u.use in (Use.EQUALITY, Use.RANGE, Use.LIKE, Use.NULL_TEST)
        and u.expression is None and u.column in stats
    ]  # fmt: skip
    terms.sort(key=lambda u: term_rows(u, stats[u.column], reltuples, reltuples))
    if terms and terms[0].use is Use.LIKE:
        rows = term_rows(terms[0], stats[terms[0].column], reltuples, reltuples)
        return HeuristicIndex((use_key(terms[0]),), reltuples, rows, trigram=True)
    keys, rows_after = _walk(terms, stats, reltuples)
    if rows_after > max(TARGET_ROWS, MAX_LEFT_SHARE * reltuples):
        keys, rows_after = [], reltuples
    if rows_after >= TARGET_ROWS and (keys or limited):
        keys += _order_keys(uses, keys)
    if not keys:
        return None
    return HeuristicIndex(tuple(keys), reltuples, rows_after)


def _walk(
    terms: Sequence[ColumnUse], stats: Mapping[str, ColumnStats], total: float
) -> tuple[list[IndexKey], float]:
    """Add terms until few rows are left; then drop trailing terms that remove little."""
    keys: list[IndexKey] = []
    rows = [total]
    for term in terms:
        key = use_key(term)
        if key in keys:
            continue
        keys.append(key)
        rows.append(term_rows(term, stats[term.column], rows[-1], total))
        if rows[-1] < TARGET_ROWS or len(keys) >= MAX_COLUMNS or term.use is not Use.EQUALITY:
            break
    while keys and rows[-1] > rows[-2] * KEEP_RATIO:
        keys.pop()
        rows.pop()
    return keys, rows[-1]


def _order_keys(uses: Sequence[ColumnUse], keys: Sequence[IndexKey]) -> list[IndexKey]:
    """ORDER BY keys, up to and including the first DESC one, that are not already keys."""
    found: list[IndexKey] = []
    for use in uses:
        if use.use is not Use.ORDER:
            continue
        key = use_key(use)
        if key not in keys and key not in found:
            found.append(key)
        if use.descending:
            break
    return found
