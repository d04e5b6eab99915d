"""Editing a whole string value: the editor dialog and its thread-side reads and writes.

``e`` in the value pane (:meth:`~dbtui.ui.key_browser.value_view.ValueViewer.action_edit_value`)
reads the whole value in a thread worker (:func:`fetch_string`); values over
:data:`EDIT_LIMIT` bytes, or not valid UTF-8, are refused with a message (the hex
view stays read-only). Ctrl+S in :class:`StringEditor` saves with
:func:`save_string`, which keeps the key's TTL; Esc asks before dropping changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from dbtui.core.capabilities.keys import KeyBrowser, KeyEditing, KeyReading
from dbtui.core.errors import DbtuiError
from dbtui.core.keytree import format_key
from dbtui.ui.key_browser import jobs
from dbtui.ui.key_browser.formatting import human_bytes
from dbtui.ui.key_browser.jobs import Post
from dbtui.ui.key_browser.messages import MemberChanged
from dbtui.ui.safe import SafeTextArea
from dbtui.ui.screens.dialogs import ConfirmScreen

EDIT_LIMIT = 1_000_000
"""Bytes of a string value the editor opens at most (1 MB)."""


@dataclass
class StringFetched(Message):
    """The whole value of a string key was read for editing (or could not be).

    Attributes:
        key: The key read.
        data: Its value (empty when ``total`` is over :data:`EDIT_LIMIT` or on error).
        total: Its length in bytes (STRLEN).
        error: Why it could not be read; ``None`` on success.
    """

    key: bytes
    data: bytes = b""
    total: int = 0
    error: DbtuiError | None = None


def fetch_string(post: Post, keys: KeyReading, key: bytes) -> None:
    """Read a string for editing (at most :data:`EDIT_LIMIT` + 1 bytes); posts StringFetched."""
    try:
        chunk = keys.read_string(key, 0, EDIT_LIMIT + 1)
    except DbtuiError as error:
        post(StringFetched(key, error=error))
        return
    data = chunk.data if chunk.total <= EDIT_LIMIT else b""
    post(StringFetched(key, data, chunk.total))


def save_string(post: Post, keys: KeyEditing, key: bytes, value: bytes) -> None:
    """Write a string value keeping its TTL; posts :class:`MemberChanged`."""
    try:
        keys.set_string(key, value)
    except DbtuiError as error:
        post(MemberChanged(key, error=error))
        return
    post(MemberChanged(key, f"value saved ({human_bytes(len(value))}, TTL kept)"))


class StringEditor(ModalScreen[bytes | None]):
    """A string value in a plain text area; dismisses with the new UTF-8 bytes, or ``None``.

    Ctrl+S returns the text (``None`` when nothing changed); Esc closes,
    asking first when the text was changed.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="redis.string.save", tooltip="Save (TTL kept)"),
        Binding("escape", "close", "Cancel", id="redis.string.cancel", tooltip="Close"),
    ]

    def __init__(self, key: bytes, text: str) -> None:
        super().__init__()
        self.key = key
        self.original = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="rb-dialog rb-tall"):
            yield Static(Text(f"Value of {format_key(self.key)}", style="bold"))
            # language=None: the tree-sitter JSON grammar segfaults in this environment.
            yield SafeTextArea(
                self.original, language=None, soft_wrap=True, id="string-text", tab_behavior="focus"
            )
            yield Static("Ctrl+S saves (the TTL is kept), Esc cancels.", classes="rb-dim")

    def on_mount(self) -> None:
        self.editor.focus()

    @property
    def editor(self) -> TextArea:
        """The text area holding the value."""
        return self.query_one("#string-text", TextArea)

    def action_save(self) -> None:
        """Return the edited value as UTF-8 (``None`` when unchanged)."""
        text = self.editor.text
        self.dismiss(None if text == self.original else text.encode("utf-8"))

    def action_close(self) -> None:
        """Close; asks first when the text was changed."""
        if self.editor.text == self.original:
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard your changes to this value?"), answer)


class StringText(SafeTextArea):
    """The read-only text of a string value; :meth:`open_editor` opens it in a :class:`StringEditor`.

    Args:
        keys: Where the value is read whole and saved (refused on a read-only connection).
    """

    def __init__(self, keys: KeyBrowser, *, id: str | None = None) -> None:
        super().__init__(id=id, read_only=True, soft_wrap=True, show_cursor=True)
        self.keys = keys

    def open_editor(self, key: bytes, total: int) -> None:
        """Read the whole string ``key`` (``total`` bytes) and open it in the editor."""
        if not jobs.writable(self, self.keys, "Setting a value"):
            return
        if total > EDIT_LIMIT:
            self._too_big(total)
            return
        job = partial(fetch_string, self.post_message, self.keys, key)
        self.run_worker(job, thread=True, group="string-read", exit_on_error=False)

    def _too_big(self, total: int) -> None:
        self.notify(
            f"This value is {human_bytes(total)}: only strings up to "
            f"{human_bytes(EDIT_LIMIT)} are edited here.",
            severity="warning",
            timeout=6,
        )

    def on_string_fetched(self, event: StringFetched) -> None:
        """Open the editor on the value read, or say why it cannot be edited."""
        event.stop()
        if event.error is not None:
            self.notify(event.error.one_line(), severity="error", timeout=6)
            return
        if event.total > EDIT_LIMIT:
            self._too_big(event.total)
            return
        try:
            text = event.data.decode("utf-8")
        except UnicodeDecodeError:
            self.notify(
                "This value is binary (not valid UTF-8): it is not edited here; "
                "the hex view (v) is read-only.",
                severity="warning",
                timeout=6,
            )
            return
        self.app.push_screen(StringEditor(event.key, text), partial(self._save, event.key))

    def _save(self, key: bytes, value: bytes | None) -> None:
        if value is not None:
            job = partial(save_string, self.post_message, self.keys, key, value)
            self.run_worker(job, thread=True, group="write", description="set", exit_on_error=False)
