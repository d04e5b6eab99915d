"""Everyday-use parts of the main screen: completion sources, export, the connection manager.

* Completion: when a connection opens (at start, on a reconnect, or when
  opened from the connection manager) its names are read in a worker
  (:func:`~dbtui.ui.completion_source.build_source`) and the editor's
  ``completer`` is replaced in one assignment when they arrive; until then
  the editor completes keywords. Ctrl+L reads them again (and, for MongoDB,
  samples the current collection's fields).
* Export: ``e`` in the results opens :class:`ExportScreen` on the shown result.
* Connections: Ctrl+O opens :class:`ConnectionsScreen`; "open" adds the
  chosen saved connection as a new session next to the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual.message import Message
from textual.widgets import ContentSwitcher

from dbtui.core.capabilities import sql_dialect_of
from dbtui.core.config import Config, load_config, saved_spec
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.results import Result
from dbtui.core.spec import DEFAULT_CONNECT_TIMEOUT_S, ConnectionSpec, with_connect_timeout
from dbtui.ui.completion_source import CompletionSource, build_source, fallback_source
from dbtui.ui.export_job import ExportOutcome, source_of
from dbtui.ui.messages import Reconnected
from dbtui.ui.screens.advice_events import AdviceEvents
from dbtui.ui.screens.connections import ConnectionsScreen
from dbtui.ui.screens.export_dialog import ExportScreen
from dbtui.ui.session import Session
from dbtui.ui.starter import initial_text
from dbtui.ui.widgets.catalog_tree import CatalogTree, NodeData
from dbtui.ui.widgets.editor import QueryEditor
from dbtui.ui.widgets.results_view import ResultsView


@dataclass
class CompletionReady(Message):
    """A connection's completion names were read (or failed to be)."""

    session_index: int
    driver: Driver
    source: CompletionSource | None
    error: DbtuiError | None
    announce: bool
    """True when the user asked for the refresh: report the outcome."""


def build_completion(
    post: Callable[[Message], object],
    index: int,
    driver: Driver,
    sample_fields: bool,
    previous: CompletionSource | None,
    announce: bool,
) -> None:
    """Worker body: read the names for completion and post :class:`CompletionReady`."""
    try:
        source = build_source(driver, sample_fields=sample_fields, previous=previous)
    except DbtuiError as error:
        post(CompletionReady(index, driver, None, error, announce))
        return
    post(CompletionReady(index, driver, source, None, announce))


