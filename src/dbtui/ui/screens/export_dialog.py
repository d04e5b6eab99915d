"""The export dialog: choose a format and a destination, then export with progress.

The export itself runs in a thread worker of this screen (:func:`run_export`
in :mod:`dbtui.ui.export_job`); it posts :class:`ExportProgress` as pages
arrive and :class:`ExportDone` at the end. Esc cancels a running export (the
partial file is deleted) or closes the dialog. The dialog dismisses with
the :class:`~dbtui.ui.export_job.ExportOutcome` of a finished export, or
``None``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from dbtui.core.errors import DbtuiError
from dbtui.core.export import EXTENSIONS
from dbtui.ui.export_job import (
    CLIPBOARD_LIMIT,
    FORMAT_LABELS,
    ClipboardTooBig,
    ExportCancelled,
    ExportOutcome,
    ExportRequest,
    ExportSource,
    run_export,
)
from dbtui.ui.safe import safe_text
from dbtui.ui.screens.dialogs import ConfirmScreen

FILE = "file"
CLIPBOARD = "clipboard"


@dataclass
class ExportProgress(Message):
    """Rows written so far (posted after each page)."""

    rows: int


@dataclass
class ExportDone(Message):
    """The export ended: ``outcome`` when it worked, else why not (``error``)."""

    outcome: ExportOutcome | None
    error: str = ""


def default_path(fmt: str, now: float | None = None) -> str:
    """``~/dbtui-export-YYYYmmdd-HHMMSS.<ext>`` for format ``fmt``."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return f"~/dbtui-export-{stamp}{EXTENSIONS[fmt]}"


def export_job(
    post: Callable[[Message], object],
    source: ExportSource,
    request: ExportRequest,
    cancelled: threading.Event,
) -> None:
    """Worker body: run the export and post :class:`ExportDone` (never raises)."""

    def progress(rows: int) -> None:
        post(ExportProgress(rows))

    try:
        outcome = run_export(source, request, cancelled, progress)
    except ExportCancelled:
        post(ExportDone(None, "Export cancelled; no file was left behind."))
    except ClipboardTooBig:
        limit = CLIPBOARD_LIMIT // (1024 * 1024)
        post(ExportDone(None, f"Too big for the clipboard (over {limit} MB): export to a file."))
    except OSError as error:
        post(ExportDone(None, f"Cannot write {request.path}: {error.strerror or error}"))
    except DbtuiError as error:
        post(ExportDone(None, f"Reading the rows failed: {error.one_line()}"))
    else:
        post(ExportDone(outcome))


