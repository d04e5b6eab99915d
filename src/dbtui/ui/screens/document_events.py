"""Document actions of the main screen's Results tab, and the pipeline editor.

With the results table focused and a MongoDB find result shown (a
:class:`~dbtui.core.results.DocumentsResult` with a ``namespace``):
``E`` edits the document under the cursor, ``i`` inserts one, ``d`` deletes it
(asks first), ``J`` copies it as relaxed Extended JSON. Enter opens the
document in :class:`~.document_viewer.DocumentScreen` (see
:meth:`DocumentEvents.document_viewer`), which has the same actions on
``e``/``i``/``d``/``Y``. ``A`` (or the palette) opens the pipeline
editor on the collection of the statement under the editor cursor, of the
shown result, or of the catalog's selection. Anywhere else these keys are
left to the focused widget (the actions raise ``SkipAction``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from textual.actions import SkipAction
from textual.binding import Binding
from textual.coordinate import Coordinate

from dbtui.core.errors import QueryError
from dbtui.core.results import DocumentsResult, Result
from dbtui.ui.driver_kinds import is_mongo
from dbtui.ui.screens.catalog_events import CatalogEvents
from dbtui.ui.screens.document_actions import (
    DocumentPlace,
    ask_delete,
    copy_document,
    open_edit,
    open_insert,
    place_of,
)
from dbtui.ui.screens.document_viewer import DocumentScreen
from dbtui.ui.screens.pipeline_editor import (
    PipelineEditorScreen,
    PipelineRequest,
    aggregate_command,
    collection_ref,
    stage_text,
)
from dbtui.ui.widgets.results_view import ResultsView, cell

Doc = dict[str, Any]

if TYPE_CHECKING:
    from dbtui.drivers.mongo.commands import MongoCommand
    from dbtui.drivers.mongo.driver import MongoDriver


def _binding(key: str, action: str, description: str, tooltip: str) -> Binding:
    return Binding(key, action, description, show=False, id=f"documents.{action}", tooltip=tooltip)


def find_row(view: ResultsView, id_: object) -> int | None:
    """Index of the loaded document whose ``_id`` is ``id_``, if any."""
    for index, item in enumerate(view.items):
        if isinstance(item, Mapping) and "_id" in item and item["_id"] == id_:
            return index
    return None


def refresh_row(view: ResultsView, result: Result, id_: object, document: Doc | None) -> None:
    """Show ``document`` in place of the row with ``_id`` ``id_``; ``None`` removes the row.

    Does nothing when the view shows another result by now.
    """
    row = find_row(view, id_) if view.result is result else None
    if row is None:
        return
    table = view.table
    if document is None:
        del view.items[row]
        table.remove_row(table.coordinate_to_cell_key(Coordinate(row, 0)).row_key)
        return
    view.items[row] = document
    for column, key in enumerate(table.columns.values()):
        table.update_cell_at(Coordinate(row, column), cell(document.get(str(key.label))))


class DocumentEvents(CatalogEvents):
    """Edit, insert, delete and copy documents; the pipeline editor."""

    BINDINGS = [
        _binding("E", "edit_document", "Edit doc", "Edit the document under the cursor"),
        _binding("i", "insert_document", "Insert doc", "Insert a document in this collection"),
        _binding("d", "delete_document", "Delete doc", "Delete the document (asks first)"),
        _binding("J", "copy_document", "Copy EJSON", "Copy the document as Extended JSON"),
        _binding("A", "aggregate", "Aggregate", "Edit and run an aggregation pipeline"),
    ]

    # ----------------------------------------------------------------- documents
    def _results(self) -> tuple[ResultsView, Result | None, DocumentPlace | None]:
        """The results view, its result and where its documents are stored.

        Raises:
            SkipAction: the results table is not focused (the key is someone else's).
        """
        view = self.query_one(ResultsView)
        focused = self.focused
        if focused is None or (focused is not view and view not in focused.ancestors):
            raise SkipAction()
        result = view.result
        owner = next((s for s in self.sessions if s.result is result), None)
        place = place_of(owner.driver if owner else None, result)
        if place is None and isinstance(result, DocumentsResult):
            self.notify(
                "These documents are computed, not stored: run a find to edit documents.",
                severity="warning",
            )
        return view, result, place

    def _document(self, view: ResultsView) -> Mapping[str, Any] | None:
        """The document under the cursor when it has an ``_id`` (else a warning)."""
        row = view.table.cursor_row
        item = view.items[row] if 0 <= row < len(view.items) else None
        if isinstance(item, Mapping) and "_id" in item:
            return item
        self.notify("No document with an _id under the cursor.", severity="warning")
        return None

    def action_edit_document(self) -> None:
        """Edit the document under the cursor (the server's current version)."""
        view, result, place = self._results()
        document = self._document(view) if place else None
        if place is None or document is None or result is None:
            return
        id_ = document["_id"]
        open_edit(self, place, id_, lambda new: refresh_row(view, result, id_, new))

    def action_insert_document(self) -> None:
        """Insert a document into the shown result's collection."""
        _, _, place = self._results()
        if place is not None:
            open_insert(self, place)

    def action_delete_document(self) -> None:
        """Delete the document under the cursor after a confirmation."""
        view, result, place = self._results()
        document = self._document(view) if place else None
        if place is None or document is None or result is None:
            return
        id_ = document["_id"]
        ask_delete(self, place, document, lambda _: refresh_row(view, result, id_, None))

    def action_copy_document(self) -> None:
        """Copy the document under the cursor as relaxed Extended JSON."""
        view, _, place = self._results()
        document = self._document(view) if place else None
        if document is not None:
            copy_document(self, document)

    def document_viewer(self, event: ResultsView.OpenValue) -> DocumentScreen | None:
        """The viewer for a stored document (edit/insert/delete keys), or ``None`` for any value
        that is not one (a cell, a document of an aggregation, one without ``_id``)."""
        view = self.query_one(ResultsView)
        result = view.result
        owner = next((s for s in self.sessions if s.result is result), None)
        place = place_of(owner.driver if owner else None, result)
        value = event.value
        if place is None or result is None or not isinstance(value, Mapping) or "_id" not in value:
            return None

        def changed(id_: object, new: Doc | None) -> None:
            refresh_row(view, result, id_, new)

        return DocumentScreen(event.title, value, place, changed)

    # ----------------------------------------------------------------- aggregation
    def action_aggregate(self) -> None:
        """Open the pipeline editor; Run puts the aggregate in the editor and runs it."""
        driver = self.session.driver
        if not is_mongo(driver):
            self.notify("The pipeline editor is for MongoDB connections.", severity="warning")
            return
        statement = self.current_statement()
        command = self._parsed(driver, statement.text) if statement else None
        replace = None
        stages: list[str] = []
        disk = False
        if command is not None and command.operation == "aggregate" and statement is not None:
            replace = (statement.start, statement.end)
            pipeline = command.arg(0)
            if isinstance(pipeline, list):
                stages = [stage_text(stage) for stage in pipeline]
            options = command.arg(1) or {}
            disk = bool(options.get("allowDiskUse")) if isinstance(options, Mapping) else False
        database, collection = self._aggregate_target(driver, command)
        if collection is None:
            self.notify("Select a collection in the catalog first.", severity="warning")
            return
        ref = collection_ref(database, collection, driver.current_database)

        def run(request: PipelineRequest | None) -> None:
            if request is not None:
                self._run_pipeline(aggregate_command(ref, request), replace)

        screen = PipelineEditorScreen(f"{database}.{collection}", stages, disk)
        self.app.push_screen(screen, run)

    @staticmethod
    def _parsed(driver: MongoDriver, text: str) -> MongoCommand | None:
        try:
            return driver.parse(text)
        except QueryError:
            return None

    def _aggregate_target(
        self, driver: MongoDriver, command: MongoCommand | None
    ) -> tuple[str, str | None]:
        """The database and collection a new pipeline runs on."""
        if command is not None and command.collection is not None:
            return command.database or driver.current_database, command.collection
        shown = self.query_one(ResultsView).result
        if self.session.result is shown and isinstance(shown, DocumentsResult) and shown.namespace:
            return shown.namespace
        return driver.current_database, driver.current_collection

    def _run_pipeline(self, text: str, replace: tuple[int, int] | None) -> None:
        """Put ``text`` in the editor (over the statement it came from) and run it."""
        editor = self.editor()
        if replace is not None:
            locate = editor.plain_document.get_location_from_index
            editor.replace(text, locate(replace[0]), locate(replace[1]))
            offset = replace[0]
        else:
            current = editor.text.rstrip()
            editor.text = f"{current}\n\n{text}" if current else text
            offset = len(editor.text) - len(text)
        editor.move_cursor_to_offset(offset)
        editor.focus()
        self.call_later(self.run_action, "run")
