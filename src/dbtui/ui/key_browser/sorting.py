"""Orders of the key list: by name (natural), type, TTL or memory. Pure, no Textual.

Type, TTL and memory come from the facts the browser fetched for the rows
it holds (:class:`~dbtui.core.keyspace.KeyInfo`), so an order other
than by name sorts the keys loaded in each open folder, never the whole
keyspace; keys whose facts are not known yet go last, by name.
"""

from __future__ import annotations

from dbtui.core.keyspace import KeyInfo

SORTS = ("name", "type", "ttl", "memory")
"""The orders ``o`` cycles through, in that order."""

SORT_LABELS = {
    "name": "name",
    "type": "type",
    "ttl": "TTL, soonest first",
    "memory": "memory, biggest first",
}

SHORT_LABELS = {"name": "name", "type": "type", "ttl": "TTL", "memory": "memory"}
"""The order in the browser's one-line header."""

Metric = tuple[int, str | int]


def next_sort(current: str) -> str:
    """The order after ``current`` in :data:`SORTS` (wrapping round)."""
    return SORTS[(SORTS.index(current) + 1) % len(SORTS)] if current in SORTS else SORTS[0]


def sort_metric(sort_by: str, info: KeyInfo | None) -> Metric:
    """What a key row sorts on before its name: ``(rank, value)``, smaller first.

    Rank 0 holds the keys with the fact; for TTL, rank 1 holds the keys
    without expiry; the last rank holds keys whose facts are unknown (or
    that no longer exist). Memory is negated so the biggest come first.
    """
    if info is None or not info.exists:
        return (2, 0)
    if sort_by == "type":
        return (0, info.type)
    if sort_by == "ttl":
        return (0, info.ttl_ms) if info.ttl_ms is not None else (1, 0)
    if sort_by == "memory":
        return (0, -info.memory) if info.memory is not None else (2, 0)
    return (0, 0)