class ExportScreen(ModalScreen[ExportOutcome | None]):
    """Format, destination, and a running export's progress."""

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="export.cancel",
            tooltip="Cancel the running export, or close the dialog",
        ),
        Binding(
            "ctrl+s",
            "export",
            "Export",
            id="export.run",
            tooltip="Start the export",
        ),
    ]

    def __init__(self, source: ExportSource, what: str) -> None:
        super().__init__()
        self.source = source
        self.what = what
        self._default = default_path(source.formats[0])
        self._cancelled: threading.Event | None = None

    def compose(self) -> ComposeResult:
        formats = [(FORMAT_LABELS[key], key) for key in self.source.formats]
        more = "" if self.source.complete else " (and the rest, read from the server)"
        with Vertical(classes="dialog export-dialog"):
            yield Static(
                safe_text(f"Export {self.what}{more}", style="bold"), classes="dialog-title"
            )
            with Horizontal(classes="form-row"):
                yield Label("Format", classes="form-label")
                yield Select(
                    formats,
                    value=formats[0][1],
                    allow_blank=False,
                    id="export-format",
                    compact=True,
                )
            with Horizontal(classes="form-row", id="export-table-row"):
                yield Label("Table", classes="form-label")
                yield Input(
                    self.source.table, id="export-table", placeholder="schema.table", compact=True
                )
            with Horizontal(classes="form-row"):
                yield Label("To", classes="form-label")
                destinations = [("a file", FILE), ("the clipboard (OSC 52)", CLIPBOARD)]
                yield Select(
                    destinations, value=FILE, allow_blank=False, id="export-to", compact=True
                )
            with Horizontal(classes="form-row", id="export-path-row"):
                yield Label("File", classes="form-label")
                yield Input(self._default, id="export-path", compact=True)
            yield Static(
                "Ctrl+S exports · Tab moves · Esc closes",
                id="export-status",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export-go", variant="primary", compact=True)
                yield Button("Cancel", id="export-close", compact=True)

    def on_mount(self) -> None:
        self._sync()
        self.query_one("#export-format", Select).focus()

    def _sync(self) -> None:
        """Show the table field only for SQL, the path only for a file."""
        fmt = self.query_one("#export-format", Select).value
        to = self.query_one("#export-to", Select).value
        self.query_one("#export-table-row").display = fmt == "sql"
        self.query_one("#export-path-row").display = to == FILE

    def on_select_changed(self, event: Select.Changed) -> None:
        """Follow the format in the default file name; show the fields that apply."""
        if event.select.id == "export-format" and isinstance(event.value, str):
            path = self.query_one("#export-path", Input)
            if path.value == self._default:
                self._default = path.value = default_path(event.value)
        self._sync()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field starts the export."""
        event.stop()
        self.action_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-go":
            self.action_export()
        else:
            self.action_cancel()

    def request(self) -> ExportRequest | str:
        """The request the form describes, or what is wrong with it."""
        fmt = str(self.query_one("#export-format", Select).value)
        table = self.query_one("#export-table", Input).value.strip()
        if fmt == "sql" and not table:
            return "Name the table the INSERT statements go to."
        if self.query_one("#export-to", Select).value == CLIPBOARD:
            return ExportRequest(fmt, None, table)
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            return "Type the file to write."
        path = Path(text).expanduser()
        if not path.parent.is_dir():
            return f"No such directory: {path.parent}"
        if path.is_dir():
            return f"{path} is a directory: add a file name."
        return ExportRequest(fmt, path, table)

    def action_export(self) -> None:
        """Validate the form, confirm an overwrite, and start the worker."""
        if self._cancelled is not None:
            return
        request = self.request()
        if isinstance(request, str):
            self._status(request, "red")
            return
        if request.path is not None and request.path.exists():
            self.app.push_screen(
                ConfirmScreen(f"Replace {request.path}?", "The file exists."),
                lambda ok: self._start(request) if ok else None,
            )
            return
        self._start(request)

    def _start(self, request: ExportRequest) -> None:
        self._cancelled = threading.Event()
        for widget in self.query("Select, Input, #export-go"):
            widget.disabled = True
        self._status("Exporting… Esc cancels", "yellow")
        job = partial(export_job, self.post_message, self.source, request, self._cancelled)
        self.run_worker(job, thread=True, group="export", description="export", exit_on_error=False)

    def action_cancel(self) -> None:
        """Cancel the running export, or close the dialog."""
        if self._cancelled is not None:
            self._cancelled.set()
            self._status("Cancelling…", "yellow")
            return
        self.dismiss(None)

    def _status(self, text: str, style: str) -> None:
        self.query_one("#export-status", Static).update(safe_text(text, style=style))

    def on_export_progress(self, event: ExportProgress) -> None:
        """Show how many rows are written."""
        if self._cancelled is not None and not self._cancelled.is_set():
            self._status(f"Exporting… {event.rows:,} rows · Esc cancels", "yellow")

    def on_export_done(self, event: ExportDone) -> None:
        """Close with the outcome, or show why it failed and let the user try again."""
        self._cancelled = None
        if event.outcome is not None:
            self.dismiss(event.outcome)
            return
        for widget in self.query("Select, Input, #export-go"):
            widget.disabled = False
        self._status(event.error, "red")
