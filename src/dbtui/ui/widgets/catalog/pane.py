"""The catalog pane: the connections and their catalogs, loaded lazily, and (re)connecting.

The tree lists every connection; its levels load in workers as they are expanded.
Connections open in the background once the screen is drawn (each shows the seconds
it has waited); ``r`` on one retries (asking for a password when it needs one). Enter
on a key space opens the key browser (drivers with
:class:`~dbtui.core.capabilities.keys.KeyBrowsing`), on another database switches to it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Tree
from textual.widgets.tree import UnknownNodeID
from textual.worker import get_current_worker

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.errors import PasswordRequired
from dbtui.ui import jobs
from dbtui.ui.messages import ChildrenLoaded, Reconnected
from dbtui.ui.screens.dialogs import ConfirmScreen, PasswordScreen
from dbtui.ui.session import Session
from dbtui.ui.widgets.catalog.tree import CatalogTree, NodeData
from dbtui.ui.widgets.editor.query_editor import SAFE_LANGUAGES
from dbtui.ui.workbench import workbench_of


def abandonable(job: Callable[[], None]) -> Callable[[], None]:
    """``job`` for a thread worker, run in a daemon thread the worker can walk away from.

    A connection attempt may block for the whole connect timeout; when the app quits
    (its workers are cancelled) the worker returns at once instead of holding the exit
    until the attempt ends. An exception of ``job`` is raised again in the worker.
    """

    def run() -> None:
        worker = get_current_worker()
        done = threading.Event()
        failures: list[BaseException] = []

        def attempt() -> None:
            try:
                job()
            except BaseException as exc:  # handed to the worker below
                failures.append(exc)
            finally:
                done.set()

        threading.Thread(target=attempt, name="dbtui-connect", daemon=True).start()
        while not done.wait(0.1):
            if worker.is_cancelled:
                return
        if failures:
            raise failures[0]

    return run


class CatalogPane(Vertical):
    """The sidebar: the catalog tree of every connection; owns (re)connecting them.

    Args:
        sessions: The connections (shared with the screen).
    """

    def __init__(self, sessions: list[Session], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sessions = sessions
        self._first_connects: set[int] = set()

    def compose(self) -> ComposeResult:
        yield CatalogTree(self.sessions, id="catalog")

    def _start(self, job: Callable[[], None], group: str, description: str) -> None:
        self.run_worker(job, thread=True, group=group, description=description, exit_on_error=False)

    def on_catalog_tree_load_children(self, event: CatalogTree.LoadChildren) -> None:
        """Load one catalog level in a worker."""
        driver = self.sessions[event.data.session_index].driver
        if driver is None:
            return
        job = partial(
            jobs.load_children, self.post_message, event.tree_node.id, driver, event.data.node
        )
        self._start(job, f"catalog-{event.data.session_index}", "load catalog")

    def on_children_loaded(self, event: ChildrenLoaded) -> None:
        """Put loaded children into the tree."""
        tree = self.query_one(CatalogTree)
        try:
            node = tree.get_node_by_id(event.tree_node_id)
        except UnknownNodeID:  # the node was removed (e.g. by a reconnect) meanwhile
            return
        tree.add_children(node, list(event.children), event.error)

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        """Enter opens what a node stands for: Redis keys, or another PostgreSQL database."""
        data = event.node.data
        if data is None or data.node is None:
            return
        session = self.sessions[data.session_index]
        if data.node.kind == Kind.KEYSPACE:
            self.open_key_browser(session, data.node)
        elif data.node.kind == Kind.DATABASE and not data.node.expandable:
            self.switch_database(session, data.node.label)

    def open_key_browser(self, session: Session, node: CatalogNode | None) -> None:
        """Push the key browser for the database of ``node`` (``None``: the URL's database);
        nothing for a driver without KeyBrowsing."""
        from dbtui.core.capabilities.keys import KeyBrowsing

        driver = session.driver
        if driver is not None and isinstance(driver, KeyBrowsing):
            from dbtui.ui.key_browser.screen import RedisBrowserScreen

            db = int(node.key[1]) if node is not None and len(node.key) > 1 else None
            delimiter = session.spec.option("delimiter") or ":"
            screen = RedisBrowserScreen(driver, session.name, db, delimiter=delimiter)
            self.app.push_screen(screen)

    def switch_database(self, session: Session, name: str) -> None:
        """Reconnect ``session`` to database ``name`` (asks first if a transaction is open)."""
        driver = session.driver
        if driver is None or session.busy:
            return

        def switch(ok: bool | None = True) -> None:
            if ok:
                self.notify(f"Switching to database {name}…")
                job = partial(jobs.switch_database, self.post_message, session.index, driver, name)
                self._start(job, f"connect-{session.index}", "switch database")

        if driver.transaction_status in ("in transaction", "failed transaction"):
            question = f"Switching to {name} rolls back the open transaction. Switch?"
            self.app.push_screen(ConfirmScreen(question), switch)
        else:
            switch()

    def connect_in_background(self) -> None:
        """Start a worker for every session still marked ``connecting`` (at start-up).

        The screen is drawn first; each connection then shows "connecting…" in the
        tree until its worker reports (see :meth:`on_reconnected`).
        """
        for session in self.sessions:
            if session.connecting and session.driver is None:
                self._first_connects.add(session.index)  # no "Connected" toast at start-up
                self._start_connect(session, None)
        self.set_interval(1.0, self._show_connect_progress)

    def _start_connect(self, session: Session, password: str | None) -> None:
        session.connecting, session.connect_started = True, time.monotonic()
        if session.driver is None:
            self.query_one(CatalogTree).refresh_session(session)
        job = partial(
            jobs.reconnect, self.post_message, session.index, session.spec, session.driver, password
        )
        self._start(abandonable(job), f"connect-{session.index}", f"connect {session.name}")

    def _show_connect_progress(self) -> None:
        """Once a second: the seconds each pending connection has waited, in its tree label."""
        tree = self.query_one(CatalogTree)
        now = time.monotonic()
        for session in self.sessions:
            if session.connecting and session.driver is None:
                tree.show_progress(session, now - session.connect_started)

    def on_catalog_tree_retry(self, event: CatalogTree.Retry) -> None:
        """Reconnect a connection in a worker (asking for a password if it needs one)."""
        session = self.sessions[event.session_index]
        if session.connecting:
            self.notify(f"Still connecting to {session.name}…", severity="warning")
        elif isinstance(session.error, PasswordRequired):
            self.ask_password(session)
        else:
            self.reconnect(session)

    def reconnect(self, session: Session, password: str | None = None) -> None:
        """Start a (re)connection of ``session`` in a worker."""
        self.notify(f"Connecting to {session.name}…")
        self._start_connect(session, password)
        workbench_of(self).update_title()

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
        session.connecting = False
        tree = self.query_one(CatalogTree)
        tree.refresh_session(session)
        node = tree.session_node(session.index)
        bench = workbench_of(self)
        if session.driver is not None and session.index == bench.active and not node.is_expanded:
            node.expand()  # the connection the editor follows opens its catalog
        if isinstance(event.error, PasswordRequired):
            self.ask_password(session)
        elif event.error is not None:
            bench.log_error(session.name, event.error)
            self.notify(event.error.one_line(), severity="error")
        else:
            language = session.language
            bench.editor(session).language = language if language in SAFE_LANGUAGES else None
            warning = getattr(session.driver, "connect_warning", None)
            if isinstance(warning, str):
                self.notify(f"{session.name}: {warning}", severity="warning", timeout=15)
            if session.index not in self._first_connects:
                self.notify(f"Connected to {session.name}.")
            elif len(self.sessions) == 1 and self.app.screen is self.screen:
                self.open_key_browser(session, None)  # a lone key-value server opens on its keys
        self._first_connects.discard(session.index)
        bench.update_title()
