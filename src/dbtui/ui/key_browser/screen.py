"""The Redis key browser screen: it composes the browser's widgets and routes between them.

Open it with ``RedisBrowserScreen(driver, name, db)`` on a driver that has the
:class:`~dbtui.core.capabilities.keys.KeyBrowsing` capability; Esc goes back. Where
things live (one widget per part of the screen, each owning its state and keys):

* ``header.py``: :class:`BrowserHeader`, the top line (connection, scan progress, count);
* ``key_filter.py``: :class:`KeyFilter`, the pattern and type filter (``/``);
* ``key_panes.py``: :class:`KeyPanes`, the two panes and the actions on one key
  (``t`` ``R`` ``d`` ``D`` ``y``), holding
* ``key_list.py``: :class:`KeyList`, the scanned key tree (``f`` ``s`` ``r`` ``o``;
  rows and folder arrows in ``key_view.py``), and
* ``value_view.py``: :class:`ValueViewer`, the shown value (``m`` ``v`` ``e`` ``E`` ``Y``;
  the table's row edits ``e`` ``a`` ``x`` in ``value_table.py``).

The keys that work wherever the focus is are listed in ``bindings.py``, each naming
the widget it is routed to; the screen itself handles Esc, F1, ``M`` (memory view)
and ``P`` (pub/sub monitor), which open other screens.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input

from dbtui.core.capabilities.keys import KeyBrowsing
from dbtui.core.live_feed import LiveRequest
from dbtui.ui.key_browser.bindings import BROWSER_BINDINGS
from dbtui.ui.key_browser.dialogs import PubSubDialog
from dbtui.ui.key_browser.header import BrowserHeader
from dbtui.ui.key_browser.key_filter import KeyFilter
from dbtui.ui.key_browser.key_list import KeyList
from dbtui.ui.key_browser.key_panes import KeyPanes
from dbtui.ui.key_browser.palette import BrowserCommands
from dbtui.ui.key_browser.value_view import ValueViewer
from dbtui.ui.screens.dialogs import HelpScreen


class RedisBrowserScreen(Screen[None]):
    """Browse the keys of one database safely, at any size.

    Args:
        driver: A connected driver with the KeyBrowsing capability (its read-only
            flag is honoured).
        name: The connection's label, shown in the top line.
        db: Logical database to browse (``None``: the URL's database).
        delimiter: Separator that groups key names into folders.

    Raises:
        ConnectError: the driver is not connected.
        QueryError: ``db`` is not 0 on a Redis Cluster.
    """

    CSS_PATH = Path(__file__).parent / "redis.tcss"
    BINDINGS = BROWSER_BINDINGS
    COMMANDS = {BrowserCommands}

    def __init__(
        self, driver: KeyBrowsing, name: str, db: int | None, *, delimiter: str = ":"
    ) -> None:
        super().__init__()
        self.keys = driver.key_browser(db)
        self.connection_name = name
        self.delimiter = delimiter.encode()

    def compose(self) -> ComposeResult:
        yield BrowserHeader(self.connection_name, self.keys.db, self.keys.read_only, id="rb-top")
        yield KeyFilter(id="rb-filters")
        yield KeyPanes(self.keys, self.delimiter, id="rb-body")
        yield Footer()

    def on_mount(self) -> None:
        self.key_list.focus()

    @property
    def key_list(self) -> KeyList:
        """The key list (tree or flat)."""
        return self.query_one("#rb-keys", KeyList)

    @property
    def keys_view(self) -> KeyList:
        """The key list (the name the tests and the main window know)."""
        return self.key_list

    @property
    def viewer(self) -> ValueViewer:
        """The value pane."""
        return self.query_one("#rb-value", ValueViewer)

    # ----------------------------------------------------------------- routing
    async def action_route(self, target: str, action: str) -> None:
        """Run ``action`` of the widget ``#target`` (see :mod:`.bindings`)."""
        await self.query_one(f"#{target}").run_action(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "/" is typed into inputs rather than jumping to the filter."""
        if action == "route" and parameters[1:] == ("focus_filter",):
            return not isinstance(self.focused, Input)
        return True

    def on_key_list_scanned(self, event: KeyList.Scanned) -> None:
        """The list's scan moved on: redraw the top line."""
        self.query_one(BrowserHeader).show_status(event.status)

    def on_key_filter_changed(self, event: KeyFilter.Changed) -> None:
        """A new filter: clear the value pane and let the list scan (or look the name up)."""
        self.viewer.show(None)
        self.key_list.apply_filter(event.pattern, event.type_)
        if event.typed:
            self.set_focus(self.key_list)

    # ----------------------------------------------------------------- keys of the screen
    def action_back(self) -> None:
        """Back to the key list from anywhere else; from the list, close the browser."""
        if self.focused is not None and self.focused is not self.key_list:
            self.set_focus(self.key_list)
            return
        self.dismiss(None)

    def action_memory(self) -> None:
        """Measure every key and show the biggest ones and the memory advice."""
        from dbtui.ui.key_browser.memory_screen import MemoryScreen

        self.app.push_screen(MemoryScreen(self.keys, self.delimiter))

    def action_pubsub(self) -> None:
        """Ask for channels and patterns, then open a live pane listening to them."""
        self.app.push_screen(PubSubDialog(self.keys), self._listen)

    def _listen(self, request: LiveRequest | None) -> None:
        from dbtui.ui.key_browser.live import LiveScreen

        if request is not None:
            self.app.push_screen(LiveScreen(self.keys, request, name=self.connection_name))

    def action_help(self) -> None:
        """Show this screen's keys first, then those of the focused widget."""
        rows: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for binding in BROWSER_BINDINGS:
            assert isinstance(binding, Binding)
            rows.append((binding.key_display or binding.key, binding.description, binding.tooltip))
            seen.add(binding.key)
        for key, active in self.app.active_bindings.items():
            binding = active.binding
            if binding.description and active.enabled and key not in seen:
                rows.append((binding.key_display or key, binding.description, active.tooltip))
        self.app.push_screen(HelpScreen(rows))
