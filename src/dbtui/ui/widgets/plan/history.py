"""This session's plans, and the picker the compare key opens to choose the other plan.

:class:`PlanHistory` keeps the last :data:`HISTORY_LIMIT` plans the Plan tab showed, each
with a number, the time it was shown and its total. :class:`PlanPickScreen` lists them
(newest first, the current plan marked, the plan before it preselected; Space marks
another first plan) and returns the two chosen entries. Statements are user/server text: every label
goes through :mod:`dbtui.ui.safe`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dbtui.core.display import display_text
from dbtui.core.plan import Plan
from dbtui.core.plans import format as fmt
from dbtui.ui.safe import safe_text

#: How many plans a Plan tab remembers.
HISTORY_LIMIT = 20
#: Longest statement line shown in the picker and in the compare title.
STATEMENT_WIDTH = 70


def first_line(statement: str, width: int = STATEMENT_WIDTH) -> str:
    """The statement's first non-blank line, spaces collapsed, clipped to ``width``."""
    line = next((part for part in statement.splitlines() if part.strip()), "")
    flat = " ".join(line.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def total_text(plan: Plan) -> str:
    """The plan's total: execution time when analysed, else the root's estimated cost."""
    if plan.analysed:
        ms = plan.summary.execution_ms or plan.root.inclusive_ms
        if ms is not None:
            return f"{fmt.duration_ms(ms)} ms"
    if plan.root.total_cost is not None:
        return f"cost {fmt.count(plan.root.total_cost)}"
    return "no total"


@dataclass(frozen=True)
class PlanEntry:
    """One plan the Plan tab showed: its number in the session and when it was shown."""

    number: int
    plan: Plan
    when: datetime = field(default_factory=datetime.now)

    def name(self, *, current: bool = False) -> str:
        """``#3 SELECT … (12:01:05)``: plain text, still to be escaped for display."""
        mark = ", this plan" if current else ""
        return f"#{self.number} {first_line(self.plan.statement)} ({self.when:%H:%M:%S}{mark})"


class PlanHistory:
    """The last ``limit`` plans shown, oldest first; the last one is the current plan."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.entries: deque[PlanEntry] = deque(maxlen=limit)
        self._shown = 0

    def record(self, plan: Plan) -> PlanEntry:
        """Remember ``plan`` as the current plan (the oldest is dropped past the limit)."""
        self._shown += 1
        entry = PlanEntry(self._shown, plan)
        self.entries.append(entry)
        return entry

    @property
    def current(self) -> PlanEntry | None:
        """The plan shown now, if any."""
        return self.entries[-1] if self.entries else None

    @property
    def previous(self) -> PlanEntry | None:
        """The plan shown before the current one, if any."""
        return self.entries[-2] if len(self.entries) > 1 else None


def entry_label(entry: PlanEntry, current: bool) -> Text:
    """One picker line: number, time, total, the statement's first line, the current mark."""
    text = safe_text(f"#{entry.number:<3} {entry.when:%H:%M:%S} ", style="dim")
    text.append(f"{display_text(total_text(entry.plan)):>14}  ", style="cyan")
    text.append(display_text(first_line(entry.plan.statement)))
    if current:
        text.append("  (this plan)", style="bold")
    return text


class PlanPickScreen(ModalScreen[tuple[PlanEntry, PlanEntry] | None]):
    """Choose two plans of this session to compare; returns them, or ``None`` on Esc.

    Enter compares the highlighted plan with the current one (the plan before it is
    preselected, so ``c`` then Enter compares with the previous plan). Space marks the
    highlighted plan first: Enter then compares the marked plan with the highlighted one,
    so any two plans of the session can be compared.
    """

    DEFAULT_CSS = "PlanPickScreen OptionList { max-height: 22; }"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="plan-history.close"),
        Binding("space", "mark", "Mark", id="plan-history.mark", tooltip="Mark the first plan"),
    ]

    def __init__(self, history: PlanHistory) -> None:
        super().__init__()
        self.entries = list(reversed(history.entries))
        """Newest first: the current plan, then the one before it, and so on."""
        self.marked: int | None = None
        """Index of the plan marked with Space, if any."""

    def compose(self) -> ComposeResult:
        options = [Option(self._label(i)) for i in range(len(self.entries))]
        with Vertical(classes="dialog wide"):
            yield Static(safe_text("Compare two plans", style="bold"), classes="dialog-title")
            yield OptionList(*options, id="plan-history-list")
            yield Static(
                "Enter compares with this plan · Space marks another first · Esc closes",
                classes="dialog-body",
            )

    def _label(self, index: int) -> Text:
        label = entry_label(self.entries[index], current=index == 0)
        if index == self.marked:
            label = safe_text("▸ ", style="bold") + label
        return label

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.highlighted = 1 if len(self.entries) > 1 else 0
        listing.focus()

    def action_mark(self) -> None:
        """Mark (or unmark) the highlighted plan as the first of the pair."""
        listing = self.query_one(OptionList)
        index = listing.highlighted
        if index is None:
            return
        previous, self.marked = self.marked, None if self.marked == index else index
        for changed in {previous, index} - {None}:
            assert changed is not None
            listing.replace_option_prompt_at_index(changed, self._label(changed))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        other = 0 if self.marked is None else self.marked
        if index == other or not 0 <= index < len(self.entries):
            self.notify("Pick another plan than the one it is compared with.")
            return
        self.dismiss((self.entries[other], self.entries[index]))


def compare_title(
    one: PlanEntry, other: PlanEntry, current: PlanEntry | None = None
) -> tuple[PlanEntry, PlanEntry, str]:
    """The older and the newer of two plans, and a title naming both statements
    (``current``, the plan shown now, is marked as such)."""
    before, after = sorted((one, other), key=lambda entry: entry.number)
    names = [entry.name(current=entry is current) for entry in (before, after)]
    return before, after, f"{names[0]} → {names[1]}"
