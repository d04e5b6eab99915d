"""Completion for a TextArea: a popup list under the cursor, driven by key bindings.

:class:`CompletingTextArea` is a TextArea with a ``completer`` (any function
``(text, cursor offset) -> Completions``; ``None`` until one is ready). Tab
or Ctrl+Space opens :class:`CompletionPopup` under the cursor; while it is
open, typing keeps filtering it, Up/Down move, Enter or Tab accepts and Esc
closes. The popup bindings are priority bindings whose ``check_action``
refuses them while the popup is closed, so Enter, Tab and Esc then reach the
TextArea as usual; Up/Down keep TextArea's own cursor bindings next to them
for the same reason. The editor keeps the focus throughout: the popup cannot
be focused.

Arguments whose names live on the server (Redis key names) come from
:attr:`CompletingTextArea.argument_lookup`, a blocking call run in a worker when the
completer has nothing for the cursor; its candidates open the popup when they arrive
(if the text is unchanged), and typing then filters them locally (or asks again when
the server's list was cut short).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Offset
from textual.widgets import OptionList, TextArea
from textual.widgets.text_area import Document

from dbtui.core.capabilities.completion import ArgumentCandidates
from dbtui.core.completion import Candidate, Completions
from dbtui.core.display import display_text
from dbtui.core.errors import DbtuiError
from dbtui.ui.safe import SafeTextArea, safe_text

Completer = Callable[[str, int], Completions]
"""Candidates for ``(text, cursor offset)``."""
ArgumentLookup = Callable[[str], ArgumentCandidates | None]
"""Blocking: names for the argument the line before the cursor ends with (or ``None``)."""

#: Rows of the popup; more candidates scroll.
VISIBLE_ROWS = 8
#: Characters that make Tab complete instead of indenting when just before the cursor.
_WORD_CHARS = frozenset("._$\"'")
#: More such characters where server names (key names) complete.
_NAME_CHARS = frozenset(":-{}/@#")


def _prompt(candidate: Candidate) -> Text:
    text = safe_text(candidate.label)
    extra = " ".join(part for part in (candidate.kind, candidate.detail) if part)
    if extra:
        text.append(f"  {display_text(extra)}", style="dim")
    return text


class CompletionPopup(OptionList):
    """The candidate list, drawn over the screen at an absolute position."""

    DEFAULT_CSS = f"""
    CompletionPopup {{
        overlay: screen;
        constrain: inside inflect;
        width: auto;
        min-width: 16;
        max-width: 60;
        height: auto;
        max-height: {VISIBLE_ROWS};
        border: none;
        padding: 0;
        background: $panel;
        display: none;
        scrollbar-size-vertical: 1;
    }}
    """

    can_focus = False

    def __init__(self, owner: CompletingTextArea) -> None:
        super().__init__(id=f"completion-{owner.id}" if owner.id else None)
        self.owner = owner
        """The editor this popup completes for."""
        self.completions = Completions(0, 0)
        """The span being completed and its candidates, as shown."""

    @property
    def is_open(self) -> bool:
        """True while the popup is shown."""
        return bool(self.display)

    def show(self, completions: Completions, at: Offset) -> None:
        """Show ``completions`` with the list's top-left corner at screen offset ``at``."""
        self.completions = completions
        self.set_options(_prompt(candidate) for candidate in completions.candidates)
        self.highlighted = 0
        self.absolute_offset = at
        self.display = True

    def hide(self) -> None:
        """Close the popup."""
        self.display = False
        self.completions = Completions(0, 0)

    def move(self, step: int) -> None:
        """Move the highlight by ``step`` rows, wrapping around."""
        count = self.option_count
        if count:
            self.highlighted = ((self.highlighted or 0) + step) % count

    @property
    def chosen(self) -> Candidate | None:
        """The highlighted candidate."""
        index = self.highlighted
        candidates = self.completions.candidates
        return candidates[index] if index is not None and index < len(candidates) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a candidate inserts it (the editor keeps the focus)."""
        event.stop()
        self.owner.action_accept()


class CompletingTextArea(SafeTextArea):
    """A TextArea that completes the word at the cursor from :attr:`completer`."""

    BINDINGS = [
        Binding(
            "tab",
            "complete_or_accept",
            "Complete",
            show=False,
            priority=True,
            id="completion.tab",
            tooltip="Complete the word at the cursor, or accept the highlighted candidate",
        ),
        Binding(
            "ctrl+space,ctrl+@",
            "complete",
            "Complete",
            show=False,
            priority=True,
            id="completion.open",
            tooltip="List the names that fit at the cursor",
        ),
        Binding(
            "enter",
            "accept",
            "Accept",
            show=False,
            priority=True,
            id="completion.accept",
            tooltip="Insert the highlighted candidate",
        ),
        Binding(
            "escape",
            "close_completion",
            "Close",
            show=False,
            priority=True,
            id="completion.close",
            tooltip="Close the completion list",
        ),
        Binding(
            "up",
            "completion_move(-1)",
            "Previous",
            show=False,
            priority=True,
            id="completion.up",
            tooltip="Highlight the previous candidate",
        ),
        Binding(
            "down",
            "completion_move(1)",
            "Next",
            show=False,
            priority=True,
            id="completion.down",
            tooltip="Highlight the next candidate",
        ),
        # TextArea's own bindings for these keys; ours replace them in the merged map.
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
    ]

    completer: Completer | None = None
    """Where candidates come from; ``None`` until the connection's names are read."""

    argument_lookup: ArgumentLookup | None = None
    """Server names for arguments (key names); asked in a worker; ``None``: none."""

    _popup: CompletionPopup | None = None
    _arguments: tuple[ArgumentCandidates, int] | None = None
    """The server's names shown in the popup, and the text offset of their line."""

    @property
    def popup(self) -> CompletionPopup:
        """The popup, mounted on the screen the first time it is needed."""
        if self._popup is None:
            self._popup = CompletionPopup(self)
            self.screen.mount(self._popup)
        return self._popup

    @property
    def completion_open(self) -> bool:
        """True while the completion popup is shown for this editor."""
        return self._popup is not None and self._popup.is_open

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Popup keys act only while it is open; Tab completes only after a word."""
        if action in ("accept", "close_completion", "completion_move"):
            return self.completion_open
        if action == "complete_or_accept":
            return self.completion_open or self._after_word()
        return super().check_action(action, parameters)

    def _after_word(self) -> bool:
        """True when the cursor follows a word character or a dot (and nothing is selected)."""
        if not self.selection.is_empty or self.completer is None:
            return False
        row, column = self.cursor_location
        before = self.document.get_line(row)[:column]
        if before and self.argument_lookup is not None and before[-1] in _NAME_CHARS:
            return True  # inside a key name: ``user:``, ``{tag}``
        return bool(before) and (before[-1].isalnum() or before[-1] in _WORD_CHARS)

    def action_complete(self) -> None:
        """Ctrl+Space: list the candidates at the cursor (insert at once when only one)."""
        if not self._complete():
            self.notify("Nothing to complete here.", timeout=2)

    def action_complete_or_accept(self) -> None:
        """Tab: accept when the popup is open, else complete; indent when nothing fits."""
        if self.completion_open:
            self.action_accept()
        elif not self._complete():
            column = self.cursor_location[1]
            self.insert(" " * (self.indent_width - column % self.indent_width))

    def _complete(self) -> bool:
        """Open the popup, or insert the only candidate; False when nothing new fits."""
        if self.completer is None:
            self.notify("Completion is still reading the catalog…", timeout=2)
            return True
        completions = self._compute()
        if not completions.candidates and self.argument_lookup is not None:
            self.close_completion()
            self._look_up_arguments(self.argument_lookup)
            return True
        return self._offer(completions)

    def _offer(self, completions: Completions) -> bool:
        """Insert the only candidate or open the popup; False when nothing new fits."""
        candidates = completions.candidates
        typed = self.text[completions.start : completions.end]
        if not candidates or (len(candidates) == 1 and candidates[0].text == typed):
            self.close_completion()
            return False
        if len(candidates) == 1:
            self._insert(completions, candidates[0])
        else:
            self.popup.show(completions, self._popup_offset(completions))
        return True

    def _look_up_arguments(self, lookup: ArgumentLookup) -> None:
        """Ask ``lookup`` in a worker for the argument before the cursor."""
        text, cursor = self.text, self._cursor_index()
        line_start = text.rfind("\n", 0, cursor) + 1
        self.run_worker(
            partial(self._arguments_worker, lookup, text, cursor, line_start),
            thread=True,
            exclusive=True,
            group="argument-completion",
            exit_on_error=False,
        )

    def _arguments_worker(
        self, lookup: ArgumentLookup, text: str, cursor: int, line_start: int
    ) -> None:
        try:
            found = lookup(text[line_start:cursor])
        except DbtuiError as error:
            self.app.call_from_thread(self.notify, error.one_line(), severity="error")
            return
        self.app.call_from_thread(self._arguments_found, text, cursor, line_start, found)

    def _arguments_found(
        self, text: str, cursor: int, line_start: int, found: ArgumentCandidates | None
    ) -> None:
        """Show the server's names, unless the text or cursor changed meanwhile."""
        if self.text != text or self._cursor_index() != cursor:
            return
        self.close_completion()
        if found is None or not found.candidates:
            self.notify("Nothing to complete here.", timeout=2)
            return
        self._arguments = (found, line_start)
        if not self._offer(self._argument_completions(found, line_start, cursor)):
            self._arguments = None
        elif not self.completion_open:
            self._arguments = None  # the only candidate was inserted

    @staticmethod
    def _argument_completions(
        found: ArgumentCandidates, line_start: int, cursor: int, typed: str = ""
    ) -> Completions:
        start = line_start + found.start
        kept = (name for name in found.candidates if name.startswith(typed))
        return Completions(start, cursor, tuple(Candidate(n, n, found.kind) for n in kept))

    def _refilter_arguments(self, found: ArgumentCandidates, line_start: int) -> None:
        """Filter the server's names by what is typed now; ask again when the list was cut
        short (the new names replace these if the text is unchanged when they arrive)."""
        cursor = self._cursor_index()
        start = line_start + found.start
        typed = self.text[start:cursor] if cursor >= start else "\n"
        if "\n" in typed or (" " in typed and not typed.startswith('"')):
            self.close_completion()
            return
        completions = self._argument_completions(found, line_start, cursor, typed)
        if not found.complete and self.argument_lookup is not None:
            self._look_up_arguments(self.argument_lookup)  # the longer prefix may find more
        if not completions.candidates:
            self.close_completion()
        else:
            self.popup.show(completions, self._popup_offset(completions))

    def _cursor_index(self) -> int:
        document = self.document
        assert isinstance(document, Document)
        return document.get_index_from_location(self.cursor_location)

    def action_accept(self) -> None:
        """Replace the completed span with the highlighted candidate."""
        popup = self.popup
        candidate = popup.chosen
        completions = popup.completions
        self.close_completion()
        if candidate is not None:
            self._insert(completions, candidate)

    def action_close_completion(self) -> None:
        """Close the popup without inserting anything."""
        self.close_completion()

    def action_completion_move(self, step: int) -> None:
        """Move the popup highlight."""
        self.popup.move(step)

    def close_completion(self) -> None:
        """Close the popup if it is open."""
        self._arguments = None
        if self._popup is not None:
            self._popup.hide()

    def _compute(self) -> Completions:
        assert self.completer is not None
        return self.completer(self.text, self._cursor_index())

    def _insert(self, completions: Completions, candidate: Candidate) -> None:
        document = self.document
        assert isinstance(document, Document)
        text = self.text
        stop = completions.end
        while stop < len(text) and (text[stop].isalnum() or text[stop] in "_$"):
            stop += 1  # the cursor was inside a word: replace all of it, not just its head
        start = document.get_location_from_index(completions.start)
        end = document.get_location_from_index(stop)
        self.replace(candidate.text, start, end, maintain_selection_offset=False)

    def _popup_offset(self, completions: Completions) -> Offset:
        """Screen offset of the popup: one row under the start of the completed word."""
        cursor = self.cursor_screen_offset
        typed = completions.end - completions.start
        return Offset(max(0, cursor.x - typed), cursor.y + 1)

    def _refilter(self) -> None:
        """After an edit or a cursor move with the popup open: filter again, or close."""
        if not self.completion_open or self.completer is None:
            return
        if self._arguments is not None:
            self._refilter_arguments(*self._arguments)
            return
        completions = self._compute()
        if not completions.candidates or completions.start != self.popup.completions.start:
            self.close_completion()
            return
        self.popup.show(completions, self._popup_offset(completions))

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Typing with the popup open filters it (the message still bubbles to the screen)."""
        self._refilter()

    def _on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        """Moving the cursor out of the completed word closes the popup."""
        self._refilter()

    def on_blur(self, event: events.Blur) -> None:
        """Leaving the editor closes the popup."""
        self.close_completion()

    def on_hide(self, event: events.Hide) -> None:
        """Switching to another connection's editor closes the popup."""
        self.close_completion()
