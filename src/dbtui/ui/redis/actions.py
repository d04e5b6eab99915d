"""What the user does to keys in the browser: TTL, rename, delete, bulk delete, copy.

:class:`KeyActions` is the base of :class:`~dbtui.ui.redis.screen.RedisBrowserScreen`
and holds its key actions, so the screen module keeps to scanning and
navigation. Every write runs in a thread worker; on a read-only connection
the driver refuses it before anything is sent and the refusal is shown as
a notification.
"""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from dbtui.core.errors import DbtuiError
from dbtui.core.keytree import KeyTree, format_key
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.meta import KeyInfo
from dbtui.ui.redis import jobs
from dbtui.ui.redis.bindings import BROWSER_BINDINGS
from dbtui.ui.redis.dialogs import PERSIST, BulkDeleteDialog, RenameDialog, TtlDialog, ValueDialog
from dbtui.ui.redis.formatting import human_bytes
from dbtui.ui.redis.key_view import KeyTreeView
from dbtui.ui.redis.messages import KeyChanged
from dbtui.ui.redis.pages import COLUMNS
from dbtui.ui.redis.value_view import ValueViewer
from dbtui.ui.screens.dialogs import ConfirmScreen, HelpScreen


class KeyActions(Screen[None]):
    """Key actions of the browser screen (see the screen for the state they use)."""

    keyspace: Keyspace
    infos: dict[bytes, KeyInfo]
    tree_model: KeyTree
    flat_model: KeyTree
    match: bytes | None
    generation: int
    folder_flow: jobs.Flow
    dirty: bool

    @property
    def keys_view(self) -> KeyTreeView:
        """The key tree (or flat list) widget."""
        return self.query_one("#rb-keys", KeyTreeView)

    @property
    def viewer(self) -> ValueViewer:
        """The value pane."""
        return self.query_one("#rb-value", ValueViewer)

    @property
    def model(self) -> KeyTree:
        """The model the key widget shows (tree or flat)."""
        return self.keys_view.model

    def start_scan(self) -> None:
        """Scan again from the start (implemented by the screen)."""
        raise NotImplementedError

    # ----------------------------------------------------------------- helpers
    def target(self) -> bytes | None:
        """The key an action applies to: the row under the tree cursor, else the shown key."""
        key = self.keys_view.selected_key() if self.keys_view.has_focus else None
        key = key or self.viewer.key
        if key is None:
            self.notify("Select a key first.", severity="warning")
        return key

    def writable(self, action: str) -> bool:
        """False (with the driver's refusal shown) on a read-only connection."""
        try:
            self.keyspace.check_writable(action)
        except DbtuiError as error:
            self.notify(error.one_line(), severity="error", timeout=6)
            return False
        return True

    def _write(self, job: partial[None], description: str) -> None:
        self.run_worker(
            job, thread=True, group="write", description=description, exit_on_error=False
        )

    # ----------------------------------------------------------------- TTL
    def action_ttl(self) -> None:
        """Ask for a TTL (``persist`` removes it) and set it."""
        key = self.target()
        if key is None or not self.writable("Setting a TTL"):
            return
        info = self.infos.get(key)
        now = self.viewer.ttl_left() if self.viewer.key == key else (info.ttl_ms if info else None)
        self.app.push_screen(TtlDialog(key, now), partial(self._set_ttl, key))

    def _set_ttl(self, key: bytes, ttl_ms: int | None) -> None:
        if ttl_ms is None:
            return
        value = None if ttl_ms == PERSIST else ttl_ms
        self._write(partial(jobs.change_ttl, self.post_message, self.keyspace, key, value), "ttl")

    # ----------------------------------------------------------------- rename
    def action_rename(self) -> None:
        """Ask for a new name; an existing target is only replaced after a confirmation."""
        key = self.target()
        if key is None or not self.writable("Renaming a key"):
            return
        self.app.push_screen(RenameDialog(key), partial(self._rename, key, overwrite=False))

    def _rename(self, key: bytes, new: bytes | None, *, overwrite: bool) -> None:
        if new is None:
            return
        job = partial(jobs.rename, self.post_message, self.keyspace, key, new, overwrite)
        self._write(job, "rename")

    # ----------------------------------------------------------------- delete
    def action_delete(self) -> None:
        """Delete the key after a confirmation."""
        key = self.target()
        if key is None or not self.writable("Deleting keys"):
            return
        info = self.infos.get(key) if self.viewer.info is None else self.viewer.info
        detail = ""
        if info is not None and info.exists:
            detail = f"{info.type}, {human_bytes(info.memory)}"
            if info.length is not None:
                detail += f", length {info.length:,}"
        self.app.push_screen(
            ConfirmScreen(f"Delete {format_key(key)}?", detail),
            lambda ok: self._delete(key) if ok else None,
        )

    def _delete(self, key: bytes) -> None:
        self._write(partial(jobs.delete, self.post_message, self.keyspace, key), "delete")

    def action_bulk_delete(self) -> None:
        """Delete every key matching the filter's pattern: count first, ask, then delete."""
        pattern = self.match
        if not pattern:
            self.notify(
                "Type a pattern in the filter first (/), e.g. session:*", severity="warning"
            )
            return
        if not self.writable("Deleting keys by pattern"):
            return
        self.app.push_screen(BulkDeleteDialog(self.keyspace, pattern), self._bulk_done)

    def _bulk_done(self, deleted: int | None) -> None:
        if deleted:
            self.notify(f"Deleted {deleted:,} keys; scanning again.")
            self.viewer.show(None)
            self.start_scan()

    # ----------------------------------------------------------------- results of writes
    def on_key_changed(self, event: KeyChanged) -> None:
        """Report a write and bring the tree and the value pane up to date."""
        name = format_key(event.key)
        if event.error is not None:
            if event.exists and event.new_key is not None:
                self._ask_overwrite(event.key, event.new_key)
            else:
                self.notify(event.error.one_line(), severity="error", timeout=6)
            return
        self.notify(f"{name}: {event.summary}")
        if event.action == "ttl":
            self.infos.pop(event.key, None)
            if self.viewer.key == event.key:
                self.viewer.reload()
        elif event.action == "delete":
            self._forget(event.key)
        elif event.action == "rename" and event.new_key is not None:
            self._forget(event.key)
            self.tree_model.add([event.new_key])
            self.flat_model.add([event.new_key])
            self.keys_view.sync()
            self.keys_view.select_key(event.new_key)
            self.viewer.show(event.new_key)

    def _ask_overwrite(self, key: bytes, new: bytes) -> None:
        self.app.push_screen(
            ConfirmScreen(
                f"{format_key(new)} already exists. Replace it?",
                f"Renaming {format_key(key)} over it deletes its current value.",
            ),
            lambda ok: self._rename(key, new, overwrite=True) if ok else None,
        )

    def _forget(self, key: bytes) -> None:
        """Drop a key that no longer exists from models, rows and the value pane."""
        self.tree_model.remove(key)
        self.flat_model.remove(key)
        self.infos.pop(key, None)
        self.keys_view.remove_key(key)
        self.keys_view.sync()
        if self.viewer.key == key:
            self.viewer.show(None)

    # ----------------------------------------------------------------- clipboard
    def action_copy_key(self) -> None:
        """Copy the key name (escaped as shown when it is not printable UTF-8)."""
        key = self.target()
        if key is not None:
            self.app.copy_to_clipboard(format_key(key))
            self.notify(f"Copied the key name {format_key(key)}")

    def action_copy_value(self) -> None:
        """Copy the loaded string, or the highlighted row's value."""
        picked = self.viewer.selected_value()
        if picked is None:
            self.notify("No value loaded to copy.", severity="warning")
            return
        what, data = picked
        self.app.copy_to_clipboard(data.decode("utf-8", errors="backslashreplace"))
        self.notify(f"Copied the {what} ({human_bytes(len(data))})")

    # ----------------------------------------------------------------- value pane
    def action_more(self) -> None:
        """Load the next page of the shown value."""
        if not self.viewer.load_more():
            self.notify("Everything is loaded already.")

    def action_view_mode(self) -> None:
        """Cycle a string through text, JSON and hex."""
        if not self.viewer.cycle_mode():
            self.notify("Only strings have views (text / JSON / hex).")

    def action_other_end(self) -> None:
        """Read a list from the other end, or a stream the other way round."""
        if not self.viewer.toggle_end():
            self.notify("Only lists and streams are read from either end.")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a value row shows it in full."""
        viewer = self.viewer
        cells = viewer.row_cells(event.cursor_row)
        if cells is None or viewer.first is None or viewer.key is None:
            return
        columns = COLUMNS.get(viewer.first.type, ())
        shown = [
            (name, v if isinstance(v, bytes) else str(v))
            for name, v in zip(columns, cells, strict=False)
        ]
        self.app.push_screen(ValueDialog(format_key(viewer.key), shown))

    def action_help(self) -> None:
        """Show this screen's keys first, then those of the focused widget."""
        rows: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for binding in BROWSER_BINDINGS:
            assert isinstance(binding, Binding)
            rows.append((binding.key_display or binding.key, binding.description, binding.tooltip))
            seen.add(binding.key)
        for key, active in self.app.active_bindings.items():
            binding = active.binding
            if binding.description and active.enabled and key not in seen:
                rows.append((binding.key_display or key, binding.description, active.tooltip))
        self.app.push_screen(HelpScreen(rows))
