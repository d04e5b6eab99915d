"""Document and index editing for the UI: validated before anything is sent.

Documents may be given as mappings or as relaxed-syntax text (what the user
typed in the edit buffer, see :func:`~.export.to_shell`); text is parsed with
:func:`~.syntax.parse_document` first, so a typo is a
:class:`~.syntax.MongoSyntaxError` with its position and nothing reaches the
server. The driver checks read-only mode before calling these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.collection import Collection

from dbtui.core.errors import QueryError
from dbtui.drivers.mongo.connection import CLIENT_ERRORS, translate
from dbtui.drivers.mongo.export import to_shell
from dbtui.drivers.mongo.syntax import parse_document

Doc = dict[str, Any]
DocumentInput = Mapping[str, Any] | str
"""A document as a mapping or as relaxed-syntax text."""
INDEX_DIRECTIONS = (1, -1, "text", "2d", "2dsphere", "hashed")
"""Accepted values in an index key pattern."""


def as_document(value: DocumentInput) -> Doc:
    """``value`` as a dict, parsing text.

    Raises:
        MongoSyntaxError: the text is not one relaxed document.
    """
    if isinstance(value, str):
        return parse_document(value)
    return dict(value)


def _check_replacement(doc: Doc, id_: object) -> None:
    operators = [key for key in doc if str(key).startswith("$")]
    if operators:
        raise QueryError(
            f"a replacement document cannot hold operators ({', '.join(operators)})",
            hint="Edit the field values directly; use updateOne in the editor for $set/$inc.",
        )
    if "_id" in doc and doc["_id"] != id_:
        raise QueryError(
            f"_id cannot change (was {to_shell(id_)}, now {to_shell(doc['_id'])})",
            hint="Insert a copy with the new _id and delete the old document instead.",
        )


def insert_document(collection: Collection[Doc], doc: DocumentInput) -> object:
    """Insert ``doc`` and return its ``_id`` (generated when missing)."""
    document = as_document(doc)
    try:
        return collection.insert_one(document).inserted_id
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"insert into {collection.full_name}") from None


class DocumentChangedError(QueryError):
    """A compare-and-swap save found the document changed by someone else."""

    default_title = "Changed meanwhile"


def replace_document(
    collection: Collection[Doc],
    id_: object,
    doc: DocumentInput,
    original: Mapping[str, Any] | None = None,
) -> None:
    """Replace the document whose ``_id`` is ``id_`` with ``doc`` (same ``_id``).

    With ``original`` (the document as it was read when the edit began), the
    replace is a compare-and-swap: it only matches while the stored document
    is still exactly ``original`` (every field, in order, compared by the
    server with ``$expr``/``$$ROOT``; the original is wrapped in ``$literal``
    so none of its values is read as an operator or a field path). Another
    client's change in between is then reported, never overwritten.

    Raises:
        DocumentChangedError: ``original`` was given and the stored document is
            no longer equal to it.
        QueryError: ``doc`` holds operators or another ``_id``, no document has
            that ``_id`` any more, or the server refused (validator, unique index).
    """
    document = as_document(doc)
    _check_replacement(document, id_)
    condition: Doc = {"_id": id_}
    if original is not None:
        condition["$expr"] = {"$eq": ["$$ROOT", {"$literal": dict(original)}]}
    try:
        result = collection.replace_one(condition, document)
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"replace in {collection.full_name}") from None
    if result.matched_count == 1:
        return
    if original is not None and find_document(collection, id_) is not None:
        raise DocumentChangedError(
            f"the document with _id {to_shell(id_)} in {collection.full_name} changed since "
            "you opened it; nothing was saved",
            hint="Your text is kept. Copy what you need, press Esc and edit the document "
            "again to start from its new version (reload).",
        )
    raise QueryError(
        f"no document with _id {to_shell(id_)} in {collection.full_name} (deleted meanwhile?)"
    )


def delete_document(collection: Collection[Doc], id_: object) -> bool:
    """Delete the document whose ``_id`` is ``id_``; False when there was none."""
    try:
        return collection.delete_one({"_id": id_}).deleted_count == 1
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"delete from {collection.full_name}") from None


def find_document(collection: Collection[Doc], id_: object) -> Doc | None:
    """The current version of the document whose ``_id`` is ``id_``, or ``None``."""
    try:
        return collection.find_one({"_id": id_})
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"find in {collection.full_name}") from None


def index_keys(keys: Mapping[str, Any] | Sequence[tuple[str, Any]] | str) -> list[tuple[str, Any]]:
    """A key pattern as pymongo pairs, checked (order kept).

    Raises:
        QueryError: empty, or a direction other than :data:`INDEX_DIRECTIONS`.
        MongoSyntaxError: text that does not parse.
    """
    if isinstance(keys, str):
        keys = parse_document(keys)
    pairs = list(keys.items()) if isinstance(keys, Mapping) else list(keys)
    if not pairs:
        raise QueryError("an index needs at least one key")
    for field, direction in pairs:
        if isinstance(direction, float) and direction.is_integer():
            direction = int(direction)
        if direction not in INDEX_DIRECTIONS or isinstance(direction, bool):
            raise QueryError(
                f"index direction {to_shell(direction)} of {field!r} is not one of 1, -1, "
                '"text", "2d", "2dsphere", "hashed"'
            )
    return [(str(f), int(d) if isinstance(d, float) else d) for f, d in pairs]


def create_index(
    collection: Collection[Doc],
    keys: Mapping[str, Any] | Sequence[tuple[str, Any]] | str,
    options: Mapping[str, Any] | str | None = None,
) -> str:
    """Create an index and return its name.

    ``options`` are MongoDB's (``name``, ``unique``, ``sparse``,
    ``partialFilterExpression``, ``expireAfterSeconds``, ``hidden``,
    ``collation``...), as a mapping or relaxed text.
    """
    pairs = index_keys(keys)
    extra = as_document(options) if options is not None else {}
    try:
        return collection.create_index(pairs, **extra)
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"createIndex on {collection.full_name}") from None


def drop_index(collection: Collection[Doc], name: str) -> None:
    """Drop the index called ``name`` (``_id_`` cannot be dropped)."""
    if name == "_id_":
        raise QueryError("the _id index cannot be dropped")
    try:
        collection.drop_index(name)
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"dropIndex on {collection.full_name}") from None
