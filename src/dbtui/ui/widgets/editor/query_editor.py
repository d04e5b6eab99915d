"""The query editor: a code TextArea that knows which statement is under the cursor."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets.text_area import Document, Edit, EditResult

from dbtui.core.results import Statement
from dbtui.core.statements import statement_at
from dbtui.ui.widgets.editor.completion import CompletingTextArea
from dbtui.ui.widgets.editor.themes import (
    SIXTEEN_COLOUR_THEME,
    SIXTEEN_COLOUR_THEME_NAME,
    TRUECOLOR_THEME_NAME,
    shows_16_colours,
    sql_highlight_query,
)

#: Highlighting languages known to work here. tree-sitter's javascript and json
#: grammars crash the process with this Textual/tree-sitter pairing, so MongoDB
#: commands are shown as plain text until that is fixed upstream.
SAFE_LANGUAGES = frozenset({"sql"})

#: Above this many characters syntax highlighting is paused: tree-sitter re-highlights the
#: whole text on every keystroke (measured: 370 KB took 1.8 s per key, 0.2 s without).
HIGHLIGHT_LIMIT = 256 * 1024
#: A paste longer than this (characters) is refused with a message: even without
#: highlighting, 1 MB takes seconds to insert. Big scripts belong in a file (psql -f).
PASTE_LIMIT = 1024 * 1024


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
        Binding(
            "alt+a",
            "select_all",
            "Select all",
            show=False,
            priority=True,  # a terminal's ESC a carries the character "a": the editor would type it
            id="editor.select_all",
            tooltip="Select the whole text (Ctrl+A moves to the line start; F7 is EXPLAIN ANALYZE)",
        ),
        Binding(
            "alt+p",  # alt+f never arrives: terminals send ESC f, read as ctrl+right
            "format_sql",
            "Format",
            show=False,
            priority=True,  # ESC p carries the character "p": without priority it is typed
            id="editor.format",
            tooltip="Format the statement under the cursor, or the selection (Ctrl+Z undoes)",
        ),
    ]

    def __init__(self, text: str, *, language: str | None, id: str) -> None:
        super().__init__(
            text,
            language=self.validate_language(language),
            theme=TRUECOLOR_THEME_NAME,
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            id=id,
        )
        self.busy = False
        """True while this editor's connection runs a statement."""
        self.paused_language: str | None = None
        """The highlighting language set aside while the text is over :data:`HIGHLIGHT_LIMIT`."""
        self._fit_highlighting(len(text))
        self.register_theme(SIXTEEN_COLOUR_THEME)

    def on_mount(self) -> None:
        """On a 16-colour terminal, take the theme (and number highlighting) that keeps
        keywords, strings, numbers and comments apart; elsewhere keep the ``css`` look."""
        if shows_16_colours(self.app):
            self.theme = SIXTEEN_COLOUR_THEME_NAME
            self.update_highlight_query("sql", sql_highlight_query())

    def _fit_highlighting(self, size: int) -> None:
        """Pause highlighting above :data:`HIGHLIGHT_LIMIT` characters; resume below half of it."""
        if size > HIGHLIGHT_LIMIT and self.language is not None:
            self.paused_language, self.language = self.language, None
            if self.is_attached:
                self.notify(
                    f"Syntax highlighting is off while the text is over {HIGHLIGHT_LIMIT // 1024} "
                    "KiB, so typing stays fast.",
                    timeout=5,
                )
        elif size < HIGHLIGHT_LIMIT // 2 and self.paused_language is not None:
            self.language, self.paused_language = self.paused_language, None

    def edit(self, edit: Edit) -> EditResult:
        """Perform an edit, then pause or resume highlighting for the new size."""
        result = super().edit(edit)
        self._fit_highlighting(len(self.document.text))
        return result

    def load_text(self, text: str) -> None:
        """Replace the text (highlighting paused first when it is big)."""
        self._fit_highlighting(len(text))
        super().load_text(text)

    async def _on_paste(self, event: events.Paste) -> None:
        """Refuse a paste over :data:`PASTE_LIMIT` characters (with a message).

        Otherwise pause highlighting first if the text will be big; TextArea's own
        handler (called next by Textual's dispatch) inserts the text.
        """
        if len(event.text) > PASTE_LIMIT and not self.read_only:
            event.prevent_default()
            event.stop()
            self.notify(
                f"Not pasted: {len(event.text):,} characters is over the editor's limit of "
                f"{PASTE_LIMIT:,}. Run a script that big from a file (psql -f, sqlite3 .read).",
                severity="warning",
                timeout=8,
            )
            return
        self._fit_highlighting(len(self.document.text) + len(event.text))

    def validate_language(self, language: str | None) -> str | None:
        """The one filter on every ``language`` assignment (constructor, reconnect, any caller).

        Languages outside :data:`SAFE_LANGUAGES` (``redis``, ``text``, ``javascript``...) become
        plain text: an unregistered name raises in TextArea, and some grammars crash.
        """
        return language if language in SAFE_LANGUAGES else None

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

    def action_format_sql(self) -> None:
        """Format the statement under the cursor, or the selection (see :mod:`dbtui.ui.sql_format`)."""
        from dbtui.ui.sql_format import format_in_editor  # it imports this module

        format_in_editor(self)

    async def action_cancel_or_copy(self) -> None:
        """Cancel the running statement, or copy the selection when idle."""
        if self.busy:
            await self.run_action("screen.cancel")
        else:
            self.action_copy()
