"""The Results tab: the result table, paging, export, and the stored-document actions.

With the results focused and a find result of a
:class:`~dbtui.core.capabilities.DocumentEditing` driver shown (a
:class:`~dbtui.core.results.DocumentsResult` with a ``namespace``): ``E`` edits the
document under the cursor, ``i`` inserts one, ``d`` deletes it (asks first), ``J`` copies
it as Extended JSON, and Enter opens it in :class:`~dbtui.ui.screens.document_viewer.DocumentScreen`
(same actions on ``e``/``i``/``d``/``Y``). ``A`` opens the pipeline editor (see
:mod:`dbtui.ui.widgets.documents.pipelines`). ``e`` exports the shown result. ``N`` shows
the nearest neighbours of the row under the cursor (see :mod:`.neighbours`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import TabPane

from dbtui.core.capabilities import sql_dialect_of
from dbtui.core.results import DocumentsResult, Result
from dbtui.ui import jobs
from dbtui.ui.export_job import ExportOutcome, source_of
from dbtui.ui.messages import PageFailed, PageFetched, StatementFailed
from dbtui.ui.screens.document_actions import (
    DocumentPlace,
    ask_delete,
    copy_document,
    open_edit,
    open_insert,
    place_of,
)
from dbtui.ui.screens.document_viewer import DocumentScreen
from dbtui.ui.screens.export_dialog import ExportScreen
from dbtui.ui.screens.value_viewer import ValueScreen
from dbtui.ui.widgets.documents.pipelines import open_pipeline_editor
from dbtui.ui.widgets.results import neighbours
from dbtui.ui.widgets.results.view import ResultsView, cell
from dbtui.ui.workbench import workbench_of

Doc = dict[str, Any]


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


class ResultsTab(TabPane):
    """The Results tab; its keys act on the result shown in it."""

    BINDINGS = [
        _binding("E", "edit_document", "Edit doc", "Edit the document under the cursor"),
        _binding("i", "insert_document", "Insert doc", "Insert a document in this collection"),
        _binding("d", "delete_document", "Delete doc", "Delete the document (asks first)"),
        _binding("J", "copy_document", "Copy EJSON", "Copy the document as Extended JSON"),
        _binding("A", "aggregate", "Aggregate", "Edit and run an aggregation pipeline"),
        Binding(
            "N",
            "neighbours",
            "Neighbours",
            show=False,
            id="results.neighbours",
            tooltip="Nearest neighbours of the row by its vector column, with distances",
        ),
    ]

    def compose(self) -> ComposeResult:
        yield ResultsView(id="results")

    @property
    def view(self) -> ResultsView:
        """The result table with its paging window."""
        return self.query_one(ResultsView)

    # ----------------------------------------------------------------- documents
    def _place(self, *, warn: bool = True) -> DocumentPlace | None:
        """Where the shown result's documents are stored, or ``None`` (with a warning)."""
        result = self.view.result
        owner = next((s for s in workbench_of(self).sessions if s.result is result), None)
        place = place_of(owner.driver if owner else None, result)
        if place is None and warn and isinstance(result, DocumentsResult):
            self.notify(
                "These documents are computed, not stored: run a find to edit documents.",
                severity="warning",
            )
        return place

    def _document(self) -> Mapping[str, Any] | None:
        """The document under the cursor when it has an ``_id`` (else a warning)."""
        view = self.view
        row = view.table.cursor_row
        item = view.items[row] if 0 <= row < len(view.items) else None
        if isinstance(item, Mapping) and "_id" in item:
            return item
        self.notify("No document with an _id under the cursor.", severity="warning")
        return None

    def action_edit_document(self) -> None:
        """Edit the document under the cursor (the server's current version)."""
        view, place = self.view, self._place()
        result, document = view.result, self._document() if place else None
        if place is None or document is None or result is None:
            return
        id_ = document["_id"]
        open_edit(self.screen, place, id_, lambda new: refresh_row(view, result, id_, new))

    def action_insert_document(self) -> None:
        """Insert a document into the shown result's collection."""
        place = self._place()
        if place is not None:
            open_insert(self.screen, place)

    def action_delete_document(self) -> None:
        """Delete the document under the cursor after a confirmation."""
        view, place = self.view, self._place()
        result, document = view.result, self._document() if place else None
        if place is None or document is None or result is None:
            return
        id_ = document["_id"]
        ask_delete(self.screen, place, document, lambda _: refresh_row(view, result, id_, None))

    def action_copy_document(self) -> None:
        """Copy the document under the cursor as the driver's interchange JSON."""
        place = self._place()
        document = self._document() if place else None
        if place is not None and document is not None:
            copy_document(self.screen, place, document)

    def action_aggregate(self) -> None:
        """Open the pipeline editor on the collection at hand (see :mod:`.pipelines`)."""
        open_pipeline_editor(self.screen, self.view.result)

    def on_results_view_open_value(self, event: ResultsView.OpenValue) -> None:
        """Show a cell or a document in full (a stored document with its edit keys)."""
        view, place = self.view, self._place(warn=False)
        result, value = view.result, event.value
        if place is None or result is None or not isinstance(value, Mapping) or "_id" not in value:
            self.app.push_screen(ValueScreen(event.title, event.value, event.type_name))
            return

        def changed(id_: object, new: Doc | None) -> None:
            refresh_row(view, result, id_, new)

        self.app.push_screen(DocumentScreen(event.title, value, place, changed))

    # ----------------------------------------------------------------- vectors
    def action_neighbours(self) -> None:
        """The row's nearest neighbours by its vector (see :mod:`.neighbours`)."""
        neighbours.start(self, self.view)

    def on_neighbours_found(self, event: neighbours.NeighboursFound) -> None:
        """Run the row's k-nearest query like F5, or say why there is none."""
        neighbours.run(self, event)

    # ----------------------------------------------------------------- paging
    def on_results_view_need_more(self, event: ResultsView.NeedMore) -> None:
        """Fetch the next page in a worker."""
        active = workbench_of(self).active
        job = partial(jobs.fetch_more, self.post_message, active, event.result)
        self.run_worker(
            job,
            thread=True,
            group=f"page-{active}",
            description="fetch more rows",
            exit_on_error=False,
        )

    def on_page_fetched(self, event: PageFetched) -> None:
        """Append a page if it belongs to the result still on screen."""
        if self.view.result is event.result:
            self.view.append(event.page)

    def on_page_failed(self, event: PageFailed) -> None:
        """A page could not be read: stop loading that result; the screen reports the error."""
        if self.view.result is event.result:
            self.view.page_failed(event.error.one_line())
        self.post_message(StatementFailed(event.session_index, "(fetching more rows)", event.error))

    # ----------------------------------------------------------------- export
    def on_results_view_export(self, event: ResultsView.Export) -> None:
        """Open the export dialog on the shown result."""
        view, bench = self.view, workbench_of(self)
        owner = next((s for s in bench.sessions if s.result is event.result), bench.session)
        if owner.busy or view.fetching:
            self.notify("Wait for the running statement or page to finish.", severity="warning")
            return
        source = source_of(event.result, view.items, sql_dialect_of(owner.driver), owner.driver)
        if source is None:
            self.notify("Nothing to export: the statement returned no rows.", severity="warning")
            return
        if source.stream is not None and source.stream.fetched != len(source.loaded):
            self.notify(
                "An earlier export already read this result past the rows shown: "
                "run the statement again (F5) to export it.",
                severity="warning",
                timeout=6,
            )
            return
        noun = "documents" if source.documents else "rows"
        what = f"{len(source.loaded):,} {noun}"
        self.app.push_screen(ExportScreen(source, what), partial(self._exported, event.result))

    def export(self) -> None:
        """Export the shown result (``e`` in the results does the same)."""
        if self.view.result is None:
            self.notify("Nothing to export yet: run a statement first (F5).", severity="warning")
            return
        self.view.action_export()

    def _exported(self, result: Result, outcome: ExportOutcome | None) -> None:
        if self.view.result is result:
            self.view.note_export()
        if outcome is None:
            return
        if outcome.text is not None:
            self.app.copy_to_clipboard(outcome.text)
            size = len(outcome.text.encode("utf-8"))
            self.notify(f"Copied {outcome.count:,} rows ({size:,} bytes) to the clipboard.")
        else:
            self.notify(f"Exported {outcome.count:,} rows to {outcome.path}.", timeout=6)
