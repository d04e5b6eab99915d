"""Edit or insert one stored document as text (the driver's document syntax).

The buffer holds the document in the driver's edit format
(:class:`~dbtui.core.capabilities.DocumentText`, which round-trips every value
type; mongosh syntax for MongoDB). Ctrl+S parses it *before* anything is sent: a
syntax error is shown with its line and column and the cursor moves there,
keeping the text; an edited ``_id`` is refused the same way. Only then does
the save run, in a thread worker; a server refusal (validator, duplicate key,
read-only connection) is shown and the text is kept for another try.

The editor is a plain-text ``TextArea`` (``language=None``) on purpose: the
"json" and "javascript" tree-sitter languages crash this environment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from dbtui.core.capabilities import DocumentText
from dbtui.core.display import display_text
from dbtui.core.errors import DbtuiError, QueryError
from dbtui.ui.safe import SafeTextArea, safe_assemble, safe_text
from dbtui.ui.screens.dialogs import ConfirmScreen

Doc = dict[str, Any]
NO_ID = object()
"""``fixed_id`` of an insert: any ``_id`` (or none) is accepted."""
_ID_KEY = re.compile(r"""[{,]\s*(["']?)_id\1\s*:""")


def id_position(text: str) -> int | None:
    """Offset of the top-level-looking ``_id`` key in ``text`` (first match), if any."""
    match = _ID_KEY.search(text)
    return match.start() + match.group(0).index("_id") if match else None


def move_to_offset(area: TextArea, offset: int) -> None:
    """Put ``area``'s cursor at character ``offset`` of its text (clamped)."""
    text = area.text
    offset = max(0, min(offset, len(text)))
    row = text.count("\n", 0, offset)
    area.move_cursor((row, offset - (text.rfind("\n", 0, offset) + 1)))


def parse_edit(codec: DocumentText, text: str, fixed_id: object = NO_ID) -> Doc:
    """The edited document, validated before anything is sent.

    Args:
        codec: The driver's document syntax.
        text: The buffer, one document.
        fixed_id: The ``_id`` the document must keep (editing), or :data:`NO_ID`
            (inserting). Leaving ``_id`` out keeps it: the server never changes it.

    Raises:
        QueryError: not one valid document (with the position), or the ``_id`` was
            changed (position at the ``_id`` key).
    """
    document = codec.parse_document_text(text)
    if fixed_id is not NO_ID and "_id" in document and document["_id"] != fixed_id:
        was, now = codec.document_text(fixed_id), codec.document_text(document["_id"])
        raise QueryError(
            f"_id cannot change (was {was}, now {now})",
            "_id cannot change",
            statement=text,
            position=id_position(text),
            hint="Insert a copy with the new _id (i) and delete this one (d) instead.",
        )
    return document


@dataclass(frozen=True)
class Saved:
    """What the editor dismisses with after a save (``None`` means cancelled).

    Attributes:
        value: What ``save`` returned: the refreshed document after an edit
            (``None`` if it vanished meanwhile), the new ``_id`` after an insert.
    """

    value: object


class DocumentEditorScreen(ModalScreen[Saved | None]):
    """One document as editable text; Ctrl+S validates then saves, Esc cancels.

    Args:
        title: What is edited, e.g. ``"Edit shop.people · _id: 3"``.
        load: Returns the initial text; called in a thread worker (it may read
            the server). A :class:`DbtuiError` closes the editor with the message.
        save: Called in a thread worker with the validated document; its return
            value is dismissed inside :class:`Saved`. A :class:`DbtuiError` is
            shown and the text kept.
        codec: The driver's document syntax (parses the text before the save).
        fixed_id: The ``_id`` that must not change, or :data:`NO_ID`.
    """

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            priority=True,
            id="document.save",
            tooltip="Check the document, then send it to the server",
        ),
        # Priority: with Tab indenting, the text area would take Esc to move the focus out.
        Binding(
            "escape",
            "close",
            "Cancel",
            priority=True,
            id="document.cancel",
            tooltip="Close without saving",
        ),
    ]

    @dataclass
    class Loaded(Message):
        """The initial text is ready."""

        text: str

    @dataclass
    class Failed(Message):
        """Loading or saving failed (the server refused, or the document is gone)."""

        error: DbtuiError
        loading: bool

    @dataclass
    class Done(Message):
        """The save went through."""

        value: object

    def __init__(
        self,
        title: str,
        load: Callable[[], str],
        save: Callable[[Doc], object],
        codec: DocumentText,
        *,
        fixed_id: object = NO_ID,
    ) -> None:
        super().__init__()
        self.codec = codec
        self.title_text = title
        self._load = load
        self._save = save
        self.fixed_id = fixed_id
        self.original = ""
        """The text as loaded: Esc asks before throwing away anything else."""
        self.saving = False
        """A save is in flight (Ctrl+S is ignored meanwhile)."""
        self.last_error: DbtuiError | None = None
        """The error shown under the editor, if any."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(safe_text(self.title_text, style="bold"), classes="dialog-title")
            yield SafeTextArea(
                "loading…",
                language=None,
                read_only=True,
                soft_wrap=False,
                show_line_numbers=True,
                tab_behavior="indent",
                id="document-text",
            )
            yield Static("", id="document-status")
            yield Static("Ctrl+S saves · Esc cancels", classes="dialog-body")

    @property
    def editor(self) -> TextArea:
        """The text area holding the document."""
        return self.query_one("#document-text", TextArea)

    def on_mount(self) -> None:
        self.run_worker(
            self._load_job, thread=True, exit_on_error=False, description="load document"
        )

    def _load_job(self) -> None:
        try:
            self.post_message(self.Loaded(self._load()))
        except DbtuiError as error:
            self.post_message(self.Failed(error, loading=True))

    def on_document_editor_screen_loaded(self, event: Loaded) -> None:
        """Put the text in the editor and let the user type."""
        self.original = event.text
        editor = self.editor
        editor.text = event.text
        editor.read_only = False
        editor.focus()

    def action_save(self) -> None:
        """Validate the text; when it is a valid document, save it in a worker."""
        if self.saving or self.editor.read_only:
            return
        text = self.editor.text
        try:
            document = parse_edit(self.codec, text, self.fixed_id)
        except QueryError as error:
            self._show_error(error)
            return
        self.saving = True
        self._status(Text("Saving…", style="magenta"))
        self.run_worker(
            lambda: self._save_job(document),
            thread=True,
            exit_on_error=False,
            description="save document",
        )

    def _save_job(self, document: Doc) -> None:
        try:
            self.post_message(self.Done(self._save(document)))
        except DbtuiError as error:
            self.post_message(self.Failed(error, loading=False))

    def on_document_editor_screen_done(self, event: Done) -> None:
        """Close with the outcome."""
        self.dismiss(Saved(event.value))

    def on_document_editor_screen_failed(self, event: Failed) -> None:
        """Show a refusal; when even loading failed there is nothing to edit: close."""
        self.saving = False
        if event.loading:
            self.notify(event.error.one_line(), severity="error", timeout=6)
            self.dismiss(None)
            return
        self._show_error(event.error)

    def _show_error(self, error: DbtuiError) -> None:
        """Report ``error`` under the text and move the cursor to its position, if any."""
        self.last_error = error
        message = safe_assemble((f"{error.title}: ", "bold red"), error.message)
        hint = getattr(error, "hint", None)
        if hint:
            message.append(f"\n{display_text(hint, multiline=True)}", style="yellow")
        self._status(message)
        editor = self.editor
        position = getattr(error, "position", None)
        if position is not None and getattr(error, "statement", None) == editor.text:
            move_to_offset(editor, position)
        editor.focus()

    def _status(self, text: Text) -> None:
        self.query_one("#document-status", Static).update(text)

    def action_close(self) -> None:
        """Close; asks first when the text was changed."""
        if self.editor.read_only or self.editor.text == self.original:
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard your changes to this document?"), answer)
