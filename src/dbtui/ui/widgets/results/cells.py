"""Result values as cells and clipboard text: escaped, clipped, never markup.

Pure functions shared by the results view, the export and the copy actions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text

from dbtui.core.values import format_value, to_json, vector_preview
from dbtui.ui.safe import safe_cell

#: Longest string or bytes value formatted for a cell (the cell shows far less anyway).
CLIP_LENGTH = 1024
#: Longest text shown in a cell; the full value is in the cell viewer.
CELL_WIDTH = 60

NULL = Text("NULL", style="dim italic")


def cell(value: object, type_name: str = "") -> Text:
    """A value as a table cell, escaped and never markup; NULL is styled apart from 'NULL'.

    Pass the whole value: a pgvector value becomes its short preview with its exact
    dimension (``[0.841, 0.909, 0.141, …] (128d)``, see
    :func:`~dbtui.core.values.cell_text`), which needs the whole text; anything else is
    :func:`clip`-ped before it is formatted.
    """
    if value is None:
        return NULL
    preview = vector_preview(value, type_name)
    text = preview if preview is not None else format_value(clip(value), type_name)
    return safe_cell(text, width=CELL_WIDTH)


def clip(value: object) -> object:
    """``value``, with a very long string or bytes value cut to :data:`CLIP_LENGTH` first.

    A cell shows at most :data:`CELL_WIDTH` characters, so formatting a 200 MB
    value whole (hex for bytes doubles it) would only waste time and memory.
    """
    if isinstance(value, str | bytes | bytearray) and len(value) > CLIP_LENGTH:
        return value[:CLIP_LENGTH]
    return value


def document_columns(documents: Sequence[Mapping[str, object]]) -> list[str]:
    """Top-level field names of a page of documents, in first-seen order."""
    seen: dict[str, None] = {}
    for document in documents:
        seen.update(dict.fromkeys(document))
    return list(seen)


def reply_rows(reply: object) -> tuple[list[str], list[tuple[object, ...]]]:
    """A Redis reply as table columns and rows (nested values stay one cell)."""
    if isinstance(reply, Mapping):
        return ["field", "value"], [(key, value) for key, value in reply.items()]
    if isinstance(reply, list | tuple | set | frozenset):
        return ["#", "value"], [(number, item) for number, item in enumerate(reply, 1)]
    return ["reply"], [(reply,)]


def clip_text(value: object, type_name: str = "") -> str:
    """A value as copied to the clipboard: its full text; NULL is empty."""
    if value is None:
        return ""
    if isinstance(value, Mapping | list):
        return to_json(value)
    return format_value(value, type_name)


def tsv_field(value: object, type_name: str = "") -> str:
    """A value for a tab-separated line: tabs and line breaks written ``\\t``, ``\\n``, ``\\r``.

    Meant for pasting (a spreadsheet, a chat); export is the exact, reversible way out.
    """
    text = clip_text(value, type_name)
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
