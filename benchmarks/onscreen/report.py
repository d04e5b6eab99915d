"""Pure parts of ``benchmarks/run``: arguments, sizes, medians and ratios, the Markdown tables.

Nothing here starts a process or reads a clock, so ``tests/test_benchmarks_run.py`` can
exercise all of it quickly.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

ROWS = (
    "launch",
    "pg-first-rows",
    "export",
    "stream",
    "redis-tree",
    "redis-keypress",
    "plan-open",
    "plan-metric",
)
"""Every row the script can measure, in the order of the issue's table."""

START_MARKER = "<!-- benchmarks/run: start -->"
END_MARKER = "<!-- benchmarks/run: end -->"


@dataclass(frozen=True)
class Sizes:
    """How big the data sets are and how many alternating rounds run."""

    pg_rows: int
    export_rows: int
    redis_keys: int
    plan_nodes: int
    rounds: int


FULL = Sizes(
    pg_rows=5_000_000, export_rows=1_000_000, redis_keys=1_000_000, plan_nodes=2000, rounds=5
)
QUICK = Sizes(pg_rows=50_000, export_rows=20_000, redis_keys=200_000, plan_nodes=300, rounds=1)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``only`` becomes a tuple of row names in :data:`ROWS` order.

    Raises:
        SystemExit: an unknown row name or a bad number (argparse's usual exit 2).
    """
    parser = argparse.ArgumentParser(
        prog="benchmarks/run",
        description="dbtui on screen (tmux) against psql, pgcli, harlequin, redis-cli.",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, one round")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ROW[,ROW]",
        help=f"measure only these rows (repeatable): {', '.join(ROWS)}",
    )
    parser.add_argument("--rounds", type=int, help="alternating rounds (default 5, quick 1)")
    parser.add_argument("--pg-rows", type=int, help="rows of the big PostgreSQL table")
    parser.add_argument("--export-rows", type=int, help="rows exported to CSV")
    parser.add_argument("--redis-keys", type=int, help="Redis keys for the tree rows")
    parser.add_argument("--plan-nodes", type=int, help="nodes of the plan for the plan rows")
    parser.add_argument(
        "--no-write", action="store_true", help="print the tables but leave BENCHMARKS.md alone"
    )
    parser.add_argument(
        "--max-load",
        type=float,
        default=None,
        help="refuse a full run when the 1-minute load average is above this",
    )
    args = parser.parse_args(argv)
    only: list[str] = []
    for item in args.only:
        for name in filter(None, (part.strip() for part in item.split(","))):
            if name not in ROWS:
                parser.error(f"unknown row {name!r}; rows: {', '.join(ROWS)}")
            only.append(name)
    args.only = tuple(name for name in ROWS if name in only) or ROWS
    base = QUICK if args.quick else FULL
    args.sizes = Sizes(
        pg_rows=args.pg_rows or base.pg_rows,
        export_rows=args.export_rows or base.export_rows,
        redis_keys=args.redis_keys or base.redis_keys,
        plan_nodes=args.plan_nodes or base.plan_nodes,
        rounds=args.rounds or base.rounds,
    )
    return args


def median(values: Sequence[float]) -> float | None:
    """Median of ``values``; ``None`` when there are none."""
    return statistics.median(values) if values else None


def ratio(ours: Sequence[float], theirs: Sequence[float]) -> float | None:
    """Median of ours over median of theirs; ``None`` when either is missing or zero."""
    a, b = median(ours), median(theirs)
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_seconds(value: float | None) -> str:
    """``12.5 ms``, ``412 ms``, ``5.27 s``, ``18.7 s`` by magnitude; ``n/a`` for None."""
    if value is None:
        return "n/a"
    if value < 0.1:
        return f"{value * 1000:.1f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 10:
        return f"{value:.2f} s"
    return f"{value:.1f} s"


def fmt_ratio(value: float | None) -> str:
    """``2.41x``, or ``n/a``."""
    return "n/a" if value is None else f"{value:.2f}x"


@dataclass
class Anchor:
    """One reference measured beside dbtui: a label and its samples (seconds)."""

    label: str
    samples: list[float] = field(default_factory=list)


@dataclass
class RowResult:
    """One row of the table: what the user does, dbtui's samples, the anchors, a note."""

    name: str
    what: str
    dbtui: list[float] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    goal: str = ""
    note: str = ""
    error: str = ""
    load: float | None = None
    """The 1-minute load average when the row started (shown after the note)."""

    def anchor(self, label: str) -> Anchor:
        """The anchor called ``label``, created on first use."""
        for existing in self.anchors:
            if existing.label == label:
                return existing
        created = Anchor(label)
        self.anchors.append(created)
        return created


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_row(row: RowResult) -> str:
    """``| what | dbtui | anchors | ratios | goal | note |`` for one measured row."""
    if row.error:
        return f"| {_cell(row.what)} | failed | | | {_cell(row.goal)} | {_cell(row.error)} |"
    anchors = "; ".join(f"{a.label} {fmt_seconds(median(a.samples))}" for a in row.anchors)
    ratios = "; ".join(f"{fmt_ratio(ratio(row.dbtui, a.samples))} {a.label}" for a in row.anchors)
    note = row.note if row.load is None else f"{row.note} (load {row.load:.1f})"
    return (
        f"| {_cell(row.what)} | {fmt_seconds(median(row.dbtui))} | {_cell(anchors)} "
        f"| {_cell(ratios)} | {_cell(row.goal)} | {_cell(note)} |"
    )


def markdown_table(rows: Sequence[RowResult]) -> str:
    """The whole table, header included (one line per row, newline-terminated)."""
    lines = [
        "| what the user does | dbtui | the anchor | ratio | goal | how / note |",
        "|---|---:|---|---|---|---|",
    ]
    lines += [markdown_row(row) for row in rows]
    return "\n".join(lines) + "\n"


def samples_line(row: RowResult) -> str:
    """Every sample of a row, for the console: ``launch: dbtui 0.91 0.95 | harlequin ...``."""
    parts = [f"dbtui {' '.join(f'{s:.3f}' for s in row.dbtui)}"]
    parts += [f"{a.label} {' '.join(f'{s:.3f}' for s in a.samples)}" for a in row.anchors]
    return f"{row.name}: " + " | ".join(parts)


def rewrite_between_markers(document: str, block: str, heading: str) -> str:
    """``document`` with the text between :data:`START_MARKER` and :data:`END_MARKER` replaced.

    Everything outside the markers is kept byte for byte. Without markers (or with only one)
    a new section ``heading`` holding the markers and ``block`` is appended at the end.
    """
    start = document.find(START_MARKER)
    end = document.find(END_MARKER, start + len(START_MARKER)) if start >= 0 else -1
    inner = f"{START_MARKER}\n{block.rstrip()}\n{END_MARKER}"
    if start < 0 or end < 0:
        sep = "" if document.endswith("\n") or not document else "\n"
        return f"{document}{sep}\n{heading}\n\n{inner}\n"
    return document[:start] + inner + document[end + len(END_MARKER) :]
