"""The Advice tab: index advice in workers, its details, and applying a DDL.

F9 (and the palette) ask :meth:`AdviceTab.advise` for the statement under the cursor,
the workload or the index health; the advice fills the tab. Enter opens an item with
its evidence; ``c`` applies its DDL after an explicit yes (a DROP asks for the name to
be typed); on a driver with :class:`~dbtui.core.capabilities.IndexBuilding` an index is
built online with its progress on the summary line, and Esc cancels it. ``R`` measures the
recall of a vector index suggestion on a driver with
:class:`~dbtui.core.capabilities.RecallCheck` (see :mod:`.recall`).
"""

from __future__ import annotations

import re
import threading
from functools import partial

from textual.app import ComposeResult
from textual.widgets import Static, TabPane

from dbtui.core.advice import Suggestion
from dbtui.core.capabilities import IndexBuilding, RecallCheck, RecallOutcome
from dbtui.core.plan import Plan
from dbtui.ui import index_build, jobs
from dbtui.ui.jobs import AdviceScope
from dbtui.ui.messages import AdviceReady, DdlApplied, IndexBuildProgress, InvalidIndexLeft
from dbtui.ui.safe import safe_text
from dbtui.ui.screens.advice_detail import AdviceDetailScreen, PlanCompareScreen
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.widgets.advice.recall import RecallScreen
from dbtui.ui.widgets.advice.view import AdviceView
from dbtui.ui.widgets.plan.view import PlanView
from dbtui.ui.workbench import workbench_of

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


