"""The line above the editor: the active connection, its tabs, badges and state."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from dbtui.core.display import display_text
from dbtui.ui.safe import safe_assemble
from dbtui.ui.session import Session


def tab_strip(session: Session) -> Text:
    """The tabs of a connection for the title line ("1 [2] 3"); empty with one tab."""
    if len(session.tabs) < 2:
        return Text()
    strip = Text(" ")
    for number in range(len(session.tabs)):
        label = f"[{number + 1:d}]" if number == session.tab else f" {number + 1:d} "
        strip.append(label, style="bold" if number == session.tab else "dim")
    return strip


def title_text(session: Session, width: int | None = None) -> Text:
    """Name, tabs, READ-ONLY, running/held/connecting state, context, transaction, engine.

    With a ``width`` (cells) the line never overflows it losing the state: when the whole
    line does not fit, :func:`compact_title` keeps the state first (active tab, READ-ONLY,
    running, transaction) and shortens the rest (the name, then the context and engine).
    """
    title = safe_assemble((f" {session.name} ", "bold reverse"))
    title.append_text(tab_strip(session))
    title.append_text(state_text(session, with_context=True))
    title.append(f" {display_text(session.spec.engine)}", style="dim")
    if width is None or width <= 0 or title.cell_len <= width:
        return title
    return compact_title(session, width)


def state_text(session: Session, *, with_context: bool) -> Text:
    """READ-ONLY, the running/held/connecting state, (the context,) the transaction status."""
    title = Text()
    if session.spec.read_only:
        title.append(" READ-ONLY", style="bold yellow")
    if session.awaiting_answer:
        title.append(" write held: waiting for your answer", style="bold yellow")
    elif session.busy:
        title.append(" running… Esc cancels", style="bold magenta")
    driver = session.driver
    if driver is None and session.connecting:
        title.append(" connecting…", style="yellow")
    elif driver is None:
        title.append(" not connected: r on it in the catalog retries", style="red")
    elif driver.context and with_context:
        title.append(f" {display_text(driver.context)}", style="bold cyan")
    if driver is not None and driver.transaction_status and not session.awaiting_answer:
        status = driver.transaction_status
        style = "bold red" if status == "failed transaction" else "cyan"
        title.append(f" {display_text(status)}", style=style)
    return title


#: The fewest cells the connection's name keeps in a compact title line.
NAME_MIN = 8


def compact_title(session: Session, width: int) -> Text:
    """The title line squeezed into ``width`` cells, the state first.

    The active tab shows as ``2/6``; READ-ONLY, running/held and the transaction status
    keep their words; the name is cut (with "…") to what is left, and the context and
    the engine follow only when they fit. Whatever still overflows is cut at the end.
    """
    tabs = Text()
    if len(session.tabs) > 1:
        tabs = safe_assemble((f" {session.tab + 1}/{len(session.tabs)}", "bold"))
    state = state_text(session, with_context=False)
    room = width - tabs.cell_len - state.cell_len - 2
    name = safe_assemble((f" {session.name} ", "bold reverse"))
    room = max(NAME_MIN, room)
    if name.cell_len > room + 2:  # " name " does not fit: " nam… "
        name.truncate(room + 1, overflow="ellipsis")
        name.append(" ", style="bold reverse")
    title = safe_assemble(name, tabs, state)
    driver = session.driver
    extras = [
        (f" {display_text(driver.context)}" if driver and driver.context else "", "bold cyan"),
        (f" {display_text(session.spec.engine)}", "dim"),
    ]
    for extra, style in extras:
        if extra and title.cell_len + cell_len(extra) <= width:
            title.append_text(safe_assemble((extra, style)))
    title.truncate(width, overflow="ellipsis")
    return title


class EditorTitle(Static):
    """Shows :func:`title_text` of the active connection (:meth:`show`), fitted to its width."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._session: Session | None = None

    def show(self, session: Session) -> None:
        """Draw ``session``'s title line."""
        self._session = session
        self.update(title_text(session, self.size.width))

    def on_resize(self) -> None:
        """Fit the line to the new width."""
        if self._session is not None:
            self.update(title_text(self._session, self.size.width))
