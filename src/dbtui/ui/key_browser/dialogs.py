"""Modal dialogs of the key browser: TTL, rename, bulk delete, a full value, forms, pub/sub, jump.

Delete and overwrite confirmations reuse the shell's
:class:`~dbtui.ui.screens.dialogs.ConfirmScreen`.

Every dialog that writes saves with Ctrl+S, never with Enter: a stray Enter
(typing meant for a filter, say) must not write. Enter only moves to the next input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, ProgressBar, Static

from dbtui.core.capabilities.keys import KeyEditing, KeyListening
from dbtui.core.errors import DbtuiError
from dbtui.core.key_values import MemberEdit
from dbtui.core.keytree import format_key, parse_key
from dbtui.core.live_feed import LiveRequest
from dbtui.ui.key_browser import jobs
from dbtui.ui.key_browser.formatting import parse_ttl, printable, ttl_text
from dbtui.ui.key_browser.messages import BulkStep
from dbtui.ui.safe import SafeTextArea, safe_text
from dbtui.ui.screens.dialogs import ConfirmScreen

PERSIST = -1
"""What :class:`TtlDialog` returns to remove a TTL (``None`` means cancelled)."""

SAVE_HINT = "Ctrl+S save · Esc cancel"
"""What every writing dialog says about its keys."""


AnswerT = TypeVar("AnswerT")


class SaveDialog(ModalScreen[AnswerT]):
    """Base of the dialogs that write: Ctrl+S saves (:meth:`action_save`), Esc cancels.

    Enter in an input never saves: it moves the focus to the next input (and from
    the last one back to the first), so typed text followed by Enter writes nothing.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="redis.dialog.save", tooltip="Save (the write)"),
        Binding("escape", "dismiss(None)", "Cancel", id="redis.dialog.cancel"),
    ]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: the next input, never a save."""
        event.stop()
        inputs = list(self.query(Input))
        if len(inputs) > 1:
            inputs[(inputs.index(event.input) + 1) % len(inputs)].focus()

    def action_save(self) -> None:
        """Validate and dismiss with the answer (errors stay in the dialog)."""
        raise NotImplementedError


class TtlDialog(SaveDialog[int | None]):
    """Ask for a new TTL; dismisses with milliseconds, :data:`PERSIST`, or ``None`` (cancel)."""

    def __init__(self, key: bytes, ttl_ms: int | None) -> None:
        super().__init__()
        self.key = key
        self.ttl_ms = ttl_ms

    def compose(self) -> ComposeResult:
        with Vertical(classes="rb-dialog"):
            yield Static(Text(f"TTL of {format_key(self.key)}", style="bold"))
            yield Static(safe_text(f"now: {ttl_text(self.ttl_ms)}"), classes="rb-dim")
            yield Input(placeholder="3600, 10m, 2h 30m, 1d or persist", id="ttl-input")
            yield Static(SAVE_HINT, id="ttl-error", classes="rb-dim")

    def action_save(self) -> None:
        """Validate and return the TTL (errors stay in the dialog)."""
        try:
            ttl_ms = parse_ttl(self.query_one("#ttl-input", Input).value)
        except ValueError as error:
            self.query_one("#ttl-error", Static).update(safe_text(str(error), style="red"))
            return
        self.dismiss(PERSIST if ttl_ms is None else ttl_ms)


class RenameDialog(SaveDialog[bytes | None]):
    """Ask for a new key name (``\\xNN`` escapes allowed); dismisses with its bytes or ``None``."""

    def __init__(self, key: bytes) -> None:
        super().__init__()
        self.key = key

    def compose(self) -> ComposeResult:
        with Vertical(classes="rb-dialog"):
            yield Static(Text(f"Rename {format_key(self.key)}", style="bold"))
            yield Input(format_key(self.key), id="rename-input", select_on_focus=False)
            yield Static(
                safe_text(f"{SAVE_HINT} (an existing name is not replaced without asking)"),
                id="rename-error",
                classes="rb-dim",
            )

    def action_save(self) -> None:
        """Return the new name unless it is empty or unchanged."""
        new = parse_key(self.query_one("#rename-input", Input).value)
        if not new or new == self.key:
            message = "Type a different, non-empty name."
            self.query_one("#rename-error", Static).update(Text(message, style="red"))
            return
        self.dismiss(new)


class ValueDialog(ModalScreen[None]):
    """One table row in full (every cell, escaped), read-only and scrollable."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close", id="redis.value.close")]

    def __init__(self, title: str, cells: list[tuple[str, bytes | str]]) -> None:
        super().__init__()
        self.title_text = title
        self.cells = cells

    def compose(self) -> ComposeResult:
        parts = []
        for name, value in self.cells:
            shown = printable(value) if isinstance(value, bytes) else value
            parts.append(f"── {name} ──\n{shown}")
        with Vertical(classes="rb-dialog rb-tall"):
            yield Static(safe_text(self.title_text, style="bold"))
            yield SafeTextArea("\n".join(parts), read_only=True, soft_wrap=True, id="value-text")
            yield Static("Esc closes.", classes="rb-dim")


