"""The rows of a collection in the value pane, and their edits: ``e`` change, ``a`` add, ``x`` remove.

Enter on a row shows it whole (:class:`~dbtui.ui.key_browser.dialogs.ValueDialog`).

:class:`ValueTable` shows what :class:`~dbtui.ui.key_browser.value_view.ValueViewer` loaded
and owns the row edits: each opens a small form (or, to remove, a confirmation), then
runs the edit in a thread worker, which posts :class:`~dbtui.ui.key_browser.messages.MemberChanged`
(the viewer reads the value again, keeping its filter and cursor row). On a read-only
connection the refusal is a notification and nothing opens.
"""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.widgets import DataTable

from dbtui.core.capabilities.keys import KeyEditing
from dbtui.core.key_values import ADDABLE, COLUMNS, EDITABLE, REMOVABLE, Cell, MemberEdit
from dbtui.core.keytree import format_key
from dbtui.ui.key_browser import jobs
from dbtui.ui.key_browser.dialogs import ValueDialog
from dbtui.ui.key_browser.formatting import printable
from dbtui.ui.key_browser.member_edit import NOUNS, add_form, cell_bytes, edit_form, remove_edit
from dbtui.ui.safe import CellText
from dbtui.ui.screens.dialogs import ConfirmScreen


class ValueTable(DataTable[CellText]):
    """The loaded rows of a hash, list, set, sorted set or stream, editable one at a time.

    Args:
        keys: Where edits are written (they refuse on a read-only connection).
    """

    BINDINGS = [
        Binding(
            "e",
            "edit_member",
            "Edit",
            id="redis.edit_member",
            tooltip="Change the highlighted field's value, element, member or score",
        ),
        Binding(
            "a",
            "add_member",
            "Add",
            id="redis.add_member",
            tooltip="Add a field, element, member or stream entry",
        ),
        Binding(
            "x",
            "remove_member",
            "Remove",
            id="redis.remove_member",
            tooltip="Remove the highlighted field, element, member or stream entry (asks)",
        ),
    ]

    def __init__(self, keys: KeyEditing, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.keys = keys
        self.key: bytes | None = None
        self.kind: str | None = None
        self.cells: list[tuple[Cell, ...]] = []
        """The raw cells of the loaded rows (the table shows them formatted)."""

    def show_value(self, key: bytes | None, kind: str | None) -> None:
        """Say which key (and type) the rows belong to; ``None``: no collection shown."""
        self.key, self.kind, self.cells = key, kind, []

    def row_cells(self, row: int) -> tuple[Cell, ...] | None:
        """The raw cells of a loaded row."""
        return self.cells[row] if 0 <= row < len(self.cells) else None

    def selected_value(self) -> tuple[str, bytes] | None:
        """("row value", bytes) of the highlighted row (a sorted set's member), or ``None``."""
        row = self.row_cells(self.cursor_row)
        if row is None:
            return None
        value = row[0] if self.kind == "zset" else row[-1]
        return ("row value", cell_bytes(value))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row shows it in full."""
        event.stop()
        cells = self.row_cells(event.cursor_row)
        if cells is None or self.kind is None or self.key is None:
            return
        columns = COLUMNS.get(self.kind, ())
        shown = [
            (name, v if isinstance(v, bytes) else str(v))
            for name, v in zip(columns, cells, strict=False)
        ]
        self.app.push_screen(ValueDialog(format_key(self.key), shown))

    def _shown(self, writing: str) -> tuple[bytes, str, tuple[Cell, ...] | None] | None:
        """The shown key, its type and highlighted row, if it can be written to; else notify."""
        if self.key is None or self.kind is None:
            self.notify("Open a key first.", severity="warning")
            return None
        if self.kind not in ADDABLE:
            self.notify(f"A {self.kind} has no fields or elements to edit.", severity="warning")
            return None
        if not jobs.writable(self, self.keys, writing):
            return None
        return self.key, self.kind, self.row_cells(self.cursor_row)

    def _row(
        self, writing: str, kinds: tuple[str, ...] = EDITABLE
    ) -> tuple[bytes, str, tuple[Cell, ...]] | None:
        shown = self._shown(writing)
        if shown is None:
            return None
        key, kind, row = shown
        if kind not in kinds:
            self.notify(
                "Stream entries are added (a) and removed (x), not changed.", severity="warning"
            )
            return None
        if row is None:
            self.notify("Highlight a row first.", severity="warning")
            return None
        return key, kind, row

    def action_edit_member(self) -> None:
        """Change the highlighted row's value, element, member or score."""
        picked = self._row("Changing an element")
        if picked is not None:
            self.app.push_screen(edit_form(*picked), self._apply)

    def action_add_member(self) -> None:
        """Add a field, element, member or stream entry to the shown key."""
        shown = self._shown("Adding an element")
        if shown is not None:
            form = add_form(shown[0], shown[1], self.keys.split_words)
            self.app.push_screen(form, self._apply)

    def action_remove_member(self) -> None:
        """Remove the highlighted field, element, member or stream entry after a confirmation."""
        picked = self._row("Removing an element", REMOVABLE)
        if picked is None:
            return
        key, kind, row = picked
        edit = remove_edit(key, kind, row)
        first = cell_bytes(row[0])
        what = f"#{first.decode()}" if kind == "list" else format_key(first)
        detail = printable(cell_bytes(row[-1]))[:300] if kind in ("hash", "list", "stream") else ""
        self.app.push_screen(
            ConfirmScreen(f"Remove {NOUNS[kind]} {what} from {format_key(key)}?", detail),
            lambda ok: self._apply(edit) if ok else None,
        )

    def _apply(self, edit: MemberEdit | None) -> None:
        if edit is not None:
            job = partial(jobs.edit_member, self.post_message, self.keys, edit)
            description = f"{edit.op} {NOUNS.get(edit.type, 'element')}"
            self.run_worker(
                job, thread=True, group="write", description=description, exit_on_error=False
            )
