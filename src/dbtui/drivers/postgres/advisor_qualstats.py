"""pg_qualstats as a source of predicates for workload mode.

pg_qualstats (``shared_preload_libraries``) samples the predicates statements
evaluate, and how many rows each one filtered out *after* a scan (``eval_type =
'f'``): rows read only to be thrown away, which is what an index avoids. Workload
mode adds the statements behind the predicates that filtered the most rows to the
ones it advises (found by ``queryid`` in pg_stat_statements), even when they are
not among the top statements by total time, and says so in their suggestions.

Used when pg_qualstats is created in the database, or loaded and the advisor may
create it for its rolled-back transaction (like pg_stat_statements). No index is
taken from ``pg_qualstats_index_advisor()`` as is: every candidate still goes
through the HypoPG passes of :mod:`.advisor_statement`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dbtui.core.advice import Suggestion
from dbtui.core.advisor.workload import WorkloadStatement
from dbtui.core.errors import QueryError
from dbtui.drivers.postgres import advice_queries as q

if TYPE_CHECKING:
    from dbtui.drivers.postgres.advisor import PostgresAdvisor
    from dbtui.drivers.postgres.advisor_statement import Context

MIN_FILTERED = 1_000
"""A statement's predicates must have filtered out at least this many rows in total."""
EXTENSION = "pg_qualstats"


@dataclass(frozen=True)
class QualStatement:
    """A statement pg_qualstats points at.

    Attributes:
        statement: The statement (text and recorded time from pg_stat_statements).
        quals: Its filtering predicates, e.g. ``tickets.tenant_id = ? AND tickets.state = ?``.
        filtered: Rows its predicates filtered out after a scan, over the sampled runs.
    """

    statement: WorkloadStatement
    quals: str
    filtered: int


def needs_creating(advisor: PostgresAdvisor) -> bool:
    """pg_qualstats is loaded but not created here, and the advisor may create it for the
    moment of its transaction."""
    setup = advisor.setup()
    return setup.qualstats_schema is None and setup.qualstats_loaded and advisor.can_create()


def usable(advisor: PostgresAdvisor) -> bool:
    """pg_qualstats can be read in the advisor's transaction."""
    return advisor.setup().qualstats_schema is not None or needs_creating(advisor)


def qual_statements(
    context: Context,
    qualstats_schema: str,
    pss_schema: str,
    plan_time: str,
    limit: int,
) -> list[QualStatement]:
    """The statements whose predicates filtered the most rows (at least :data:`MIN_FILTERED`).

    Returns an empty list when pg_qualstats cannot be read (a role without the right to
    its function): the workload is then advised from pg_stat_statements alone.
    """
    query = q.QUALSTATS_STATEMENTS.format(
        qualstats=qualstats_schema, pss=pss_schema, plan_time=plan_time
    )
    try:
        with context.session.savepoint("dbtui_qualstats"):
            rows = context.session.rows(query, {"min_filtered": MIN_FILTERED, "limit": limit})
    except QueryError:
        return []
    return [
        QualStatement(
            WorkloadStatement(
                query=str(row["query"]).strip().rstrip(";"),
                calls=int(row["calls"] or 0),
                total_ms=float(row["total_ms"] or 0.0),
                queryid=int(row["queryid"]),
            ),
            str(row["quals"] or ""),
            int(row["filtered"] or 0),
        )
        for row in rows
    ]


def with_source(suggestions: list[Suggestion], found: QualStatement) -> list[Suggestion]:
    """``suggestions`` with evidence saying pg_qualstats found their statement."""
    line = (
        f"found through pg_qualstats: {found.quals} filtered out {found.filtered:,} rows "
        "after scans"
    )
    return [replace(s, evidence=(*s.evidence, line)) for s in suggestions]
