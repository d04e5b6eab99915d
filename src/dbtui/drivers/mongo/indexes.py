"""MongoDB index descriptions from ``listIndexes`` and ``$indexStats`` output (pure, no I/O).

``listIndexes`` gives one spec per index: ``{v, key, name}`` plus the options
that change what the index can serve (``unique``, ``sparse``,
``partialFilterExpression``, ``expireAfterSeconds``, ``collation``, ``hidden``).
``$indexStats`` (MongoDB manual, "$indexStats (aggregation)") gives one
document per index *and per node*::

    {name, key, host, accesses: {ops, since}, shard?, spec?, building?}

``accesses.ops`` counts operations that used the index since ``accesses.since``
(the server start, or the index creation, whichever is later): counters are
in memory, per node, and restart from zero. A server that does not keep them
(some compatible servers) answers ``since: null``; those counters say nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

KeyPattern = tuple[tuple[str, int | str], ...]
"""Ordered (field, direction) pairs; the direction is 1/-1 or a type ("text", "hashed"...)."""


@dataclass(frozen=True)
class IndexInfo:
    """One index of a collection, as ``listIndexes`` (or ``$indexStats``' ``spec``) describes it.

    Attributes:
        name: The index name.
        keys: The key pattern in order.
        unique: Enforces uniqueness (dropping it changes what the collection accepts).
        sparse: Leaves out documents without the key fields.
        partial: The ``partialFilterExpression``; ``None`` for a full index.
        ttl: ``expireAfterSeconds`` of a TTL index; ``None`` otherwise.
        collation: The index's collation; ``None`` for simple binary comparison.
        hidden: Hidden from the planner (kept up to date but never used).
    """

    name: str
    keys: KeyPattern
    unique: bool = False
    sparse: bool = False
    partial: Mapping[str, Any] | None = None
    ttl: float | None = None
    collation: Mapping[str, Any] | None = None
    hidden: bool = False

    @property
    def ordinary(self) -> bool:
        """Every key is an ascending/descending B-tree key (no text, hashed, geo, wildcard)."""
        return bool(self.keys) and all(
            isinstance(d, int) and not field.endswith("$**") for field, d in self.keys
        )

    @property
    def is_id(self) -> bool:
        """The mandatory ``_id_`` index (never dropped)."""
        return self.name == "_id_" or [f for f, _ in self.keys] == ["_id"]

    @property
    def plain(self) -> bool:
        """No option that changes what the index holds or enforces (see :func:`special_options`)."""
        return not special_options(self)

    def spec_text(self) -> str:
        """The key pattern as mongosh writes it, e.g. ``{a: 1, b: -1}``."""
        return "{" + ", ".join(f"{f}: {_direction_text(d)}" for f, d in self.keys) + "}"


def _direction_text(direction: int | str) -> str:
    return str(direction) if isinstance(direction, int) else f'"{direction}"'


def special_options(index: IndexInfo) -> list[str]:
    """The options of ``index`` that make it more than its keys: unique, partial, TTL..."""
    found = []
    if index.unique:
        found.append("unique")
    if index.partial is not None:
        found.append("partial")
    if index.ttl is not None:
        found.append("TTL")
    if index.sparse:
        found.append("sparse")
    if index.collation is not None:
        found.append("collation")
    if index.hidden:
        found.append("hidden")
    return found


def _direction(value: object) -> int | str:
    """1/-1 for a numeric direction (any number type), else the type name as text."""
    if isinstance(value, bool):
        return 1
    if isinstance(value, int | float):
        return -1 if value < 0 else 1
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    return -1 if number < 0 else 1


def key_pattern(key: object) -> KeyPattern:
    """The ``key`` document of a spec as ordered pairs (empty when it is not a document)."""
    if not isinstance(key, Mapping):
        return ()
    return tuple((str(field), _direction(direction)) for field, direction in key.items())


def _collation(value: object) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping) or value.get("locale") in (None, "simple"):
        return None
    return dict(value)


def parse_index_spec(spec: Mapping[str, Any]) -> IndexInfo:
    """An :class:`IndexInfo` from one ``listIndexes`` document (unknown fields are ignored)."""
    partial = spec.get("partialFilterExpression")
    ttl = spec.get("expireAfterSeconds")
    return IndexInfo(
        name=str(spec.get("name", "")),
        keys=key_pattern(spec.get("key")),
        unique=bool(spec.get("unique", False)),
        sparse=bool(spec.get("sparse", False)),
        partial=dict(partial) if isinstance(partial, Mapping) else None,
        ttl=float(ttl) if isinstance(ttl, int | float) and not isinstance(ttl, bool) else None,
        collation=_collation(spec.get("collation")),
        hidden=bool(spec.get("hidden", False)),
    )


@dataclass(frozen=True)
class IndexUsage:
    """How often one index was used, over every node that reported it.

    Attributes:
        name: The index name.
        ops: Operations that used it, summed over the nodes.
        since: When counting started: the *latest* ``accesses.since`` of the nodes, so
            that "``ops`` uses since ``since``" holds on every node; ``None`` when a node
            gave no date (its counters cannot be trusted).
        hosts: The ``host`` (and ``shard``) of each node that reported it.
        building: An index build is still in progress on some node.
        spec: The spec from ``$indexStats`` (MongoDB 4.2+), when given.
    """

    name: str
    ops: int
    since: dt.datetime | None
    hosts: tuple[str, ...] = ()
    building: bool = False
    spec: IndexInfo | None = None

    @property
    def counted(self) -> bool:
        """The counters mean something: every node said since when it counts."""
        return self.since is not None


@dataclass
class _UsageAcc:
    ops: int = 0
    since: dt.datetime | None = None
    undated: bool = False
    hosts: tuple[str, ...] = ()
    building: bool = False
    spec: IndexInfo | None = None


def _ops(accesses: Mapping[str, Any]) -> int:
    value = accesses.get("ops", 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _since(accesses: Mapping[str, Any]) -> dt.datetime | None:
    value = accesses.get("since")
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def parse_index_stats(documents: Iterable[Mapping[str, Any]]) -> dict[str, IndexUsage]:
    """Index usage by index name from the documents of ``aggregate([{$indexStats: {}}])``.

    Several documents for one name (one per replica-set member or shard) are combined:
    ``ops`` summed, ``since`` the latest of their dates (``None`` if any has none).
    Documents without a name are skipped.
    """
    found: dict[str, _UsageAcc] = {}
    for doc in documents:
        name = doc.get("name")
        if not isinstance(name, str) or not name:
            continue
        acc = found.setdefault(name, _UsageAcc())
        accesses = doc.get("accesses")
        accesses = accesses if isinstance(accesses, Mapping) else {}
        acc.ops += _ops(accesses)
        since = _since(accesses)
        if since is None:
            acc.undated = True
        elif acc.since is None or since > acc.since:
            acc.since = since
        host = str(doc.get("host", ""))
        shard = doc.get("shard")
        acc.hosts += (f"{shard}/{host}" if shard else host,)
        acc.building = acc.building or bool(doc.get("building", False))
        spec = doc.get("spec")
        if isinstance(spec, Mapping) and acc.spec is None:
            acc.spec = parse_index_spec(spec)
    return {
        name: IndexUsage(
            name=name,
            ops=acc.ops,
            since=None if acc.undated else acc.since,
            hosts=acc.hosts,
            building=acc.building,
            spec=acc.spec,
        )
        for name, acc in found.items()
    }
