"""Opening more connections from the main screen: the connection manager (Ctrl+O).

"Open" in :class:`~dbtui.ui.screens.connections.ConnectionsScreen` adds the chosen saved
connection as a new session next to the others: an editor, a catalog entry, and a
connection attempt in a worker (with the connect timeout in force).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbtui.core.config import Config, load_config, saved_spec
from dbtui.core.errors import DbtuiError
from dbtui.core.spec import DEFAULT_CONNECT_TIMEOUT_S, ConnectionSpec, with_connect_timeout
from dbtui.ui.screens.connections import ConnectionsScreen
from dbtui.ui.session import Session
from dbtui.ui.widgets.catalog.tree import CatalogTree, NodeData
from dbtui.ui.widgets.editor.stack import EditorStack

if TYPE_CHECKING:
    from dbtui.ui.screens.main import MainScreen


class ConnectionOpener:
    """Adds connections to ``screen`` (its sessions, editors and catalog)."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    def manage(self) -> None:
        """Open the connection manager (its tests use the connect timeout in force too)."""
        timeout = self.connect_timeout(self._config_or_none())
        self.screen.app.push_screen(ConnectionsScreen(connect_timeout=timeout), self._open_saved)

    @staticmethod
    def _config_or_none() -> Config | None:
        try:
            return load_config()
        except DbtuiError:
            return None

    def connect_timeout(self, config: Config | None) -> float:
        """Seconds to connect: ``--connect-timeout``, else ``[ui] connect_timeout``, else 10."""
        seconds = getattr(self.screen.app, "connect_timeout", None)
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
            self.screen.notify(error.one_line(), severity="error")
            return
        self.open_session(with_connect_timeout(spec, self.connect_timeout(config)))

    def open_session(self, spec: ConnectionSpec) -> Session:
        """Add a connection next to the others, connect it in a worker and make it active.

        A connection already open under the same name and URL is made active
        instead (two editors would share one saved buffer and history).
        """
        screen = self.screen
        tree = screen.query_one(CatalogTree)
        for open_one in screen.sessions:
            if (open_one.name, open_one.spec.url) == (spec.name, spec.url):
                tree.move_cursor(tree.session_node(open_one.index))
                screen.notify(f"{spec.name} is already open.")
                return open_one
        session = Session(index=len(screen.sessions), spec=spec)
        screen.sessions.append(session)
        screen.query_one(EditorStack).add_editor(session)
        node = tree.root.add(tree.session_label(session), NodeData(session.index, None))
        node.allow_expand = False
        screen.reconnect(session)
        screen.call_after_refresh(tree.move_cursor, node)  # once the editor is mounted
        return session
