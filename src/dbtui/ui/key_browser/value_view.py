"""The value pane: facts of the shown key (live TTL) over a viewer for its type.

Strings show in a read-only text area (text, pretty JSON or a hex dump, the
first 64 KiB with "load more"); hashes, lists, sets, sorted sets and streams
in a table, a page at a time. Pages are read by a thread worker
(:func:`dbtui.ui.key_browser.jobs.load_value`) that posts :class:`ValueLoaded`.

:class:`ValueViewer` owns the value keys, which work wherever the focus is on the
browser (the screen routes them here): ``m`` more, ``v`` view, ``e`` edit a string
(or read a list/stream from the other end), ``E`` other end, ``Y`` copy, and Enter on
a row shows it whole. The table's own row edits are in :mod:`.value_table`; editing a
whole string in :mod:`.string_edit`.
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Input, Static, TextArea

from dbtui.core.capabilities.keys import KeyBrowser
from dbtui.core.key_values import (
    COLUMNS,
    FILTERABLE,
    JUMPABLE,
    Cell,
    PageRequest,
    ValuePage,
    field_filter,
    jump_request,
    score_range,
)
from dbtui.core.keyspace import KeyInfo
from dbtui.core.keytree import format_key, parse_key
from dbtui.ui.key_browser import jobs
from dbtui.ui.key_browser.dialogs import JumpDialog
from dbtui.ui.key_browser.formatting import (
    STRING_MODES,
    cell,
    human_bytes,
    key_head,
    render_string,
    rows_status,
    string_mode_label,
)
from dbtui.ui.key_browser.messages import MemberChanged, ValueLoaded
from dbtui.ui.key_browser.string_edit import StringText
from dbtui.ui.key_browser.value_table import ValueTable
from dbtui.ui.safe import safe_cell, safe_join, safe_text

FIELD_FILTER = "filter fields (glob or text), Enter"
ZSET_FILTER = "members (glob or text) or scores: 10 20, (1 +inf; Enter"
"""The value filter's placeholder: for hashes and sets, and for sorted sets."""

STRING_KEEP = 4 * 1024 * 1024
"""Bytes of a string kept in the viewer at most, however often "load more" is pressed."""


