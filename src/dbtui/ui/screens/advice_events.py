"""Advice actions and events of the main screen: advise, workload, health, apply DDL."""

from __future__ import annotations

from functools import partial

from dbtui.core.advice import Suggestion
from dbtui.ui import jobs
from dbtui.ui.messages import AdviceReady, DdlApplied
from dbtui.ui.screens.advice_detail import AdviceDetailScreen, PlanCompareScreen
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.document_events import DocumentEvents
from dbtui.ui.widgets.advice_view import AdviceView
from dbtui.ui.widgets.plan_view import PlanView


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
        """Apply a DDL after an explicit yes (refused up front in read-only mode)."""
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

        def apply(ok: bool | None) -> None:
            if ok:
                self.notify("Running the DDL…")
                job = partial(
                    jobs.apply_ddl,
                    self.post_message,
                    session.index,
                    driver,
                    item.ddl,
                    statement,
                    before,
                )
                self.start(job, f"query-{session.index}", "apply DDL")

        self.app.push_screen(ConfirmScreen("Run this on the server?", item.ddl), apply)

    def on_ddl_applied(self, event: DdlApplied) -> None:
        """Report the DDL and show the statement's plan before and after it."""
        self.log_line(f"✓ {event.ddl}")
        self.notify("Done.")
        if event.after is not None:
            self.query_one(PlanView).show(event.after)
            self.show_tab("tab-plan")
        if event.before is not None and event.after is not None:
            self.app.push_screen(
                PlanCompareScreen("Plan before and after", event.before, event.after)
            )
