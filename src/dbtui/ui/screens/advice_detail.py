"""One suggestion or health finding in full, and the before/after plan comparison."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from dbtui.core.advice import HealthFinding, Suggestion
from dbtui.core.advice_text import size_text, suggestion_headline
from dbtui.core.display import display_text
from dbtui.core.plan import Plan
from dbtui.core.plans.stats import compare_plans
from dbtui.render.plan import render_text
from dbtui.ui.safe import line_group, safe_text

#: Terminal width from which the two plans of a comparison stand side by side.
WIDE_COMPARE = 150


def comparison(before: Plan, after: Plan, *, side_by_side: bool = False) -> RenderableType:
    """Totals before and after, the nodes that changed, and both trees.

    ``side_by_side`` puts the two trees in two columns (for wide terminals);
    otherwise "before" is above "after".
    """
    result = compare_plans(before, after)
    unit = "ms" if result.measure == "time" else "cost"
    head = safe_text(f"{result.measure}: ", style="bold")
    if result.total_before is None or result.total_after is None:
        head.append("no totals: the engine reports no cost or time for these plans", style="dim")
    else:
        head.append(f"{result.total_before:,.1f} → {result.total_after:,.1f} {unit}")
        words = display_text(result.verdict)
        if words:
            better = result.total_after < result.total_before
            style = "" if words == "about the same" else "bold green" if better else "red"
            head.append(f"  ({words})", style=style)
    changes = Table.grid(padding=(0, 2))
    for change in result.changes:
        style = {"added": "green", "removed": "red"}.get(change.change, "yellow")
        values = " → ".join("" if v is None else f"{v:,.1f}" for v in (change.before, change.after))
        changes.add_row(
            safe_text(change.change, style=style), safe_text(change.label), safe_text(values)
        )
    trees: RenderableType
    if side_by_side:
        grid = Table(box=None, expand=True, padding=(0, 1))
        grid.add_column("before", style="default", ratio=1, overflow="fold")
        grid.add_column("after", style="default", ratio=1, overflow="fold")
        grid.add_row(
            safe_text(render_text(before, width=0)), safe_text(render_text(after, width=0))
        )
        trees = grid
    else:
        trees = Group(
            Text("\nbefore", style="bold"),
            safe_text(render_text(before, width=0)),
            Text("\nafter", style="bold"),
            safe_text(render_text(after, width=0)),
        )
    return Group(head, changes, trees)


def _suggestion_parts(item: Suggestion) -> list[RenderableType]:
    parts: list[RenderableType] = [
        Syntax(display_text(item.ddl, multiline=True), "sql", theme="ansi_dark", word_wrap=True),
        safe_text(suggestion_headline(item), style="cyan"),
    ]
    parts.extend(safe_text(line) for line in (item.reason, *item.evidence, item.note) if line)
    if item.plan_before is not None and item.plan_after is not None:
        parts.append(comparison(item.plan_before, item.plan_after))
    return parts


def _finding_parts(item: HealthFinding) -> list[RenderableType]:
    parts: list[RenderableType] = [safe_text(item.detail)]
    facts = Table.grid(padding=(0, 2))
    for label, value in item.facts:
        facts.add_row(safe_text(label, style="cyan"), safe_text(value))
    if item.frees_bytes:
        facts.add_row(Text("frees", style="cyan"), safe_text(size_text(item.frees_bytes)))
    if item.costs_bytes:
        facts.add_row(Text("costs", style="cyan"), safe_text(size_text(item.costs_bytes)))
    parts.append(facts)
    if item.ddl:
        parts.append(
            Syntax(display_text(item.ddl, multiline=True), "sql", theme="ansi_dark", word_wrap=True)
        )
    return parts


class AdviceDetailScreen(ModalScreen[None]):
    """Evidence for one suggestion (with plans before/after) or one health finding."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="advice-detail.close")]

    def __init__(self, item: Suggestion | HealthFinding) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        if isinstance(item, Suggestion):
            title, parts = f"Index for {item.target}", _suggestion_parts(item)
        else:
            title, parts = f"{item.kind.value}: {item.subject}", _finding_parts(item)
        with VerticalScroll(classes="dialog wide tall"):
            yield Static(safe_text(title, style="bold"), classes="dialog-title")
            yield Static(line_group(*parts))


class PlanCompareScreen(ModalScreen[None]):
    """Two plans of one statement, e.g. before and after creating an index."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="compare.close")]

    def __init__(self, title: str, before: Plan, after: Plan) -> None:
        super().__init__()
        self.title_text = title
        self.before = before
        self.after = after

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide tall"):
            yield Static(safe_text(self.title_text, style="bold"), classes="dialog-title")
            wide = self.app.size.width >= WIDE_COMPARE
            yield Static(comparison(self.before, self.after, side_by_side=wide))
