"""State and helpers shared by the main screen's parts: sessions, the active one, workers."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import RichLog, Static, TabbedContent

from dbtui.core.display import display_text
from dbtui.core.errors import DbtuiError, QueryError
from dbtui.core.results import Statement
from dbtui.ui.errors import WorkerCrashed
from dbtui.ui.messages import ScriptStep
from dbtui.ui.safe import safe_assemble, safe_join, safe_text
from dbtui.ui.session import Session
from dbtui.ui.widgets.editor import QueryEditor


def tab_strip(session: Session) -> Text:
    """The tabs of a connection for the title line ("1 [2] 3"); empty with one tab."""
    if len(session.tabs) < 2:
        return Text()
    strip = Text(" ")
    for number in range(len(session.tabs)):
        label = f"[{number + 1:d}]" if number == session.tab else f" {number + 1:d} "
        strip.append(label, style="bold" if number == session.tab else "dim")
    return strip


class WorkspaceScreen(Screen[None]):
    """The sessions, which one the editor talks to, and the helpers every handler uses."""

    def __init__(self, sessions: list[Session]) -> None:
        super().__init__()
        self.sessions = sessions
        self.active = next((s.index for s in sessions if s.driver is not None), 0)
        self._save_timers: dict[int, Timer] = {}
        self._unsaved_since: dict[int, float] = {}
        self._details_timer: Timer | None = None

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
        title = safe_assemble((f" {session.name} ", "bold reverse"))
        title.append_text(tab_strip(session))
        if session.spec.read_only:
            title.append(" READ-ONLY", style="bold yellow")
        if session.awaiting_answer:
            title.append(" write held: waiting for your answer", style="bold yellow")
        elif session.busy:
            title.append(" running… Esc cancels", style="bold magenta")
        if session.driver is None and session.connecting:
            title.append(" connecting…", style="yellow")
        elif session.driver is None:
            title.append(" not connected: r on it in the catalog retries", style="red")
        elif session.driver.context:
            title.append(f" {display_text(session.driver.context)}", style="bold cyan")
        if (
            session.driver is not None
            and session.driver.transaction_status
            and not session.awaiting_answer
        ):
            status = session.driver.transaction_status
            style = "bold red" if status == "failed transaction" else "cyan"
            title.append(f" {display_text(status)}", style=style)
        title.append(f" {display_text(session.spec.engine)}", style="dim")
        self.query_one("#editor-title", Static).update(title)

    def start(self, job: Callable[[], None], group: str, description: str) -> None:
        """Run ``job`` in a thread worker."""
        self.run_worker(job, thread=True, group=group, description=description, exit_on_error=False)

    def log_line(self, text: Text | str) -> None:
        """Append to the Messages tab."""
        self.query_one("#messages", RichLog).write(safe_join(text))

    def log_error(self, statement: str, error: DbtuiError) -> None:
        """Write an error to Messages: title, message, detail, hint and a caret at the position."""
        lines = safe_assemble((f"✖ {error.title}: ", "bold red"), error.message)
        if isinstance(error, QueryError):
            for label, value in (("detail", error.detail), ("hint", error.hint)):
                if value:
                    lines.append(
                        f"\n  {label:s}: {display_text(value, multiline=True)}", style="yellow"
                    )
            if error.position is not None:
                lines.append(
                    "\n" + display_text(caret_excerpt(statement, error.position), multiline=True),
                    style="dim",
                )
            else:
                lines.append(
                    f"\n  in: {display_text(statement[:200], multiline=True)}", style="dim"
                )
        self.log_line(lines)

    def on_script_step(self, event: ScriptStep) -> None:
        """Log one finished statement of a script: its outcome, time and notices."""
        line = f"✓ {one_line(event.statement)}: {event.summary}  ({event.elapsed_ms:.0f} ms)"
        self.log_line(safe_text(line, style="green"))
        for notice in event.notices:
            self.log_line(safe_text(f"  {notice}", style="yellow"))

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

        F5 and friends are priority bindings: the app runs them as soon as it
        reads the key, possibly before the editor has processed the characters
        typed just before (fast typists, pasted input, tmux). Queuing the call
        on the editor's own message queue makes it see the whole text.
        """
        found = self.query(f"#{self.session.editor_id}")
        if not found:
            self.notify("The editor is not ready yet: press the key again.", severity="warning")
            return
        found.only_one(QueryEditor).call_later(callback, *args)

    @property
    def is_ready(self) -> bool:
        """True once the screen is composed (its editors exist): actions may run."""
        return self.is_mounted

    def on_worker_crashed(self, event: WorkerCrashed) -> None:
        """A job raised (already reported): its session is no longer busy."""
        kind, _, number = event.worker.group.rpartition("-")
        if kind in ("query", "advice") and number.isdigit() and int(number) < len(self.sessions):
            session = self.sessions[int(number)]
            if session.busy:
                self.set_busy(session, False)

    def selected_statements(self) -> list[Statement]:
        """The statements inside the editor's selection, at their offsets in the buffer."""
        session, editor = self.session, self.editor()
        text = editor.selected_text
        if session.driver is None or not text.strip():
            return []
        document = editor.plain_document
        start = min(
            document.get_index_from_location(editor.selection.start),
            document.get_index_from_location(editor.selection.end),
        )
        return [
            Statement(s.text, s.start + start, s.end + start) for s in session.driver.split(text)
        ]

    def set_busy(self, session: Session, busy: bool) -> None:
        """Mark a session as running (or not) and refresh the bindings."""
        session.busy = busy
        self.editor(session).busy = busy
        self.update_title()
        self.refresh_bindings()


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
