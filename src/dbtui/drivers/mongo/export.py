"""Turning documents back into text: Extended JSON for export, mongosh syntax for editing.

:func:`to_extended_json` is what the UI writes when exporting or copying a
result (relaxed Extended JSON, readable by ``mongoimport`` and by dbtui's
own parser). :func:`to_shell` writes the mongosh form (``ObjectId("...")``,
``ISODate("...")``) that :func:`~.syntax.parse_value` reads back to the same
BSON types, which makes it the edit-buffer format.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from bson import (
    Binary,
    Code,
    Decimal128,
    Int64,
    MaxKey,
    MinKey,
    ObjectId,
    Regex,
    Timestamp,
    json_util,
)
from bson.binary import UuidRepresentation

_RELAXED = json_util.RELAXED_JSON_OPTIONS.with_options(
    uuid_representation=UuidRepresentation.STANDARD
)
_PLAIN_KEY = re.compile(r"^[A-Za-z_$][\w$]*$")
_RE_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))


def to_extended_json(docs: Iterable[Mapping[str, Any]], *, indent: int | None = 2) -> str:
    """A JSON array of ``docs`` in relaxed Extended JSON (``{"$oid": ...}``, ``{"$date": ...}``)."""
    return json_util.dumps(list(docs), json_options=_RELAXED, indent=indent, ensure_ascii=False)


def document_to_extended_json(doc: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """One document in relaxed Extended JSON, for copying."""
    return json_util.dumps(doc, json_options=_RELAXED, indent=indent, ensure_ascii=False)


def _regex_flags(flags: int | str) -> str:
    if isinstance(flags, str):
        return flags
    return "".join(letter for flag, letter in _RE_FLAGS if flags & flag)


def _float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(value)
    return text if any(c in text for c in ".en") else text + ".0"


def _binary(value: Binary) -> str:
    if value.subtype == 4 and len(value) == 16:
        return f'UUID("{value.as_uuid()}")'
    return f'BinData({value.subtype}, "{base64.b64encode(bytes(value)).decode()}")'


def _scalar(value: object) -> str | None:
    """The mongosh text of a non-container value, or ``None`` for containers."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Int64):
        return f'NumberLong("{int(value)}")'
    if isinstance(value, int):
        return str(value) if -(2**31) <= value < 2**31 else f'NumberLong("{value}")'
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return f'ISODate("{utc.strftime("%Y-%m-%dT%H:%M:%S")}.{utc.microsecond // 1000:03d}Z")'
    if isinstance(value, ObjectId):
        return f'ObjectId("{value}")'
    if isinstance(value, Decimal128):
        return f'NumberDecimal("{value}")'
    if isinstance(value, uuid.UUID):
        return f'UUID("{value}")'
    if isinstance(value, Binary):
        return _binary(value)
    if isinstance(value, bytes):
        return f'BinData(0, "{base64.b64encode(value).decode()}")'
    return _special(value)


def _special(value: object) -> str | None:
    if isinstance(value, Regex | re.Pattern):
        pattern, flags = str(value.pattern), _regex_flags(value.flags)
        if "\n" in pattern or re.search(r"(?<!\\)/", pattern) or not pattern:
            return f"RegExp({json.dumps(pattern)}, {json.dumps(flags)})"
        return f"/{pattern}/{flags}"
    if isinstance(value, Timestamp):
        return f"Timestamp({value.time}, {value.inc})"
    if isinstance(value, MinKey):
        return "MinKey()"
    if isinstance(value, MaxKey):
        return "MaxKey()"
    if isinstance(value, Code):
        return "{$code: " + json.dumps(str(value)) + "}"
    if isinstance(value, Mapping | list | tuple):
        return None
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: object) -> str:
    text = str(key)
    return text if _PLAIN_KEY.match(text) else json.dumps(text, ensure_ascii=False)


def to_shell(value: object, *, indent: int | None = None, _level: int = 0) -> str:
    """``value`` written in mongosh syntax that :func:`~.syntax.parse_value` reads back.

    Integral floats keep a ``.0`` and 64-bit integers become ``NumberLong``
    so that a round trip keeps every BSON type. ``indent`` spreads documents
    and arrays over several lines (for an edit buffer); ``None`` keeps one line.
    """
    scalar = _scalar(value)
    if scalar is not None:
        return scalar
    if isinstance(value, Mapping):
        items = [
            f"{_key(k)}: {to_shell(v, indent=indent, _level=_level + 1)}" for k, v in value.items()
        ]
        return _wrap("{", items, "}", indent, _level)
    assert isinstance(value, list | tuple)
    items = [to_shell(v, indent=indent, _level=_level + 1) for v in value]
    return _wrap("[", items, "]", indent, _level)


def _wrap(opening: str, items: list[str], closing: str, indent: int | None, level: int) -> str:
    if not items:
        return opening + closing
    if indent is None:
        return opening + ", ".join(items) + closing
    inner = " " * (indent * (level + 1))
    outer = " " * (indent * level)
    return opening + "\n" + ",\n".join(inner + item for item in items) + "\n" + outer + closing
