"""The Messages tab: what ran, how long it took, notices, and errors with a caret."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from dbtui.core.display import display_text
from dbtui.core.errors import DbtuiError, QueryError
from dbtui.ui.messages import ScriptStep
from dbtui.ui.safe import safe_assemble, safe_join, safe_text


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


class MessagesLog(RichLog):
    """The log of the Messages tab; every line is escaped text, never markup."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, wrap=True, markup=False, highlight=False)

    def log_line(self, text: Text | str) -> None:
        """Append one line (or several)."""
        self.write(safe_join(text))

    def log_error(self, statement: str, error: DbtuiError) -> None:
        """Write an error: title, message, detail, hint and a caret at the position."""
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

    def log_step(self, event: ScriptStep) -> None:
        """Log one finished statement of a script: its outcome, time and notices."""
        line = f"✓ {one_line(event.statement)}: {event.summary}  ({event.elapsed_ms:.0f} ms)"
        self.log_line(safe_text(line, style="green"))
        for notice in event.notices:
            self.log_line(safe_text(f"  {notice}", style="yellow"))
