"""What the main screen offers the widgets it composes: the sessions and the shared chores.

The widgets of the main screen (catalog pane, editor stack, results and advice tabs...)
own their state, bindings and handlers. What they share lives on the screen: which
connection is active, its busy state (the title and the bindings follow it), the
Messages log and the switch between output tabs. A widget reaches them through
:func:`workbench_of`, typed by this protocol, never by the screen's class (no import
cycle, and a test can see at a glance what a widget depends on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from rich.text import Text
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message

from dbtui.core.errors import DbtuiError
from dbtui.core.results import Statement
from dbtui.ui.session import Session

if TYPE_CHECKING:
    from dbtui.ui.widgets.editor.query_editor import QueryEditor


class Workbench(Protocol):
    """The main screen as its widgets see it."""

    sessions: list[Session]
    """Every connection, in catalog order (``Session.index`` is the position)."""
    active: int
    """Index of the connection the editor talks to."""

    @property
    def app(self) -> App[Any]:
        """The app (dialogs, notifications, config)."""
        ...

    @property
    def session(self) -> Session:
        """The active connection."""
        ...

    def post_message(self, message: Message) -> bool:
        """Post ``message`` to the screen (thread-safe: jobs report this way)."""
        ...

    def editor(self, session: Session | None = None) -> QueryEditor:
        """The editor of ``session`` (the active one by default)."""
        ...

    def current_statement(self) -> Statement | None:
        """The selection, or the statement under the active editor's cursor."""
        ...

    def after_typing(self, callback: Callable[..., object], *args: object) -> None:
        """Call ``callback`` once the active editor has handled the keys typed before."""
        ...

    def set_busy(self, session: Session, busy: bool) -> None:
        """Mark ``session`` running (or not); the title and bindings follow."""
        ...

    def update_title(self) -> None:
        """Refresh the line above the editor."""
        ...

    def start(self, job: Callable[[], None], group: str, description: str) -> None:
        """Run ``job`` in a thread worker of the screen (its messages go to the screen)."""
        ...

    def log_line(self, text: Text | str) -> None:
        """Append to the Messages tab."""
        ...

    def log_error(self, statement: str, error: DbtuiError) -> None:
        """Write an error to the Messages tab."""
        ...

    def show_tab(self, tab_id: str) -> None:
        """Switch the output area to the tab ``tab_id``."""
        ...

    def reconnect(self, session: Session, password: str | None = None) -> None:
        """(Re)connect ``session`` in a worker."""
        ...


def workbench_of(node: DOMNode) -> Workbench:
    """The main screen ``node`` is part of, as a :class:`Workbench`."""
    return cast(Workbench, node.screen)
