"""Document actions shared by the Results tab and the document viewer: edit, insert, delete, copy.

Each action takes the screen it starts from (``host``: for notifications,
dialogs and the delete worker) and a :class:`DocumentPlace`. Writes go
through the driver's :class:`~dbtui.core.capabilities.DocumentEditing` API in
thread workers; on a read-only
connection they are refused before any dialog opens and nothing is sent (the
driver would refuse them too). Edits start from the server's current version
of the document, never from the row on screen: a find with a projection shows
partial documents, and replacing with one would drop the hidden fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from dbtui.core.capabilities import DocumentEditing
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError, ReadOnlyError
from dbtui.core.results import DocumentsResult, Result
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.document_editor import DocumentEditorScreen, Saved

Doc = dict[str, Any]
#: Characters of a document shown in the delete confirmation.
PREVIEW_CHARS = 400


@dataclass(frozen=True)
class DocumentPlace:
    """The collection some documents are stored in, and the driver that reaches it."""

    driver: DocumentEditing
    database: str
    collection: str
    read_only: bool = False
    """The connection refuses writes: every action is refused before anything is sent."""

    @property
    def name(self) -> str:
        """``database.collection``."""
        return f"{self.database}.{self.collection}"

    def text(self, value: object, *, indent: int | None = None) -> str:
        """``value`` in the driver's document syntax (one line when ``indent`` is None)."""
        return self.driver.document_text(value, indent=indent)


def place_of(driver: Driver | None, result: Result | None) -> DocumentPlace | None:
    """Where ``result``'s documents are stored, or ``None`` when they cannot be edited.

    Only a :class:`~dbtui.core.capabilities.DocumentEditing` driver's find results
    carry a namespace; aggregations, explains and other engines' results give ``None``.
    """
    if driver is None or not isinstance(result, DocumentsResult):
        return None
    if not isinstance(driver, DocumentEditing):
        return None
    if result.namespace is None:
        return None
    database, collection = result.namespace
    return DocumentPlace(driver, database, collection, driver.spec.read_only)


def writable(host: Screen[Any], place: DocumentPlace, action: str) -> bool:
    """False, with the refusal shown, on a read-only connection (nothing is sent)."""
    if not place.read_only:
        return True
    error = ReadOnlyError(f"{action} would change {place.name}; nothing was sent")
    host.notify(error.one_line(), severity="error", timeout=6)
    return False


def open_edit(
    host: Screen[Any], place: DocumentPlace, id_: object, on_saved: Callable[[Doc | None], None]
) -> None:
    """Edit the stored document ``id_``; ``on_saved`` gets its refreshed version after a save.

    The save only replaces the version the edit started from: when another
    client changed the document meanwhile, the editor shows that (its text kept).

    ``on_saved(None)`` means the save went through but the document is gone
    again (deleted by someone else in between).
    """
    if not writable(host, place, "editing a document"):
        return
    driver, database, collection = place.driver, place.database, place.collection
    loaded: list[Doc] = []  # the version the edit started from: the save's condition

    def load() -> str:
        current = driver.find_document(database, collection, id_)
        if current is None:
            raise DbtuiError(
                f"no document with _id {place.text(id_)} in {place.name} any more", "Not found"
            )
        loaded[:] = [current]
        return place.text(current, indent=2)

    def save(document: Doc) -> Doc | None:
        # Compare-and-swap: another client's change since the load is reported, not overwritten.
        driver.replace_document(database, collection, id_, document, original=loaded[0])
        return driver.find_document(database, collection, id_)

    def done(outcome: Saved | None) -> None:
        if outcome is not None:
            host.notify(f"Saved _id {place.text(id_)} in {place.name}.")
            on_saved(outcome.value if isinstance(outcome.value, dict) else None)

    title = f"Edit {place.name} · _id: {place.text(id_)}"
    host.app.push_screen(DocumentEditorScreen(title, load, save, driver, fixed_id=id_), done)


def open_insert(
    host: Screen[Any], place: DocumentPlace, on_inserted: Callable[[object], None] | None = None
) -> None:
    """Insert a new document typed into an empty ``{}`` buffer; ``on_inserted`` gets its ``_id``."""
    if not writable(host, place, "inserting a document"):
        return
    driver, database, collection = place.driver, place.database, place.collection

    def save(document: Doc) -> object:
        return driver.insert_document(database, collection, document)

    def done(outcome: Saved | None) -> None:
        if outcome is None:
            return
        host.notify(
            f"Inserted into {place.name} with _id {place.text(outcome.value)}"
            " (run the query again to see it)."
        )
        if on_inserted is not None:
            on_inserted(outcome.value)

    title = f"Insert into {place.name}"
    host.app.push_screen(DocumentEditorScreen(title, lambda: "{\n  \n}", save, driver), done)


def ask_delete(
    host: Screen[Any],
    place: DocumentPlace,
    document: Mapping[str, object],
    on_deleted: Callable[[bool], None],
) -> None:
    """Ask, then delete the document in a worker; ``on_deleted(False)`` if it was already gone."""
    id_ = document["_id"]
    if not writable(host, place, "deleting a document"):
        return
    driver = place.driver
    preview = place.text(dict(document))
    if len(preview) > PREVIEW_CHARS:
        preview = preview[: PREVIEW_CHARS - 1] + "…"

    def delete() -> None:
        try:
            gone = driver.delete_document(place.database, place.collection, id_)
        except DbtuiError as error:
            host.app.call_from_thread(host.notify, error.one_line(), severity="error", timeout=6)
            return
        host.app.call_from_thread(on_deleted, gone)

    def answer(yes: bool | None) -> None:
        if yes:
            host.run_worker(delete, thread=True, exit_on_error=False, description="delete document")

    question = f"Delete the document with _id {place.text(id_)} from {place.name}?"
    host.app.push_screen(ConfirmScreen(question, preview), answer)


def copy_document(host: Screen[Any], place: DocumentPlace, document: Mapping[str, Any]) -> None:
    """Copy ``document`` as the driver's interchange JSON (OSC 52 works over SSH)."""
    host.app.copy_to_clipboard(place.driver.document_json(document))
    host.notify("Copied the document as Extended JSON.", timeout=3)
