"""The main window: connections and catalogs on the left, editor over output tabs."""

from __future__ import annotations

from functools import partial

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer, RichLog, Static, TabbedContent, TabPane

from dbtui.core.confirmation import Confirmation, for_script
from dbtui.core.driver import Driver
from dbtui.core.errors import ConnectionLostError, QueryError
from dbtui.core.results import Statement
from dbtui.ui import jobs
from dbtui.ui.held_writes import question_before
from dbtui.ui.messages import (
    PageFailed,
    PageFetched,
    PlanReady,
    StatementDone,
    StatementFailed,
)
from dbtui.ui.safe import safe_text
from dbtui.ui.screens.dialogs import ConfirmScreen, HelpScreen, NodeDetailScreen
from dbtui.ui.screens.everyday_events import EverydayEvents
from dbtui.ui.screens.history_search import HistoryScreen
from dbtui.ui.screens.value_viewer import ValueScreen
from dbtui.ui.screens.workspace import one_line
from dbtui.ui.screens.write_confirm import WriteConfirmEvents
from dbtui.ui.session import Session
from dbtui.ui.starter import initial_text
from dbtui.ui.widgets.advice_view import AdviceView
from dbtui.ui.widgets.catalog_tree import CatalogTree
from dbtui.ui.widgets.editor import QueryEditor
from dbtui.ui.widgets.plan_view import PlanView
from dbtui.ui.widgets.results_view import ResultsView


def confirm_screen(needed: Confirmation, statement: str = "") -> ConfirmScreen:
    """The dialog asking ``needed``: its detail, then the statement (shortened); when
    ``needed.typed`` is set, Yes stays disabled until exactly that text is typed."""
    shown = statement if len(statement) <= 300 else statement[:299] + "…"
    detail = "\n\n".join(part for part in (needed.detail, shown) if part)
    return ConfirmScreen(needed.question, detail, typed=needed.typed, yes_label=needed.yes_label)