class BulkDeleteDialog(ModalScreen[int]):
    """Count the keys matching a pattern, ask, then delete them with progress and cancel.

    Dismisses with the number of keys deleted (0 when nothing was deleted). The
    question after the dry run is a :class:`ConfirmScreen` that asks for the number
    of keys to be typed: no key typed by accident can start the deletion.
    """

    BINDINGS = [
        Binding("n,escape", "stop", "Cancel", id="redis.bulk.cancel", tooltip="Cancel or close"),
    ]

    def __init__(self, keys: KeyEditing, pattern: bytes) -> None:
        super().__init__()
        self.keys = keys
        self.pattern = pattern
        self.flow = jobs.Flow()
        self.phase = "counting"
        self.matched = 0
        self.deleted = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="rb-dialog"):
            yield Static(
                Text(f"Delete keys matching {format_key(self.pattern)} (any type)", style="bold")
            )
            yield ProgressBar(total=1.0, show_eta=False, id="bulk-bar")
            yield Static("Counting (dry run: nothing is deleted yet)…", id="bulk-text")
            yield Static("Esc cancels.", id="bulk-hint", classes="rb-dim")

    def on_mount(self) -> None:
        self._run(dry_run=True)

    def on_unmount(self) -> None:
        self.flow.cancelled.set()

    def _run(self, dry_run: bool) -> None:
        self.flow = jobs.Flow()
        job = partial(
            jobs.bulk_delete, self.post_message, self.keys, self.pattern, dry_run, self.flow
        )
        self.run_worker(job, thread=True, group="bulk", exit_on_error=False)

    def on_bulk_step(self, step: BulkStep) -> None:
        """Show progress; after the dry run, ask; after the deletion, report."""
        progress = step.progress
        self.matched = max(self.matched, progress.matched)
        self.deleted = progress.deleted
        self.query_one("#bulk-bar", ProgressBar).update(progress=progress.progress)
        text = self.query_one("#bulk-text", Static)
        hint = self.query_one("#bulk-hint", Static)
        if step.error is not None:
            self.phase = "finished"
            text.update(safe_text(step.error.one_line(), style="red"))
            hint.update("Esc closes.")
        elif not step.final:
            verb = "Counting" if step.dry_run else "Deleting"
            text.update(
                safe_text(f"{verb}… {progress.matched:,} matched, {progress.deleted:,} deleted")
            )
        elif progress.phase == "cancelled":
            self.phase = "finished"
            text.update(safe_text(f"Cancelled. {progress.deleted:,} keys were deleted."))
            hint.update("Esc closes.")
        elif step.dry_run:
            self._ask(progress.matched, progress.sample)
        else:
            self.phase = "finished"
            text.update(Text(f"Deleted {progress.deleted:,} keys.", style="green"))
            hint.update("Esc closes.")

    def _ask(self, matched: int, sample: tuple[bytes, ...]) -> None:
        text = self.query_one("#bulk-text", Static)
        hint = self.query_one("#bulk-hint", Static)
        if matched == 0:
            self.phase = "finished"
            text.update("No key matches.")
            hint.update("Esc closes.")
            return
        self.phase = "asking"
        names = ", ".join(format_key(key) for key in sample[:5])
        more = ", …" if matched > 5 else ""
        noun = "key matches" if matched == 1 else "keys match"
        text.update(safe_text(f"{matched:,} {noun}: {names}{more}", style="bold yellow"))
        hint.update("Esc cancels.")
        question = ConfirmScreen(
            f"Delete {matched:,} keys matching {format_key(self.pattern)} (UNLINK)?",
            f"{matched:,} {noun}: {names}{more}",
            typed=str(matched),
            yes_label="Delete them",
        )
        self.app.push_screen(question, self._answered)

    def _answered(self, yes: bool | None) -> None:
        if yes:
            self.action_confirm()
        else:
            self.dismiss(0)

    def action_confirm(self) -> None:
        """Start deleting once the dry run asked for it."""
        if self.phase != "asking":
            return
        self.phase = "deleting"
        self.query_one("#bulk-hint", Static).update(
            "Esc cancels (keys deleted so far stay deleted)."
        )
        self._run(dry_run=False)

    def action_stop(self) -> None:
        """Cancel the running phase, or close the dialog."""
        if self.phase in ("counting", "deleting"):
            self.flow.cancelled.set()
            if self.phase == "counting":
                self.dismiss(0)
            return
        self.dismiss(self.deleted)


