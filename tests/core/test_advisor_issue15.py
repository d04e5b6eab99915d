"""Issue #15 "Index advice", engine-neutral parts: the pass logic keeps a candidate that
passes against the current plan, partial candidates win on size, savings read as positive
numbers, suggestion severities, the empty answer's text, and the SQL walker's views,
inlined CTEs and ORDER BY / GROUP BY by output number or alias."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dbtui.advise_cli import build_parser, worst
from dbtui.core.advice import Advice, Confidence, Suggestion
from dbtui.core.advice_text import render_suggestions, suggestion_headline
from dbtui.core.advisor import dexter
from dbtui.core.advisor.dexter import Outcome
from dbtui.core.advisor.indexes import IndexKey, IndexSpec
from dbtui.core.advisor.shape import Use
from dbtui.core.plan import Severity
from dbtui.drivers.postgres.sqlwalk import extract_shape


def spec(*keys: str, where: str | None = None) -> IndexSpec:
    return IndexSpec("t", None, tuple(IndexKey(k) for k in keys), where=where)


class Planner:
    """A what-if planner from a table of costs (and sizes): the cheapest allowed plan wins."""

    def __init__(
        self, plans: Mapping[tuple[IndexSpec, ...], float], sizes: Mapping[IndexSpec, int]
    ) -> None:
        self.plans = plans
        self.sizes = sizes

    def __call__(self, specs: Sequence[IndexSpec]) -> Outcome:
        options = [(cost, used) for used, cost in self.plans.items() if set(used) <= set(specs)]
        cost, used = min(options, key=lambda option: option[0])
        size = self.sizes.get(specs[0]) if len(specs) == 1 else None
        return Outcome(cost, used, size=size)


BEFORE = Outcome(10_000.0, ())
A, B, AB = spec("a"), spec("b"), spec("a", "b")


def test_a_pair_that_passes_is_not_dropped_for_not_beating_the_singles_again() -> None:
    # (a) and (b) together (a BitmapAnd) cost 2,800; the pair 2,000 (not half of 2,800);
    # each single alone saves under 50%: the old rule fell back to them and dropped it all
    plans = {(): 10_000.0, (A, B): 2_800.0, (A,): 5_500.0, (B,): 5_400.0, (AB,): 2_000.0}
    result = dexter.select(BEFORE, [A, B], [AB], Planner(plans, {}))
    assert result.indexes == (AB,)
    assert result.after is not None
    assert result.after.cost == 2_000.0
    assert "cuts the cost by 80%" in result.reason
    reasons = {r.spec: r.reason for r in result.tried}
    assert "alone it cuts the cost from 10,000 to 5,500 (45% less" in reasons[A]
    assert "at least 50% is needed" in reasons[B]


def test_a_narrower_passing_index_wins_when_the_wider_is_not_much_better() -> None:
    plans = {(): 10_000.0, (A,): 400.0, (AB,): 250.0}
    result = dexter.select(BEFORE, [A, B], [AB], Planner(plans, {}))
    assert result.indexes == (A,)
    assert (
        "not 50% less, so the narrower index is enough"
        in {r.spec: r.reason for r in result.tried}[AB]
    )


def test_a_partial_index_wins_when_about_as_cheap_and_much_smaller() -> None:
    partial = spec("a", where="deleted_at IS NULL")
    plans = {(): 10_000.0, (A,): 110.0, (partial,): 150.0}
    sizes = {A: 6_000_000, partial: 50_000}
    result = dexter.select(BEFORE, [A], [], Planner(plans, sizes), [partial])
    assert result.indexes == (partial,)
    assert "1% of its size" in result.reason
    bigger = {A: 6_000_000, partial: 5_000_000}
    result = dexter.select(BEFORE, [A], [], Planner(plans, bigger), [partial])
    assert result.indexes == (A,)


def test_nothing_passing_lists_every_candidate_with_its_reason() -> None:
    plans = {(): 10_000.0, (A,): 6_000.0}
    result = dexter.select(BEFORE, [A, B], [], Planner(plans, {}))
    assert result.indexes == ()
    reasons = {r.spec: r.reason for r in result.tried}
    assert "40% less" in reasons[A]
    assert "did not use it" in reasons[B]


def suggestion(before: float, after: float | None, confidence: Confidence) -> Suggestion:
    return Suggestion(
        "postgresql", "public.t", "CREATE INDEX ON t (a)", "r", confidence,
        cost_before=before, cost_after=after,
    )  # fmt: skip


def test_savings_are_positive_numbers() -> None:
    verified = suggestion(1_000.0, 10.0, Confidence.VERIFIED)
    assert verified.saving_label == "99%"
    headline = suggestion_headline(verified)
    assert "99% cheaper" in headline
    assert "-99%" not in headline
    assert suggestion(1_000.0, 999.99, Confidence.VERIFIED).saving_label == "<1%"
    assert suggestion(1_000.0, None, Confidence.HEURISTIC).saving_label == ""


def test_suggestion_severity_and_fail_on() -> None:
    high = suggestion(1_000.0, 10.0, Confidence.VERIFIED)
    medium = suggestion(1_000.0, 400.0, Confidence.VERIFIED)
    low = suggestion(1_000.0, None, Confidence.HEURISTIC)
    assert [s.severity for s in (high, medium, low)] == [
        Severity.HIGH, Severity.MEDIUM, Severity.LOW
    ]  # fmt: skip
    assert worst([low, medium]) is Severity.MEDIUM
    assert worst([]) is Severity.NONE
    assert build_parser().parse_args(["u", "--health", "--fail-on", "high"]).fail_on == "high"
    assert "--fail-on" in build_parser().format_help()


def test_an_empty_answer_says_what_was_tried() -> None:
    empty = Advice([], ["(a) on t: alone it cuts the cost from 10 to 9"])
    assert empty == []
    text = render_suggestions(empty)
    assert text.startswith("No index suggestions. What was tried:")
    assert "  - (a) on t: alone it cuts the cost from 10 to 9" in text
    assert render_suggestions([]) == "No index suggestions."


Views = Mapping[tuple[str | None, str], str]


def uses(sql: str, views: Views | None = None) -> list[tuple[object, str, Use]]:
    shape = extract_shape(sql, views)
    return [
        (u.table.name if u.table else [t.name for t in u.scope], u.column, u.use)
        for u in shape.uses
    ]


def test_order_and_group_by_output_number_or_alias() -> None:
    assert uses("SELECT id, amount AS total FROM orders ORDER BY 2 LIMIT 5") == [
        ("orders", "amount", Use.ORDER)
    ]
    assert uses("SELECT id, amount AS total FROM orders ORDER BY total DESC") == [
        ("orders", "amount", Use.ORDER)
    ]
    assert uses("SELECT status, count(*) FROM orders GROUP BY 1") == [
        ("orders", "status", Use.GROUP)
    ]


def test_inlinable_ctes_and_subqueries_reach_their_tables() -> None:
    assert uses(
        "WITH x AS NOT MATERIALIZED (SELECT o.customer_id AS cid FROM orders o) "
        "SELECT * FROM x WHERE cid = 5"
    ) == [("orders", "customer_id", Use.EQUALITY)]
    assert uses("SELECT * FROM (SELECT * FROM orders) s WHERE s.status = 'x'") == [
        (["orders"], "status", Use.EQUALITY)
    ]
    twice = "WITH x AS (SELECT * FROM orders) SELECT * FROM x a JOIN x b USING (id) WHERE a.v = 1"
    assert not any(column == "v" for _, column, _ in uses(twice))  # materialised: used twice


def test_views_are_walked_like_subqueries() -> None:
    views: Views = {
        (None, "v"): "SELECT t.ref AS reference, t.body FROM tickets t WHERE t.status = 'o'"
    }
    assert uses("SELECT * FROM v WHERE reference = 42", views) == [
        ("tickets", "status", Use.EQUALITY),
        ("tickets", "ref", Use.EQUALITY),
    ]
    assert [t.name for t in extract_shape("SELECT * FROM v", views).tables] == ["tickets"]
