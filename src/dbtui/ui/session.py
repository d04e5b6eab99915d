"""UI-side state of one connection: its spec, its driver (if connected) and its editor."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from dbtui.core.buffers import BufferStore
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.history import History, connection_key
from dbtui.core.results import Result
from dbtui.core.spec import ConnectionSpec


@dataclass(eq=False)
class Session:
    """One connection as the UI sees it.

    Attributes:
        index: Position in the connection list; stable for the app's life and
            used in widget ids (``editor-3``).
        spec: What the user asked to connect to.
        driver: The connected driver, or ``None`` while it is not connected.
        error: Why the last connection attempt failed; ``None`` when connected.
        connecting: A connection attempt runs in a worker (the app draws first and
            connects every session in the background).
        connect_started: ``time.monotonic()`` when the running attempt began.
        result: The result currently shown for this connection, kept so its
            stream can be paged and closed.
        busy: True while a statement of this session runs.
        awaiting_answer: A held write waits for the user's commit answer (the title
            says so instead of "running" and the driver's transaction state).
        tabs: The text of each editor tab; the editor widget shows ``tabs[tab]``
            (the shown tab's entry is refreshed from the widget when switching).
        tab: Index of the tab the editor shows.
        cursors: Where the cursor was in each tab, restored when switching back.
    """

    index: int
    spec: ConnectionSpec
    driver: Driver | None = None
    error: DbtuiError | None = None
    connecting: bool = False
    connect_started: float = 0.0
    result: Result | None = field(default=None, repr=False)
    busy: bool = False
    awaiting_answer: bool = False
    tabs: list[str] = field(default_factory=list)
    tab: int = 0
    cursors: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Label of the connection (never contains a password)."""
        return self.spec.name

    @cached_property
    def history(self) -> History:
        """This connection's query history (keyed by the masked URL, never the password)."""
        return History(connection_key(self.spec))

    @cached_property
    def buffers(self) -> BufferStore:
        """This connection's saved editor text, restored on the next start."""
        return BufferStore(connection_key(self.spec))

    @property
    def editor_id(self) -> str:
        """Widget id of this session's editor."""
        return f"editor-{self.index}"

    @property
    def language(self) -> str | None:
        """Syntax highlighting language for the editor, when the driver is known."""
        return type(self.driver).language if self.driver is not None else None
