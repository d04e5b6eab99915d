"""Small modal screens: confirmation, help, and plan node details."""

from __future__ import annotations

from collections.abc import Iterable

from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from dbtui.core.plan import PlanNode
from dbtui.core.values import format_value


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True only on an explicit yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question, style="bold"), classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-body")
            yield Button("Yes (y)", id="yes", variant="error")
            yield Button("No (n / Esc)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with the given answer."""
        self.dismiss(answer)


class PasswordScreen(ModalScreen[str | None]):
    """A masked password prompt; dismisses with the password, or None on Esc."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="password.cancel")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question, style="bold"), classes="dialog-title")
            yield Input(password=True, placeholder="password (Enter to connect, Esc to cancel)")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class HelpScreen(ModalScreen[None]):
    """What dbtui is and the bindings that are active where the user was."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, bindings: Iterable[tuple[str, str, str]]) -> None:
        super().__init__()
        self.bindings = list(bindings)

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, description, tooltip in self.bindings:
            table.add_row(key, f"{description}: {tooltip}" if tooltip else description)
        with VerticalScroll(classes="dialog wide"):
            yield Static(
                Text("dbtui: keys for the focused pane", style="bold"), classes="dialog-title"
            )
            yield Static(table)
            yield Static(
                "Tab / Shift+Tab move between panes. Ctrl+P opens the command palette "
                "with every action. Esc closes this help.",
                classes="dialog-body",
            )


class NodeDetailScreen(ModalScreen[None]):
    """Every raw field of a plan node, and its warnings in plain words."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="node.close")]

    def __init__(self, node: PlanNode) -> None:
        super().__init__()
        self.node = node

    def compose(self) -> ComposeResult:
        node = self.node
        with VerticalScroll(classes="dialog wide"):
            yield Static(Text(node.label, style="bold"), classes="dialog-title")
            for finding in node.findings:
                text = Text(f"⚠ {finding.message}", style="yellow")
                if finding.advice:
                    text.append(f"\n  → {finding.advice}", style="default")
                yield Static(text)
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="cyan", no_wrap=True)
            grid.add_column()
            for name, value in computed_fields(node):
                grid.add_row(name, value)
            for field_name, raw_value in node.raw.items():
                if field_name in CONDITIONS:
                    code = format_value(raw_value, pretty=True)
                    grid.add_row(
                        field_name,
                        Syntax(code, CONDITIONS[field_name], theme="ansi_dark", word_wrap=True),
                    )
                elif field_name not in ("Plans", "inputStage", "inputStages", "queryPlan"):
                    grid.add_row(field_name, format_value(raw_value))
            yield Static(grid)


#: Raw plan fields that hold conditions or expressions, with their highlighting language.
CONDITIONS = {
    **dict.fromkeys(
        (
            "Filter",
            "Index Cond",
            "Recheck Cond",
            "Hash Cond",
            "Merge Cond",
            "Join Filter",
            "One-Time Filter",
            "TID Cond",
            "Sort Key",
            "Group Key",
            "Output",
            "detail",
        ),
        "sql",
    ),
    **dict.fromkeys(("filter", "indexBounds", "keyPattern", "sortPattern"), "json"),
}


def computed_fields(node: PlanNode) -> list[tuple[str, str]]:
    """The analysis results of a node that are known, as (name, text) pairs."""
    facts = {
        "exclusive time": None if node.exclusive_ms is None else f"{node.exclusive_ms:.3f} ms",
        "inclusive time": None if node.inclusive_ms is None else f"{node.inclusive_ms:.3f} ms",
        "share of time": None if node.time_share is None else f"{node.time_share:.1%}",
        "actual rows": None if node.actual_rows is None else f"{node.actual_rows:,.0f}",
        "estimated rows": None if node.estimated_rows is None else f"{node.estimated_rows:,.0f}",
        "misestimate": None
        if node.misestimate is None
        else f"{node.misestimate:.1f}x {'under' if node.misestimate_under else 'over'}",
        "rows removed": None if node.rows_removed is None else f"{node.rows_removed:,.0f}",
        "never executed": "yes" if node.never_executed else None,
    }
    return [(name, value) for name, value in facts.items() if value is not None]
