"""Running what the active editor holds: a statement, a script, a plan, and cancelling it.

The main screen's F5, Shift+F5, F6, F7 and Esc call these. Each asks first what the
driver says must be confirmed (a destructive statement, EXPLAIN ANALYZE of a write),
marks the session busy and starts the job in a thread worker; the job's messages
(:class:`~dbtui.ui.messages.StatementDone`, ``PlanReady``...) go to the screen.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.app import App

from dbtui.core.confirmation import Confirmation, for_script
from dbtui.core.driver import Driver
from dbtui.core.results import Statement
from dbtui.ui import jobs
from dbtui.ui.held_writes import confirm_rows_over, question_before
from dbtui.ui.jobs import Post, RunMode
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.session import Session
from dbtui.ui.workbench import Workbench


def confirm_screen(needed: Confirmation, statement: str = "") -> ConfirmScreen:
    """The dialog asking ``needed``: its detail, then the statement (shortened); when
    ``needed.typed`` is set, Yes stays disabled until exactly that text is typed."""
    shown = statement if len(statement) <= 300 else statement[:299] + "…"
    detail = "\n\n".join(part for part in (needed.detail, shown) if part)
    return ConfirmScreen(needed.question, detail, typed=needed.typed, yes_label=needed.yes_label)


class StatementRuns:
    """Starts statements, scripts and plans of the active connection of ``bench``.

    Args:
        bench: The main screen (sessions, busy state, workers); the jobs report to it.
    """

    def __init__(self, bench: Workbench) -> None:
        self.bench = bench

    @property
    def app(self) -> App[Any]:
        """The app (dialogs, notifications, config)."""
        return self.bench.app

    @property
    def post(self) -> Post:
        """Where the jobs report: the screen."""
        return self.bench.post_message

    @property
    def confirm_over(self) -> int:
        """Rows (documents) a write may change without asking: ``[ui] confirm_rows_over``."""
        return confirm_rows_over(self.app)

    def selected(self) -> list[Statement]:
        """The statements inside the editor's selection, at their offsets in the buffer."""
        session, editor = self.bench.session, self.bench.editor()
        text = editor.selected_text
        if session.driver is None or not text.strip():
            return []
        document = editor.plain_document
        start = min(
            document.get_index_from_location(editor.selection.start),
            document.get_index_from_location(editor.selection.end),
        )
        return [
            Statement(s.text, s.start + start, s.end + start) for s in session.driver.split(text)
        ]

    def run(self) -> None:
        """Run the statement under the cursor, or every statement of the selection."""
        selected = self.selected()
        if len(selected) > 1:
            self.script(selected)
        else:
            self.statement(RunMode.RUN)

    def run_all(self) -> None:
        """Run every statement of the editor in order, as a script."""
        session = self.bench.session
        text = self.bench.editor().text
        statements = session.driver.split(text) if session.driver else []
        if not statements:
            self.app.notify("Nothing to run: the editor holds no statement.", severity="warning")
            return
        self.script(statements)

    def script(self, statements: list[Statement]) -> None:
        """Run statements in order after one confirmation covering every destructive one."""
        session = self.bench.session
        driver = session.driver
        if driver is None or session.busy:
            self.app.notify("Not connected, or a statement is already running.", severity="warning")
            return
        needed = for_script([c for s in statements if (c := question_before(driver, s.text))])

        def launch(ok: bool | None = True) -> None:
            if ok:
                self.bench.set_busy(session, True)
                previous, session.result = session.result, None
                job = partial(
                    jobs.run_script,
                    self.post,
                    session.index,
                    driver,
                    statements,
                    previous,
                    session.history,
                    self.confirm_over,
                )
                self.bench.start(job, f"query-{session.index}", f"script of {len(statements)}")

        if needed is not None:
            self.app.push_screen(confirm_screen(needed), launch)
        else:
            launch()

    def statement(self, mode: RunMode) -> None:
        """Run, explain or analyze the statement under the cursor (asking first if need be)."""
        session = self.bench.session
        driver = session.driver
        if driver is None:
            if session.connecting:
                self.app.notify(f"Still connecting to {session.name}…", severity="warning")
            else:
                self.app.notify(
                    "Not connected: press r on the connection to retry.", severity="error"
                )
            return
        if session.busy:
            self.app.notify("A statement is already running: Esc cancels it.", severity="warning")
            return
        statement = self.bench.current_statement()
        if statement is None:
            self.app.notify("Nothing to run: type a statement first.", severity="warning")
            return
        if mode is RunMode.RUN and _opens_live_pane(self.app, driver, statement.text, session.name):
            return  # MONITOR, SUBSCRIBE..., XREAD BLOCK stream in a live pane of their own
        needed: Confirmation | None = None
        if mode is RunMode.RUN:  # a write that affects many rows is asked about after it ran
            needed = question_before(driver, statement.text)
        elif mode is RunMode.ANALYZE:
            notice = driver.analyze_needs_confirmation(statement.text)
            needed = Confirmation(notice) if notice is not None else None
        if needed is not None:
            self.app.push_screen(
                confirm_screen(needed, statement.text),
                lambda ok: self._launch(session, statement, mode) if ok else None,
            )
            return
        self._launch(session, statement, mode)

    def _launch(self, session: Session, statement: Statement, mode: RunMode) -> None:
        driver = session.driver
        assert driver is not None
        self.bench.set_busy(session, True)
        group = f"query-{session.index}"
        if mode is RunMode.RUN:
            previous, session.result = session.result, None
            job = partial(
                jobs.run_statement,
                self.post,
                session.index,
                driver,
                statement,
                previous,
                session.history,
                self.confirm_over,
            )
        else:
            analyze = mode is RunMode.ANALYZE
            job = partial(jobs.explain, self.post, session.index, driver, statement, analyze)
        self.bench.start(job, group, f"{mode.value}: {statement.text[:40]}")

    def cancel(self) -> None:
        """Cancel the running statement of the active connection."""
        session = self.bench.session
        if session.driver is not None and session.busy:
            self.app.notify("Cancelling…")
            self.bench.start(partial(jobs.cancel, session.driver), "cancel", "cancel")


def _opens_live_pane(app: App[object], driver: Driver, line: str, name: str) -> bool:
    """Open the live pane when ``driver`` streams ``line`` (MONITOR, SUBSCRIBE...).

    Only a driver with ``live_request`` can; the pane's module (and its engine's library)
    is imported only then.
    """
    if not callable(getattr(driver, "live_request", None)):
        return False
    from dbtui.ui.key_browser.live import open_live_pane

    return open_live_pane(app, driver, line, name)
