"""Render database values as text, the same way for every engine.

Drivers hand the UI plain Python values (``Decimal`` for SQL numeric, ``dict``
and ``list`` for JSON, ``bytes`` for binary data...). :func:`format_value`
turns one of them into the text shown in a result cell or the cell viewer,
close to how the database itself would print it.

NULL: ``format_value(None)`` returns :data:`NULL_TEXT`, which is the same text
as the string ``'NULL'``. The caller tells them apart by testing
``value is None`` *before* formatting (and, say, dims the NULL cell); nothing
in the returned text can carry that difference.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence, Set
from decimal import Decimal
from typing import Protocol, TypeGuard, runtime_checkable
from uuid import UUID

NULL_TEXT = "NULL"
"""What :func:`format_value` returns for ``None`` (SQL NULL, JSON null, Redis nil)."""

JSON_TYPE_NAMES = frozenset({"json", "jsonb"})
"""Column type names whose values are rendered as JSON whatever their Python type."""

DOCUMENT_FIELD = "document field"
"""Type name of a field of a document (MongoDB): arrays and sub-documents render as JSON
(``[]``, ``[{"sku":"a"}]``), never as SQL arrays (``{}``); scalars render as usual."""

_ARRAY_SPECIAL = frozenset('{},"\\')


@runtime_checkable
class RangeLike(Protocol):
    """The attributes of a range value (psycopg's ``Range`` has them all)."""

    @property
    def isempty(self) -> bool: ...  # pragma: no cover - protocol

    @property
    def lower(self) -> object: ...  # pragma: no cover - protocol

    @property
    def upper(self) -> object: ...  # pragma: no cover - protocol

    @property
    def lower_inc(self) -> bool: ...  # pragma: no cover - protocol

    @property
    def upper_inc(self) -> bool: ...  # pragma: no cover - protocol


def format_value(value: object, type_name: str = "", *, pretty: bool = False) -> str:
    """Return the display text of one value.

    Args:
        value: A value as a driver returned it.
        type_name: The column's type name when known (``Column.type_name``).
            ``json``/``jsonb`` (and their arrays) make lists and scalars render
            as JSON rather than as SQL arrays and plain text;
            :data:`DOCUMENT_FIELD` makes arrays render as JSON arrays.
        pretty: Indent JSON over several lines (for the cell viewer); the
            default is compact JSON on one line (for table cells).

    Returns:
        The text. ``None`` gives :data:`NULL_TEXT`; see the module docstring.
    """
    base = type_name.strip().lower()
    if base == DOCUMENT_FIELD and isinstance(value, list | tuple):
        return to_json(value, pretty=pretty)
    if base.removesuffix("[]") in JSON_TYPE_NAMES:
        if base.endswith("[]") and isinstance(value, list):
            return _format_array(value, lambda item: to_json(item, pretty=pretty))
        return NULL_TEXT if value is None else to_json(value, pretty=pretty)
    return _format_scalar(value, pretty)


def _format_scalar(value: object, pretty: bool) -> str:
    """Format anything that is not a JSON column value."""
    text = _format_simple(value)
    if text is not None:
        return text
    if isinstance(value, Mapping):
        return to_json(value, pretty=pretty)
    if is_range(value):
        return format_range(value)
    if _is_multirange(value):
        assert isinstance(value, Sequence)
        return "{" + ",".join(format_range(item) for item in value) + "}"
    if isinstance(value, list | tuple | Set):
        return _format_array(value, lambda item: _format_scalar(item, pretty))
    return str(value)


def _format_simple(value: object) -> str | None:
    """Format the scalar types; ``None`` when ``value`` is not one of them."""
    if value is None:
        return NULL_TEXT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return format_interval(value)
    if isinstance(value, UUID):
        return str(value)
    return None


def format_decimal(value: Decimal) -> str:
    """Exact positional notation: no float rounding, no exponent, scale kept.

    ``Decimal("1.50")`` gives ``1.50``; ``Decimal("1E-7")`` gives
    ``0.0000001``; NaN and infinities use PostgreSQL's spelling.
    """
    if value.is_nan():
        return "NaN"
    if value.is_infinite():
        return "-Infinity" if value < 0 else "Infinity"
    return format(value, "f")


def format_float(value: float) -> str:
    """Shortest round-tripping text; NaN and infinities as PostgreSQL prints them."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "-Infinity" if value < 0 else "Infinity"
    return repr(value)


def format_interval(value: dt.timedelta) -> str:
    """A duration in PostgreSQL's default interval style.

    Examples: ``3 days``, ``1 day 02:03:04``, ``00:00:01.5``,
    ``-1 days -02:00:00``. A negative duration is shown with both parts
    negative, as PostgreSQL prints ``-(1 day 2 hours)``.
    """
    total_us = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if total_us < 0 else ""
    days, rest_us = divmod(abs(total_us), 86_400_000_000)
    seconds, micros = divmod(rest_us, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    parts: list[str] = []
    if days:
        parts.append(f"{sign}{days} {'day' if days == 1 and not sign else 'days'}")
    if rest_us or not days:
        clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
        if micros:
            clock += f".{micros:06d}".rstrip("0")
        parts.append(f"{sign if rest_us else ''}{clock}")
    return " ".join(parts)


def is_range(value: object) -> TypeGuard[RangeLike]:
    """True for range values (psycopg ``Range`` or anything with the same attributes)."""
    return not isinstance(value, str | bytes | Mapping) and isinstance(value, RangeLike)


def format_range(value: RangeLike) -> str:
    """A range in PostgreSQL syntax: ``[1,10)``, ``(,5]``, ``empty``.

    A missing bound (``None``) is infinite and printed empty, as PostgreSQL
    does; bounds containing spaces, commas or brackets are double-quoted.
    """
    if value.isempty:
        return "empty"
    lower = "" if value.lower is None else _quote_bound(_format_scalar(value.lower, False))
    upper = "" if value.upper is None else _quote_bound(_format_scalar(value.upper, False))
    opening = "[" if value.lower_inc and value.lower is not None else "("
    closing = "]" if value.upper_inc and value.upper is not None else ")"
    return f"{opening}{lower},{upper}{closing}"


def _quote_bound(text: str) -> str:
    if text and not any(ch in text for ch in ' ,()[]"\\'):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_multirange(value: object) -> bool:
    """A sequence of ranges (psycopg ``Multirange``), printed as ``{[1,2),[5,6)}``."""
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Sequence):
        return False
    return bool(value) and all(is_range(item) for item in value)


def _format_array(items: object, render: _Renderer) -> str:
    """An array literal ``{a,b,NULL}``; nested lists give nested braces.

    Elements that are empty or contain braces, commas, quotes, backslashes,
    whitespace, or read ``NULL`` are double-quoted so the text is unambiguous.
    """
    assert isinstance(items, Sequence | Set)
    parts: list[str] = []
    for item in items:
        if item is None:
            parts.append(NULL_TEXT)
        elif isinstance(item, list | tuple):
            parts.append(_format_array(item, render))
        else:
            parts.append(_quote_element(render(item)))
    return "{" + ",".join(parts) + "}"


class _Renderer(Protocol):
    def __call__(self, item: object, /) -> str: ...  # pragma: no cover - protocol


def _quote_element(text: str) -> str:
    needs_quotes = (
        not text
        or text.upper() == NULL_TEXT
        or any(ch in _ARRAY_SPECIAL or ch.isspace() for ch in text)
    )
    if not needs_quotes:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_json(value: object, *, pretty: bool = False) -> str:
    """Serialise ``value`` as JSON text, keeping ``Decimal`` numbers exact.

    Non-JSON values inside (dates, UUIDs, bytes, ObjectIds...) become JSON
    strings holding their :func:`format_value` text.

    Args:
        value: dicts, lists, tuples, scalars.
        pretty: Two-space indentation over several lines instead of one compact line.
    """
    return _json(value, "  " if pretty else None, 0)


def _json(value: object, indent: str | None, depth: int) -> str:
    if value is None or isinstance(value, bool | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        text = _format_simple(value) or ""
        return text if finite else json.dumps(text)
    if isinstance(value, Mapping):
        pairs = [
            (json.dumps(str(key), ensure_ascii=False), _json(item, indent, depth + 1))
            for key, item in value.items()
        ]
        colon = ":" if indent is None else ": "
        return _json_container("{", "}", [f"{k}{colon}{v}" for k, v in pairs], indent, depth)
    if isinstance(value, list | tuple):
        items = [_json(item, indent, depth + 1) for item in value]
        return _json_container("[", "]", items, indent, depth)
    return json.dumps(_format_scalar(value, False), ensure_ascii=False)


def _json_container(
    opening: str, closing: str, items: list[str], indent: str | None, depth: int
) -> str:
    if not items:
        return opening + closing
    if indent is None:
        return opening + ",".join(items) + closing
    inner = "\n" + indent * (depth + 1)
    return opening + inner + ("," + inner).join(items) + "\n" + indent * depth + closing


# -- pgvector values in table cells ------------------------------------------------------------

VECTOR_TYPE_NAMES = frozenset({"vector", "halfvec", "sparsevec"})
"""pgvector's types: a cell shows a short preview and the dimension, never every number."""
VECTOR_PREVIEW_ITEMS = 3
"""Leading components (or non-zero entries) a vector cell shows."""


def vector_preview(
    value: object, type_name: str, *, items: int = VECTOR_PREVIEW_ITEMS
) -> str | None:
    """``[0.12, -0.5, 0.33, …] (128d)`` for a pgvector value; ``None`` for anything else.

    Args:
        value: The server's text of a ``vector``/``halfvec`` (``[1,2,3]``) or ``sparsevec``
            (``{1:0.5,7:2}/128``) value, as the PostgreSQL driver returns it.
        type_name: The column's type name (``vector`` or ``vector(128)``).
        items: Leading components shown.

    The numbers are rounded to 3 significant digits. Text that was cut before it got here
    (no closing bracket) shows ``(≥Nd)``, the components it did see. The whole value stays
    what the driver returned: the cell viewer formats it with :func:`format_value`.
    """
    base = type_name.split("(", 1)[0].strip().lower()
    if base not in VECTOR_TYPE_NAMES or not isinstance(value, str):
        return None
    text = value.strip()
    if base == "sparsevec":
        return _sparse_preview(text, items)
    if not text.startswith("["):
        return None
    whole = text.endswith("]")
    body = text[1 : -1 if whole else None]
    if not body.strip():
        return "[] (0d)"
    parts = body.split(",", items)
    count = body.count(",") + 1
    shown = ", ".join(_short_number(p) for p in parts[:items])
    more = ", …" if count > items else ""
    size = f"{count}d" if whole else f"≥{count - 1}d"
    return f"[{shown}{more}] ({size})"


def _sparse_preview(text: str, items: int) -> str | None:
    """``{1:0.5, 7:2, …} (128d, 12 non-zero)`` for sparsevec text ``{1:0.5,7:2,...}/128``."""
    if not text.startswith("{") or "}/" not in text:
        return None
    body, _, dims = text[1:].rpartition("}/")
    entries = [e for e in body.split(",", items) if e.strip()]
    nonzero = body.count(",") + 1 if body.strip() else 0
    shown = ", ".join(
        f"{key.strip()}:{_short_number(val)}"
        for key, _, val in (e.partition(":") for e in entries[:items])
    )
    more = ", …" if nonzero > items else ""
    return f"{{{shown}{more}}} ({dims.strip()}d, {nonzero} non-zero)"


def _short_number(text: str) -> str:
    """A component with 3 significant digits (``0.123456`` -> ``0.123``); as is if not a number."""
    try:
        return f"{float(text):.3g}"
    except ValueError:
        return text.strip()


def cell_text(value: object, type_name: str = "") -> str:
    """The text of a value in a table cell: :func:`format_value`, except that a pgvector
    value shows as :func:`vector_preview` (the viewer and exports keep the whole value).

    Call it on the value before clipping it, so the dimension is exact.
    """
    preview = vector_preview(value, type_name)
    return preview if preview is not None else format_value(value, type_name)
