"""The key browser's filter line: a glob pattern (or an exact key name) and a type.

:class:`KeyFilter` posts :class:`KeyFilter.Changed` when Enter is pressed in the
pattern or another type is picked; the screen hands it to the key list. ``/`` moves
here from anywhere on the screen (:meth:`KeyFilter.action_focus_filter`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select, Static

from dbtui.core.keytree import parse_key
from dbtui.ui.key_browser.formatting import TYPE_FILTERS


class KeyFilter(Horizontal):
    """``/ [pattern] [type]``: what the key list scans for."""

    @dataclass
    class Changed(Message):
        """The filter was applied.

        Attributes:
            pattern: The pattern typed (``b""``: every key; no glob: one exact name).
            type_: The type picked; ``None`` for any type.
            typed: True when Enter was pressed in the pattern (not a type change).
        """

        pattern: bytes
        type_: str | None
        typed: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.type_: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("/", id="rb-slash")
        yield Input(
            placeholder="glob pattern or exact key name, Enter", id="rb-filter", compact=True
        )
        yield Select(
            [(label, value or "") for label, value in TYPE_FILTERS],
            value="",
            allow_blank=False,
            compact=True,
            id="rb-type",
        )

    @property
    def pattern(self) -> bytes:
        """The pattern as typed (escapes such as ``\\xff`` decoded)."""
        return parse_key(self.query_one("#rb-filter", Input).value.strip())

    def action_focus_filter(self) -> None:
        """Move to the pattern."""
        self.screen.set_focus(self.query_one("#rb-filter", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: apply the pattern."""
        if event.input.id != "rb-filter":
            return
        event.stop()
        self.post_message(self.Changed(self.pattern, self.type_, typed=True))

    def on_select_changed(self, event: Select.Changed) -> None:
        """Another type: apply the filter again."""
        if event.select.id != "rb-type":
            return
        event.stop()
        value = event.value if isinstance(event.value, str) else ""
        if (value or None) != self.type_:
            self.type_ = value or None
            self.post_message(self.Changed(self.pattern, self.type_, typed=False))