@dataclass(frozen=True)
class FormField:
    """One line of a :class:`FormDialog`.

    Attributes:
        name: Key of the answer in the dict handed to the dialog's ``build``.
        label: What to type, shown above the input (or next to the check box).
        value: The text (or, for a flag, ``"1"`` for checked) it starts with.
        flag: A check box instead of a text input.
    """

    name: str
    label: str
    value: str = ""
    flag: bool = False


class FormDialog(SaveDialog[MemberEdit | None]):
    """A few labelled inputs; dismisses with what ``build`` makes of the answers, or ``None``.

    Ctrl+S saves; Enter only moves to the next input. ``build``
    gets ``{name: text}`` (``"1"``/``""`` for flags) and may raise
    :class:`ValueError` or :class:`DbtuiError`: its message stays in the dialog.
    """

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        build: Callable[[dict[str, str]], MemberEdit],
        hint: str = rf"Bytes as \xNN. {SAVE_HINT}",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.build = build
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="rb-dialog rb-form"):
            yield Static(safe_text(self.title_text, style="bold"))
            for field in self.fields:
                if field.flag:
                    yield Checkbox(
                        safe_text(field.label), bool(field.value), id=f"form-{field.name}"
                    )
                    continue
                yield Static(safe_text(field.label), classes="rb-dim")
                yield Input(field.value, id=f"form-{field.name}", select_on_focus=False)
            yield Static(safe_text(self.hint), id="form-error", classes="rb-dim")

    def answers(self) -> dict[str, str]:
        """The current text of every input (``"1"`` or ``""`` for check boxes)."""
        values: dict[str, str] = {}
        for field in self.fields:
            widget = self.query_one(f"#form-{field.name}")
            if isinstance(widget, Checkbox):
                values[field.name] = "1" if widget.value else ""
            elif isinstance(widget, Input):
                values[field.name] = widget.value
        return values

    def action_save(self) -> None:
        """Build the answer and close (a refusal stays in the dialog)."""
        try:
            result = self.build(self.answers())
        except (ValueError, DbtuiError) as error:
            message = error.message if isinstance(error, DbtuiError) else str(error)
            self.query_one("#form-error", Static).update(safe_text(message, style="red"))
            return
        self.dismiss(result)


class PubSubDialog(ModalScreen[LiveRequest | None]):
    """Ask which channels and patterns to listen to; dismisses with the request or ``None``."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="redis.pubsub.cancel")]

    def __init__(self, keys: KeyListening) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="rb-dialog"):
            yield Static(Text("Pub/sub monitor", style="bold"))
            yield Static(
                "Channels and patterns, separated by spaces; names with * ? [ are patterns.",
                classes="rb-dim",
            )
            yield Input(placeholder="news orders:* (empty: every channel)", id="pubsub-input")
            yield Static("Enter listens, Esc cancels.", id="pubsub-error", classes="rb-dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Parse the names (redis-cli quoting) and return the request."""
        event.stop()
        try:
            request = self.keys.pubsub_request(event.value)
        except DbtuiError as error:
            self.query_one("#pubsub-error", Static).update(safe_text(error.message, style="red"))
            return
        self.dismiss(request)


JUMP_HINTS = {
    "list": "An index: 0 is the head, -1 the tail.",
    "zset": "A rank: 0 is the lowest score, -1 the highest.",
    "stream": "An entry ID (1700000000000-0) or a time in milliseconds since the epoch.",
}


class JumpDialog(ModalScreen[str | None]):
    """Ask where to read a list, sorted set or stream from; dismisses with the text or ``None``.

    Enter jumps (it only reads), Esc cancels.
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="redis.jump.cancel")]

    def __init__(self, kind: str, length: int | None) -> None:
        super().__init__()
        self.kind = kind
        self.length = length

    def compose(self) -> ComposeResult:
        size = f" ({self.length:,} in all)" if self.length is not None else ""
        with Vertical(classes="rb-dialog"):
            yield Static(Text(f"Jump to a position{size}", style="bold"))
            yield Static(JUMP_HINTS.get(self.kind, ""), classes="rb-dim")
            yield Input(id="jump-input")
            yield Static("Enter jumps, Esc cancels.", classes="rb-dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Return what was typed."""
        event.stop()
        self.dismiss(event.value.strip() or None)
