"""Schema inference from sampled documents (pure: documents in, report out, no I/O).

The rules follow Compass's analyser as described in the research notes: every
field path is counted with the BSON types of its values; nested documents
become child fields; arrays record their element types and lengths, and the
documents inside arrays contribute child fields under the array's path (so
``items.sku`` reads as it does in a MongoDB query).

Definitions (all counts refer to the sampled documents only):

* ``FieldSchema.count``: values seen at the path (each document inside an
  array counts once);
* ``FieldSchema.documents``: sampled documents holding the path at least once;
* ``FieldSchema.probability``: ``documents / sampled``, the share of sampled
  documents that have the field (1.0 = always present);
* ``TypeStat.share``: the type's share of the field's values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from bson import (
    Binary,
    Code,
    DatetimeMS,
    DBRef,
    Decimal128,
    Int64,
    MaxKey,
    MinKey,
    ObjectId,
    Regex,
    Timestamp,
)

from dbtui.drivers.mongo.export import to_shell

SAMPLES_PER_TYPE = 5
"""Distinct sample values kept per field and type."""
SAMPLE_TEXT_LIMIT = 60
"""Characters kept of each sample value (longer ones end with an ellipsis)."""
MAX_FIELDS = 2000
"""Field paths tracked at most; later new paths are ignored and the report is truncated."""
MAX_DEPTH = 20
"""Nesting depth below which sub-documents are no longer expanded."""


@dataclass(frozen=True)
class TypeStat:
    """One BSON type seen at a field path.

    Attributes:
        name: BSON type name ("String", "Int32", "Document", "Array", "Null"...).
        count: Values of this type.
        share: ``count`` as a share (0..1) of all values at the path.
        samples: Up to :data:`SAMPLES_PER_TYPE` distinct values as display text
            (strings as is, others in mongosh syntax), cut to :data:`SAMPLE_TEXT_LIMIT`.
            Empty for documents and arrays.
    """

    name: str
    count: int
    share: float
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArrayLengths:
    """Lengths of the arrays seen at a path."""

    minimum: int
    maximum: int
    average: float


@dataclass(frozen=True)
class FieldSchema:
    """One field path of the inferred schema (see the module docstring for the counts).

    Attributes:
        path: Dotted path from the document root, e.g. ``"items.sku"``.
        name: Last segment of the path.
        count: Values seen at the path.
        documents: Sampled documents holding the path.
        probability: ``documents / sampled`` (0..1).
        types: Types of the values, most frequent first.
        element_types: For arrays: types of their elements, most frequent first.
        array_lengths: For arrays: min/max/average length; ``None`` if no array was seen.
        fields: Child fields (of sub-documents and of documents inside arrays).
    """

    path: str
    name: str
    count: int
    documents: int
    probability: float
    types: tuple[TypeStat, ...]
    element_types: tuple[TypeStat, ...] = ()
    array_lengths: ArrayLengths | None = None
    fields: tuple[FieldSchema, ...] = ()

    @property
    def type_names(self) -> tuple[str, ...]:
        """Type names, most frequent first."""
        return tuple(t.name for t in self.types)

    def walk(self) -> Iterator[FieldSchema]:
        """This field and all its descendants, depth first."""
        yield self
        for child in self.fields:
            yield from child.walk()


@dataclass(frozen=True)
class SchemaReport:
    """The inferred schema of a sample.

    Attributes:
        sampled: Documents analysed.
        fields: Top-level fields (``_id`` first, then by name).
        truncated: More than :data:`MAX_FIELDS` paths: later new paths were dropped.
        source: How the sample was taken, e.g. ``"$sample of 1000"`` (empty when unknown).
        elapsed_ms: Time to sample and analyse, in milliseconds (0 when not measured).
    """

    sampled: int
    fields: tuple[FieldSchema, ...]
    truncated: bool = False
    source: str = ""
    elapsed_ms: float = 0.0

    def walk(self) -> Iterator[FieldSchema]:
        """Every field, depth first."""
        for field in self.fields:
            yield from field.walk()

    def field(self, path: str) -> FieldSchema | None:
        """The field at a dotted ``path``, or ``None``."""
        return next((f for f in self.walk() if f.path == path), None)


_TYPE_NAMES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    # Subclasses before their bases: bool is an int, Int64 is an int, Code is a
    # str, Binary is bytes. DBRef must come before Mapping-like checks.
    (bool, "Boolean"),
    (Int64, "Int64"),
    (float, "Double"),
    (Code, "Code"),
    (str, "String"),
    ((dt.datetime, DatetimeMS), "Date"),
    (ObjectId, "ObjectId"),
    (Decimal128, "Decimal128"),
    (uuid.UUID, "UUID"),
    ((Binary, bytes), "Binary"),
    ((Regex, re.Pattern), "Regex"),
    (Timestamp, "Timestamp"),
    (MinKey, "MinKey"),
    (MaxKey, "MaxKey"),
    (DBRef, "DBRef"),
    (Mapping, "Document"),
    ((list, tuple), "Array"),
)


def bson_type_name(value: object) -> str:
    """The BSON type name of a decoded value (Python ints are Int32 when they fit).

    Every BSON type pymongo decodes has its own name: ``Code`` (JavaScript, a
    ``str`` subclass) and ``CodeWithScope`` are not ``String``; ``Binary``
    subtype 4 (and :class:`uuid.UUID`) is ``UUID``, other subtypes ``Binary``;
    ``DBRef`` (also what a DBPointer decodes to) is not a ``Document``.
    """
    if value is None:
        return "Null"
    if isinstance(value, int) and not isinstance(value, bool | Int64):
        return "Int32" if -(2**31) <= value < 2**31 else "Int64"
    if isinstance(value, Binary) and value.subtype == 4:
        return "UUID"
    if isinstance(value, Code) and value.scope is not None:
        return "CodeWithScope"
    for kind, name in _TYPE_NAMES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _sample_text(value: object) -> str:
    if isinstance(value, Code):
        text = f"Code({json.dumps(str(value), ensure_ascii=False)})"
    elif isinstance(value, DBRef):
        text = f"DBRef({json.dumps(value.collection)}, {to_shell(value.id)})"
    elif isinstance(value, DatetimeMS):
        text = f"Date({int(value)})"
    elif isinstance(value, str):
        text = value
    else:
        text = to_shell(value)
    text = " ".join(text.split())
    return text if len(text) <= SAMPLE_TEXT_LIMIT else text[: SAMPLE_TEXT_LIMIT - 1] + "…"


class _TypeAcc:
    __slots__ = ("count", "samples")

    def __init__(self) -> None:
        self.count = 0
        self.samples: list[str] = []

    def add(self, name: str, value: object) -> None:
        self.count += 1
        if name in ("Document", "Array") or len(self.samples) >= SAMPLES_PER_TYPE:
            return
        text = _sample_text(value)
        if text not in self.samples:
            self.samples.append(text)


class _FieldAcc:
    __slots__ = ("children", "count", "documents", "elements", "last_doc", "lengths", "types")

    def __init__(self) -> None:
        self.count = 0
        self.documents = 0
        self.last_doc = -1
        self.types: dict[str, _TypeAcc] = {}
        self.elements: dict[str, _TypeAcc] = {}
        self.lengths: list[int] = []
        self.children: dict[str, _FieldAcc] = {}


class _Analyser:
    """Accumulates documents one at a time."""

    def __init__(self) -> None:
        self.root: dict[str, _FieldAcc] = {}
        self.sampled = 0
        self.paths = 0
        self.truncated = False

    def add(self, document: Mapping[str, object]) -> None:
        self._fields(self.root, document, self.sampled, 0)
        self.sampled += 1

    def _slot(self, fields: dict[str, _FieldAcc], key: str) -> _FieldAcc | None:
        acc = fields.get(key)
        if acc is None:
            if self.paths >= MAX_FIELDS:
                self.truncated = True
                return None
            acc = fields[key] = _FieldAcc()
            self.paths += 1
        return acc

    def _fields(
        self, fields: dict[str, _FieldAcc], doc: Mapping[str, object], index: int, depth: int
    ) -> None:
        for key, value in doc.items():
            acc = self._slot(fields, str(key))
            if acc is not None:
                self._value(acc, value, index, depth)

    def _value(self, acc: _FieldAcc, value: object, index: int, depth: int) -> None:
        acc.count += 1
        if acc.last_doc != index:
            acc.documents += 1
            acc.last_doc = index
        name = bson_type_name(value)
        acc.types.setdefault(name, _TypeAcc()).add(name, value)
        if depth >= MAX_DEPTH:
            return
        if isinstance(value, Mapping):
            self._fields(acc.children, value, index, depth + 1)
        elif isinstance(value, list | tuple):
            acc.lengths.append(len(value))
            for element in value:
                element_name = bson_type_name(element)
                acc.elements.setdefault(element_name, _TypeAcc()).add(element_name, element)
                if isinstance(element, Mapping):
                    self._fields(acc.children, element, index, depth + 1)


def _type_stats(types: dict[str, _TypeAcc]) -> tuple[TypeStat, ...]:
    total = sum(t.count for t in types.values()) or 1
    ordered = sorted(types.items(), key=lambda item: (-item[1].count, item[0]))
    return tuple(TypeStat(n, t.count, t.count / total, tuple(t.samples)) for n, t in ordered)


def _freeze(fields: dict[str, _FieldAcc], prefix: str, sampled: int) -> tuple[FieldSchema, ...]:
    def order(key: str) -> tuple[int, str, str]:
        return (0 if key == "_id" else 1, key.lower(), key)

    result: list[FieldSchema] = []
    for key in sorted(fields, key=order):
        acc = fields[key]
        path = f"{prefix}.{key}" if prefix else key
        lengths = acc.lengths
        result.append(
            FieldSchema(
                path=path,
                name=key,
                count=acc.count,
                documents=acc.documents,
                probability=acc.documents / sampled if sampled else 0.0,
                types=_type_stats(acc.types),
                element_types=_type_stats(acc.elements) if acc.elements else (),
                array_lengths=(
                    ArrayLengths(min(lengths), max(lengths), sum(lengths) / len(lengths))
                    if lengths
                    else None
                ),
                fields=_freeze(acc.children, path, sampled),
            )
        )
    return tuple(result)


def infer_schema(documents: Iterable[Mapping[str, object]]) -> SchemaReport:
    """Analyse ``documents`` (consumed once, streaming) and return their schema."""
    analyser = _Analyser()
    for document in documents:
        analyser.add(document)
    return SchemaReport(
        sampled=analyser.sampled,
        fields=_freeze(analyser.root, "", analyser.sampled),
        truncated=analyser.truncated,
    )
