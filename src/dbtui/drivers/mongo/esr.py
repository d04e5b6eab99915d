"""MongoDB compound index advice by the ESR rule (``plans-and-advisors.md`` B.7). No I/O.

Equality fields first (in the order the filter names them), then the sort
fields in the sort's order and directions (so the sort comes from the index),
then the range fields. A field's role comes from its filter condition:

* equality: ``{f: value}``, ``{f: {$eq: v}}``, ``{f: {$in: [one]}}``,
  ``{f: {$elemMatch: ...}}`` (an array query, ranked with equality);
* range: ``$gt``, ``$gte``, ``$lt``, ``$lte``, ``$ne``, ``$nin``, ``$in`` with
  several values, ``$regex`` (and regular expression values);
* other (``$exists``, ``$type``, ``$size``...): after the range fields.

``$and`` branches are read as one filter; a top-level ``$or`` cannot be served
by one compound index, so its fields are left out. No index is suggested for a
filter on ``_id`` alone (it has an index), nor when an existing index already
serves the shape (:func:`serving_index`): its leading keys are the equality
fields in any order and direction, then the sort fields in the sort's order
(directions all as given or all reversed), then the range fields in any order.
A hidden index serves nothing; a partial index only a filter that repeats its
``partialFilterExpression``; an index with a collation only a query with that
collation; text, hashed, geo and wildcard indexes are not counted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dbtui.core.advice import Confidence, Suggestion
from dbtui.drivers.mongo.indexes import IndexInfo

MAX_FIELDS = 16
"""MongoDB's limit on the fields of a compound index."""
_RANGE_OPERATORS = frozenset({"$gt", "$gte", "$lt", "$lte", "$ne", "$nin", "$regex"})
_EQUALITY_OPERATORS = frozenset({"$eq", "$elemMatch", "$all"})

IndexKeys = tuple[tuple[str, int], ...]
"""Ordered (field, 1 or -1) pairs, as in ``createIndex``."""


@dataclass(frozen=True)
class FilterRoles:
    """The fields of a filter by role, each in the order the filter names them."""

    equality: tuple[str, ...] = ()
    range: tuple[str, ...] = ()
    other: tuple[str, ...] = ()


def classify(query: Mapping[str, Any]) -> FilterRoles:
    """Sort the fields of ``query`` (a find filter or ``$match``) into their ESR roles."""
    equality: list[str] = []
    ranges: list[str] = []
    other: list[str] = []
    for field, condition in _conditions(query):
        if field in equality + ranges + other:
            continue  # named twice ({a: 1, $and: [{a: {$gt: 0}}]}): the first role wins
        role = _role(condition)
        {"equality": equality, "range": ranges}.get(role, other).append(field)
    return FilterRoles(tuple(equality), tuple(ranges), tuple(other))


