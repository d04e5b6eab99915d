"""The main window: connections and catalogs on the left, editor over output tabs."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, RichLog, Static, TabbedContent, TabPane, Tree
from textual.widgets.tree import UnknownNodeID

from dbtui.core.errors import DbtuiError, PasswordRequired, QueryError
from dbtui.core.results import Statement
from dbtui.ui import jobs
from dbtui.ui.messages import (
    ChildrenLoaded,
    DetailsLoaded,
    PageFetched,
    PlanReady,
    Reconnected,
    StatementDone,
    StatementFailed,
)
from dbtui.ui.screens.dialogs import ConfirmScreen, HelpScreen, NodeDetailScreen, PasswordScreen
from dbtui.ui.screens.value_viewer import ValueScreen
from dbtui.ui.session import Session
from dbtui.ui.starter import starter_text
from dbtui.ui.widgets.catalog_tree import CatalogTree, NodeData
from dbtui.ui.widgets.editor import QueryEditor
from dbtui.ui.widgets.plan_view import PlanView
from dbtui.ui.widgets.results_view import ResultsView


class MainScreen(Screen[None]):
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
            "f6", "explain", "Explain", priority=True, id="main.explain", tooltip="Show the plan"
        ),
        Binding(
            "f7",
            "explain_analyze",
            "Analyze",
            priority=True,
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
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    def __init__(self, sessions: list[Session]) -> None:
        super().__init__()
        self.sessions = sessions
        self.active = next((s.index for s in sessions if s.driver is not None), 0)

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
                            starter_text(session.spec),
                            language=session.language,
                            id=session.editor_id,
                        )
                with TabbedContent(id="output"):
                    with TabPane("Results", id="tab-results"):
                        yield ResultsView(id="results")
                    with TabPane("Plan", id="tab-plan"):
                        yield PlanView(id="plan")
                    with TabPane("Advice", id="tab-advice"):
                        yield Static(
                            "Index advice comes with the plans: not available yet.", id="advice"
                        )
                    with TabPane("Messages", id="tab-messages"):
                        yield RichLog(id="messages", wrap=True, markup=False, highlight=False)
                    with TabPane("Details", id="tab-details"):
                        yield VerticalScroll(Static("Highlight a catalog object.", id="details"))
        yield Footer()

    def on_mount(self) -> None:
        self.update_title()
        self.editor().focus()
        tree = self.query_one(CatalogTree)
        tree.session_node(self.active).expand()
        tree.move_cursor(tree.session_node(self.active))
        for session in self.sessions:
            if session.error is not None:
                self.log_error(session.name, session.error)

    # ----------------------------------------------------------------- helpers
    @property
    def session(self) -> Session:
        """The connection the editor currently talks to."""
        return self.sessions[self.active]

    def editor(self, session: Session | None = None) -> QueryEditor:
        """The editor of ``session`` (the active one by default)."""
        return self.query_one(f"#{(session or self.session).editor_id}", QueryEditor)

    def update_title(self) -> None:
        """Refresh the line above the editor: connection, badges, state."""
        session = self.session
        title = Text.assemble((f" {session.name} ", "bold reverse"))
        if session.spec.read_only:
            title.append(" READ-ONLY", style="bold yellow")
        if session.busy:
            title.append(" running… Esc cancels", style="bold magenta")
        if session.driver is None:
            title.append(" not connected: r on it in the catalog retries", style="red")
        elif session.driver.transaction_status:
            status = session.driver.transaction_status
            style = "bold red" if status == "failed transaction" else "cyan"
            title.append(f" {status}", style=style)
        title.append(f" {session.spec.engine}", style="dim")
        self.query_one("#editor-title", Static).update(title)

    def start(self, job: Callable[[], None], group: str, description: str) -> None:
        """Run ``job`` in a thread worker."""
        self.run_worker(job, thread=True, group=group, description=description, exit_on_error=False)

    def log_line(self, text: Text | str) -> None:
        """Append to the Messages tab."""
        self.query_one("#messages", RichLog).write(text)

    def log_error(self, statement: str, error: DbtuiError) -> None:
        """Write an error to Messages: title, message, detail, hint and a caret at the position."""
        lines = Text.assemble((f"✖ {error.title}: ", "bold red"), error.message)
        if isinstance(error, QueryError):
            for label, value in (("detail", error.detail), ("hint", error.hint)):
                if value:
                    lines.append(f"\n  {label}: {value}", style="yellow")
            if error.position is not None:
                lines.append("\n" + caret_excerpt(statement, error.position), style="dim")
            else:
                lines.append(f"\n  in: {statement[:200]}", style="dim")
        self.log_line(lines)

    def show_tab(self, tab_id: str) -> None:
        """Switch the output area to a tab."""
        self.query_one(TabbedContent).active = tab_id

    def current_statement(self) -> Statement | None:
        """The statement the user means: the selection, or the one under the cursor."""
        session = self.session
        editor = self.editor()
        statements = session.driver.split(editor.text) if session.driver else []
        return editor.current_statement(statements)

    def set_busy(self, session: Session, busy: bool) -> None:
        """Mark a session as running (or not) and refresh the bindings."""
        session.busy = busy
        self.editor(session).busy = busy
        self.update_title()
        self.refresh_bindings()

    # ----------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cancel is only live while something runs; otherwise Esc goes to the widget."""
        if action == "cancel":
            return self.session.busy
        return True

    def action_run(self) -> None:
        """Run the statement under the cursor (or the selection)."""
        self._start_statement("run")

    def action_explain(self) -> None:
        """Show the plan of the statement under the cursor, without running it."""
        self._start_statement("explain")

    def action_explain_analyze(self) -> None:
        """Run the statement and show the measured plan (asks first for writes)."""
        self._start_statement("analyze")

    def _start_statement(self, mode: str) -> None:
        session = self.session
        driver = session.driver
        if driver is None:
            self.notify("Not connected: press r on the connection to retry.", severity="error")
            return
        if session.busy:
            self.notify("A statement is already running: Esc cancels it.", severity="warning")
            return
        statement = self.current_statement()
        if statement is None:
            self.notify("Nothing to run: type a statement first.", severity="warning")
            return
        if mode == "run":
            reason = driver.needs_confirmation(statement.text)
        elif mode == "analyze":
            reason = driver.analyze_needs_confirmation(statement.text)
        else:
            reason = None
        if reason is not None:
            self.app.push_screen(
                ConfirmScreen(reason, statement.text[:300]),
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
            job = partial(jobs.run_statement, post, session.index, driver, statement, previous)
        else:
            job = partial(jobs.explain, post, session.index, driver, statement, mode == "analyze")
        self.start(job, group, f"{mode}: {statement.text[:40]}")

    def action_cancel(self) -> None:
        """Cancel the running statement of the active connection."""
        driver = self.session.driver
        if driver is not None and self.session.busy:
            self.notify("Cancelling…")
            self.start(partial(jobs.cancel, driver), "cancel", "cancel")

    def action_focus_catalog(self) -> None:
        """Move the focus to the catalog tree."""
        self.query_one(CatalogTree).focus()

    def action_focus_editor(self) -> None:
        """Move the focus to the editor."""
        self.editor().focus()

    def action_focus_output(self) -> None:
        """Move the focus to the visible output tab."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is None:
            return
        for widget in pane.query("*"):
            if widget.focusable:
                widget.focus()
                return

    def action_zoom(self) -> None:
        """Maximise the focused pane, or restore the layout."""
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        if focused is None:
            return
        for pane_id in ("#catalog", "#editors", "#output"):
            pane = self.query_one(pane_id)
            if focused is pane or pane in focused.ancestors:
                self.maximized = pane
                return

    def action_help(self) -> None:
        """Show the bindings that are active here."""
        rows = []
        for key, active in self.app.active_bindings.items():
            binding = active.binding
            if binding.description and active.enabled:
                rows.append((binding.key_display or key, binding.description, active.tooltip))
        self.app.push_screen(HelpScreen(rows))

    # ----------------------------------------------------------------- catalog events
    def on_catalog_tree_load_children(self, event: CatalogTree.LoadChildren) -> None:
        """Load one catalog level in a worker."""
        driver = self.sessions[event.data.session_index].driver
        if driver is None:
            return
        job = partial(
            jobs.load_children, self.post_message, event.tree_node.id, driver, event.data.node
        )
        self.start(job, f"catalog-{event.data.session_index}", "load catalog")

    def on_children_loaded(self, event: ChildrenLoaded) -> None:
        """Put loaded children into the tree."""
        tree = self.query_one(CatalogTree)
        try:
            node = tree.get_node_by_id(event.tree_node_id)
        except UnknownNodeID:  # the node was removed (e.g. by a reconnect) meanwhile
            return
        tree.add_children(node, list(event.children), event.error)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        """Follow the cursor: switch the editor's connection, load details."""
        data = event.node.data
        if data is None:
            return
        if data.session_index != self.active:
            self.active = data.session_index
            self.query_one("#editors", ContentSwitcher).current = self.session.editor_id
            self.update_title()
            self.refresh_bindings()
        driver = self.session.driver
        if data.node is not None and driver is not None:
            job = partial(jobs.load_details, self.post_message, driver, data.node)
            self.start(job, "details", "load details")

    def on_details_loaded(self, event: DetailsLoaded) -> None:
        """Show the highlighted object's facts in the Details tab."""
        text = Text(event.title + "\n", style="bold")
        for name, value in event.facts:
            text.append(f"{name}: ", style="cyan")
            text.append(f"{value}\n")
        self.query_one("#details", Static).update(text)

    def on_catalog_tree_retry(self, event: CatalogTree.Retry) -> None:
        """Reconnect a connection in a worker (asking for a password if it needs one)."""
        session = self.sessions[event.session_index]
        if isinstance(session.error, PasswordRequired):
            self.ask_password(session)
        else:
            self.reconnect(session)

    def reconnect(self, session: Session, password: str | None = None) -> None:
        """Start a (re)connection of ``session`` in a worker."""
        self.notify(f"Connecting to {session.name}…")
        job = partial(
            jobs.reconnect, self.post_message, session.index, session.spec, session.driver, password
        )
        self.start(job, f"connect-{session.index}", "reconnect")

    def ask_password(self, session: Session) -> None:
        """Prompt for a password (masked) and reconnect with it."""
        question = f"Password for {session.spec.display_url}"
        if isinstance(session.error, PasswordRequired) and session.error.rejected:
            question = f"Wrong password. {question}"
        self.app.push_screen(
            PasswordScreen(question),
            lambda password: self.reconnect(session, password) if password is not None else None,
        )

    def on_reconnected(self, event: Reconnected) -> None:
        """Record the outcome of a reconnect and refresh the tree."""
        session = self.sessions[event.session_index]
        session.driver, session.error, session.result = event.driver, event.error, None
        tree = self.query_one(CatalogTree)
        tree.refresh_session(session)
        if isinstance(event.error, PasswordRequired):
            self.ask_password(session)
        elif event.error is not None:
            self.log_error(session.name, event.error)
            self.notify(event.error.one_line(), severity="error")
        else:
            self.editor(session).language = session.language
            self.notify(f"Connected to {session.name}.")
        self.update_title()

    def on_catalog_tree_insert_text(self, event: CatalogTree.InsertText) -> None:
        """Insert a catalog name at the editor's cursor."""
        self.editor(self.sessions[event.session_index]).insert(event.text)

    # ----------------------------------------------------------------- results events
    def on_statement_done(self, event: StatementDone) -> None:
        """Show a finished statement's result."""
        session = self.sessions[event.session_index]
        session.result = event.result
        self.set_busy(session, False)
        self.query_one(ResultsView).show(event.result, event.page, event.elapsed_ms)
        self.log_line(
            Text(f"✓ {one_line(event.statement)}  ({event.elapsed_ms:.0f} ms)", style="green")
        )
        for notice in getattr(event.result, "notices", ()):
            self.log_line(Text(f"  {notice}", style="yellow"))
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

    def on_results_view_need_more(self, event: ResultsView.NeedMore) -> None:
        """Fetch the next page in a worker."""
        job = partial(jobs.fetch_more, self.post_message, self.active, event.result)
        self.start(job, f"page-{self.active}", "fetch more rows")

    def on_results_view_open_value(self, event: ResultsView.OpenValue) -> None:
        """Show a cell or a document in full."""
        self.app.push_screen(ValueScreen(event.title, event.value, event.type_name))

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


def one_line(statement: str, width: int = 70) -> str:
    """A statement squeezed onto one line for the message log."""
    flat = " ".join(statement.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def caret_excerpt(statement: str, position: int) -> str:
    """The line of ``statement`` holding ``position`` with a caret under it."""
    start = statement.rfind("\n", 0, position) + 1
    end = statement.find("\n", position)
    line = statement[start : end if end >= 0 else len(statement)]
    return f"  {line}\n  {' ' * (position - start)}^"
