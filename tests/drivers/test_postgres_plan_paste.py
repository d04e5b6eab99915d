"""Plans as users paste them: psql framing, text before the plan, quoted exports, wraps.

Fixtures in ``tests/fixtures/plans`` were printed by PostgreSQL 15's psql (see the README
there); the variants below (prompts, quoting, terminal cuts) are made from them the way a
terminal or a client would. Every case must give the same tree as the plain plan, or a
one-line error naming the line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbtui.cli import main
from dbtui.core.plan import Plan
from dbtui.core.plans.errors import PlanFormatError
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan, parse_postgres_text_plan

FIXTURES = Path(__file__).parent.parent / "fixtures" / "plans"
LABELS = [
    "Limit",
    "Sort",
    "Aggregate (Hashed)",
    "Hash Join (Inner)",
    "Seq Scan on public.orders o",
    "Hash",
    "Seq Scan on public.customers c",
]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def labels(plan: Plan) -> list[str]:
    return [node.label for node in plan.root.walk()]


def repaired(plan: Plan) -> str:
    """The message of the plan's ``pasted-input`` finding ("" when nothing was repaired)."""
    notes = [f.message for f in plan.summary.findings if f.code == "pasted-input"]
    return notes[0] if notes else ""


def body(name: str) -> list[str]:
    """The plan lines of a psql-framed text fixture: no header, rule or row count."""
    lines = fixture(name).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("(") and "rows)" in line)
    return lines[start:end]


# -- psql framing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "root_ms", "execution_ms"),
    [
        ("json-unicode-pg15.txt", 84.763, 85.232),
        ("json-border2-ascii-pg15.txt", 83.33, 83.796),
        ("json-border2-unicode-pg15.txt", 90.456, 90.863),
        ("json-wrapped-pg15.txt", 68.879, 69.33),
    ],
)
def test_psql_framed_json(name: str, root_ms: float, execution_ms: float) -> None:
    for parser in (parse_postgres_plan, parse_postgres_text_plan):
        plan = parser(fixture(name))
        assert labels(plan) == LABELS
        assert plan.root.raw["Actual Total Time"] == root_ms
        assert plan.summary.execution_ms == execution_ms
        scan = list(plan.root.walk())[4]
        assert scan.raw["Filter"] == "(o.amount > '90'::numeric)"  # one wrapped in json-wrapped
        assert scan.raw["Output"] == ["o.id", "o.customer_id", "o.amount", "o.note"]


@pytest.mark.parametrize(
    ("name", "times"),
    [
        ("text-border2-ascii-pg15.txt", [70.981, 70.978, 70.48, 55.947, 44.369, 0.871, 0.359]),
        ("text-border2-unicode-pg15.txt", [67.746, 67.743, 67.161, 36.03, 32.143, 0.868, 0.358]),
        ("text-wrapped-ascii-pg15.txt", [42.698, 42.696, 42.196, 32.412, 29.045, 0.858, 0.355]),
        ("text-wrapped-unicode-pg15.txt", [55.66, 55.658, 55.153, 39.444, 27.76, 0.86, 0.355]),
    ],
)
def test_psql_framed_text(name: str, times: list[float]) -> None:
    plan = parse_postgres_text_plan(fixture(name))
    assert labels(plan) == LABELS
    assert [n.raw["Actual Total Time"] for n in plan.root.walk()] == times
    assert [n.raw["Plan Width"] for n in plan.root.walk()] == [37, 37, 37, 9, 8, 9, 9]
    hashed = list(plan.root.walk())[5]
    assert (hashed.raw["Hash Buckets"], hashed.raw["Hash Batches"]) == (8192, 1)
    assert plan.summary.planning_ms is not None
    assert plan.summary.execution_ms is not None
    assert not any(set("│|┌└") & set(str(value)) for value in plan.root.raw.values())
    assert ("psql had split 7 line(s)" in repaired(plan)) == ("wrapped" in name)


@pytest.mark.parametrize(
    ("name", "scan_ms", "execution_ms"),
    [
        ("text-border0-pg15.txt", 76.583, 169.214),
        ("json-border0-pg15.txt", 73.997, 194.598),
        ("text-expanded-pg15.txt", 79.012, 136.222),
        ("json-expanded-pg15.txt", 77.877, 153.234),
        ("text-old-ascii-pg15.txt", 96.517, 194.467),
        ("json-old-ascii-pg15.txt", 63.898, 114.794),
        ("text-wrapped-border2-pg15.txt", 89.744, 153.632),
    ],
)
def test_other_psql_styles(name: str, scan_ms: float, execution_ms: float) -> None:
    """Border 0, expanded display (``\\x``), old-ascii lines, border 2 wrapped."""
    plan = parse_postgres_text_plan(fixture(name))
    nodes = list(plan.root.walk())
    assert [n.node_type for n in nodes] == ["Limit", "Sort", "Aggregate", "Seq Scan"]
    assert [n.raw["Actual Rows"] for n in nodes] == [3, 3, 5000, 94839]
    assert nodes[3].raw["Actual Total Time"] == scan_ms
    assert str(nodes[3].raw["Filter"]).endswith("amount > '50'::numeric)")  # VERBOSE: orders.
    assert plan.summary.execution_ms == execution_ms
    if name.startswith("text"):
        assert nodes[1].raw["Sort Key"] == "(count(*)) DESC"


