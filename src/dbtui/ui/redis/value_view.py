"""The value pane: facts of the selected key (live TTL) over a viewer for its type.

Strings show in a read-only text area (text, pretty JSON or a hex dump, the
first 64 KiB with "load more"); hashes, lists, sets, sorted sets and streams
in a table, a page at a time. Pages are read by a thread worker
(:func:`dbtui.ui.redis.jobs.load_value`) that posts :class:`ValueLoaded`.
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Input, Static, TextArea

from dbtui.core.keytree import format_key, parse_key
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.meta import KeyInfo
from dbtui.ui.redis import jobs
from dbtui.ui.redis.formatting import (
    STRING_MODES,
    cell,
    human_bytes,
    render_string,
    string_mode_label,
    ttl_text,
    type_badge,
)
from dbtui.ui.redis.messages import ValueLoaded
from dbtui.ui.redis.pages import COLUMNS, FILTERABLE, Cell, PageRequest, ValuePage, field_filter
from dbtui.ui.safe import SafeTextArea, safe_cell, safe_join, safe_text

STRING_KEEP = 4 * 1024 * 1024
"""Bytes of a string kept in the viewer at most, however often "load more" is pressed."""

UNITS = {"hash": "fields", "list": "elements", "set": "members", "zset": "members"}


class ValueTable(DataTable[str]):
    """The rows of a collection; ``e``/``a``/``x`` change, add and remove one (the screen acts)."""

    BINDINGS = [
        Binding(
            "e",
            "screen.edit_member",
            "Edit",
            id="redis.edit_member",
            tooltip="Change the highlighted field's value, element, member or score",
        ),
        Binding(
            "a",
            "screen.add_member",
            "Add",
            id="redis.add_member",
            tooltip="Add a field, element, member or stream entry",
        ),
        Binding(
            "x",
            "screen.remove_member",
            "Remove",
            id="redis.remove_member",
            tooltip="Remove the highlighted field, element, member or stream entry (asks)",
        ),
    ]


class ValueViewer(Vertical):
    """Everything about one key; the screen calls :meth:`show` when the selection changes."""

    def __init__(self, keyspace: Keyspace, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keyspace = keyspace
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
        yield Input(placeholder="filter fields (glob or text), Enter", id="vv-filter", compact=True)
        yield Static(id="vv-notes")
        with ContentSwitcher(initial="vv-empty", id="vv-body"):
            yield Static("", id="vv-empty")
            yield ValueTable(id="vv-table", cursor_type="row", zebra_stripes=False)
            yield SafeTextArea(id="vv-text", read_only=True, soft_wrap=True, show_cursor=True)
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
        if first is not None and (first.match is not None or first.from_end):
            self._again = replace(first, cursor=0, offset=0, stream_from=None)
            self.query_one("#vv-filter", Input).value = typed

    def load_more(self) -> bool:
        """Read the next page; False when everything is loaded already."""
        if self.key is None or self.next is None or self.fetching:
            return False
        self._load(self.key, self.next)
        return True

    def toggle_end(self) -> bool:
        """Lists from the other end, streams the other way round; False for other types."""
        if self.key is None or self.first is None or self.first.type not in ("list", "stream"):
            return False
        self._restart(replace(self.first, from_end=not self.first.from_end))
        return True

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
        job = partial(jobs.load_value, self.post_message, self.keyspace, key, request)
        self.run_worker(job, thread=True, group="value", exclusive=True, exit_on_error=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Filter the fields/members of the shown hash, set or sorted set on the server."""
        event.stop()
        if self.first is not None and self.first.type in FILTERABLE:
            match = field_filter(parse_key(event.value))
            self._restart(PageRequest(self.first.key, self.first.type, match=match))
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
        self.query_one("#vv-filter").display = kind in FILTERABLE
        if kind in COLUMNS:
            table = self.query_one("#vv-table", DataTable)
            table.clear(columns=True)
            table.add_columns(*COLUMNS[kind])
            self._switch("vv-table")
        elif page.data is not None or kind == "string":
            self._switch("vv-text")
        else:
            self._switch("vv-empty")

    def _add_rows(self, page: ValuePage) -> None:
        table = self.query_one("#vv-table", DataTable)
        self.rows.extend(page.rows)
        table.add_rows([tuple(safe_cell(cell(value)) for value in row) for row in page.rows])
        if self._keep_row is not None and self.rows:
            table.move_cursor(row=min(self._keep_row, len(self.rows) - 1))
            self._keep_row = None
            self.call_after_refresh(self._refocus, table)

    def _refocus(self, table: DataTable[str]) -> None:
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
        info = self.info
        if info is None or self.key is None:
            return
        text = Text(format_key(self.key), style="bold")
        text.append("\n")
        text.append_text(type_badge(info.type))
        ttl = self.ttl_left()
        text.append(f"  TTL {ttl_text(ttl)}", style="yellow" if ttl is not None else "")
        text.append(f"  mem {human_bytes(info.memory)}")
        if info.length is not None:
            text.append(f"  len {info.length:,}")
        self._head(text)

    def _describe(self, page: ValuePage) -> None:
        kind = page.request.type
        if kind == "string" or page.data is not None:
            return
        unit = UNITS.get(kind, "entries")
        total = page.total if page.total is not None else (self.info.length if self.info else None)
        loaded = f"{len(self.rows):,}" + (f" of {total:,}" if total is not None else "")
        parts = [f"{loaded} {unit}"]
        if page.request.match is not None:
            parts.append(f"matching {format_key(page.request.match)}")
        if self.next is not None:
            parts.append("m: more")
        if kind in ("list", "stream"):
            parts.append("E: " + ("from start" if page.request.from_end else "from end"))
        self._status(" · ".join(parts))

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
            table = self.query_one("#vv-table", DataTable)
            row = table.cursor_row
            if not 0 <= row < len(self.rows):
                return None
            value = self.rows[row][-1] if self.first.type != "zset" else self.rows[row][0]
            raw = value if isinstance(value, bytes) else str(value).encode()
            return ("row value", raw)
        return ("value", self.data) if self.data or self.string_total == 0 else None

    def row_cells(self, row: int) -> tuple[Cell, ...] | None:
        """The raw cells of a loaded table row."""
        return self.rows[row] if 0 <= row < len(self.rows) else None
