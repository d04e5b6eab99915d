"""The query editor: a code TextArea that knows which statement is under the cursor."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets.text_area import Document

from dbtui.core.results import Statement
from dbtui.core.statements import statement_at
from dbtui.ui.widgets.completion import CompletingTextArea

#: Highlighting languages known to work here. tree-sitter's javascript and json
#: grammars crash the process with this Textual/tree-sitter pairing, so MongoDB
#: commands are shown as plain text until that is fixed upstream.
SAFE_LANGUAGES = frozenset({"sql"})


class QueryEditor(CompletingTextArea):
    """Editor for one connection's statements.

    Running and cancelling are screen actions; the editor only adds the
    key bindings that must win over TextArea's own (Ctrl+C copies when
    nothing runs, and cancels when a statement is running). Completion
    (Tab, Ctrl+Space) comes from :class:`CompletingTextArea`; the screen sets
    :attr:`completer` when the connection's names are read.
    """

    BINDINGS = [
        Binding(
            "ctrl+enter",
            "screen.run",
            "Run",
            show=False,
            id="editor.run",
            tooltip="Run the statement (like F5)",
        ),
        Binding(
            "ctrl+c",
            "cancel_or_copy",
            "Cancel",
            show=False,
            id="editor.cancel",
            tooltip="Cancel the running statement (copy when idle)",
        ),
    ]

    def __init__(self, text: str, *, language: str | None, id: str) -> None:
        super().__init__(
            text,
            language=language if language in SAFE_LANGUAGES else None,
            theme="css",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            id=id,
        )
        self.busy = False
        """True while this editor's connection runs a statement."""

    @property
    def plain_document(self) -> Document:
        """The document, which is never wrapped here (soft wrap is off)."""
        document = self.document
        assert isinstance(document, Document)
        return document

    def cursor_offset(self) -> int:
        """Character offset of the cursor in :attr:`text`."""
        return self.plain_document.get_index_from_location(self.cursor_location)

    def move_cursor_to_offset(self, offset: int) -> None:
        """Put the cursor at a character offset (e.g. an error position)."""
        offset = max(0, min(offset, len(self.text)))
        self.move_cursor(self.plain_document.get_location_from_index(offset))

    def current_statement(self, statements: list[Statement]) -> Statement | None:
        """The selected text as a statement, else the statement under the cursor."""
        selected = self.selected_text
        if selected.strip():
            start = self.plain_document.get_index_from_location(self.selection.start)
            end = self.plain_document.get_index_from_location(self.selection.end)
            begin = min(start, end)
            return Statement(text=selected.strip(), start=begin, end=begin + len(selected))
        return statement_at(statements, self.cursor_offset())

    async def action_cancel_or_copy(self) -> None:
        """Cancel the running statement, or copy the selection when idle."""
        if self.busy:
            await self.run_action("screen.cancel")
        else:
            self.action_copy()
