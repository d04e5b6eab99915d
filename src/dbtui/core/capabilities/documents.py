"""Document editing: a driver whose results are documents stored in named collections.

A result that can be edited is a :class:`~dbtui.core.results.DocumentsResult` with a
``namespace`` (``(database, collection)``); its documents are addressed by ``_id``.
The UI shows the edit, insert, delete and copy actions (and the pipeline editor, see
:mod:`.pipelines`) only for a driver that has these members.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

Doc = dict[str, Any]


@runtime_checkable
class DocumentText(Protocol):
    """The engine's text form of documents: written for the edit buffer, read back exactly.

    ``parse_document_text(document_text(d)) == d`` for every document ``d`` the
    engine stores (every value type round-trips).
    """

    def document_text(self, value: object, *, indent: int | None = None) -> str:
        """``value`` in the edit-buffer syntax; one line when ``indent`` is None."""
        ...

    def parse_document_text(self, text: str) -> Doc:
        """One document typed in the edit-buffer syntax; never evaluated as code.

        Raises:
            QueryError: not one valid document; ``position`` points at the problem.
        """
        ...

    def document_json(self, document: Mapping[str, Any]) -> str:
        """``document`` as interchange JSON (what "copy" puts on the clipboard)."""
        ...


@runtime_checkable
class DocumentEditing(DocumentText, Protocol):
    """Read, replace, insert and delete single documents by ``_id`` (blocking: call in a worker).

    Every write raises :class:`~dbtui.core.errors.ReadOnlyError` on a read-only
    connection before anything is sent.
    """

    def find_document(self, database: str, collection: str, id_: object) -> Doc | None:
        """The stored version of the document ``id_``, or ``None`` when there is none."""
        ...

    def replace_document(
        self,
        database: str,
        collection: str,
        id_: object,
        doc: Doc,
        original: Mapping[str, Any] | None = None,
    ) -> None:
        """Replace document ``id_`` by ``doc``; with ``original``, only while it is unchanged.

        Raises:
            QueryError: the server refused, or the stored document no longer equals ``original``.
        """
        ...

    def insert_document(self, database: str, collection: str, doc: Doc) -> object:
        """Insert ``doc``; returns its ``_id``."""
        ...

    def delete_document(self, database: str, collection: str, id_: object) -> bool:
        """Delete document ``id_``; False when it was already gone."""
        ...
