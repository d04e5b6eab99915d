"""Advice actions and events of the main screen: advise, workload, health, apply DDL."""

from __future__ import annotations

import re
import threading
from functools import partial

from textual.widgets import Static

from dbtui.core.advice import Suggestion
from dbtui.core.plan import Plan
from dbtui.ui import index_build, jobs
from dbtui.ui.driver_kinds import is_postgres
from dbtui.ui.messages import AdviceReady, DdlApplied, IndexBuildProgress, InvalidIndexLeft
from dbtui.ui.safe import safe_text
from dbtui.ui.screens.advice_detail import AdviceDetailScreen, PlanCompareScreen
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.document_events import DocumentEvents
from dbtui.ui.widgets.advice_view import AdviceView
from dbtui.ui.widgets.plan_view import PlanView

_DROP = re.compile(
    r"^\s*DROP\s+(?:INDEX|TABLE|MATERIALIZED\s+VIEW|VIEW|SCHEMA)\s+"
    r'(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?(?P<name>(?:"[^"]*"|[^;\s"])+)',
    re.IGNORECASE,
)


def drop_target(ddl: str) -> str | None:
    """The name of what ``ddl`` drops (the first object of a ``DROP``), or ``None``.

    A DDL that drops something is confirmed by typing this name (see ConfirmScreen).
    """
    match = _DROP.match(ddl)
    return match.group("name") if match else None


def confirm_ddl(question: str, ddl: str) -> ConfirmScreen:
    """The confirmation for running ``ddl``: a DROP asks for the object's name to be typed."""
    target = drop_target(ddl)
    if target is None:
        return ConfirmScreen(question, ddl, yes_label="Run it")
    return ConfirmScreen(question, ddl, typed=target, yes_label="Drop it")


class AdviceEvents(DocumentEvents):
    """Index advice: runs the advisor in workers and fills the Advice tab."""

    def _advise(self, mode: str) -> None:
        session = self.session
        if session.driver is None:
            self.notify("Not connected.", severity="error")
            return
        statement = self.current_statement() if mode == "statement" else None
        if mode == "statement" and statement is None:
            self.notify("Nothing to advise: put the cursor on a statement.", severity="warning")
            return
        self.notify("Checking candidate indexes…" if mode == "statement" else f"Reading {mode}…")
        job = partial(
            jobs.advise, self.post_message, session.index, session.driver, mode, statement
        )
        self.start(job, f"advice-{session.index}", f"advise {mode}")

    def action_advise(self) -> None:
        """Suggest indexes for the statement under the cursor, verified where the engine can."""
        self.after_typing(self._advise, "statement")

    def action_advise_workload(self) -> None:
        """Suggest indexes for the server's top statements."""
        self._advise("workload")

    def action_advise_health(self) -> None:
        """List unused, duplicate and missing indexes."""
        self._advise("health")

    def on_advice_ready(self, event: AdviceReady) -> None:
        """Show the advice in the Advice tab."""
        self.query_one(AdviceView).show(event.title, event.items, event.statement)
        self.show_tab("tab-advice")

    def on_advice_view_open(self, event: AdviceView.Open) -> None:
        """Show one suggestion or finding with its evidence."""
        self.app.push_screen(AdviceDetailScreen(event.item))

    def on_advice_view_create(self, event: AdviceView.Create) -> None:
        """Apply a DDL after an explicit yes (refused up front in read-only mode).

        Typing cannot answer yes (see ConfirmScreen); a DROP asks for the
        index's name to be typed.

        On PostgreSQL an index is built CONCURRENTLY (refused inside a
        transaction block), with its progress shown in the Advice tab; Esc cancels.
        """
        session = self.session
        driver = session.driver
        if driver is None:
            return
        if session.spec.read_only:
            self.notify("Read-only connection: copy the DDL (y) instead.", severity="error")
            return
        item = event.item
        view = self.query_one(AdviceView)
        before = item.plan_before if isinstance(item, Suggestion) else None
        statement = view.statement if isinstance(item, Suggestion) else ""
        ddl = item.ddl
        if is_postgres(driver):
            ddl = index_build.concurrent_ddl(ddl)
            refusal = index_build.transaction_refusal(driver, ddl)
            if refusal is not None:
                self.notify(refusal, severity="error", timeout=8)
                return

        def apply(ok: bool | None) -> None:
            if ok:
                self._run_ddl(ddl, statement, before)

        self.app.push_screen(confirm_ddl("Run this on the server?", ddl), apply)

    def _run_ddl(self, ddl: str, statement: str, before: Plan | None) -> None:
        """Start the workers that run ``ddl`` (and watch an index build's progress)."""
        session = self.session
        driver = session.driver
        if driver is None or session.busy:
            self.notify("Busy: wait for the running statement (Esc cancels it).")
            return
        self.set_busy(session, True)
        group = f"query-{session.index}"
        if not is_postgres(driver):
            self.notify("Running the DDL…")
            job = partial(
                jobs.apply_ddl, self.post_message, session.index, driver, ddl, statement, before
            )
            self.start(job, group, "apply DDL")
            return
        done = threading.Event()
        post = self.post_message
        self.notify("Running the DDL… (Esc cancels)")
        build = partial(
            index_build.build_index, post, session.index, driver, ddl, statement, before, done
        )
        self.start(build, group, "apply DDL")
        pid = driver.backend_pid
        if pid is not None and index_build.is_index_build(ddl):
            watch = partial(index_build.watch_index_build, post, session.index, driver, pid, done)
            self.start(watch, f"progress-{session.index}", "index build progress")

    def on_index_build_progress(self, event: IndexBuildProgress) -> None:
        """Show the build's phase and percentage on the Advice tab's summary line."""
        percent = "" if event.fraction is None else f" {event.fraction:.0%}"
        line = f"Building the index: {event.phase}{percent} (Esc cancels)"
        self.query_one("#advice-summary", Static).update(safe_text(line))
        self.log_line(f"  {line}")

    def on_invalid_index_left(self, event: InvalidIndexLeft) -> None:
        """Say that the build left INVALID indexes and offer to drop them."""
        names = ", ".join(event.names)
        self.log_line(f"  the build left INVALID index {names}; clean up with: {event.ddl}")
        self.query_one("#advice-summary", Static).update(safe_text(f"INVALID index left: {names}"))

        def drop(ok: bool | None) -> None:
            if ok:
                self._run_ddl(event.ddl, "", None)

        question = f"The build left INVALID index {names}. Drop it?"
        self.app.push_screen(confirm_ddl(question, event.ddl), drop)

    def on_ddl_applied(self, event: DdlApplied) -> None:
        """Report the DDL and show the statement's plan before and after it."""
        self.set_busy(self.sessions[event.session_index], False)
        self.log_line(f"✓ {event.ddl}")
        self.notify("Done.")
        if event.after is not None:
            self.query_one(PlanView).show(event.after)
            self.show_tab("tab-plan")
        if event.before is not None and event.after is not None:
            self.app.push_screen(
                PlanCompareScreen("Plan before and after", event.before, event.after)
            )
