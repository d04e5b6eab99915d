"""``db.coll.bulkWrite([...])``: checking the mongosh operation list and building pymongo's.

Each element is one single-key document, as mongosh takes them::

    {insertOne: {document: {...}}}
    {updateOne: {filter: {...}, update: {...}, upsert: true}}      (also updateMany)
    {replaceOne: {filter: {...}, replacement: {...}}}
    {deleteOne: {filter: {...}}}                                   (also deleteMany)

The parser calls :func:`problem` so a malformed list is a syntax error before
anything is sent, and the safety rules can trust :func:`kinds` and
:func:`filters`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne

_FIELDS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "insertOne": (("document",), frozenset()),
    "updateOne": (("filter", "update"), frozenset({"upsert", "collation", "arrayFilters", "hint"})),
    "updateMany": (
        ("filter", "update"),
        frozenset({"upsert", "collation", "arrayFilters", "hint"}),
    ),
    "replaceOne": (("filter", "replacement"), frozenset({"upsert", "collation", "hint"})),
    "deleteOne": (("filter",), frozenset({"collation", "hint"})),
    "deleteMany": (("filter",), frozenset({"collation", "hint"})),
}
"""Operation -> (required fields, optional fields)."""
_CLASSES: dict[str, Any] = {
    "insertOne": InsertOne,
    "updateOne": UpdateOne,
    "updateMany": UpdateMany,
    "replaceOne": ReplaceOne,
    "deleteOne": DeleteOne,
    "deleteMany": DeleteMany,
}
_PYMONGO_NAMES = {"arrayFilters": "array_filters"}


def _entry(item: object) -> tuple[str, Mapping[str, object]] | None:
    """``(kind, body)`` of one well-formed operation, else ``None``."""
    if not isinstance(item, Mapping) or len(item) != 1:
        return None
    kind, body = next(iter(item.items()))
    return (kind, body) if kind in _FIELDS and isinstance(body, Mapping) else None


def problem(operations: Sequence[object]) -> str | None:
    """What is wrong with a bulkWrite operation list (naming the element), or ``None``."""
    if not operations:
        return "bulkWrite() needs at least one operation"
    for number, item in enumerate(operations, 1):
        entry = _entry(item)
        if entry is None:
            return f"operation {number} of bulkWrite() must be one of " + ", ".join(
                f"{{{kind}: {{...}}}}" for kind in _FIELDS
            )
        kind, body = entry
        required, optional = _FIELDS[kind]
        missing = [field for field in required if field not in body]
        unknown = sorted(set(body) - set(required) - optional)
        if missing or unknown:
            what = f"needs {', '.join(missing)}" if missing else f"has unknown {', '.join(unknown)}"
            return f"operation {number} of bulkWrite() ({kind}) {what}"
        for field in required:
            value = body[field]
            if not (isinstance(value, Mapping) or (field == "update" and isinstance(value, list))):
                return f"operation {number} of bulkWrite() ({kind}): {field} must be a document"
    return None


def kinds(operations: Sequence[object]) -> Counter[str]:
    """How many operations of each kind the list holds (checked lists only)."""
    return Counter(entry[0] for item in operations if (entry := _entry(item)) is not None)


def empty_filter_kinds(operations: Sequence[object]) -> set[str]:
    """The kinds of the operations whose filter is empty (they hit arbitrary or all documents)."""
    found: set[str] = set()
    for item in operations:
        entry = _entry(item)
        if entry is not None and "filter" in entry[1]:
            value = entry[1]["filter"]
            if isinstance(value, Mapping) and not value:
                found.add(entry[0])
    return found


def _pairs(value: object) -> Any:
    return list(value.items()) if isinstance(value, Mapping) else value


def requests(operations: Sequence[object]) -> list[Any]:
    """pymongo request objects for a list :func:`problem` accepted."""
    built: list[Any] = []
    for item in operations:
        entry = _entry(item)
        assert entry is not None  # the parser checked the list
        kind, body = entry
        required, _ = _FIELDS[kind]
        args = [body[field] for field in required]
        options = {_PYMONGO_NAMES.get(k, k): v for k, v in body.items() if k not in required}
        if "hint" in options:
            options["hint"] = _pairs(options["hint"])
        built.append(_CLASSES[kind](*args, **options))
    return built


def summary(operations: Sequence[object]) -> str:
    """``2 insertOne, 1 deleteMany``: what the list does, in first-seen order."""
    return ", ".join(f"{count} {kind}" for kind, count in kinds(operations).items())
