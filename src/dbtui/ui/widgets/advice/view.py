"""The Advice tab: index suggestions for a statement or the workload, and index health."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from dbtui.core.advice import Advice, Confidence, HealthFinding, Suggestion
from dbtui.core.advice_text import rank_suggestions, size_text
from dbtui.ui.jobs import AdviceScope
from dbtui.ui.safe import safe_join, safe_text
from dbtui.ui.widgets.plan.view import SEVERITY_STYLE

Item = Suggestion | HealthFinding


def _suggestion_row(number: int, suggestion: Suggestion) -> tuple[Text | str, ...]:
    verified = suggestion.confidence is Confidence.VERIFIED
    saving = suggestion.saving_label
    return (
        str(number),
        suggestion.ddl,
        Text("verified" if verified else "heuristic", style="green" if verified else "yellow"),
        saving,
        size_text(suggestion.size_bytes),
    )


def _finding_row(number: int, finding: HealthFinding) -> tuple[Text | str, ...]:
    freed = finding.frees_bytes or finding.costs_bytes
    return (
        str(number),
        finding.ddl or finding.detail,
        safe_text(finding.kind.value, style=SEVERITY_STYLE[finding.severity] or "default"),
        finding.subject,
        size_text(freed),
    )


class AdviceView(Vertical):
    """Ranked suggestions (or health findings); Enter opens one with its evidence."""

    DEFAULT_CSS = """
    AdviceView { height: 1fr; }
    AdviceView > #advice-summary { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    AdviceView > DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding(
            "a",
            "advise('statement')",
            "Advise",
            id="advice.statement",
            tooltip="Advise the statement under the cursor",
        ),
        Binding(
            "w",
            "advise('workload')",
            "Workload",
            id="advice.workload",
            tooltip="Advise the top statements",
        ),
        Binding(
            "h",
            "advise('health')",
            "Health",
            id="advice.health",
            tooltip="Unused, duplicate, missing indexes",
        ),
        Binding(
            "y",
            "copy_ddl",
            "Copy DDL",
            id="advice.copy",
            tooltip="Copy the DDL (OSC 52 works over SSH)",
        ),
        Binding("c", "create", "Create", id="advice.create", tooltip="Run the DDL (asks first)"),
        Binding(
            "R",
            "recall",
            "Recall",
            id="advice.recall",
            tooltip="Measure the recall of a vector index suggestion",
        ),
    ]

    @dataclass
    class Open(Message):
        """The user pressed Enter on a suggestion or finding."""

        item: Item

    @dataclass
    class Create(Message):
        """The user asked to apply a suggestion's (or finding's) DDL."""

        item: Item

    @dataclass
    class Recall(Message):
        """The user asked to measure the recall of a (vector index) suggestion."""

        item: Item

    @dataclass
    class Advise(Message):
        """The user asked for new advice on ``scope`` (``a``, ``w``, ``h``)."""

        scope: AdviceScope

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Item] = []
        self.statement = ""
        """The statement the suggestions are for (empty for workload and health)."""
        self.tried: tuple[str, ...] = ()
        """What the advisor tried when it found nothing (shown in the table then)."""
        self.recall: dict[str, tuple[str, ...]] = {}
        """Recall reports measured for the shown suggestions, by DDL."""

    def compose(self) -> ComposeResult:
        yield Static(
            "F9 (or a here) checks which index would make the statement under the cursor "
            "cheaper; w: the workload; h: index health.",
            id="advice-summary",
        )
        yield DataTable(id="advice-table", cursor_type="row")

    @property
    def table(self) -> DataTable[object]:
        """The list of suggestions or findings."""
        return self.query_one(DataTable)

    def show(self, title: str, items: Sequence[Item], statement: str = "") -> None:
        """Replace the list; suggestions are ranked best first."""
        suggestions = rank_suggestions([i for i in items if isinstance(i, Suggestion)])
        findings = [i for i in items if isinstance(i, HealthFinding)]
        findings.sort(key=lambda f: -int(f.severity))
        self.items = [*suggestions, *findings]
        self.statement = statement
        self.tried = items.tried if isinstance(items, Advice) and not self.items else ()
        self.recall = {}
        table = self.table
        table.clear(columns=True)
        if self.tried:
            table.add_columns("#", "what was tried (nothing to suggest)")
            width = max(40, self.size.width - 8)
            for number, line in enumerate(self.tried, 1):
                wrapped = "\n".join(textwrap.wrap(line, width)) or line
                table.add_row(safe_text(str(number)), safe_text(wrapped), height=None)
        elif findings and not suggestions:
            table.add_columns("#", "fix", "finding", "subject", "size")
        else:
            table.add_columns("#", "index", "checked", "saving", "size")
        for number, item in enumerate(self.items, 1):
            row = (
                _suggestion_row(number, item)
                if isinstance(item, Suggestion)
                else _finding_row(number, item)
            )
            table.add_row(*(safe_join(cell) for cell in row))
        summary = f"{title}: {len(self.items)} item(s)"
        if not self.items:
            summary = f"{title}: nothing to suggest."
        if self.tried:
            summary = f"{title}: nothing to suggest. What was tried, and why each was rejected:"
        notes = {item.note for item in suggestions if item.note}
        self.query_one("#advice-summary", Static).update(
            safe_text("  ".join([summary, *sorted(notes)]))
        )

    def current(self) -> Item | None:
        """The suggestion or finding under the cursor."""
        row = self.table.cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter: open the item with its evidence."""
        event.stop()
        item = self.current()
        if item is not None:
            self.post_message(self.Open(item))

    def action_copy_ddl(self) -> None:
        """Copy the DDL of the item under the cursor."""
        item = self.current()
        if item is None or not item.ddl:
            self.notify("Nothing to copy here.", severity="warning")
            return
        self.app.copy_to_clipboard(item.ddl)
        self.notify("DDL copied to the clipboard.")

    def action_create(self) -> None:
        """Ask the screen to apply the DDL of the item under the cursor."""
        item = self.current()
        if item is not None and item.ddl:
            self.post_message(self.Create(item))

    def action_recall(self) -> None:
        """Ask the screen to measure the recall of the suggestion under the cursor."""
        item = self.current()
        if item is None:
            self.notify("No suggestion under the cursor.", severity="warning")
            return
        self.post_message(self.Recall(item))

    def show_recall(self, item: Suggestion, lines: tuple[str, ...]) -> None:
        """Keep ``item``'s recall report and show its first lines in the summary."""
        self.recall[item.ddl] = lines
        head = "  ".join(lines[:2]) if lines else "no report"
        self.query_one("#advice-summary", Static).update(safe_text(f"Recall: {head}"))

    def action_advise(self, scope: str) -> None:
        """Ask for advice on ``scope`` ("statement", "workload" or "health")."""
        self.post_message(self.Advise(AdviceScope(scope)))
