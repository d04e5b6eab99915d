"""Plan rows: F7 on a query whose plan has N nodes, and cycling the plan's metric (m).

The query reads view ``bigplan``: a UNION ALL of N-1 primary-key lookups, so that
EXPLAIN ANALYZE returns about N nodes (an Append, or a Gather over a Parallel Append,
over N-1 index scans). The floor is Textual's own Tree (and DataTable) holding a plan of
the same shape, built on F7 in a minimal app (``onscreen.tree_floor``).
"""

from __future__ import annotations

import time

from onscreen import tmux
from onscreen.bench import Bench
from onscreen.report import RowResult
from onscreen.rows_sql import alternate, dbtui_pane, dbtui_query
from onscreen.setup import PYTHON, REPO, load_plan_view

SHOWN = "Index Scan using small_pkey"
METRICS = ("time", "rows", "cost", "buffers")
"""The plan's bar metrics in the order ``m`` cycles them."""


def _dbtui_plan(bench: Bench) -> tmux.Pane:
    """dbtui with ``SELECT * FROM bigplan`` in the editor (not yet explained)."""
    pane = dbtui_pane(bench, bench.pg_url())
    dbtui_query(pane, "SELECT * FROM bigplan")
    return pane


def _dbtui_open(bench: Bench) -> float:
    pane = _dbtui_plan(bench)
    try:
        return pane.wait(
            lambda s: "plan · analysed" in s and SHOWN in s, pane.keys("F7"), timeout=120
        )
    finally:
        pane.close()


def _floor_open(bench: Bench, kind: str) -> float:
    argv = [str(PYTHON), "-m", "onscreen.tree_floor", kind, str(bench.sizes.plan_nodes)]
    pane = tmux.Pane(
        argv,
        env=bench.env(PYTHONPATH=str(REPO / "benchmarks")),
        cwd=str(bench.tmp),
    )
    pane.launch()
    try:
        pane.settle(tmux.contains("floor ready"), timeout=60)
        time.sleep(0.2)
        return pane.wait(tmux.contains(SHOWN), pane.keys("F7"), timeout=120)
    finally:
        pane.close()


def plan_open(bench: Bench) -> RowResult:
    """F7 to the plan on screen, vs Textual's Tree and DataTable of as many nodes."""
    nodes = bench.sizes.plan_nodes
    load_plan_view(bench.pg_url(), nodes)
    row = RowResult(
        "plan-open",
        f"open a {nodes:,}-node plan (F7)",
        goal="<= 1.5x Textual's Tree",
        note="dbtui: F7 (EXPLAIN ANALYZE on the server included) until the plan tree shows; "
        "floor: F7 in a minimal Textual app mounting a Tree / DataTable of the same shape",
    )
    _dbtui_open(bench)  # warm-up (server caches, bytecode)
    alternate(
        bench.sizes.rounds,
        [
            lambda: row.dbtui.append(_dbtui_open(bench)),
            lambda: row.anchor("Textual Tree").samples.append(_floor_open(bench, "tree")),
            lambda: row.anchor("Textual DataTable").samples.append(_floor_open(bench, "table")),
        ],
    )
    return row


def _metric_header(metric: str) -> tmux.Check:
    """The plan's column header starts with ``metric``."""
    return lambda screen: any(
        "excl ms" in line and line.split("▕", 1)[-1].split()[:1] == [metric]
        for line in screen.splitlines()
    )


def plan_metric(bench: Bench) -> RowResult:
    """``m`` (next metric) until the header shows it, vs a cursor move (Down) in the plan."""
    nodes = bench.sizes.plan_nodes
    load_plan_view(bench.pg_url(), nodes)
    row = RowResult(
        "plan-metric",
        f"cycle the plan metric (m), {nodes:,} nodes",
        goal="< 30 ms",
        note="m until the bar column's header names the next metric; a cursor move: Down "
        "until the styled screen changes",
    )
    pane = _dbtui_plan(bench)
    try:
        pane.keys("F7")
        pane.settle(lambda s: "plan · analysed" in s and SHOWN in s, timeout=120)
        pane.keys("F4")
        time.sleep(0.5)
        current = 0
        for _ in range(bench.sizes.rounds * 4):
            current = (current + 1) % len(METRICS)
            row.dbtui.append(pane.wait(_metric_header(METRICS[current]), pane.keys("m")))
            time.sleep(0.1)
            before = pane.screen(styled=True)
            row.anchor("a cursor move").samples.append(pane.wait_change(before, pane.keys("Down")))
            time.sleep(0.1)
    finally:
        pane.close()
    return row
