"""Small modal screens: confirmation, help, and plan node details."""

from __future__ import annotations

from collections.abc import Iterable

from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from dbtui.core.display import display_text
from dbtui.core.plan import PlanNode
from dbtui.core.values import format_value
from dbtui.ui.safe import safe_join, safe_line, safe_text


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question about a write; dismisses with True only on a deliberate yes.

    Typing text can never answer Yes: there is no letter binding for Yes. The No button
    has the focus; Yes is reached by Tab / Shift+Tab (or the arrow keys) and pressed with
    Enter, or clicked. ``n`` (when a button has the focus) and Esc answer No.

    ``typed`` makes the question one for a destructive, irreversible operation (DROP
    INDEX, FLUSHDB, deleting many keys or documents): the Yes button stays disabled
    until the user has typed exactly that text (the object's name, or the number of
    keys) into the box. Enter in the box never answers. ``detail`` (the caller's
    description of what will be affected) is shown as plain text, never as markup.
    ``yes_label`` names the Yes button (for example "Drop index").
    """

    BINDINGS = [
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        Binding(
            "left,up",
            "app.focus_previous",
            "Previous",
            show=False,
            id="confirm.previous",
            tooltip="Move to the previous button",
        ),
        Binding(
            "right,down",
            "app.focus_next",
            "Next",
            show=False,
            id="confirm.next",
            tooltip="Move to the next button",
        ),
    ]

    def __init__(
        self,
        question: str,
        detail: str = "",
        *,
        typed: str | None = None,
        yes_label: str = "Yes",
    ) -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.typed = typed
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(safe_text(self.question, "bold"), classes="dialog-title")
            if self.detail:
                yield Static(safe_text(self.detail), classes="dialog-body")
            if self.typed is not None:
                yield Static(
                    safe_join("To confirm, type ", safe_line(self.typed, "bold"), " below:"),
                    classes="dialog-body",
                )
                yield Input(placeholder="type it here", id="typed", select_on_focus=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    safe_line(self.yes_label),
                    id="yes",
                    variant="error",
                    disabled=self.typed is not None,
                )
                yield Button("No (n / Esc)", id="no", variant="primary")
            yield Static(safe_line(self._hint(), "dim"))

    def _hint(self) -> str:
        """How to answer Yes, in words."""
        if self.typed is None:
            return f"Tab to “{self.yes_label}”, then Enter · n / Esc: No"
        return f"Tab to the box, type the text, Tab to “{self.yes_label}”, Enter · Esc: No"

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @property
    def typed_ok(self) -> bool:
        """Whether Yes may be pressed: no text is required, or it was typed exactly."""
        if self.typed is None:
            return True
        return self.query_one("#typed", Input).value.strip() == self.typed

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#yes", Button).disabled = not self.typed_ok

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the box never answers (typing must not confirm)."""
        event.stop()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            if self.typed_ok:
                self.dismiss(True)
        else:
            self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with the given answer (bound to No only)."""
        self.dismiss(answer)


class PasswordScreen(ModalScreen[str | None]):
    """A masked password prompt; dismisses with the password, or None on Esc or Ctrl+C.

    Ctrl+C cancels only this prompt (a priority binding, so neither the input's copy nor the
    app's quit handling sees it): the other connections stay open.
    """

    BINDINGS = [
        Binding("escape,ctrl+c", "dismiss(None)", "Cancel", id="password.cancel", priority=True)
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(safe_text(self.question, style="bold"), classes="dialog-title")
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
            table.add_row(
                safe_text(key), safe_text(f"{description}: {tooltip}" if tooltip else description)
            )
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
            yield Static(safe_text(node.label, style="bold"), classes="dialog-title")
            for finding in node.findings:
                text = safe_text(f"⚠ {finding.message}", style="yellow")
                if finding.advice:
                    text.append(
                        f"\n  → {display_text(finding.advice, multiline=True)}", style="default"
                    )
                yield Static(text)
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="cyan", no_wrap=True)
            grid.add_column()
            for name, value in computed_fields(node):
                grid.add_row(safe_text(name), safe_text(value))
            for field_name, raw_value in node.raw.items():
                if field_name in CONDITIONS:
                    code = format_value(raw_value, pretty=True)
                    grid.add_row(
                        safe_text(field_name),
                        Syntax(
                            display_text(code, multiline=True),
                            CONDITIONS[field_name],
                            theme="ansi_dark",
                            word_wrap=True,
                        ),
                    )
                elif field_name not in ("Plans", "inputStage", "inputStages", "queryPlan"):
                    grid.add_row(safe_text(field_name), safe_text(format_value(raw_value)))
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