class AdviceTab(TabPane):
    """The Advice tab; its advice is for the active connection's statement or server."""

    def compose(self) -> ComposeResult:
        yield AdviceView(id="advice")

    def advise(self, scope: AdviceScope) -> None:
        """Start the advisor on ``scope`` in a worker (the statement: once typing is handled)."""
        bench = workbench_of(self)
        if scope is AdviceScope.STATEMENT:
            bench.after_typing(self._advise, scope)
        else:
            self._advise(scope)

    def _advise(self, scope: AdviceScope) -> None:
        bench = workbench_of(self)
        session = bench.session
        if session.driver is None:
            self.notify("Not connected.", severity="error")
            return
        statement = bench.current_statement() if scope is AdviceScope.STATEMENT else None
        if scope is AdviceScope.STATEMENT and statement is None:
            self.notify("Nothing to advise: put the cursor on a statement.", severity="warning")
            return
        reading = f"Reading {scope.value}…"
        self.notify("Checking candidate indexes…" if statement is not None else reading)
        job = partial(
            jobs.advise, self.post_message, session.index, session.driver, scope, statement
        )
        bench.start(job, f"advice-{session.index}", f"advise {scope.value}")

    def on_advice_view_advise(self, event: AdviceView.Advise) -> None:
        """``a``, ``w`` or ``h`` in the advice table: new advice on that scope."""
        self.advise(event.scope)

    def on_advice_ready(self, event: AdviceReady) -> None:
        """Show the advice in the Advice tab."""
        self.query_one(AdviceView).show(event.title, event.items, event.statement)
        workbench_of(self).show_tab("tab-advice")

    def on_advice_view_open(self, event: AdviceView.Open) -> None:
        """Show one suggestion or finding with its evidence."""
        self.app.push_screen(AdviceDetailScreen(event.item))

    def on_advice_view_recall(self, event: AdviceView.Recall) -> None:
        """``R``: measure the recall of a vector index suggestion (see :mod:`.recall`)."""
        session = workbench_of(self).session
        driver, item = session.driver, event.item
        if driver is None:
            return
        if (
            not isinstance(driver, RecallCheck)
            or not isinstance(item, Suggestion)
            or not driver.checks_recall(item)
        ):
            self.notify(
                "The recall check measures approximate vector index suggestions only.",
                severity="warning",
            )
            return
        statement = self.query_one(AdviceView).statement or next(iter(item.queries), "")
        self._measure_recall(driver, statement, item, build=False)

    def _measure_recall(
        self, driver: RecallCheck, statement: str, item: Suggestion, *, build: bool
    ) -> None:
        """Open :class:`RecallScreen`; when the check needs the index built first, ask."""
        read_only = workbench_of(self).session.spec.read_only

        def finished(outcome: RecallOutcome | None) -> None:
            if outcome is None:
                return
            if outcome.needs_build and not build and not read_only:
                question = "Build the index inside a rolled-back transaction to measure recall?"
                self.app.push_screen(
                    ConfirmScreen(question, outcome.needs_build, yes_label="Build and measure"),
                    lambda ok: (
                        self._measure_recall(driver, statement, item, build=True) if ok else None
                    ),
                )
                return
            self.query_one(AdviceView).show_recall(item, outcome.lines)
            log = workbench_of(self).log_line
            log(safe_text(f"Recall check of {item.ddl}"))
            for line in outcome.lines:
                log(safe_text(f"  {line}"))

        screen = RecallScreen(driver, statement, item, build=build and not read_only)
        self.app.push_screen(screen, finished)

    def on_advice_view_create(self, event: AdviceView.Create) -> None:
        """Apply a DDL after an explicit yes (refused up front in read-only mode).

        Typing cannot answer yes (see ConfirmScreen); a DROP asks for the
        index's name to be typed.

        On a driver that builds indexes online (:class:`IndexBuilding`) an index is built
        CONCURRENTLY (refused inside a transaction block), with its progress shown in the
        Advice tab; Esc cancels.
        """
        session = workbench_of(self).session
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
        if isinstance(driver, IndexBuilding):
            ddl, refusal = index_build.online_ddl(driver, ddl)
            if refusal is not None:
                self.notify(refusal, severity="error", timeout=8)
                return

        def apply(ok: bool | None) -> None:
            if ok:
                self._run_ddl(ddl, statement, before)

        self.app.push_screen(confirm_ddl("Run this on the server?", ddl), apply)

    def _run_ddl(self, ddl: str, statement: str, before: Plan | None) -> None:
        """Start the workers that run ``ddl`` (and watch an index build's progress)."""
        bench = workbench_of(self)
        session = bench.session
        driver = session.driver
        if driver is None or session.busy:
            self.notify("Busy: wait for the running statement (Esc cancels it).")
            return
        bench.set_busy(session, True)
        group = f"query-{session.index}"
        if not isinstance(driver, IndexBuilding):
            self.notify("Running the DDL…")
            job = partial(
                jobs.apply_ddl, self.post_message, session.index, driver, ddl, statement, before
            )
            bench.start(job, group, "apply DDL")
            return
        done = threading.Event()
        post = self.post_message
        self.notify("Running the DDL… (Esc cancels)")
        build = partial(
            index_build.build_index, post, session.index, driver, ddl, statement, before, done
        )
        bench.start(build, group, "apply DDL")
        pid = driver.backend_pid
        if pid is not None and driver.reports_build_progress(ddl):
            watch = partial(index_build.watch_index_build, post, session.index, driver, pid, done)
            bench.start(watch, f"progress-{session.index}", "index build progress")

    def on_index_build_progress(self, event: IndexBuildProgress) -> None:
        """Show the build's phase and percentage on the Advice tab's summary line."""
        percent = "" if event.fraction is None else f" {event.fraction:.0%}"
        line = f"Building the index: {event.phase}{percent} (Esc cancels)"
        self.query_one("#advice-summary", Static).update(safe_text(line))
        workbench_of(self).log_line(f"  {line}")

    def on_invalid_index_left(self, event: InvalidIndexLeft) -> None:
        """Say that the build left INVALID indexes and offer to drop them."""
        names = ", ".join(event.names)
        workbench_of(self).log_line(
            f"  the build left INVALID index {names}; clean up with: {event.ddl}"
        )
        self.query_one("#advice-summary", Static).update(safe_text(f"INVALID index left: {names}"))

        def drop(ok: bool | None) -> None:
            if ok:
                self._run_ddl(event.ddl, "", None)

        question = f"The build left INVALID index {names}. Drop it?"
        self.app.push_screen(confirm_ddl(question, event.ddl), drop)

    def on_ddl_applied(self, event: DdlApplied) -> None:
        """Report the DDL and show the statement's plan before and after it."""
        bench = workbench_of(self)
        bench.set_busy(bench.sessions[event.session_index], False)
        bench.log_line(f"✓ {event.ddl}")
        self.notify("Done.")
        if event.after is not None:
            self.screen.query_one(PlanView).show(event.after)
            bench.show_tab("tab-plan")
        if event.before is not None and event.after is not None:
            self.app.push_screen(
                PlanCompareScreen("Plan before and after", event.before, event.after)
            )
