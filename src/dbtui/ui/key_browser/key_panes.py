"""The key list and the value pane side by side, and the actions on one key.

:class:`KeyPanes` composes :class:`~dbtui.ui.key_browser.key_list.KeyList` and
:class:`~dbtui.ui.key_browser.value_view.ValueViewer`, shows in the value pane the key the
list picks, and owns what is done to one key (the screen routes these keys here):
``t`` TTL, ``R`` rename, ``d`` delete, ``D`` bulk delete by the filter's pattern,
``y`` copy the name. They act on the row under the list's cursor when the list has
the focus, else on the shown key. Every write runs in a thread worker; on a read-only
connection the driver refuses it before anything is sent and the refusal is notified.
"""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.containers import Horizontal

from dbtui.core.capabilities.keys import KeyBrowser
from dbtui.core.keytree import format_key
from dbtui.ui.key_browser import jobs
from dbtui.ui.key_browser.dialogs import PERSIST, BulkDeleteDialog, RenameDialog, TtlDialog
from dbtui.ui.key_browser.formatting import human_bytes
from dbtui.ui.key_browser.key_list import KeyList
from dbtui.ui.key_browser.messages import KeyChanged, MemberChanged
from dbtui.ui.key_browser.value_view import ValueViewer
from dbtui.ui.screens.dialogs import ConfirmScreen


class KeyPanes(Horizontal):
    """Keys on the left, the shown key's value on the right.

    Args:
        keys: The database's key browser.
        delimiter: Separator that groups key names into folders.
    """

    def __init__(self, keys: KeyBrowser, delimiter: bytes, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys = keys
        self.delimiter = delimiter

    def compose(self) -> ComposeResult:
        yield KeyList(self.keys, self.delimiter, id="rb-keys")
        yield ValueViewer(self.keys, id="rb-value")

    @property
    def key_list(self) -> KeyList:
        """The key list."""
        return self.query_one("#rb-keys", KeyList)

    @property
    def viewer(self) -> ValueViewer:
        """The value pane."""
        return self.query_one("#rb-value", ValueViewer)

    # ----------------------------------------------------------------- between the two panes
    def on_key_list_show(self, event: KeyList.Show) -> None:
        """Show the key the list picked (once), and move to its value when asked."""
        if event.key is None or event.key != self.viewer.key:
            self.viewer.show(event.key)
        if event.focus:
            self.viewer.focus_body()

    def on_key_list_refreshed(self, _event: KeyList.Refreshed) -> None:
        """``r`` scanned again: read the shown value again too."""
        if self.viewer.key is not None:
            self.viewer.reload()

    def on_member_changed(self, event: MemberChanged) -> None:
        """An edit of the shown value (reported by the viewer): its facts are stale."""
        if event.error is None:
            self.key_list.forget_info(event.key)

    # ----------------------------------------------------------------- helpers
    def target(self) -> bytes | None:
        """The key an action applies to: the row under the list's cursor, else the shown key."""
        key_list = self.key_list
        key = key_list.selected_key() if key_list.has_focus else None
        key = key or self.viewer.key
        if key is None:
            self.notify("Select a key first.", severity="warning")
        return key

    def _write(self, job: partial[None], description: str) -> None:
        self.run_worker(
            job, thread=True, group="write", description=description, exit_on_error=False
        )

    # ----------------------------------------------------------------- keys (routed by the screen)
    def action_ttl(self) -> None:
        """Ask for a TTL (``persist`` removes it) and set it."""
        key = self.target()
        if key is None or not jobs.writable(self, self.keys, "Setting a TTL"):
            return
        info = self.key_list.infos.get(key)
        viewer = self.viewer
        now = viewer.ttl_left() if viewer.key == key else (info.ttl_ms if info else None)
        self.app.push_screen(TtlDialog(key, now), partial(self._set_ttl, key))

    def _set_ttl(self, key: bytes, ttl_ms: int | None) -> None:
        if ttl_ms is None:
            return
        value = None if ttl_ms == PERSIST else ttl_ms
        self._write(partial(jobs.change_ttl, self.post_message, self.keys, key, value), "ttl")

    def action_rename(self) -> None:
        """Ask for a new name; an existing target is only replaced after a confirmation."""
        key = self.target()
        if key is None or not jobs.writable(self, self.keys, "Renaming a key"):
            return
        self.app.push_screen(RenameDialog(key), partial(self._rename, key, overwrite=False))

    def _rename(self, key: bytes, new: bytes | None, *, overwrite: bool) -> None:
        if new is not None:
            job = partial(jobs.rename, self.post_message, self.keys, key, new, overwrite)
            self._write(job, "rename")

    def action_delete(self) -> None:
        """Delete the key after a confirmation."""
        key = self.target()
        if key is None or not jobs.writable(self, self.keys, "Deleting keys"):
            return
        shown = self.viewer.info
        info = self.key_list.infos.get(key) if shown is None else shown
        detail = ""
        if info is not None and info.exists:
            detail = f"{info.type}, {human_bytes(info.memory)}"
            if info.length is not None:
                detail += f", length {info.length:,}"
        self.app.push_screen(
            ConfirmScreen(f"Delete {format_key(key)}?", detail),
            lambda ok: (
                self._write(partial(jobs.delete, self.post_message, self.keys, key), "delete")
                if ok
                else None
            ),
        )

    def action_bulk_delete(self) -> None:
        """Delete every key matching the filter's pattern: count first, ask, then delete."""
        pattern = self.key_list.match
        if not pattern:
            self.notify(
                "Type a pattern in the filter first (/), e.g. session:*", severity="warning"
            )
            return
        if jobs.writable(self, self.keys, "Deleting keys by pattern"):
            self.app.push_screen(BulkDeleteDialog(self.keys, pattern), self._bulk_done)

    def _bulk_done(self, deleted: int | None) -> None:
        if deleted:
            self.notify(f"Deleted {deleted:,} keys; scanning again.")
            self.viewer.show(None)
            self.key_list.start_scan()

    def action_copy_key(self) -> None:
        """Copy the key name (escaped as shown when it is not printable UTF-8)."""
        key = self.target()
        if key is not None:
            self.app.copy_to_clipboard(format_key(key))
            self.notify(f"Copied the key name {format_key(key)}")

    # ----------------------------------------------------------------- results of writes
    def on_key_changed(self, event: KeyChanged) -> None:
        """Report a write and bring the list and the value pane up to date."""
        if event.error is not None:
            if event.exists and event.new_key is not None:
                self._ask_overwrite(event.key, event.new_key)
            else:
                self.notify(event.error.one_line(), severity="error", timeout=6)
            return
        self.notify(f"{format_key(event.key)}: {event.summary}")
        if event.action == "ttl":
            self.key_list.forget_info(event.key)
            if self.viewer.key == event.key:
                self.viewer.reload()
        elif event.action == "delete":
            self._forget(event.key)
        elif event.action == "rename" and event.new_key is not None:
            self._forget(event.key)
            self.key_list.add_key(event.new_key)
            self.key_list.select_key(event.new_key)
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
        """Drop a key that no longer exists from the list and the value pane."""
        self.key_list.forget(key)
        if self.viewer.key == key:
            self.viewer.show(None)