# -- text before the plan ----------------------------------------------------------------------


def test_echoed_statement_and_earlier_output() -> None:
    """``psql -e`` with a SET and a SELECT before the EXPLAIN: only the plan is read."""
    plan = parse_postgres_text_plan(fixture("text-echo-pg15.txt"))
    assert labels(plan) == LABELS
    assert plan.root.raw["Actual Total Time"] == 78.251
    assert plan.summary.execution_ms == 78.627
    assert "count" not in plan.root.raw


@pytest.mark.parametrize(
    "prompt",
    [
        "[local] postgres@shop=# EXPLAIN ANALYZE SELECT * FROM orders ORDER BY note;",
        "[user@host ~]$ psql -c 'EXPLAIN ANALYZE SELECT * FROM orders ORDER BY note'",
        "shop=> EXPLAIN ANALYZE\nshop-> SELECT * FROM orders ORDER BY note;",
        'user@host:~$ psql shop\npsql (15.18)\nType "help" for help.\n\nshop=#',
    ],
)
def test_prompt_before_a_text_plan(prompt: str) -> None:
    plain = parse_postgres_text_plan(fixture("workers-sort-pg15.txt"))
    plan = parse_postgres_text_plan(prompt + "\n" + fixture("workers-sort-pg15.txt") + "shop=# ")
    assert labels(plan) == labels(plain) == ["Gather Merge", "Sort", "Parallel Seq Scan on orders"]
    assert plan.summary.execution_ms == plain.summary.execution_ms == 242.271


def test_prompt_before_a_json_plan() -> None:
    text = "[local] postgres@shop=# EXPLAIN (FORMAT JSON) SELECT 1;\n" + fixture(
        "json-unicode-pg15.txt"
    )
    assert labels(parse_postgres_text_plan(text)) == LABELS


def test_markdown_fence_and_prompt_around_an_estimate_only_plan() -> None:
    lines = body("output-newline-pg15.txt")
    plan = parse_postgres_text_plan("```\n" + "\n".join(lines) + "\n```\nshop=# \\q\n")
    assert labels(plan) == ["Limit", "Seq Scan on public.customers"]
    assert plan.root.raw["Output"] == "'first\nsecond'::text, id"
    assert not plan.analysed


# -- exports that quote every line -------------------------------------------------------------


def test_psql_csv_exports() -> None:
    text_plan = parse_postgres_text_plan(fixture("text-pg15.csv"))
    assert labels(text_plan) == LABELS
    assert text_plan.root.raw["Actual Total Time"] == 58.29
    assert list(text_plan.root.walk())[3].raw["Hash Cond"] == "(o.customer_id = c.id)"
    assert "quoted" in repaired(text_plan)
    json_plan = parse_postgres_text_plan(fixture("json-pg15.csv"))
    assert labels(json_plan) == LABELS
    assert json_plan.root.raw["Actual Total Time"] == 56.1


def test_client_copy_with_every_line_quoted() -> None:
    """pgAdmin / DBeaver: ``"QUERY PLAN"`` then one quoted cell per line."""
    lines = [line[1:] for line in body("text-echo-pg15.txt")]
    quoted = '"QUERY PLAN"\n' + "\n".join('"' + ln.replace('"', '""') + '"' for ln in lines)
    plan = parse_postgres_text_plan(quoted)
    assert labels(plan) == LABELS
    assert plan.root.raw["Actual Total Time"] == 78.251
    assert plan.summary.execution_ms == 78.627
    without_header = "\n".join('"' + ln + '"' for ln in lines)
    assert labels(parse_postgres_text_plan(without_header)) == LABELS


def test_json_with_doubled_quotes() -> None:
    raw = fixture("workers-only-spill-pg15.json")
    for text in (raw.replace('"', '""'), '"' + raw.replace('"', '""') + '"'):
        plan = parse_postgres_plan(text)
        assert labels(plan) == ["Gather Merge", "Sort", "Parallel Seq Scan on orders"]
        assert plan.summary.execution_ms == 165.747


# -- wrapped by a terminal ---------------------------------------------------------------------


