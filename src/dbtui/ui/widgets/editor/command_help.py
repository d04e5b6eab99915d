"""One line of help while a console command is typed: syntax, since-version, complexity.

As iredis does: ``HSET key field value [field value ...] · since 2.0.0 · O(1) for each
field/value pair added``. The editor stack mounts a :class:`CommandHelpLine` under the
editors and, while the shown connection's driver offers
:class:`~dbtui.core.capabilities.CommandHelp`, calls :meth:`CommandHelpLine.follow` with
``driver.command_help`` and the line before the cursor whenever it changes;
the lookup runs in a worker (``COMMAND DOCS`` is read once per command and kept) and
only the newest line's help is shown. Server text is shown escaped, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.widgets import Static

from dbtui.core.capabilities.completion import CommandDoc
from dbtui.core.errors import DbtuiError
from dbtui.ui.safe import safe_assemble

Lookup = Callable[[str], CommandDoc | None]
"""Blocking: the help for a console line (``None`` for none); may raise DbtuiError."""


def help_text(doc: CommandDoc | None) -> Text:
    """The help line's text: the name in bold, the syntax, then since-version and complexity."""
    if doc is None:
        return Text("", end="")
    syntax = doc.syntax or (f"<{' | '.join(doc.subcommands)}>" if doc.subcommands else "")
    parts: list[Text | str | tuple[object, str]] = [(doc.name, "bold")]
    if syntax:
        parts += [" ", (syntax, "")]
    if doc.since:
        parts.append((f" · since {doc.since}", "dim"))
    if doc.complexity:
        parts.append((f" · {doc.complexity}", "italic"))
    return safe_assemble(*parts)


class CommandHelpLine(Static):
    """Shows :func:`help_text` of the command being typed (empty when there is none)."""

    DEFAULT_CSS = """
    CommandHelpLine { dock: bottom; height: 1; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("", end=""), id=id)
        self.line: str | None = None
        """The line whose help is shown or being looked up."""
        self.doc: CommandDoc | None = None
        """The help shown (``None``: nothing)."""

    def forget(self) -> None:
        """Show nothing and forget the line (the next :meth:`follow` looks it up again)."""
        self.line = None
        self.show_doc(None)

    def show_doc(self, doc: CommandDoc | None) -> None:
        """Show ``doc`` now (no lookup)."""
        self.doc = doc
        self.update(help_text(doc))

    def follow(self, lookup: Lookup, line: str) -> None:
        """Show the help for ``line``, looked up in a worker; a newer line wins."""
        if line == self.line:
            return
        self.line = line
        self.run_worker(
            partial(self._look_up, lookup, line),
            thread=True,
            exclusive=True,
            group="command-help",
            exit_on_error=False,
        )

    def _look_up(self, lookup: Lookup, line: str) -> None:
        try:
            doc = lookup(line)
        except DbtuiError:
            doc = None
        self.app.call_from_thread(self._looked_up, line, doc)

    def _looked_up(self, line: str, doc: CommandDoc | None) -> None:
        if line == self.line:
            self.show_doc(doc)