def _conditions(query: Mapping[str, Any]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            for branch in value:
                if isinstance(branch, Mapping):
                    found += _conditions(branch)
        elif not key.startswith("$"):
            found.append((key, value))
    return found


def _role(condition: Any) -> str:
    if hasattr(condition, "pattern"):
        return "range"  # a regular expression value (re.Pattern, bson Regex)
    if not isinstance(condition, Mapping) or not any(str(k).startswith("$") for k in condition):
        return "equality"  # a value, or an embedded document compared whole
    operators = set(condition)
    if "$in" in operators:
        values = condition["$in"]
        return "equality" if isinstance(values, list) and len(values) == 1 else "range"
    if operators & _EQUALITY_OPERATORS:
        return "equality"
    if operators & _RANGE_OPERATORS:
        return "range"
    return "other"


def esr_keys(query: Mapping[str, Any], sort: Mapping[str, Any] | None = None) -> IndexKeys:
    """The ESR compound index for ``query`` and ``sort`` (empty when there is nothing to index)."""
    roles = classify(query)
    keys: list[tuple[str, int]] = [(field, 1) for field in roles.equality]
    seen = set(roles.equality)
    for field, direction in (sort or {}).items():
        if field not in seen and not str(field).startswith("$"):
            keys.append((str(field), -1 if _number(direction) < 0 else 1))
            seen.add(str(field))
    for field in (*roles.range, *roles.other):
        if field not in seen:
            keys.append((field, 1))
            seen.add(field)
    if [field for field, _ in keys] == ["_id"]:
        return ()
    return tuple(keys[:MAX_FIELDS])


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 1.0


def serves(existing: IndexKeys, wanted: IndexKeys) -> bool:
    """True when ``existing`` starts with ``wanted`` (same directions, or all of them reversed)."""
    if len(existing) < len(wanted) or not wanted:
        return False
    head = existing[: len(wanted)]
    if [f for f, _ in head] != [f for f, _ in wanted]:
        return False
    same = all(_sign(a) == _sign(b) for (_, a), (_, b) in zip(head, wanted, strict=True))
    flipped = all(_sign(a) == -_sign(b) for (_, a), (_, b) in zip(head, wanted, strict=True))
    return same or flipped


def _sign(direction: int) -> int:
    return -1 if direction < 0 else 1


def pipeline_shape(pipeline: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(filter, sort) from an aggregation's leading ``$match`` and ``$sort`` stages."""
    query: dict[str, Any] = {}
    sort: dict[str, Any] = {}
    for stage in pipeline:
        if "$match" in stage and not sort and isinstance(stage["$match"], Mapping):
            query = {"$and": [query, dict(stage["$match"])]} if query else dict(stage["$match"])
        elif "$sort" in stage and not sort and isinstance(stage["$sort"], Mapping):
            sort = dict(stage["$sort"])
        else:
            break
    return query, sort


def _shape_served(
    index: tuple[tuple[str, int | str], ...], query: Mapping[str, Any], sort: Mapping[str, Any]
) -> bool:
    """The leading keys of ``index`` are E (any order), then S (in order), then R (any order)."""
    roles = classify(query)
    equality = set(roles.equality)
    sorted_keys = [
        (str(f), -1 if _number(d) < 0 else 1)
        for f, d in sort.items()
        if str(f) not in equality and not str(f).startswith("$")
    ]
    sorted_names = {f for f, _ in sorted_keys}
    rest = set(roles.range + roles.other) - equality - sorted_names
    width = len(equality) + len(sorted_keys) + len(rest)
    head = index[:width]
    if not width or len(head) < width or not all(isinstance(d, int) for _, d in head):
        return False
    middle = head[len(equality) : len(equality) + len(sorted_keys)]
    if {f for f, _ in head[: len(equality)]} != equality:
        return False
    if [f for f, _ in middle] != [f for f, _ in sorted_keys]:
        return False
    if {f for f, _ in head[len(equality) + len(sorted_keys) :]} != rest:
        return False
    signs = [(_sign(int(a)), b) for (_, a), (_, b) in zip(middle, sorted_keys, strict=True)]
    return all(a == b for a, b in signs) or all(a == -b for a, b in signs)


def _usable(
    index: IndexInfo, query: Mapping[str, Any], collation: Mapping[str, Any] | None
) -> bool:
    """The planner may use ``index`` for ``query`` at all (hidden, partial, collation)."""
    if index.hidden or not index.ordinary:
        return False
    if index.partial is not None and any(query.get(k) != v for k, v in index.partial.items()):
        return False
    wanted = collation if collation and collation.get("locale") not in (None, "simple") else None
    mine = index.collation
    if (mine is None) != (wanted is None):
        return False
    return mine is None or wanted is None or mine.get("locale") == wanted.get("locale")


def serving_index(
    query: Mapping[str, Any],
    sort: Mapping[str, Any] | None,
    existing: Sequence[IndexKeys | IndexInfo],
    *,
    collation: Mapping[str, Any] | None = None,
) -> IndexInfo | None:
    """The first existing index that already serves ``query`` and ``sort`` the ESR way, or ``None``.

    Plain key patterns (without options) are named by their keys.
    """
    keys = esr_keys(query, sort)
    if not keys:
        return None
    for item in existing:
        index = item if isinstance(item, IndexInfo) else IndexInfo(_name_of(item), item)
        if not _usable(index, query, collation):
            continue
        numeric = tuple((f, int(d)) for f, d in index.keys if isinstance(d, int))
        if serves(numeric, keys) or _shape_served(index.keys, query, sort or {}):
            return index
    return None


def _name_of(keys: IndexKeys) -> str:
    return "_".join(f"{f}_{d}" for f, d in keys)


def suggest(
    collection: str,
    query: Mapping[str, Any],
    sort: Mapping[str, Any] | None = None,
    *,
    projection: Mapping[str, Any] | None = None,
    existing: Sequence[IndexKeys | IndexInfo] = (),
    collation: Mapping[str, Any] | None = None,
) -> Suggestion | None:
    """An ESR index suggestion for one query shape, or ``None`` when one already serves it.

    Args:
        collection: The collection name.
        query: The find filter (or the pipeline's leading ``$match``).
        sort: The sort specification, if any.
        projection: The projection, if any: when every projected field is a key (and
            ``_id`` is excluded), the query can be answered from the index alone.
        existing: The collection's indexes (descriptions, or bare key patterns).
        collation: The query's collation, if it gives one.
    """
    keys = esr_keys(query, sort)
    if not keys or serving_index(query, sort, existing, collation=collation) is not None:
        return None
    spec = json.dumps(dict(keys))
    evidence = _evidence(query, sort, projection, keys)
    partial = _partly_serving(keys, existing)
    if partial is not None:
        evidence.append(
            f"existing index {partial.name} {partial.spec_text()} serves only a prefix of these "
            "keys; once this one is built it makes that one redundant (see index health)"
        )
    return Suggestion(
        engine="mongodb",
        target=collection,
        ddl=f"db.getCollection({json.dumps(collection)}).createIndex({spec})",
        reason="Equality fields first, then the sort in its direction, then the range "
        "fields (the ESR rule).",
        confidence=Confidence.HEURISTIC,
        evidence=tuple(evidence),
        queries=(json.dumps({"filter": query, "sort": sort or {}}, default=str),),
        columns=tuple(field for field, _ in keys),
    )


def _partly_serving(keys: IndexKeys, existing: Sequence[IndexKeys | IndexInfo]) -> IndexInfo | None:
    """An existing plain index whose keys are a shorter prefix of ``keys``."""
    for item in existing:
        index = item if isinstance(item, IndexInfo) else IndexInfo(_name_of(item), item)
        numeric = tuple((f, int(d)) for f, d in index.keys if isinstance(d, int))
        if (
            index.ordinary
            and not index.is_id
            and len(numeric) < len(keys)
            and serves(keys, numeric)
        ):
            return index
    return None


def _evidence(
    query: Mapping[str, Any],
    sort: Mapping[str, Any] | None,
    projection: Mapping[str, Any] | None,
    keys: IndexKeys,
) -> list[str]:
    roles = classify(query)
    evidence = [
        f"equality: {', '.join(roles.equality) or '-'}",
        f"sort: {', '.join(str(f) for f in (sort or {})) or '-'}",
        f"range: {', '.join((*roles.range, *roles.other)) or '-'}",
    ]
    if projection is not None and _covered(projection, keys):
        evidence.append("covered: every projected field is a key, so no document is fetched")
    return evidence


def _covered(projection: Mapping[str, Any], keys: IndexKeys) -> bool:
    included = [f for f, v in projection.items() if f != "_id" and v not in (0, False)]
    fields = {f for f, _ in keys}
    return bool(included) and projection.get("_id") in (0, False) and set(included) <= fields