class MainScreen(WriteConfirmEvents, EverydayEvents):
    """Everything the user works with; owns the sessions and starts every worker."""

    BINDINGS = [
        # Priority: TextArea binds F6/F7 to line/all selection.
        Binding(
            "f5",
            "run",
            "Run",
            priority=True,
            id="main.run",
            tooltip="Run the statement under the cursor",
        ),
        Binding(
            "ctrl+t,alt+n",
            "new_tab",
            "New tab",
            show=False,
            id="main.new_tab",
            tooltip="Open an editor tab",
        ),
        Binding(
            "ctrl+f4,alt+w",
            "close_tab",
            "Close tab",
            show=False,
            id="main.close_tab",
            tooltip="Close the editor tab",
        ),
        Binding(
            "ctrl+pagedown,alt+right",
            "next_tab(1)",
            "Next tab",
            show=False,
            id="main.next_tab",
            tooltip="Show the next editor tab",
        ),
        Binding(
            "ctrl+pageup,alt+left",
            "next_tab(-1)",
            "Previous tab",
            show=False,
            id="main.previous_tab",
            tooltip="Show the previous editor tab",
        ),
        Binding(
            "shift+f5",
            "run_all",
            "Run all",
            priority=True,
            show=False,
            id="main.run_all",
            tooltip="Run every statement of the editor as a script",
        ),
        Binding(
            "shift+f5",
            "run_all",
            "Run all",
            priority=True,
            show=False,
            id="main.run_all",
            tooltip="Run every statement of the editor as a script",
        ),
        Binding(
            "f6", "explain", "Explain", priority=True, id="main.explain", tooltip="Show the plan"
        ),
        Binding(
            "f7",
            "explain_analyze",
            "Analyze",
            priority=True,
            show=False,
            id="main.analyze",
            tooltip="Run it and measure the plan",
        ),
        Binding(
            "escape",
            "cancel",
            "Cancel",
            priority=True,
            id="main.cancel",
            tooltip="Cancel the running statement",
        ),
        Binding(
            "f9",
            "advise",
            "Advise",
            priority=True,
            id="main.advise",
            tooltip="Suggest indexes for the statement under the cursor",
        ),
        Binding(
            "ctrl+r",
            "history",
            "History",
            priority=True,
            show=False,
            id="main.history",
            tooltip="Search this connection's query history",
        ),
        Binding("f2", "focus_catalog", "Catalog", id="main.catalog", tooltip="Focus the catalog"),
        Binding(
            "f3", "focus_editor", "Editor", show=False, id="main.editor", tooltip="Focus the editor"
        ),
        Binding(
            "f4",
            "focus_output",
            "Output",
            show=False,
            id="main.output",
            tooltip="Focus the output tabs",
        ),
        Binding("f8", "zoom", "Zoom", id="main.zoom", tooltip="Maximise the focused pane"),
        Binding("f1", "help", "Help", id="main.help", tooltip="Show the keys of this pane"),
        Binding(
            "ctrl+o",
            "connections",
            "Connections",
            show=False,
            id="main.connections",
            tooltip="Add, edit, test, delete and open saved connections",
        ),
        Binding(
            "ctrl+l",
            "refresh_completion",
            "Reload names",
            show=False,
            id="main.refresh_completion",
            tooltip="Read the catalog again for completion (MongoDB: sample the fields)",
        ),
    ]

    # Below 60 columns or 20 rows ("-tiny"), app.tcss shares the space so that every pane
    # keeps some rows and columns; F2/F3/F4 then F8 zooms one to the whole screen.
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny-width"), (60, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-tiny-height"), (20, "-short"), (40, "-tall")]

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield CatalogTree(self.sessions, id="catalog")
            with Vertical(id="work"):
                yield Static(id="editor-title")
                with ContentSwitcher(id="editors", initial=self.sessions[self.active].editor_id):
                    for session in self.sessions:
                        yield QueryEditor(
                            initial_text(session),
                            language=session.language,
                            id=session.editor_id,
                        )
                with TabbedContent(id="output"):
                    with TabPane("Results", id="tab-results"):
                        yield ResultsView(id="results")
                    with TabPane("Plan", id="tab-plan"):
                        yield PlanView(id="plan")
                    with TabPane("Advice", id="tab-advice"):
                        yield AdviceView(id="advice")
                    with TabPane("Messages", id="tab-messages"):
                        yield RichLog(id="messages", wrap=True, markup=False, highlight=False)
                    with TabPane("Details", id="tab-details"):
                        yield VerticalScroll(Static("Highlight a catalog object.", id="details"))
        yield Footer()

    def on_mount(self) -> None:
        self.update_title()
        self.editor().focus()
        tree = self.query_one(CatalogTree)
        if self.session.driver is not None:
            tree.session_node(self.active).expand()
        tree.move_cursor(tree.session_node(self.active))
        for session in self.sessions:
            if session.error is not None:
                self.log_error(session.name, session.error)
        self.connect_in_background()

    # ----------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cancel is only live while something runs; otherwise Esc goes to the widget."""
        if action == "cancel":
            return self.session.busy
        return True

    def action_run(self) -> None:
        """Run the statement under the cursor, or every statement of the selection."""
        self.after_typing(self._run)

    def _run(self) -> None:
        selected = self.selected_statements()
        if len(selected) > 1:
            self._start_script(selected)
        else:
            self._start_statement("run")

    def action_run_all(self) -> None:
        """Run every statement of the editor in order, as a script."""
        self.after_typing(self._run_all)

    def _run_all(self) -> None:
        session = self.session
        statements = session.driver.split(self.editor().text) if session.driver else []
        if not statements:
            self.notify("Nothing to run: the editor holds no statement.", severity="warning")
            return
        self._start_script(statements)

    def _start_script(self, statements: list[Statement]) -> None:
        """Run statements in order after one confirmation covering every destructive one."""
        session = self.session
        driver = session.driver
        if driver is None or session.busy:
            self.notify("Not connected, or a statement is already running.", severity="warning")
            return
        needed = for_script([c for s in statements if (c := question_before(driver, s.text))])

        def launch(ok: bool | None = True) -> None:
            if ok:
                self.set_busy(session, True)
                previous, session.result = session.result, None
                job = partial(
                    jobs.run_script,
                    self.post_message,
                    session.index,
                    driver,
                    statements,
                    previous,
                    session.history,
                    self.confirm_over,
                )
                self.start(job, f"query-{session.index}", f"script of {len(statements)}")

        if needed is not None:
            self.app.push_screen(confirm_screen(needed), launch)
        else:
            launch()

    def action_explain(self) -> None:
        """Show the plan of the statement under the cursor, without running it."""
        self.after_typing(self._start_statement, "explain")

    def action_explain_analyze(self) -> None:
        """Run the statement and show the measured plan (asks first for writes)."""
        self.after_typing(self._start_statement, "analyze")

    def _start_statement(self, mode: str) -> None:
        session = self.session
        driver = session.driver
        if driver is None:
            if session.connecting:
                self.notify(f"Still connecting to {session.name}…", severity="warning")
            else:
                self.notify("Not connected: press r on the connection to retry.", severity="error")
            return
        if session.busy:
            self.notify("A statement is already running: Esc cancels it.", severity="warning")
            return
        statement = self.current_statement()
        if statement is None:
            self.notify("Nothing to run: type a statement first.", severity="warning")
            return
        if mode == "run" and _opens_live_pane(self.app, driver, statement.text, session.name):
            return  # MONITOR, SUBSCRIBE..., XREAD BLOCK stream in a live pane of their own
        needed: Confirmation | None = None
        if mode == "run":  # a write that affects many rows is asked about after it ran
            needed = question_before(driver, statement.text)
        elif mode == "analyze":
            notice = driver.analyze_needs_confirmation(statement.text)
            needed = Confirmation(notice) if notice is not None else None
        if needed is not None:
            self.app.push_screen(
                confirm_screen(needed, statement.text),
                lambda ok: self._launch(session, statement, mode) if ok else None,
            )
            return
        self._launch(session, statement, mode)

    def _launch(self, session: Session, statement: Statement, mode: str) -> None:
        driver = session.driver
        assert driver is not None
        self.set_busy(session, True)
        post = self.post_message
        group = f"query-{session.index}"
        if mode == "run":
            previous, session.result = session.result, None
            job = partial(
                jobs.run_statement,
                post,
                session.index,
                driver,
                statement,
                previous,
                session.history,
                self.confirm_over,
            )
        else:
            job = partial(jobs.explain, post, session.index, driver, statement, mode == "analyze")
        self.start(job, group, f"{mode}: {statement.text[:40]}")

    def action_cancel(self) -> None:
        """Cancel the running statement of the active connection."""
        driver = self.session.driver
        if driver is not None and self.session.busy:
            self.notify("Cancelling…")
            self.start(partial(jobs.cancel, driver), "cancel", "cancel")

    # ----------------------------------------------------------------- focus and zoom
    # Keys never go to a pane the user cannot see: while a pane is zoomed (F8),
    # F2/F3/F4 (or anything else that moves the focus) move the zoom to the pane
    # that gets the focus (on_descendant_focus).

    def action_focus_catalog(self) -> None:
        """Move the focus to the catalog tree (the zoom follows it)."""
        self.query_one(CatalogTree).focus()

    def action_focus_editor(self) -> None:
        """Move the focus to the editor (the zoom follows it)."""
        self.editor().focus()

    def action_focus_output(self) -> None:
        """Move the focus to the visible output tab (the zoom follows it)."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is None:
            return
        for widget in pane.query("*"):
            if widget.focusable:
                widget.focus()
                return

    def pane_of(self, widget: Widget) -> Widget | None:
        """The zoomable pane (catalog, editors, output) holding ``widget``, if any."""
        for pane_id in ("#catalog", "#editors", "#output"):
            pane = self.query_one(pane_id)
            if widget is pane or pane in widget.ancestors:
                return pane
        return None

    def action_zoom(self) -> None:
        """Maximise the focused pane, or restore the layout."""
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        pane = None if focused is None else self.pane_of(focused)
        if pane is not None:
            self.maximized = pane

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Guard: a zoom moves to the pane that got the focus, so the focus is never hidden."""
        if self.maximized is None:
            return
        pane = self.pane_of(event.widget)
        if pane is not None and pane is not self.maximized:
            self.maximized = pane

    def action_help(self) -> None:
        """Show the bindings that are active here."""
        rows = []
        for key, active in self.app.active_bindings.items():
            binding = active.binding
            if binding.description and active.enabled:
                rows.append((binding.key_display or key, binding.description, active.tooltip))
        self.app.push_screen(HelpScreen(rows))

    # ----------------------------------------------------------------- results events
    def on_statement_done(self, event: StatementDone) -> None:
        """Show a finished statement's result."""
        session = self.sessions[event.session_index]
        session.result = event.result
        self.set_busy(session, False)
        self.query_one(ResultsView).show(event.result, event.page, event.elapsed_ms)
        self.log_line(
            safe_text(f"✓ {one_line(event.statement)}  ({event.elapsed_ms:.0f} ms)", style="green")
        )
        for notice in getattr(event.result, "notices", ()):
            self.log_line(safe_text(f"  {notice}", style="yellow"))
        self.show_tab("tab-results")

    def on_statement_failed(self, event: StatementFailed) -> None:
        """Report an error in Messages and put the cursor where it happened."""
        session = self.sessions[event.session_index]
        self.set_busy(session, False)
        self.log_error(event.statement, event.error)
        self.show_tab("tab-messages")
        self.notify(event.error.one_line(), severity="error", timeout=6)
        error = event.error
        if isinstance(error, QueryError) and error.position is not None:
            self.editor(session).move_cursor_to_offset(event.start + error.position)
        if isinstance(error, ConnectionLostError):
            # Reconnect, but never re-run the statement: it may have partly run.
            self.log_line("  reconnecting; run the statement again when it is back (F5)")
            self.reconnect(session)

    def action_history(self) -> None:
        """Search the query history; the chosen statement is added below the editor text."""
        session = self.session

        def insert(statement: str | None) -> None:
            if not statement:
                return
            editor = self.editor(session)
            text = editor.text.rstrip()
            editor.text = f"{text}\n\n{statement}" if text else statement
            editor.move_cursor(editor.document.end)
            editor.focus()

        self.app.push_screen(HistoryScreen(session.history, session.name), insert)

    def on_results_view_need_more(self, event: ResultsView.NeedMore) -> None:
        """Fetch the next page in a worker."""
        job = partial(jobs.fetch_more, self.post_message, self.active, event.result)
        self.start(job, f"page-{self.active}", "fetch more rows")

    def on_results_view_open_value(self, event: ResultsView.OpenValue) -> None:
        """Show a cell or a document in full (a stored document with its edit keys)."""
        viewer = self.document_viewer(event)
        self.app.push_screen(viewer or ValueScreen(event.title, event.value, event.type_name))

    def on_page_failed(self, event: PageFailed) -> None:
        """A page could not be read: stop loading that result and report the error."""
        view = self.query_one(ResultsView)
        if view.result is event.result:
            view.page_failed(event.error.one_line())
        failed = StatementFailed(event.session_index, "(fetching more rows)", event.error)
        self.on_statement_failed(failed)

    def on_page_fetched(self, event: PageFetched) -> None:
        """Append a page if it belongs to the result still on screen."""
        view = self.query_one(ResultsView)
        if view.result is event.result:
            view.append(event.page)

    def on_plan_ready(self, event: PlanReady) -> None:
        """Show a plan in the Plan tab."""
        self.set_busy(self.sessions[event.session_index], False)
        self.query_one(PlanView).show(event.plan)
        self.show_tab("tab-plan")

    def on_plan_view_open_node(self, event: PlanView.OpenNode) -> None:
        """Open a plan node's details."""
        self.app.push_screen(NodeDetailScreen(event.node))


def _opens_live_pane(app: App[object], driver: Driver, line: str, name: str) -> bool:
    """Open the live pane when ``driver`` streams ``line`` (MONITOR, SUBSCRIBE...).

    Only a driver with ``live_request`` can; the pane's module (and its engine's library)
    is imported only then.
    """
    if not callable(getattr(driver, "live_request", None)):
        return False
    from dbtui.ui.redis.live import open_live_pane

    return open_live_pane(app, driver, line, name)
