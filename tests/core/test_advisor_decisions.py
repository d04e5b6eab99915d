"""Dexter's thresholds, PgHero's heuristic and the workload merge (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dbtui.core.advice import Confidence, Suggestion
from dbtui.core.advisor import dexter
from dbtui.core.advisor.dexter import Outcome
from dbtui.core.advisor.heuristic import ColumnStats, choose, term_rows
from dbtui.core.advisor.indexes import IndexKey, IndexSpec
from dbtui.core.advisor.shape import ColumnUse
from dbtui.core.advisor.workload import WorkloadStatement, merge
from dbtui.drivers.postgres.sqlwalk import extract_shape


def spec(*keys: str) -> IndexSpec:
    return IndexSpec("t", None, tuple(IndexKey(k) for k in keys))


Plans = Mapping[tuple[tuple[str, ...], ...], float]
"""Indexes a plan uses (by their keys) -> its cost."""


class Planner:
    """A what-if planner from a table of costs: the cheapest allowed plan wins."""

    def __init__(self, plans: Plans) -> None:
        self.plans = plans
        self.calls: list[list[tuple[str, ...]]] = []

    def __call__(self, specs: Sequence[IndexSpec]) -> Outcome:
        have = {s.labels for s in specs}
        self.calls.append(sorted(have))
        options = [(cost, used) for used, cost in self.plans.items() if set(used) <= have]
        cost, used = min(options)
        return Outcome(cost, tuple(s for s in specs if s.labels in used))


BEFORE = Outcome(10_000.0, ())


def test_cheap_statements_are_left_alone() -> None:
    planner = Planner({(): 90.0})
    result = dexter.select(Outcome(90.0, ()), [spec("a")], [], planner)
    assert result.indexes == ()
    assert planner.calls == []


def test_single_index_must_halve_the_cost() -> None:
    plans: Plans = {(): 10_000.0, (("a",),): 6_000.0}
    planner = Planner(plans)
    assert dexter.select(BEFORE, [spec("a")], [], planner).indexes == ()
    plans = {(): 10_000.0, (("a",),): 40.0}
    planner = Planner(plans)
    result = dexter.select(BEFORE, [spec("a")], [], planner)
    assert [s.labels for s in result.indexes] == [("a",)]
    assert result.after is not None
    assert result.after.cost == 40.0


def test_pair_only_when_it_halves_the_single_again() -> None:
    plans = {(): 10_000.0, (("a",),): 400.0, (("a", "b"),): 250.0}
    result = dexter.select(BEFORE, [spec("a"), spec("b")], [spec("a", "b")], Planner(plans))
    assert [s.labels for s in result.indexes] == [("a",)]  # 250 is not under 200
    plans[(("a", "b"),)] = 150.0
    result = dexter.select(BEFORE, [spec("a"), spec("b")], [spec("a", "b")], Planner(plans))
    assert [s.labels for s in result.indexes] == [("a", "b")]


def test_pair_pass_needs_a_single_plan_over_the_minimum_cost() -> None:
    plans = {(): 10_000.0, (("a",),): 90.0, (("a", "b"),): 10.0}
    result = dexter.select(BEFORE, [spec("a")], [spec("a", "b")], Planner(plans))
    assert [s.labels for s in result.indexes] == [("a",)]


def test_several_indexes_fall_back_to_the_best_single_one() -> None:
    plans: dict[tuple[tuple[str, ...], ...], float] = {
        (): 10_000.0,
        (("a",), ("b",)): 100.0,
        (("a",),): 3_000.0,
        (("b",),): 4_500.0,
    }
    result = dexter.select(BEFORE, [spec("a"), spec("b")], [], Planner(plans))
    assert [s.labels for s in result.indexes] == [("a",)]
    plans[(("a",),)] = 6_000.0
    plans[(("b",),)] = 7_000.0
    assert dexter.select(BEFORE, [spec("a"), spec("b")], [], Planner(plans)).indexes == ()


STATS = {
    "user_id": ColumnStats(0.0, 40_000.0),
    "status": ColumnStats(0.0, 4.0),
    "email": ColumnStats(0.0, -1.0),
    "deleted_at": ColumnStats(0.98, 100.0),
}


def table_uses(sql: str) -> list[ColumnUse]:
    return list(extract_shape(sql).uses)


def test_pghero_row_estimates() -> None:
    (eq,) = table_uses("SELECT * FROM t WHERE user_id = 1")
    assert term_rows(eq, STATS["user_id"], 1_000_000, 1_000_000) == 25.0
    (rng,) = table_uses("SELECT * FROM t WHERE user_id > 1")
    assert term_rows(rng, STATS["user_id"], 1_000_000, 1_000_000) == (1_000_000 + 25) / 10
    (null,) = table_uses("SELECT * FROM t WHERE deleted_at IS NULL")
    assert round(term_rows(null, STATS["deleted_at"], 1_000, 1_000)) == 980
    (unique,) = table_uses("SELECT * FROM t WHERE email = 'x'")
    assert term_rows(unique, STATS["email"], 1_000_000, 1_000_000) == 1.0


def test_pghero_choice() -> None:
    pick = choose(table_uses("SELECT * FROM t WHERE status = 'a' AND user_id = 5"), STATS, 1e6)
    assert pick is not None
    assert [k.label for k in pick.keys] == ["user_id"]  # 25 rows left: enough
    wider = {**STATS, "user_id": ColumnStats(0.0, 10_000.0)}  # 100 rows left: add status
    pair = choose(table_uses("SELECT * FROM t WHERE status = 'a' AND user_id = 5"), wider, 1e6)
    assert pair is not None
    assert [k.label for k in pair.keys] == ["user_id", "status"]
    assert choose(table_uses("SELECT * FROM t WHERE status = 'a'"), STATS, 1e6) is None
    assert choose(table_uses("SELECT * FROM t WHERE user_id = 5"), STATS, 400) is None
    like = choose(table_uses("SELECT * FROM t WHERE email LIKE '%x%'"), STATS, 1e6)
    assert like is not None
    assert like.trigram
    ordered = table_uses("SELECT * FROM t ORDER BY user_id LIMIT 5")
    assert choose(ordered, STATS, 1e6) is None
    limited = choose(ordered, STATS, 1e6, limited=True)
    assert limited is not None
    assert [k.label for k in limited.keys] == ["user_id"]


def suggestion(ddl: str, columns: tuple[str, ...], before: float, after: float) -> Suggestion:
    return Suggestion(
        "postgresql", "public.t", ddl, "r", Confidence.VERIFIED,
        cost_before=before, cost_after=after, columns=columns,
    )  # fmt: skip


def test_workload_merge_ranks_by_time_saved_and_folds_leading_columns() -> None:
    a = suggestion("CREATE INDEX ON t (a)", ("a",), 100.0, 10.0)  # saves 90 %
    ab = suggestion("CREATE INDEX ON t (a, b)", ("a", "b"), 100.0, 50.0)  # saves 50 %
    c = suggestion("CREATE INDEX ON t (c)", ("c",), 100.0, 20.0)  # saves 80 %
    merged = merge(
        [
            (WorkloadStatement("q1", 10, 1_000.0), [a]),
            (WorkloadStatement("q2", 10, 100.0), [ab]),
            (WorkloadStatement("q3", 10, 2_000.0), [c]),
            (WorkloadStatement("q4", 10, 500.0), [c]),
        ]
    )
    assert [s.ddl for s in merged] == ["CREATE INDEX ON t (c)", "CREATE INDEX ON t (a, b)"]
    assert merged[0].benefit_ms == 2_000.0
    assert merged[0].queries == ("q3", "q4")
    assert merged[1].benefit_ms == 950.0  # 900 from q1 (folded) + 50 from q2
    assert merged[1].queries == ("q2", "q1")
