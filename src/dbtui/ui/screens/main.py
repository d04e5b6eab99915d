"""The main window: connections and catalogs on the left, editor over output tabs.

The screen composes the parts and routes between connections; each part owns its state,
keys and handlers (folder ``ui/widgets``):

* :class:`~dbtui.ui.widgets.catalog.pane.CatalogPane`: the catalog tree, (re)connecting;
* :class:`~dbtui.ui.widgets.editor.stack.EditorStack`: one editor per connection, its
  tabs, saving as you type, completion;
* the output tabs: :class:`~dbtui.ui.widgets.results.tab.ResultsTab` (result table,
  export, document actions, pipeline editor), ``PlanView``,
  :class:`~dbtui.ui.widgets.advice.tab.AdviceTab`,
  :class:`~dbtui.ui.widgets.results.messages.MessagesLog`,
  :class:`~dbtui.ui.widgets.results.details.DetailsTab`.

The keys declared here (:mod:`dbtui.ui.screens.main_keys`) work from every pane: they act
on the active connection (run, explain, advise, tabs, history, connections) or on the
layout (focus, zoom, help). Their actions call the part they act on.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, TabbedContent, TabPane, Tree

from dbtui.core.errors import ConnectionLostError, DbtuiError, QueryError
from dbtui.core.results import Statement
from dbtui.core.spec import ConnectionSpec
from dbtui.ui.completion_source import CompletionSource
from dbtui.ui.errors import WorkerCrashed
from dbtui.ui.held_writes import WriteHeld
from dbtui.ui.jobs import AdviceScope, RunMode
from dbtui.ui.messages import PlanReady, Reconnected, ScriptStep, StatementDone, StatementFailed
from dbtui.ui.safe import safe_text
from dbtui.ui.screens import main_keys
from dbtui.ui.screens.connections_opening import ConnectionOpener
from dbtui.ui.screens.dialogs import HelpScreen, NodeDetailScreen
from dbtui.ui.screens.history_search import HistoryScreen
from dbtui.ui.screens.write_confirm import ask_held_write
from dbtui.ui.session import Session
from dbtui.ui.statement_runs import StatementRuns, confirm_screen
from dbtui.ui.widgets.advice.tab import AdviceTab
from dbtui.ui.widgets.catalog.pane import CatalogPane
from dbtui.ui.widgets.catalog.tree import CatalogTree, NodeData
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.editor.stack import EditorStack
from dbtui.ui.widgets.editor.title import EditorTitle
from dbtui.ui.widgets.plan.view import PlanView
from dbtui.ui.widgets.results.details import DetailsTab
from dbtui.ui.widgets.results.messages import MessagesLog, one_line
from dbtui.ui.widgets.results.tab import ResultsTab
from dbtui.ui.widgets.results.view import ResultsView

__all__ = ["MainScreen", "confirm_screen"]


class MainScreen(Screen[None]):
    """Everything the user works with; owns the sessions and routes between them."""

    BINDINGS = main_keys.BINDINGS

    # Below 60 columns or 20 rows ("-tiny"), app.tcss shares the space so that every pane
    # keeps some rows and columns; F2/F3/F4 then F8 zooms one to the whole screen.
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny-width"), (60, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-tiny-height"), (20, "-short"), (40, "-tall")]

    def __init__(self, sessions: list[Session]) -> None:
        super().__init__()
        self.sessions = sessions
        self.active = next((s.index for s in sessions if s.driver is not None), 0)
        self.runs = StatementRuns(self)
        self.opener = ConnectionOpener(self)

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield CatalogPane(self.sessions, id="sidebar")
            with Vertical(id="work"):
                yield EditorTitle(id="editor-title")
                yield EditorStack(self.sessions, self.active, id="editors")
                with TabbedContent(id="output"):
                    yield ResultsTab("Results", id="tab-results")
                    with TabPane("Plan", id="tab-plan"):
                        yield PlanView(id="plan")
                    yield AdviceTab("Advice", id="tab-advice")
                    with TabPane("Messages", id="tab-messages"):
                        yield MessagesLog(id="messages")
                    yield DetailsTab("Details", id="tab-details")
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
        self.query_one(CatalogPane).connect_in_background()
        for session in self.sessions:
            self.editors.refresh_completion(session)

    # ----------------------------------------------------------------- the workbench
    @property
    def session(self) -> Session:
        """The connection the editor currently talks to."""
        return self.sessions[self.active]

    @property
    def editors(self) -> EditorStack:
        """The editors, one per connection."""
        return self.query_one(EditorStack)

    @property
    def _completion(self) -> dict[int, CompletionSource]:
        """The completion names read for each connection (see :class:`EditorStack`)."""
        return self.editors.completion

    @property
    def is_ready(self) -> bool:
        """True once the screen is composed (its editors exist): actions may run."""
        return self.is_mounted

    def editor(self, session: Session | None = None) -> QueryEditor:
        """The editor of ``session`` (the active one by default)."""
        return self.query_one(f"#{(session or self.session).editor_id}", QueryEditor)

    def start(self, job: Callable[[], None], group: str, description: str) -> None:
        """Run ``job`` in a thread worker."""
        self.run_worker(job, thread=True, group=group, description=description, exit_on_error=False)

    def log_line(self, text: Text | str) -> None:
        """Append to the Messages tab."""
        self.query_one(MessagesLog).log_line(text)

    def log_error(self, statement: str, error: DbtuiError) -> None:
        """Write an error to Messages: title, message, detail, hint and a caret."""
        self.query_one(MessagesLog).log_error(statement, error)

    def show_tab(self, tab_id: str) -> None:
        """Switch the output area to a tab."""
        self.query_one(TabbedContent).active = tab_id

    def current_statement(self) -> Statement | None:
        """The statement the user means: the selection, or the one under the cursor."""
        session = self.session
        editor = self.editor()
        statements = session.driver.split(editor.text) if session.driver else []
        return editor.current_statement(statements)

    def after_typing(self, callback: Callable[..., object], *args: object) -> None:
        """Call ``callback`` once the editor has handled the keys typed before this one.

        F5 and friends are priority bindings: the app runs them as soon as it reads the
        key, possibly before the editor has processed the characters typed just before
        (fast typists, pasted input, tmux). Queuing the call on the editor's own message
        queue makes it see the whole text.
        """
        found = self.query(f"#{self.session.editor_id}")
        if not found:
            self.notify("The editor is not ready yet: press the key again.", severity="warning")
            return
        found.only_one(QueryEditor).call_later(callback, *args)

    def set_busy(self, session: Session, busy: bool) -> None:
        """Mark a session as running (or not) and refresh the bindings."""
        session.busy = busy
        self.editor(session).busy = busy
        self.update_title()
        self.refresh_bindings()

    def update_title(self) -> None:
        """Refresh the line above the editor: connection, badges, state."""
        self.query_one(EditorTitle).show(self.session)

    def reconnect(self, session: Session, password: str | None = None) -> None:
        """Start a (re)connection of ``session`` in a worker."""
        self.query_one(CatalogPane).reconnect(session, password)

    def flush_buffers(self, *, everything: bool = False) -> None:
        """Save every editor tab with unsaved changes now (see :class:`EditorStack`)."""
        self.editors.flush_buffers(everything=everything)

    # ----------------------------------------------------------------- key actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cancel is only live while something runs; otherwise Esc/Ctrl+C go to the widget."""
        if action == "cancel":
            views = self.query(ResultsView)
            return self.session.busy or any(view.reading is not None for view in views)
        return True

    def action_run(self) -> None:
        """Run the statement under the cursor, or every statement of the selection."""
        self.after_typing(self.runs.run)

    def action_run_all(self) -> None:
        """Run every statement of the editor in order, as a script."""
        self.after_typing(self.runs.run_all)

    def action_explain(self) -> None:
        """Show the plan of the statement under the cursor, without running it."""
        self.after_typing(self.runs.statement, RunMode.EXPLAIN)

    def action_explain_analyze(self) -> None:
        """Run the statement and show the measured plan (asks first for writes)."""
        self.after_typing(self.runs.statement, RunMode.ANALYZE)

    def action_cancel(self) -> None:
        """Cancel the reading of a result to its end, else the running statement."""
        if not self.query_one(ResultsView).cancel_reading():
            self.runs.cancel()

    def action_advise(self) -> None:
        """Suggest indexes for the statement under the cursor, verified where the engine can."""
        self.query_one(AdviceTab).advise(AdviceScope.STATEMENT)

    def action_advise_workload(self) -> None:
        """Suggest indexes for the server's top statements."""
        self.query_one(AdviceTab).advise(AdviceScope.WORKLOAD)

    def action_advise_health(self) -> None:
        """List unused, duplicate and missing indexes."""
        self.query_one(AdviceTab).advise(AdviceScope.HEALTH)

    def action_new_tab(self) -> None:
        """Open an empty editor tab for this connection."""
        self.editors.new_tab(self.session)

    def action_next_tab(self, step: int = 1) -> None:
        """Show the next (or, with ``step=-1``, the previous) editor tab."""
        self.editors.next_tab(self.session, step)

    def action_close_tab(self) -> None:
        """Close the shown tab (asks first when it holds text); the last tab stays."""
        self.editors.close_tab(self.session)

    def action_refresh_completion(self) -> None:
        """Read the active connection's names again (MongoDB: sample the collection's fields)."""
        session = self.session
        if session.driver is None:
            self.notify("Not connected.", severity="error")
            return
        self.notify("Reading names for completion…", timeout=2)
        self.editors.refresh_completion(session, sample_fields=True, announce=True)

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

    def action_connections(self) -> None:
        """Open the connection manager; "open" adds the chosen connection next to the others."""
        self.opener.manage()

    def open_session(self, spec: ConnectionSpec) -> Session:
        """Add a connection (see :meth:`ConnectionOpener.open_session`)."""
        return self.opener.open_session(spec)

    def action_export(self) -> None:
        """Export the shown result (``e`` in the results does the same)."""
        self.query_one(ResultsTab).export()

    def action_aggregate(self) -> None:
        """Open the pipeline editor (the palette's way to ``A`` in the results)."""
        self.query_one(ResultsTab).action_aggregate()

    # ----------------------------------------------------------------- focus and zoom
    # Keys never go to a pane the user cannot see: while a pane is zoomed (F8), F2/F3/F4
    # (or anything else that moves the focus) move the zoom to the pane that gets the focus.

    def action_focus_catalog(self) -> None:
        """Move the focus to the catalog tree (the zoom follows it)."""
        self.query_one(CatalogTree).focus()

    def action_focus_editor(self) -> None:
        """Move the focus to the editor (the zoom follows it)."""
        self.editor().focus()

    def action_focus_output(self) -> None:
        """Move the focus to the visible output tab (the zoom follows it)."""
        pane = self.query_one(TabbedContent).active_pane
        focusable = [w for w in pane.query("*") if w.focusable] if pane is not None else []
        if focusable:
            focusable[0].focus()

    def action_show_output(self, tab_id: str) -> None:
        """Show one output tab and focus it (Alt+R/L/V/M/D; the zoom follows the focus)."""
        self.show_tab(tab_id)
        self.action_focus_output()

    def pane_of(self, widget: Widget) -> Widget | None:
        """The zoomable pane (catalog, editors, output) holding ``widget``, if any."""
        panes = [self.query_one(f"#{name}") for name in ("catalog", "editors", "output")]
        return next((p for p in panes if widget is p or p in widget.ancestors), None)

    def action_zoom(self) -> None:
        """Maximise the focused pane, or restore the layout."""
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None and (pane := self.pane_of(self.focused)) is not None:
            self.maximized = pane

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Guard: a zoom moves to the pane that got the focus, so the focus is never hidden."""
        pane = self.pane_of(event.widget) if self.maximized is not None else None
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

    # ----------------------------------------------------------------- routing
    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        """Follow the catalog cursor: switch the editor's connection, load details."""
        data = event.node.data
        if data is None:
            return
        if data.session_index != self.active:
            self.active = data.session_index
            self.editors.current = self.session.editor_id
            self.update_title()
            self.refresh_bindings()
        driver = self.session.driver
        if data.node is not None and driver is not None:
            driver.set_context(data.node)
            self.update_title()
            self.query_one(DetailsTab).follow(driver, data.node)

    def on_catalog_tree_insert_text(self, event: CatalogTree.InsertText) -> None:
        """Insert a catalog name at the editor's cursor."""
        self.editor(self.sessions[event.session_index]).insert(event.text)

    def on_reconnected(self, event: Reconnected) -> None:
        """A (re)connected session reads its names again (the catalog pane did the rest)."""
        if event.driver is not None:
            self.editors.refresh_completion(self.sessions[event.session_index], driver=event.driver)

    def on_worker_crashed(self, event: WorkerCrashed) -> None:
        """A job raised (already reported): its session is no longer busy."""
        kind, _, number = event.worker.group.rpartition("-")
        if kind in ("query", "advice") and number.isdigit() and int(number) < len(self.sessions):
            session = self.sessions[int(number)]
            if session.busy:
                self.set_busy(session, False)

    def on_write_held(self, event: WriteHeld) -> None:
        """Ask about the held write; the session stays busy until the answer is carried out."""
        ask_held_write(self, self.app, self.post_message, event)

    def on_script_step(self, event: ScriptStep) -> None:
        """Log one finished statement of a script: its outcome, time and notices."""
        self.query_one(MessagesLog).log_step(event)

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

    def on_plan_ready(self, event: PlanReady) -> None:
        """Show a plan in the Plan tab."""
        self.set_busy(self.sessions[event.session_index], False)
        self.query_one(PlanView).show(event.plan)
        self.show_tab("tab-plan")

    def on_plan_view_open_node(self, event: PlanView.OpenNode) -> None:
        """Open a plan node's details."""
        self.app.push_screen(NodeDetailScreen(event.node))
