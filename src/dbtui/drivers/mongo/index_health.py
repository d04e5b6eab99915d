"""MongoDB index health: unused indexes (``$indexStats``) and redundant prefixes (``listIndexes``).

The checks are pure functions of the parsed index descriptions
(:mod:`dbtui.drivers.mongo.indexes`); :func:`database_health` does the I/O.

* **Unused**: ``accesses.ops == 0`` on every node since ``accesses.since``
  (reported with that date: counters restart with the server, so a young
  counter means little). Not reported: ``_id_``, unique indexes (they enforce
  a rule), TTL indexes (the TTL monitor's deletes are not counted), builds in
  progress, and any index whose server gave no ``since`` date.
* **Redundant**: an index whose keys are a leading prefix of a longer
  index's keys (same directions, or all reversed); the longer one is kept.
  Not redundant when the shorter one is unique, partial, TTL, sparse, hidden
  or has a collation, nor when the longer one is partial, sparse, hidden or
  has another collation (then it does not answer every query the shorter one does).
* **Unused by sampled queries**: not checked. The MongoDB driver keeps no
  sample of the workload (no profiler reading), so there is nothing to compare with;
  the statistics-window finding says so.

:func:`database_health` adds one ``stats-window`` finding (severity NONE): since
when the counters count, or that the server keeps none.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.database import Database
from pymongo.errors import OperationFailure

from dbtui.core.advice import HealthFinding, HealthKind
from dbtui.core.plan import Severity
from dbtui.drivers.mongo.connection import CLIENT_ERRORS, translate
from dbtui.drivers.mongo.indexes import IndexInfo, IndexUsage, parse_index_spec, parse_index_stats

ENGINE = "mongodb"
MAX_COLLECTIONS = 500
"""Collections checked at most per call (a database with more is cut, in name order)."""
SAMPLED_QUERIES_NOTE = (
    "Indexes no sampled query uses: not checked, the MongoDB driver keeps no query sample."
)


def drop_command(collection: str, index: str) -> str:
    """The mongosh call that drops ``index`` of ``collection``."""
    return f"db.getCollection({json.dumps(collection)}).dropIndex({json.dumps(index)})"


def _since_text(since: dt.datetime) -> str:
    return since.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def unused_findings(
    collection: str, indexes: Sequence[IndexInfo], usage: Mapping[str, IndexUsage]
) -> list[HealthFinding]:
    """Indexes of ``collection`` no operation used since their counters started."""
    findings: list[HealthFinding] = []
    for index in indexes:
        used = usage.get(index.name)
        if used is None or used.ops or used.since is None or used.building:
            continue
        if index.is_id or index.unique or index.ttl is not None:
            continue
        since = _since_text(used.since)
        findings.append(
            HealthFinding(
                engine=ENGINE,
                kind=HealthKind.UNUSED_INDEX,
                target=collection,
                subject=index.name,
                detail=f"{index.spec_text()} was used by no operation since {since} "
                f"($indexStats on {len(used.hosts)} node(s); counters restart with the server, "
                "so check that this covers a full business cycle, and every node).",
                ddl=drop_command(collection, index.name),
                severity=Severity.MEDIUM,
                facts=(("accesses.ops", "0"), ("since", since), ("nodes", ", ".join(used.hosts))),
            )
        )
    return findings


def _prefix_of(short: IndexInfo, long: IndexInfo) -> bool:
    if len(short.keys) >= len(long.keys) or not short.ordinary or not long.ordinary:
        return False
    head = long.keys[: len(short.keys)]
    if [f for f, _ in head] != [f for f, _ in short.keys]:
        return False
    pairs = list(zip((d for _, d in short.keys), (d for _, d in head), strict=True))
    return all(a == b for a, b in pairs) or all(a == -b for a, b in pairs)  # type: ignore[operator]


def _covers(long: IndexInfo, short: IndexInfo) -> bool:
    """``long`` answers every query ``short`` answers (ignoring the keys)."""
    if short.is_id or short.unique or short.partial is not None or short.ttl is not None:
        return False
    if short.sparse or short.hidden or short.collation is not None:
        return False
    return not (long.partial is not None or long.sparse or long.hidden or long.collation)


def redundant_findings(collection: str, indexes: Sequence[IndexInfo]) -> list[HealthFinding]:
    """Indexes whose keys lead a longer index that serves the same queries (keep the longer)."""
    findings: list[HealthFinding] = []
    for short in indexes:
        longer = [i for i in indexes if _prefix_of(short, i) and _covers(i, short)]
        if not longer:
            continue
        keep = min(longer, key=lambda i: (-len(i.keys), i.name))  # the longest: never dropped
        findings.append(
            HealthFinding(
                engine=ENGINE,
                kind=HealthKind.REDUNDANT_INDEX,
                target=collection,
                subject=short.name,
                detail=f"{short.spec_text()} is a prefix of {keep.name} {keep.spec_text()}, "
                f"which serves the same queries: keep {keep.name}, drop {short.name}.",
                ddl=drop_command(collection, short.name),
                severity=Severity.LOW,
                facts=(("kept", keep.name), ("kept keys", keep.spec_text())),
            )
        )
    return findings


def stats_window(database: str, usage: Sequence[IndexUsage]) -> HealthFinding:
    """Since when ``$indexStats`` counts (the oldest and newest ``since``), or that it does not."""
    dated = sorted(u.since for u in usage if u.since is not None)
    undated = sum(1 for u in usage if u.since is None)
    if not dated:
        detail = (
            "The server reports no $indexStats counters (no since date): unused indexes "
            "cannot be judged here."
        )
        facts: tuple[tuple[str, str], ...] = (("indexes without counters", str(undated)),)
    else:
        oldest, newest = _since_text(dated[0]), _since_text(dated[-1])
        detail = (
            f"Index usage counts since {oldest} (the server start) for the oldest index and "
            f"since {newest} for the newest; counters restart with each server and are per node."
        )
        facts = (("counting since", oldest), ("newest counter since", newest))
    return HealthFinding(
        engine=ENGINE,
        kind=HealthKind.STATS_WINDOW,
        target=database,
        subject="index usage statistics",
        detail=f"{detail} {SAMPLED_QUERIES_NOTE}",
        severity=Severity.NONE,
        facts=facts,
    )


def collection_health(
    collection: str, specs: Sequence[Mapping[str, Any]], stats: Sequence[Mapping[str, Any]]
) -> list[HealthFinding]:
    """Every finding for one collection from its ``listIndexes`` and ``$indexStats`` documents."""
    indexes = [parse_index_spec(spec) for spec in specs]
    usage = parse_index_stats(stats)
    return unused_findings(collection, indexes, usage) + redundant_findings(collection, indexes)


def _index_stats(db: Database[Any], name: str) -> list[Mapping[str, Any]]:
    """``$indexStats`` of one collection; empty when the server does not support it."""
    try:
        return list(db[name].aggregate([{"$indexStats": {}}]))
    except OperationFailure as exc:
        # Unauthorized, AtlasError, unknown stage: no usage counters, but still the prefixes.
        if exc.code in (13, 8000, 40324):
            return []
        raise


def database_health(db: Database[Any]) -> list[HealthFinding]:
    """Index health over the collections of ``db`` (views and ``system.*`` skipped).

    Raises:
        QueryError: a command failed.
        ConnectionLostError: the server went away.
    """
    findings: list[HealthFinding] = []
    usage: list[IndexUsage] = []
    try:
        infos = db.list_collections(filter={"type": "collection"})
        names = sorted(str(i["name"]) for i in infos if not str(i["name"]).startswith("system."))
        for name in names[:MAX_COLLECTIONS]:
            specs = list(db[name].list_indexes())
            stats = _index_stats(db, name)
            usage += parse_index_stats(stats).values()
            findings += collection_health(name, specs, stats)
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"index health of {db.name}") from None
    return [stats_window(db.name, usage), *findings]