class EverydayEvents(AdviceEvents):
    """Completion sources, result export and the connection manager."""

    def __init__(self, sessions: list[Session]) -> None:
        super().__init__(sessions)
        self._completion: dict[int, CompletionSource] = {}

    # ----------------------------------------------------------------- completion
    def on_mount(self) -> None:
        """Read every open connection's names for completion."""
        for session in self.sessions:
            self.refresh_completion(session)

    def refresh_completion(
        self,
        session: Session,
        *,
        driver: Driver | None = None,
        sample_fields: bool = False,
        announce: bool = False,
    ) -> None:
        """Read ``session``'s names in a worker; keywords complete meanwhile."""
        driver = driver or session.driver
        if driver is None:
            return
        editor = self.editor(session)
        if editor.completer is None:
            editor.completer = fallback_source(session.spec.engine).complete
        previous = self._completion.get(session.index)
        job = partial(
            build_completion,
            self.post_message,
            session.index,
            driver,
            sample_fields,
            previous,
            announce,
        )
        self.start(job, f"completion-{session.index}", "read names for completion")

    def on_completion_ready(self, event: CompletionReady) -> None:
        """Swap the new names in (unless the connection changed meanwhile)."""
        session = self.sessions[event.session_index]
        if session.driver is not event.driver:
            return
        if event.source is None:
            if event.announce and event.error is not None:
                self.notify(f"Completion: {event.error.one_line()}", severity="error")
            return
        self._completion[session.index] = event.source
        self.editor(session).completer = event.source.complete
        if event.announce:
            self.notify(f"Completion knows {event.source.summary()}.", timeout=4)

    def action_refresh_completion(self) -> None:
        """Read the active connection's names again (MongoDB: sample the collection's fields)."""
        session = self.session
        if session.driver is None:
            self.notify("Not connected.", severity="error")
            return
        self.notify("Reading names for completion…", timeout=2)
        self.refresh_completion(session, sample_fields=True, announce=True)

    def on_reconnected(self, event: Reconnected) -> None:
        """A (re)connected session reads its names again."""
        if event.driver is not None:
            self.refresh_completion(self.sessions[event.session_index], driver=event.driver)

    # ----------------------------------------------------------------- export
    def on_results_view_export(self, event: ResultsView.Export) -> None:
        """Open the export dialog on the shown result."""
        view = self.query_one(ResultsView)
        owner = next((s for s in self.sessions if s.result is event.result), self.session)
        if owner.busy or view.fetching:
            self.notify("Wait for the running statement or page to finish.", severity="warning")
            return
        source = source_of(event.result, view.items, sql_dialect_of(owner.driver))
        if source is None:
            self.notify("Nothing to export: the statement returned no rows.", severity="warning")
            return
        if source.stream is not None and source.stream.fetched != len(source.loaded):
            self.notify(
                "An earlier export already read this result past the rows shown: "
                "run the statement again (F5) to export it.",
                severity="warning",
                timeout=6,
            )
            return
        noun = "documents" if source.documents else "rows"
        what = f"{len(source.loaded):,} {noun}"
        self.app.push_screen(
            ExportScreen(source, what), partial(self._exported, view, event.result)
        )

    def action_export(self) -> None:
        """Export the shown result (``e`` in the results does the same)."""
        view = self.query_one(ResultsView)
        if view.result is None:
            self.notify("Nothing to export yet: run a statement first (F5).", severity="warning")
            return
        view.action_export()

    def _exported(self, view: ResultsView, result: Result, outcome: ExportOutcome | None) -> None:
        if view.result is result:
            view.note_export()
        if outcome is None:
            return
        if outcome.text is not None:
            self.app.copy_to_clipboard(outcome.text)
            size = len(outcome.text.encode("utf-8"))
            self.notify(f"Copied {outcome.count:,} rows ({size:,} bytes) to the clipboard.")
        else:
            self.notify(f"Exported {outcome.count:,} rows to {outcome.path}.", timeout=6)

    # ----------------------------------------------------------------- connections
    def action_connections(self) -> None:
        """Open the connection manager (its tests use the connect timeout in force too)."""
        timeout = self.connect_timeout(self._config_or_none())
        self.app.push_screen(ConnectionsScreen(connect_timeout=timeout), self._open_saved)

    def _config_or_none(self) -> Config | None:
        try:
            return load_config()
        except DbtuiError:
            return None

    def connect_timeout(self, config: Config | None) -> float:
        """Seconds to connect: ``--connect-timeout``, else ``[ui] connect_timeout``, else 10."""
        seconds = getattr(self.app, "connect_timeout", None)
        if seconds is None and config is not None:
            seconds = config.ui.connect_timeout
        return float(seconds) if seconds else DEFAULT_CONNECT_TIMEOUT_S

    def _open_saved(self, name: str | None) -> None:
        if not name:
            return
        try:
            config = load_config()
            spec = saved_spec(config, name)
        except DbtuiError as error:
            self.notify(error.one_line(), severity="error")
            return
        self.open_session(with_connect_timeout(spec, self.connect_timeout(config)))

    def open_session(self, spec: ConnectionSpec) -> Session:
        """Add a connection next to the others, connect it in a worker and make it active.

        A connection already open under the same name and URL is made active
        instead (two editors would share one saved buffer and history).
        """
        tree = self.query_one(CatalogTree)
        for open_one in self.sessions:
            if (open_one.name, open_one.spec.url) == (spec.name, spec.url):
                tree.move_cursor(tree.session_node(open_one.index))
                self.notify(f"{spec.name} is already open.")
                return open_one
        session = Session(index=len(self.sessions), spec=spec)
        self.sessions.append(session)
        editor = QueryEditor(initial_text(session), language=None, id=session.editor_id)
        self.query_one("#editors", ContentSwitcher).mount(editor)
        node = tree.root.add(tree.session_label(session), NodeData(session.index, None))
        node.allow_expand = False
        self.reconnect(session)
        self.call_after_refresh(tree.move_cursor, node)  # once the editor is mounted
        return session