class ValueViewer(Vertical):
    """Everything about one key; :meth:`show` loads another one.

    Args:
        keys: Where values are read (and, from the table and the editor, written).
    """

    def __init__(self, keys: KeyBrowser, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys = keys
        self.key: bytes | None = None
        self.info: KeyInfo | None = None
        self.first: PageRequest | None = None
        self.next: PageRequest | None = None
        self.rows: list[tuple[Cell, ...]] = []
        self.data = b""
        self.string_total = 0
        self.mode = "auto"
        self.fetching = False  # not `loading`: that is Textual's loading-indicator reactive
        self._pending: PageRequest | None = None
        self._ttl_at = 0.0
        self._keep_row: int | None = None
        self._again: PageRequest | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a key on the left.", style="dim"), id="vv-head")
        yield Input(placeholder=FIELD_FILTER, id="vv-filter", compact=True)
        yield Static(id="vv-notes")
        with ContentSwitcher(initial="vv-empty", id="vv-body"):
            yield Static("", id="vv-empty")
            yield ValueTable(self.keys, id="vv-table")
            yield StringText(self.keys, id="vv-text")
        yield Static(id="vv-status")

    def on_mount(self) -> None:
        self.query_one("#vv-filter").display = False
        self.query_one("#vv-notes").display = False
        self.set_interval(0.5, self._tick)

    # ------------------------------------------------------------- requests
    def show(self, key: bytes | None) -> None:
        """Load ``key`` (its facts and first page), or clear the pane with ``None``."""
        self.key, self.info, self.first, self.next = key, None, None, None
        self.rows, self.data, self.string_total, self.mode = [], b"", 0, "auto"
        self._keep_row, self._again = None, None
        self.table.show_value(None, None)
        self.query_one("#vv-filter", Input).value = ""
        if key is None:
            self.query_one("#vv-filter").display = False
            self.query_one("#vv-notes").display = False
            self._head(Text("Select a key on the left.", style="dim"))
            self._switch("vv-empty")
            self._status("")
            return
        self._head(Text(format_key(key), style="bold"))
        self._status("loading…")
        self._load(key, None)

    def reload(self) -> None:
        """Read the shown key again from the start."""
        self.show(self.key)

    def refresh_value(self) -> None:
        """Read the shown key again after an edit, keeping its filter, direction and cursor row."""
        first, table = self.first, self.query_one("#vv-table", DataTable)
        typed = self.query_one("#vv-filter", Input).value
        row = table.cursor_row
        self.show(self.key)
        self._keep_row = row if first is not None and first.type in COLUMNS else None
        if first is not None and first != PageRequest(first.key, first.type):
            self._again = first  # the same filter, direction or jump as before the edit
            self.query_one("#vv-filter", Input).value = typed

    def load_more(self) -> bool:
        """Read the next page; False when everything is loaded already."""
        if self.key is None or self.next is None or self.fetching:
            return False
        self._load(self.key, self.next)
        return True

    def toggle_end(self) -> bool:
        """Lists from the other end, streams the other way round, sorted sets highest first.

        False for other types (and for a sorted set filtered by a member glob).
        """
        first = self.first
        if self.key is None or first is None or first.type not in JUMPABLE:
            return False
        if first.type == "zset" and first.match is not None:
            return False
        self._restart(replace(first, from_end=not first.from_end, offset=0, stream_from=None))
        return True

    def jump(self, text: str) -> None:
        """Read the value from the position ``text`` names (see :func:`jump_request`)."""
        if self.key is None or self.first is None:
            return
        try:
            request = jump_request(self.first, text)
        except ValueError as error:
            self.notify(str(error), severity="warning", timeout=6)
            return
        self._restart(request)

    def cycle_mode(self) -> bool:
        """Show a string as the next of text/JSON/hex; False when the value is not a string."""
        if self.first is None or self.first.type != "string":
            return False
        self.mode = STRING_MODES[(STRING_MODES.index(self.mode) + 1) % len(STRING_MODES)]
        self._render_string()
        return True

    def _restart(self, request: PageRequest) -> None:
        assert self.key is not None
        self.first, self.next, self.rows = request, None, []
        self._load(self.key, request)

    def _load(self, key: bytes, request: PageRequest | None) -> None:
        self.fetching = True
        self._pending = request
        job = partial(jobs.load_value, self.post_message, self.keys, key, request)
        self.run_worker(job, thread=True, group="value", exclusive=True, exit_on_error=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Filter the fields/members of the shown hash, set or sorted set on the server."""
        event.stop()
        first = self.first
        if first is not None and first.type in FILTERABLE:
            scores = score_range(event.value) if first.type == "zset" else None
            match = None if scores else field_filter(parse_key(event.value))
            self._restart(PageRequest(first.key, first.type, match=match, scores=scores))
            self.screen.set_focus(self.query_one("#vv-table"))

    # ------------------------------------------------------------- replies
    def on_value_loaded(self, event: ValueLoaded) -> None:
        """Show a page of the current key (pages of a key left meanwhile are dropped)."""
        event.stop()
        if event.key != self.key:
            return
        self.fetching = False
        if event.error is not None:
            self._status(safe_text(event.error.one_line(), style="red"))
            self.app.notify(event.error.one_line(), severity="error")
            return
        if event.info is not None:
            self._set_info(event.info)
            if not event.info.exists:
                self._switch("vv-empty")
                self._status(Text("This key no longer exists.", style="yellow"))
                return
        page = event.page
        if page is None or (event.info is None and page.request != self._pending):
            return  # a page of a walk that was restarted meanwhile
        if event.info is not None and self._again is not None:
            self._set_info(event.info)
            self._restart(self._again)  # the same filter or direction as before the edit
            self._again = None
            return
        if event.info is not None or page.request == self.first:
            self._start(page)
        self.next = page.next
        if page.data is not None or page.request.type == "string":
            self._add_string(page)
        else:
            self._add_rows(page)
        self._describe(page)

    def _set_info(self, info: KeyInfo) -> None:
        self.info = info
        self._ttl_at = time.monotonic()
        self._render_head()

    def _start(self, page: ValuePage) -> None:
        """Prepare the body for the first page of a (re)started value."""
        self.first = page.request
        self.rows, self.data = [], b""
        kind = page.request.type
        notes = self.query_one("#vv-notes", Static)
        notes.update(safe_text("\n".join(page.notes)))
        notes.display = bool(page.notes)
        field = self.query_one("#vv-filter", Input)
        field.display = kind in FILTERABLE
        field.placeholder = ZSET_FILTER if kind == "zset" else FIELD_FILTER
        if kind in COLUMNS:
            table = self.table
            table.show_value(page.request.key, kind)
            table.clear(columns=True)
            table.add_columns(*COLUMNS[kind])
            self._switch("vv-table")
        elif page.data is not None or kind == "string":
            self._switch("vv-text")
        else:
            self._switch("vv-empty")

    def _add_rows(self, page: ValuePage) -> None:
        table = self.table
        self.rows.extend(page.rows)
        table.cells = self.rows
        table.add_rows([tuple(safe_cell(cell(value)) for value in row) for row in page.rows])
        if self._keep_row is not None and self.rows:
            table.move_cursor(row=min(self._keep_row, len(self.rows) - 1))
            self._keep_row = None
            self.call_after_refresh(self._refocus, table)

    def _refocus(self, table: ValueTable) -> None:
        """Give the focus back to the table after an edit's reload, if nothing has it.

        In a real terminal a layout pass right after the edit dialog closes
        can blur the table (seen in tmux, not under Pilot); the user was
        working in it, so it gets the focus back.
        """
        if self.screen.focused is None:
            table.focus()

    def _add_string(self, page: ValuePage) -> None:
        if len(self.data) < STRING_KEEP:
            self.data += page.data or b""
        self.string_total = page.total or len(self.data)
        self._render_string()

    def _render_string(self) -> None:
        area = self.query_one("#vv-text", TextArea)
        truncated = len(self.data) < self.string_total
        text = render_string(self.data, self.mode, truncated=truncated)
        shown = string_mode_label(self.data, self.mode, truncated)
        # No tree-sitter highlighting: tree-sitter-json 0.24.8 under tree-sitter 0.26.1
        # segfaults the whole process (checked in isolation with a bare TextArea).
        area.soft_wrap = shown != "hex"
        area.load_text(text)
        self._describe_string(shown)

    # ------------------------------------------------------------- header and status
    def _tick(self) -> None:
        """Count the TTL down between reads; read the key again once it should have expired."""
        if self.info is not None and self.info.ttl_ms is not None:
            if self.ttl_left() == 0 and not self.fetching:
                self.reload()  # shows "no longer exists" (or the TTL someone else set)
                return
            self._render_head()

    def ttl_left(self) -> int | None:
        """Milliseconds left before the shown key expires, counted down since it was read."""
        if self.info is None or self.info.ttl_ms is None:
            return None
        elapsed = int((time.monotonic() - self._ttl_at) * 1000)
        return max(self.info.ttl_ms - elapsed, 0)

    def _render_head(self) -> None:
        if self.info is not None and self.key is not None:
            self._head(key_head(self.key, self.info, self.ttl_left()))

    def _describe(self, page: ValuePage) -> None:
        if page.request.type != "string" and page.data is None:
            length = self.info.length if self.info else None
            first = self.first or page.request
            self._status(rows_status(first, page, len(self.rows), length, self.next is not None))

    def _describe_string(self, shown: str) -> None:
        parts = [f"{human_bytes(len(self.data))} of {human_bytes(self.string_total)}", shown]
        if self.next is not None:
            parts.append("m: more")
        parts.append("v: view")
        self._status(" · ".join(parts))

    def _head(self, text: Text) -> None:
        self.query_one("#vv-head", Static).update(text)

    def _status(self, text: Text | str) -> None:
        self.query_one("#vv-status", Static).update(safe_join(text))

    def _switch(self, body: str) -> None:
        self.query_one("#vv-body", ContentSwitcher).current = body

    def focus_body(self) -> None:
        """Move the focus to the table or text of the value."""
        current = self.query_one("#vv-body", ContentSwitcher).current
        if current in ("vv-table", "vv-text"):
            self.screen.set_focus(self.query_one(f"#{current}"))

    # ------------------------------------------------------------- copying
    def selected_value(self) -> tuple[str, bytes] | None:
        """(what, bytes) to copy: the highlighted row's value, or the loaded string."""
        if self.first is None:
            return None
        if self.first.type in COLUMNS:
            return self.table.selected_value()
        return ("value", self.data) if self.data or self.string_total == 0 else None

    def row_cells(self, row: int) -> tuple[Cell, ...] | None:
        """The raw cells of a loaded table row."""
        return self.rows[row] if 0 <= row < len(self.rows) else None

    @property
    def table(self) -> ValueTable:
        """The table of a collection's rows."""
        return self.query_one("#vv-table", ValueTable)

    # ------------------------------------------------------------- keys (routed by the screen)
    def action_more(self) -> None:
        """Load the next page of the shown value."""
        if not self.load_more():
            self.notify("Everything is loaded already.")

    def action_view_mode(self) -> None:
        """Cycle a string through text, JSON and hex."""
        if not self.cycle_mode():
            self.notify("Only strings have views (text, JSON, hex, MessagePack, gzip, zlib).")

    def action_other_end(self) -> None:
        """Read a list from the other end, a stream the other way round, a sorted set
        from the highest score."""
        if not self.toggle_end():
            self.notify("Only lists, streams and sorted sets are read from either end.")

    def action_jump(self) -> None:
        """Ask for an index (list), a rank (sorted set) or an entry ID (stream); read from there."""
        if self.first is None or self.first.type not in JUMPABLE:
            self.notify("Only lists, sorted sets and streams have positions to jump to.")
            return
        question = JumpDialog(self.first.type, self.info.length if self.info else None)
        self.app.push_screen(question, lambda text: self.jump(text) if text else None)

    def action_edit_value(self) -> None:
        """Edit the shown string; lists and streams are read from the other end instead."""
        if self.key is None or self.first is None:
            self.notify("Open a key first.", severity="warning")
            return
        kind = self.first.type
        if kind in ("list", "stream"):
            self.toggle_end()
        elif kind != "string":
            self.notify(f"A {kind}'s rows are edited in the value table (e).", severity="warning")
        else:
            self.query_one("#vv-text", StringText).open_editor(self.key, self.string_total)

    def action_copy_value(self) -> None:
        """Copy the loaded string, or the highlighted row's value."""
        picked = self.selected_value()
        if picked is None:
            self.notify("No value loaded to copy.", severity="warning")
            return
        what, data = picked
        self.app.copy_to_clipboard(data.decode("utf-8", errors="backslashreplace"))
        self.notify(f"Copied the {what} ({human_bytes(len(data))})")

    def on_member_changed(self, event: MemberChanged) -> None:
        """Report an edit of the shown value and read it again (the event goes on up)."""
        if event.error is not None:
            self.notify(event.error.one_line(), severity="error", timeout=6)
            return
        self.notify(f"{format_key(event.key)}: {event.summary}")
        if self.key == event.key:
            self.refresh_value()