def test_lines_cut_by_the_terminal_are_joined() -> None:
    """A terminal 80 columns wide: each long line goes on at the left margin."""
    text = fixture("memoize-pg15.txt")
    cut = "\n".join(
        "\n".join(line[i : i + 80] for i in range(0, max(len(line), 1), 80))
        for line in text.splitlines()
    )
    plain, plan = parse_postgres_text_plan(text), parse_postgres_text_plan(cut)
    assert labels(plan) == labels(plain)
    assert [n.raw.get("Actual Total Time") for n in plan.root.walk()] == [
        n.raw.get("Actual Total Time") for n in plain.root.walk()
    ]
    assert [n.raw.get("Plan Rows") for n in plan.root.walk()] == [
        n.raw.get("Plan Rows") for n in plain.root.walk()
    ]
    assert plan.summary.execution_ms == 50.673
    assert "80 columns" in repaired(plan)


def test_lines_truncated_at_the_terminal_width_are_refused() -> None:
    """``less -S`` or a narrow window: the rest of each line is gone; no tree is guessed."""
    truncated = "\n".join(line[:80] for line in fixture("memoize-pg15.txt").splitlines())
    with pytest.raises(PlanFormatError) as caught:
        parse_postgres_text_plan(truncated)
    message = str(caught.value)
    assert message.startswith("line 3 was cut at")
    assert "wider terminal" in message


def test_refusals_name_the_line() -> None:
    with pytest.raises(PlanFormatError, match="no plan node found"):
        parse_postgres_text_plan("hello\nworld\n")
    broken = fixture("workers-only-spill-pg15.json").replace('"Sort Key"', '"Sort Key" 1', 1)
    with pytest.raises(PlanFormatError, match=r"^line \d+: the JSON plan is not valid"):
        parse_postgres_text_plan(broken)
    inside = (
        " Limit  (cost=0.00..1.00 rows=1 width=4)\n"
        "   ->  Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n"
        "(some junk here)\n"
        "         Filter: (a = 1)"
    )
    with pytest.raises(PlanFormatError, match=r"^line 3 is not part of a plan"):
        parse_postgres_text_plan(inside)


def test_two_plans_in_one_paste() -> None:
    text = fixture("workers-sort-pg15.txt")
    plan = parse_postgres_text_plan(text + "\n" + fixture("subplan-pg15.txt"))
    assert labels(plan) == ["Gather Merge", "Sort", "Parallel Seq Scan on orders"]
    assert "more than one plan" in repaired(plan)
    unframed = "\n".join(body("workers-sort-pg15.txt") + body("subplan-pg15.txt"))
    with pytest.raises(PlanFormatError, match=r"^line 14: a plan node outside the tree"):
        parse_postgres_text_plan(unframed)


def test_lost_indentation_is_refused() -> None:
    lines = body("memoize-pg15.txt")
    lines[25] = lines[25].lstrip()  # "->  Memoize" copied to the left margin
    with pytest.raises(PlanFormatError, match=r"^line 26: a plan node outside the tree"):
        parse_postgres_text_plan("\n".join(lines))


PIECES = [
    *body("memoize-pg15.txt"),
    *fixture("json-border2-unicode-pg15.txt").splitlines()[:12],
    "QUERY PLAN",
    '"QUERY PLAN"',
    "(3 rows)",
    "[local] db=#",
    "InitPlan",
    "Worker 0:  Sort Method: external merge  Disk: 1kB",
    "\t->  Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)",
    '"  ->  Sort  (cost=1.00..2.00 rows=1 width=4)"',
    "2026-12-08 00:00:00 UTC [1] LOG:  duration: 1.0 ms  plan:",
    "-[ RECORD 1 ]---",
    "QUERY PLAN | Limit  (cost=0.00..1.00 rows=1 width=4)",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.integers(0, 120))
def test_any_mix_parses_or_is_refused_cleanly(pieces: list[str], cut: int) -> None:
    """Whatever the paste, a plan or a one-line PlanFormatError, never another exception."""
    text = "\n".join(pieces)
    if cut:
        text = "\n".join(line[:cut] for line in text.splitlines())
    message = ""
    try:
        plan = parse_postgres_text_plan(text)
    except PlanFormatError as exc:
        message = str(exc)
    else:
        assert plan.root.node_type
    assert "\n" not in message


# -- dbtui explain --plan-file ------------------------------------------------------------------


def test_cli_reads_framed_and_quoted_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("text-border2-unicode-pg15.txt", "json-pg15.csv", "json-border2-ascii-pg15.txt"):
        path = tmp_path / name
        path.write_text(fixture(name), encoding="utf-8")
        assert main(["explain", "--plan-file", str(path), "--format", "json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["root"]["label"] == "Limit"
        assert len(out["root"]["children"]) == 1


def test_cli_refusal_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(ln[:80] for ln in fixture("memoize-pg15.txt").splitlines()))
    assert main(["explain", "--plan-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "line 3 was cut" in lines[0]
