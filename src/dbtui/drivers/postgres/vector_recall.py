"""The recall check: how many of the true k nearest rows an HNSW/IVFFlat index finds.

For a k-NN query (:class:`~.vector_advice.VectorQuery`) and a sample of query vectors drawn
from the table, the same query runs exactly (``enable_indexscan = off``: a scan and a top-k
sort) and through the index at several ``hnsw.ef_search`` / ``ivfflat.probes`` values;
recall@k and the times are compared (:class:`~dbtui.core.advisor.vector.RecallReport`).

Writes: none that survive. Everything runs in one transaction of the advisor's private
connection that is always rolled back. When the query's index does not exist yet, it is
created inside that transaction only when the caller asks for it (``build=True``, the user's
deliberate act) and never on a read-only connection; the rollback removes it again. While
it exists the table holds a SHARE lock (writers wait); ``lock_timeout`` keeps the build from
queueing behind someone else's writes. Once the index is built the transaction is switched
to read-only, so the measuring queries cannot write either.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from dbtui.core.advisor.vector import (
    RecallPoint,
    RecallReport,
    recall_at_k,
    steps_for,
    vector_type,
)
from dbtui.core.errors import QueryError, UnsupportedError
from dbtui.drivers.postgres.advisor_session import PrivateSession, index_names
from dbtui.drivers.postgres.vector_advice import VectorPlan, VectorQuery, plan_vector_index

DEFAULT_K = 10
"""k when the query has no literal LIMIT."""
DEFAULT_SAMPLES = 20
"""Query vectors drawn from the table."""
CHECK_INDEX = "dbtui_recall_check"
"""Name of the index built for the check (gone with the rollback)."""
BUILD_TIMEOUT = "10min"
"""statement_timeout of the index build (other statements keep the advisor's)."""
BUILD_MEMORY_KB = 256 * 1024
"""maintenance_work_mem for the build, when the server's is lower (a graph that does not
fit in memory builds many times slower)."""


def measure_recall(
    session: PrivateSession,
    query: VectorQuery,
    *,
    build: bool = False,
    read_only: bool = False,
    method: str = "hnsw",
    options: dict[str, int] | None = None,
    k: int | None = None,
    samples: int = DEFAULT_SAMPLES,
    values: Sequence[int] | None = None,
) -> RecallReport:
    """Measure recall@k of the index that serves ``query`` (see the module notes).

    Args:
        session: The advisor's private session (no transaction open).
        query: The k-NN query.
        build: Create the suggested index (``method``, ``options``) inside the rolled-back
            transaction when none serves the query. Without it, a missing index is an error.
        read_only: The connection is read-only: building is refused.
        method: ``hnsw`` or ``ivfflat``, for the index built.
        options: Its storage parameters (pgvector's defaults when ``None``).
        k: Neighbours per query (the query's LIMIT, else :data:`DEFAULT_K`).
        samples: Query vectors drawn from the table.
        values: Setting values to try (``hnsw.ef_search`` or ``ivfflat.probes``).

    Raises:
        UnsupportedError: no index serves the query and building was not asked or refused.
        QueryError: a statement failed (or was cancelled).
    """
    k = k or query.limit or DEFAULT_K
    with session.transaction(write=build and not read_only):
        plan = plan_vector_index(session.rows, query)
        built_ms: float | None = None
        if plan.serving is not None:
            name, used_method = plan.serving.name, plan.serving.method
        else:
            _refuse_without_build(plan, build, read_only)
            built_ms = _build(session, plan, method, options)
            name, used_method = CHECK_INDEX, method
        vectors = _sample_vectors(session, query, plan.rows, samples)
        if not vectors:
            raise QueryError(f"{query.regclass} has no non-NULL {query.column} to sample")
        cast = vector_type(plan.type_name) or "vector"
        planner_uses = name in _plan_indexes(session, query, cast, vectors[0], k)
        exact, exact_ms = _run_all(session, query, cast, vectors, k, exact=True)
        setting, steps = steps_for(used_method, values)
        if name not in _plan_indexes(session, query, cast, vectors[0], k, force=True):
            raise UnsupportedError(
                f"the index {name} cannot serve this query even with sequential scans off"
            )
        points = []
        for value in steps:
            session.rows(f"SET LOCAL {setting} = {int(value)}")
            found, index_ms = _run_all(session, query, cast, vectors, k, exact=False)
            recalls = [recall_at_k(e, f) for e, f in zip(exact, found, strict=True)]
            mean_rows = sum(len(f) for f in found) / len(found)
            points.append(RecallPoint(int(value), sum(recalls) / len(recalls), index_ms, mean_rows))
        size = session.rows(
            "SELECT pg_catalog.pg_relation_size(c.oid) AS size FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %(schema)s AND c.relname = %(name)s",
            {"schema": plan.schema, "name": name},
        )
    notes = []
    if query.where:
        notes.append(f"measured with the query's filter: WHERE {query.where}")
    return RecallReport(
        index=name if built_ms is None else plan.ddl(method, options, name=CHECK_INDEX),
        method=used_method,
        setting=setting,
        k=k,
        samples=len(vectors),
        exact_ms=exact_ms,
        points=tuple(points),
        planner_uses_index=planner_uses,
        built=built_ms is not None,
        build_ms=built_ms,
        size_bytes=int(size[0]["size"]) if size and size[0]["size"] is not None else None,
        notes=tuple(notes),
    )


def _refuse_without_build(plan: VectorPlan, build: bool, read_only: bool) -> None:
    """Raise UnsupportedError unless the check may build the missing index."""
    wrong = "".join(f"; {i.name} has {i.opclass}, which does not serve it" for i in plan.wrong)
    what = f"no index serves ORDER BY {plan.query.column} {plan.query.operator}{wrong}"
    if read_only:
        raise UnsupportedError(
            f"{what}, and the connection is read-only: the recall check cannot build one "
            "(not even inside a rolled-back transaction)"
        )
    if not build:
        raise UnsupportedError(
            f"{what}: ask the recall check to build the suggested index inside a "
            "transaction that is rolled back"
        )


def _build(
    session: PrivateSession, plan: VectorPlan, method: str, options: dict[str, int] | None
) -> float:
    """Create the check's index in the open transaction; then make it read-only. Returns ms."""
    ddl = plan.ddl(method, options, name=CHECK_INDEX)
    memory = session.rows(
        "SELECT setting::bigint AS kb FROM pg_catalog.pg_settings"
        " WHERE name = 'maintenance_work_mem'"
    )
    if memory and int(memory[0]["kb"]) < BUILD_MEMORY_KB:
        session.rows(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY_KB}kB'")
    session.rows(f"SET LOCAL statement_timeout = '{BUILD_TIMEOUT}'")
    started = time.perf_counter()
    session.rows(ddl)
    elapsed = (time.perf_counter() - started) * 1000
    session.rows("RESET statement_timeout")
    session.rows("SET LOCAL transaction_read_only = on")
    return elapsed


def _sample_vectors(
    session: PrivateSession, query: VectorQuery, rows: float, samples: int
) -> list[str]:
    """Up to ``samples`` vectors of the column, drawn at random (repeatably) from the table."""
    session.rows("SELECT pg_catalog.setseed(0.42)")
    percent = min(100.0, max(0.01, 100.0 * samples * 20 / max(rows, 1.0)))
    sample = f"TABLESAMPLE BERNOULLI ({percent:.4f}) REPEATABLE (42)" if percent < 100 else ""
    column = f"{_quote(query.alias)}.{_quote(query.column)}"
    found = session.rows(
        f"SELECT {column}::text AS v FROM {query.regclass} AS {_quote(query.alias)} {sample}"
        f" WHERE {column} IS NOT NULL ORDER BY pg_catalog.random() LIMIT %(n)s",
        {"n": samples},
    )
    return [str(row["v"]) for row in found]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _knn_sql(query: VectorQuery, cast: str, k: int) -> str:
    where = f" WHERE {query.where}" if query.where else ""
    column = f"{_quote(query.alias)}.{_quote(query.column)}"
    return (
        f"SELECT {_quote(query.alias)}.ctid::text AS id FROM {query.regclass} AS "
        f"{_quote(query.alias)}{where} ORDER BY {column} {query.operator} %(v)s::{cast} "
        f"LIMIT {int(k)}"
    )


def _plan_indexes(
    session: PrivateSession,
    query: VectorQuery,
    cast: str,
    vector: str,
    k: int,
    *,
    force: bool = False,
) -> set[str]:
    """Index names in the plan of the k-NN query (``force``: sequential scans and sorts off)."""
    if force:
        session.rows("SET LOCAL enable_seqscan = off")
        session.rows("SET LOCAL enable_sort = off")
    try:
        rows = session.rows("EXPLAIN (FORMAT JSON) " + _knn_sql(query, cast, k), {"v": vector})
    finally:
        if force:
            session.rows("SET LOCAL enable_seqscan = on")
            session.rows("SET LOCAL enable_sort = on")
    plan: Any = next(iter(rows[0].values())) if rows else None
    return set(index_names(plan))


def _run_all(
    session: PrivateSession,
    query: VectorQuery,
    cast: str,
    vectors: Sequence[str],
    k: int,
    *,
    exact: bool,
) -> tuple[list[set[str]], float]:
    """Row ids of the k-NN query for each vector, and the mean time per query in ms."""
    session.rows(f"SET LOCAL enable_indexscan = {'off' if exact else 'on'}")
    if not exact:
        session.rows("SET LOCAL enable_seqscan = off")
        session.rows("SET LOCAL enable_sort = off")
    sql = _knn_sql(query, cast, k)
    found: list[set[str]] = []
    started = time.perf_counter()
    for vector in vectors:
        found.append({str(r["id"]) for r in session.rows(sql, {"v": vector}, prepare=False)})
    elapsed = (time.perf_counter() - started) * 1000 / max(len(vectors), 1)
    session.rows("SET LOCAL enable_seqscan = on")
    session.rows("SET LOCAL enable_sort = on")
    session.rows("SET LOCAL enable_indexscan = on")
    return found, elapsed
