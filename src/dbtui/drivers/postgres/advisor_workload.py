"""Workload mode: the top statements of ``pg_stat_statements``, advised and merged.

Statements are read grouped by ``queryid`` (the server's fingerprint: the same
statement with other constants, or run by other roles, is one entry) and ranked
by total execution plus planning time. Each is advised on its own in the same
transaction (:func:`.advisor_statement.advise_in`); statements that are not
queries or DML, that read only system catalogs, or that cannot be planned are
skipped and listed with the reason. ``$n`` parameters, which
``pg_stat_statements`` puts in place of constants, are planned generically.
Suggestions are merged and ranked by estimated time saved
(:mod:`dbtui.core.advisor.workload`). When pg_qualstats is available, the statements
whose predicates filtered the most rows are advised as well (:mod:`.advisor_qualstats`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbtui.core.advice import Suggestion
from dbtui.core.advisor.shape import QueryShape
from dbtui.core.advisor.workload import WorkloadReport, WorkloadStatement, merge
from dbtui.core.errors import QueryError, UnsupportedError
from dbtui.drivers.postgres import advice_queries as q
from dbtui.drivers.postgres import advisor_qualstats as qualstats
from dbtui.drivers.postgres.advisor_catalog import SYSTEM_SCHEMAS
from dbtui.drivers.postgres.advisor_statement import ADVISABLE, Context, advise_in
from dbtui.drivers.postgres.sqlwalk import extract_shape

if TYPE_CHECKING:
    from dbtui.drivers.postgres.advisor import PostgresAdvisor

PLAN_TIME_VERSION = 130000
"""``total_plan_time`` exists from PostgreSQL 13."""
FETCH_FACTOR = 3
"""Statements read per statement wanted: some are skipped (system catalogs, no table)."""


def workload(advisor: PostgresAdvisor, limit: int = 50) -> WorkloadReport:
    """Advise the top ``limit`` advisable statements of ``pg_stat_statements`` (this database).

    Raises:
        UnsupportedError: pg_stat_statements is not loaded, or not created in this
            database and the advisor may not create it for the moment.
        QueryError: reading ``pg_stat_statements`` failed.
    """
    setup = advisor.setup()
    extensions = _extensions_needed(advisor)
    if qualstats.needs_creating(advisor):
        extensions.append(qualstats.EXTENSION)
    with advisor.context(extensions) as context:
        schema = setup.pss_schema or _schema_of(context, "pg_stat_statements")
        statements = _top_statements(context, schema, setup.version, limit * FETCH_FACTOR)
        found = _qual_statements(advisor, context, schema, limit)
        advised: list[tuple[WorkloadStatement, list[Suggestion]]] = []
        skipped: list[tuple[str, str]] = []
        for statement in statements:
            if len(advised) >= limit:
                break
            _advise_one(context, statement, found, advised, skipped)
        done = {s.queryid for s, _ in advised}
        for extra in found.values():  # pg_qualstats' statements come on top of the limit
            if extra.statement.queryid not in done:
                _advise_one(context, extra.statement, found, advised, skipped)
        return WorkloadReport(
            tuple(merge(advised)), tuple(s for s, _ in advised), tuple(skipped), context.note
        )


def _advise_one(
    context: Context,
    statement: WorkloadStatement,
    found: dict[int | None, qualstats.QualStatement],
    advised: list[tuple[WorkloadStatement, list[Suggestion]]],
    skipped: list[tuple[str, str]],
) -> None:
    """Advise one workload statement, appending to ``advised`` or ``skipped``."""
    shape, reason = _advisable(statement.query)
    if shape is None:
        skipped.append((statement.query, reason))
        return
    try:
        with context.session.savepoint("dbtui_statement"):
            suggestions = list(advise_in(context, statement.query, shape))
    except QueryError as exc:
        skipped.append((statement.query, f"could not be planned: {exc.message}"))
        return
    if statement.queryid in found:
        suggestions = qualstats.with_source(suggestions, found[statement.queryid])
    advised.append((statement, suggestions))


def _qual_statements(
    advisor: PostgresAdvisor, context: Context, pss_schema: str, limit: int
) -> dict[int | None, qualstats.QualStatement]:
    """Statements pg_qualstats saw filtering many rows, by queryid (none without it)."""
    if not qualstats.usable(advisor):
        return {}
    setup = advisor.setup()
    schema = setup.qualstats_schema or _schema_of(context, qualstats.EXTENSION)
    plan_time = "+ s.total_plan_time" if setup.version >= PLAN_TIME_VERSION else ""
    found = qualstats.qual_statements(context, schema, pss_schema, plan_time, limit)
    return {f.statement.queryid: f for f in found}


def _extensions_needed(advisor: PostgresAdvisor) -> list[str]:
    """``["pg_stat_statements"]`` when it must be created for the transaction, else ``[]``.

    Raises:
        UnsupportedError: it is not loaded, or not created and may not be created.
    """
    setup = advisor.setup()
    if setup.pss_schema is not None:
        return []
    if not setup.pss_preloaded:
        raise UnsupportedError(
            "workload advice reads pg_stat_statements, which this server does not load: "
            "add it to shared_preload_libraries, restart, and run CREATE EXTENSION "
            "pg_stat_statements"
        )
    if not advisor.can_create():
        raise UnsupportedError(
            "workload advice reads pg_stat_statements, which is not created in this "
            "database: run CREATE EXTENSION pg_stat_statements (as a superuser)"
        )
    return ["pg_stat_statements"]


def _schema_of(context: Context, extension: str) -> str:
    rows = context.session.rows(
        "SELECT extnamespace::regnamespace::text AS schema FROM pg_extension"
        " WHERE extname = %(name)s",
        {"name": extension},
    )
    return str(rows[0]["schema"]) if rows else "public"


def _top_statements(
    context: Context, schema: str, version: int, limit: int
) -> list[WorkloadStatement]:
    query = q.WORKLOAD.format(
        schema=schema,
        plan_time="+ s.total_plan_time" if version >= PLAN_TIME_VERSION else "",
    )
    rows = context.session.rows(query, {"limit": limit})
    return [
        WorkloadStatement(
            query=str(row["query"]).strip().rstrip(";"),
            calls=int(row["calls"] or 0),
            total_ms=float(row["total_ms"] or 0.0),
            queryid=int(row["queryid"]),
        )
        for row in rows
    ]


def _advisable(query: str) -> tuple[QueryShape | None, str]:
    """(its shape, "") when ``query`` can be advised, else (None, why not)."""
    try:
        shape = extract_shape(query)
    except QueryError as exc:
        return None, f"does not parse: {exc.message}"
    if shape.node not in ADVISABLE:
        return None, "not a query or DML statement"
    if not shape.tables:
        return None, "reads no table"
    if all(table.schema in SYSTEM_SCHEMAS for table in shape.tables) or all(
        table.name.startswith("pg_") for table in shape.tables
    ):
        return None, "reads only system catalogs"
    return shape, ""
