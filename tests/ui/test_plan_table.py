"""The Plan tab's table builds cells on demand yet draws what a row-by-row DataTable draws.

The reference is a plain ``DataTable`` filled with ``add_row`` from :mod:`dbtui.render.plan`
(how the Plan tab was drawn before), in an app of the same size: the visible lines, the
column widths and the row values must be the same, after opening, cycling the metric and
folding; labels include wide, markup-looking and control characters from the "server".
"""

from __future__ import annotations

import json
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable, Static

from dbtui.core.plan import Plan
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan
from dbtui.render.plan import (
    TreeRow,
    bar,
    label_plain,
    mark,
    metric_columns,
    metric_scale,
    metric_share,
    node_label,
    tree_rows,
)
from dbtui.ui.widgets.plan.table import PlanTable, text_width
from dbtui.ui.widgets.plan.view import PlanView

SIZE = (120, 30)
HOSTILE = ["表格_宽", "[red]x[/]", "\x1b[31mred", "a\u202eb", "nul\x00", "[/]"]


def scan(name: str, rows: int) -> dict[str, Any]:
    return {
        "Node Type": "Seq Scan",
        "Relation Name": name,
        "Alias": name,
        "Total Cost": 10.0 + rows,
        "Plan Rows": rows,
        "Actual Total Time": 0.01 * rows,
        "Actual Rows": rows * 3,
        "Actual Loops": 1 + rows % 3,
        "Filter": f"({name}.v > 1)",
        "Rows Removed by Filter": 5000 * rows,
        "Shared Hit Blocks": rows,
    }


def big_plan(width: int = 60) -> Plan:
    """An Append of Hash Joins over scans, some with hostile relation names."""
    members = []
    for i in range(width):
        name = HOSTILE[i % len(HOSTILE)] + str(i) if i % 7 == 0 else f"part_{i}"
        hashed = {"Node Type": "Hash", "Total Cost": 5.0, "Plan Rows": 3,
                  "Actual Total Time": 0.2, "Actual Rows": 3, "Actual Loops": 1,
                  "Plans": [scan(f"inner_{i}", i + 1)]}  # fmt: skip
        members.append(
            {
                "Node Type": "Hash Join",
                "Join Type": "Inner",
                "Total Cost": 50.0 + i,
                "Plan Rows": 9,
                "Actual Total Time": 1.0 + i,
                "Actual Rows": 9,
                "Actual Loops": 1,
                "Hash Cond": "(a.id = b.id)",
                "Plans": [scan(name, i + 2), hashed],
            }
        )
    root = {"Node Type": "Append", "Total Cost": 9000.0, "Plan Rows": 500,
            "Actual Total Time": 900.0, "Actual Rows": 400, "Actual Loops": 1,
            "Plans": members}  # fmt: skip
    return parse_postgres_plan(
        json.dumps([{"Plan": root, "Planning Time": 1.0, "Execution Time": 901.0}])
    )


def reference_cells(plan: Plan, metric: str, rows: list[TreeRow]) -> tuple[list[str], list[Any]]:
    """Headers and rows as the Plan tab built them row by row (the old ``_redraw``)."""
    scale = metric_scale(plan, metric)
    columns = [(c.header, c.cell) for c in metric_columns(plan, compact=True)]
    if any(n.severity for n in plan.nodes()):
        columns.append(("", mark))
    headers = [metric] + [h for h, _ in columns] + ["node"]
    cells = [
        [bar(metric_share(r.node, metric, scale), r.node.severity)]
        + [cell(r.node) for _, cell in columns]
        + [node_label(r)]
        for r in rows
    ]
    return headers, cells


class ReferenceApp(App[None]):
    """A DataTable laid out as the Plan tab's: below a one-line summary, the rest high."""

    CSS = "Static { height: 1; } DataTable { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Static("summary")
        yield DataTable(id="plan-table", cursor_type="row")


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PlanView(id="plan")


def lines(table: DataTable[Any]) -> list[list[Segment]]:
    """The table's visible lines as segments (text, style with its meta: row, column)."""
    strips = table.render_lines(Region(0, 0, *table.size))
    return [[Segment(s.text, s.style) for s in strip] for strip in strips]


async def reference(plan: Plan, metric: str, rows: list[TreeRow], cursor: int) -> Any:
    """Widths, lines and row values of a DataTable filled row by row."""
    app = ReferenceApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        headers, cells = reference_cells(plan, metric, rows)
        table.add_columns(*(Text(h) for h in headers))
        for row in cells:
            table.add_row(*row)
        table.move_cursor(row=cursor)
        await pilot.pause()
        await pilot.pause()
        return snapshot(table)


def snapshot(table: DataTable[Any]) -> Any:
    widths = [c.get_render_width(table) for c in table.ordered_columns]
    values = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
    labels = [str(c.label) for c in table.ordered_columns]
    return widths, labels, values, table.size, lines(table), table.virtual_size


async def test_draws_as_a_row_by_row_datatable_open_metric_fold() -> None:
    plan = big_plan()
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(PlanView)
        view.show(plan)
        await pilot.pause()
        await pilot.pause()
        table = view.table
        assert isinstance(table, PlanTable)
        rows = tree_rows(plan.root)
        assert table.row_count == len(rows) == len(list(plan.nodes()))
        assert snapshot(table) == await reference(plan, "time", rows, 0)
        shown = "".join(seg.text for line in lines(table) for seg in line)
        assert "表格_宽0" in shown  # a wide name, drawn (the others are further down)
        texts = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert any("[red]x[/]7" in label for label in texts)  # shown as typed
        assert any("[31mred14" in label for label in texts)  # its ESC escaped
        assert not any("\x1b" in label or "\x00" in label for label in texts)
        assert table.has_focus  # as the reference's (the first focusable widget)
        await pilot.press("m")
        await pilot.pause()
        assert str(table.ordered_columns[0].label) == "rows"
        assert snapshot(table) == await reference(plan, "rows", rows, 0)
        # Fold the first Hash Join (its scan has a CJK name): its subtree goes, widths follow.
        table.move_cursor(row=1)
        await pilot.press("space")
        await pilot.pause()
        folded = tree_rows(plan.root, {(0,)})
        assert table.row_count == len(folded) == len(rows) - 3
        assert str(table.get_row_at(1)[-1]).startswith("├─ ▸ ")
        assert snapshot(table) == await reference(plan, "rows", folded, 1)


def test_column_widths_come_from_the_plain_text() -> None:
    """``label_plain`` is the label after its guides; ``text_width`` measures as Rich does."""
    plan = big_plan(14)
    for row in tree_rows(plan.root):
        label = node_label(row)
        assert label.plain == row.prefix + label_plain(row.node)
        assert text_width(label.plain) == label.cell_len
    assert any("表格" in label_plain(n) for n in plan.nodes())
    assert not any("\x1b" in label_plain(n) for n in plan.nodes())
    assert text_width("表格") == 4
    assert text_width("abc") == 3
