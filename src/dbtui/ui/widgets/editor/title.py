"""The line above the editor: the active connection, its tabs, badges and state."""

from __future__ import annotations

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


def title_text(session: Session) -> Text:
    """Name, tabs, READ-ONLY, running/held/connecting state, context, transaction, engine."""
    title = safe_assemble((f" {session.name} ", "bold reverse"))
    title.append_text(tab_strip(session))
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
    elif driver.context:
        title.append(f" {display_text(driver.context)}", style="bold cyan")
    if driver is not None and driver.transaction_status and not session.awaiting_answer:
        status = driver.transaction_status
        style = "bold red" if status == "failed transaction" else "cyan"
        title.append(f" {display_text(status)}", style=style)
    title.append(f" {display_text(session.spec.engine)}", style="dim")
    return title


class EditorTitle(Static):
    """Shows :func:`title_text` of the active connection (:meth:`show`)."""

    def show(self, session: Session) -> None:
        """Draw ``session``'s title line."""
        self.update(title_text(session))
