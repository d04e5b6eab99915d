"""``R`` in the Advice tab: the measured recall of a vector index suggestion.

On a driver with :class:`~dbtui.core.capabilities.RecallCheck`, :class:`RecallScreen`
runs :meth:`~dbtui.core.capabilities.RecallCheck.recall_check` in a thread worker,
shows the time spent while it runs (Esc cancels it on the server), then the report.
When no index serves the query yet, nothing is measured: the screen closes with the
outcome's ``needs_build`` and the Advice tab asks, in a confirmation that says what it
means (an index built inside a rolled-back transaction, a SHARE lock on the table), before
it measures again with ``build=True``; never on a read-only connection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static

from dbtui.core.advice import Suggestion
from dbtui.core.capabilities import RecallCheck, RecallOutcome
from dbtui.core.errors import DbtuiError
from dbtui.ui.jobs import Post
from dbtui.ui.safe import safe_text


@dataclass
class RecallDone(Message):
    """The recall check ended: ``outcome``, or ``error`` (a failure or a cancel)."""

    outcome: RecallOutcome | None
    error: DbtuiError | None = None


def measure(
    post: Post, driver: RecallCheck, statement: str, suggestion: Suggestion, build: bool
) -> None:
    """Worker job: run the recall check and post :class:`RecallDone`."""
    try:
        outcome = driver.recall_check(statement, suggestion, build=build)
    except DbtuiError as error:
        post(RecallDone(None, error))
        return
    post(RecallDone(outcome))


def cancel(driver: RecallCheck) -> None:
    """Worker job: interrupt the running check (best effort)."""
    try:
        driver.cancel_recall_check()
    except DbtuiError:
        return


class RecallScreen(ModalScreen[RecallOutcome | None]):
    """The running recall check, then its report; dismissed with the outcome (``None``
    after a failure or a cancel)."""

    DEFAULT_CSS = """
    RecallScreen { align: center middle; }
    RecallScreen > VerticalScroll {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Cancel / close", id="recall.close"),
    ]

    def __init__(
        self, driver: RecallCheck, statement: str, suggestion: Suggestion, *, build: bool
    ) -> None:
        super().__init__()
        self.driver = driver
        self.statement = statement
        self.suggestion = suggestion
        self.build = build
        self.outcome: RecallOutcome | None = None
        self.running = True
        self._started = time.monotonic()
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="recall-report")

    def on_mount(self) -> None:
        self._progress()
        self._timer = self.set_interval(1.0, self._progress)
        job = partial(
            measure, self.post_message, self.driver, self.statement, self.suggestion, self.build
        )
        self.run_worker(job, thread=True, group="recall", exit_on_error=False)

    @property
    def report(self) -> Static:
        """Where the progress, then the report, is shown."""
        return self.query_one("#recall-report", Static)

    def _progress(self) -> None:
        if not self.running:
            return
        seconds = time.monotonic() - self._started
        what = (
            "Building the index (rolled back afterwards), then measuring"
            if self.build
            else ("Measuring")
        )
        text = safe_text(f"{what} the recall of\n  {self.suggestion.ddl}\n", style="bold")
        text.append(f"{seconds:.0f} s  (Esc cancels)", style="dim")
        self.report.update(text)

    def on_recall_done(self, event: RecallDone) -> None:
        """Show the report (or the error); a needed build closes the screen at once."""
        self.running = False
        if self._timer is not None:
            self._timer.stop()
        self.outcome = event.outcome
        if event.outcome is not None and event.outcome.needs_build:
            self.dismiss(event.outcome)
            return
        if event.error is not None:
            text = safe_text(f"{event.error.title}: {event.error.message}", style="red")
        else:
            lines = event.outcome.lines if event.outcome is not None else ()
            text = safe_text("\n".join(lines))
        text.append("\n\nEsc closes.", style="dim")
        self.report.update(text)

    def action_close(self) -> None:
        """Esc: cancel the running check, or close the report."""
        if self.running:
            self.report.update(Text("Cancelling…", style="yellow"))
            self.run_worker(partial(cancel, self.driver), thread=True, group="recall-cancel")
            return
        self.dismiss(self.outcome)
