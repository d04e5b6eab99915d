"""The document viewer for stored MongoDB documents: the value tree plus edit, insert, delete."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from textual.binding import Binding
from textual.widgets import Tree

from dbtui.core.values import format_value
from dbtui.ui.screens.document_actions import (
    DocumentPlace,
    ask_delete,
    copy_document,
    open_edit,
    open_insert,
)
from dbtui.ui.screens.value_viewer import ValueScreen

Doc = dict[str, Any]
OnChange = Callable[[object, Doc | None], None]
"""Told ``(_id, new version)`` after an edit, ``(_id, None)`` after a delete."""


class DocumentScreen(ValueScreen):
    """A document from a find, shown as a tree, that can be edited, deleted or copied.

    Args:
        title: The viewer's title ("document 3").
        document: The document as shown in the results (it must have an ``_id``).
        place: Where it is stored.
        on_change: Told about edits and deletes, to refresh the results row.
    """

    BINDINGS = [
        Binding("e", "edit", "Edit", id="document.edit", tooltip="Edit the stored document"),
        Binding(
            "i", "insert", "Insert", id="document.insert", tooltip="Insert a new document here"
        ),
        Binding("d", "delete", "Delete", id="document.delete", tooltip="Delete it (asks first)"),
        Binding(
            "Y",
            "copy_json",
            "Copy EJSON",
            id="document.copy_json",
            tooltip="Copy the document as relaxed Extended JSON",
        ),
    ]

    HINT = "e edit · i insert · d delete · y copy · Y Extended JSON · Esc close"

    def __init__(
        self, title: str, document: Mapping[str, Any], place: DocumentPlace, on_change: OnChange
    ) -> None:
        super().__init__(title, document)
        self.place = place
        self.document_id = document["_id"]
        self._on_change = on_change

    def action_edit(self) -> None:
        """Edit the server's current version; the tree shows the saved one."""
        open_edit(self, self.place, self.document_id, self._edited)

    def _edited(self, document: Doc | None) -> None:
        self._on_change(self.document_id, document)
        if document is None:
            self.dismiss()
            return
        self.call_later(self._show, document)

    async def _show(self, document: Doc) -> None:
        self.value = document
        self.text = format_value(document, "", pretty=True)
        await self.recompose()
        self.query_one(Tree).focus()

    def action_insert(self) -> None:
        """Insert a new document into the same collection."""
        open_insert(self, self.place)

    def action_delete(self) -> None:
        """Delete this document after a confirmation, then close."""
        assert isinstance(self.value, Mapping)
        ask_delete(self, self.place, self.value, self._deleted)

    def _deleted(self, existed: bool) -> None:
        self.notify("Deleted." if existed else "It was already gone.")
        self._on_change(self.document_id, None)
        self.dismiss()

    def action_copy_json(self) -> None:
        """Copy the document as relaxed Extended JSON."""
        assert isinstance(self.value, Mapping)
        copy_document(self, self.place, self.value)
