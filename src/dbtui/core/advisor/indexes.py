"""Index specifications, their DDL, and whether an existing index already serves one.

A candidate index is an :class:`IndexSpec`: table, ordered keys (columns or
expressions, each with an optional operator class), access method, and an
optional predicate and INCLUDE list. Existing indexes are :class:`ExistingIndex`
records whose keys are the server's own rendering of each key
(``pg_get_indexdef(oid, k, true)``). Keys are compared after :func:`normal_key`,
so ``lower("email")`` and ``lower(email)`` match. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_SIMPLE_IDENT = re.compile(r"^[a-z_][a-z0-9_$]*$")
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')
_UNORDERED_METHODS = frozenset({"gin", "gist", "hnsw", "ivfflat", "brin", "bloom", "spgist"})
"""Methods whose key order does not matter for which queries they serve (a GIN index on
(a, b) answers a query on b alone just as well as one on a)."""

RESERVED = frozenset(
    [
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "current_catalog",
        "current_date",
        "current_role",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "localtime",
        "localtimestamp",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "placing",
        "primary",
        "references",
        "returning",
        "select",
        "session_user",
        "some",
        "symmetric",
        "system_user",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    ]
)


def quote_ident(name: str) -> str:
    """``name`` as a PostgreSQL (and SQLite) identifier, quoted only when needed."""
    if _SIMPLE_IDENT.match(name) and name not in RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def normal_key(text: str) -> str:
    """A key's text in a comparable form: quotes resolved, unquoted words lower-cased,
    spaces and redundant outer parentheses removed."""
    parts: list[str] = []
    last = 0
    for match in _QUOTED.finditer(text):
        parts.append(text[last : match.start()].lower())
        parts.append(match.group(1).replace('""', '"'))
        last = match.end()
    parts.append(text[last:].lower())
    flat = "".join("".join(part.split()) for part in parts)
    while flat.startswith("(") and flat.endswith(")") and _balanced(flat[1:-1]):
        flat = flat[1:-1]
    return flat


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += 1 if char == "(" else -1 if char == ")" else 0
        if depth < 0:
            return False
    return depth == 0


@dataclass(frozen=True)
class IndexKey:
    """One key of an index.

    Attributes:
        column: The column, when the key is a plain column.
        expression: The expression (``lower(email)``), when it is not a plain column.
        opclass: A non-default operator class (``vector_cosine_ops``), if any.
    """

    column: str | None = None
    expression: str | None = None
    opclass: str | None = None

    @property
    def sql(self) -> str:
        """The key as written in CREATE INDEX: ``col``, ``(lower(email))``, ``emb vector_l2_ops``."""
        text = quote_ident(self.column) if self.column is not None else f"({self.expression})"
        return f"{text} {self.opclass}" if self.opclass else text

    @property
    def label(self) -> str:
        """The key for display: the column name or the expression."""
        return self.column if self.column is not None else str(self.expression)

    @property
    def normal(self) -> str:
        """Comparable form (see :func:`normal_key`); plain columns keep their exact name."""
        return self.column if self.column is not None else normal_key(str(self.expression))


@dataclass(frozen=True)
class IndexSpec:
    """A candidate index.

    Attributes:
        table: Table name.
        schema: Its schema; ``None`` for engines without schemas (SQLite main).
        keys: Ordered keys.
        method: Access method (``btree``, ``gin``, ``hnsw``).
        where: Partial-index predicate, if any.
        include: Non-key columns carried for index-only scans.
    """

    table: str
    schema: str | None
    keys: tuple[IndexKey, ...]
    method: str = "btree"
    where: str | None = None
    include: tuple[str, ...] = ()

    @property
    def qualified_table(self) -> str:
        """The table as written in DDL (``schema.table`` when there is a schema)."""
        name = quote_ident(self.table)
        return f"{quote_ident(self.schema)}.{name}" if self.schema else name

    @property
    def labels(self) -> tuple[str, ...]:
        """Keys for display."""
        return tuple(key.label for key in self.keys)

    def ddl(self, *, concurrently: bool = True, name: str | None = None) -> str:
        """``CREATE INDEX [CONCURRENTLY] [name] ON table [USING m] (keys) ...``.

        Btree is written without ``USING`` (it is the default everywhere), so the
        same text also works for SQLite when there is no schema and no method.
        """
        words = ["CREATE INDEX"]
        if concurrently:
            words.append("CONCURRENTLY")
        if name:
            words.append(quote_ident(name))
        words.append(f"ON {self.qualified_table}")
        if self.method != "btree":
            words.append(f"USING {self.method}")
        words.append("(" + ", ".join(key.sql for key in self.keys) + ")")
        if self.include:
            words.append("INCLUDE (" + ", ".join(quote_ident(c) for c in self.include) + ")")
        if self.where:
            words.append(f"WHERE {self.where}")
        return " ".join(words)

    def leads(self, other: IndexSpec) -> bool:
        """True when this index's keys are a strict leading prefix of ``other``'s (same table
        and method): ``(a)`` leads ``(a, b)``."""
        return (
            self.table == other.table
            and self.schema == other.schema
            and self.method == other.method == "btree"
            and len(self.keys) < len(other.keys)
            and _normals(self.keys) == _normals(other.keys)[: len(self.keys)]
        )


def _normals(keys: Sequence[IndexKey]) -> tuple[str, ...]:
    return tuple(key.normal for key in keys)


@dataclass(frozen=True)
class ExistingIndex:
    """An index that exists on the table.

    Attributes:
        name: Index name.
        keys: Each key as the server renders it (column name or expression text).
        method: Access method.
        valid: False for an index a failed ``CREATE INDEX CONCURRENTLY`` left behind.
        partial: It has a WHERE predicate.
        unique: It is unique (or backs a primary key).
    """

    name: str
    keys: tuple[str, ...]
    method: str = "btree"
    valid: bool = True
    partial: bool = False
    unique: bool = False


def covering_index(spec: IndexSpec, existing: Iterable[ExistingIndex]) -> ExistingIndex | None:
    """The valid, non-partial existing index that already serves ``spec``, if any.

    A btree serves ``spec`` when ``spec``'s keys are a leading prefix of its keys (in
    order). For order-free methods (GIN, GiST, HNSW...) any index of the same method
    that holds every key of ``spec`` serves it.
    """
    wanted = _normals(spec.keys)
    for index in existing:
        if not index.valid or index.partial or index.method != spec.method:
            continue
        have = tuple(normal_key(key) for key in index.keys)
        if spec.method in _UNORDERED_METHODS:
            if set(wanted) <= set(have):
                return index
        elif have[: len(wanted)] == wanted:
            return index
    return None


def parse_index_keys(definition: str) -> tuple[str, tuple[str, ...]]:
    """(method, key texts) of a ``CREATE INDEX ... USING m (k1, k2) ...`` definition.

    Used on ``hypopg_get_indexdef()`` and ``pg_get_indexdef()`` output; the keys are
    split at top-level commas, so ``(lower(a), b)`` gives ``lower(a)`` and ``b``.
    Operator classes and DESC are kept in the key text.
    """
    match = re.search(r"\bUSING\s+(\w+)\s*\(", definition)
    if match is None:
        return "btree", ()
    depth, start, keys = 1, match.end(), []
    for pos in range(match.end(), len(definition)):
        char = definition[pos]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                keys.append(definition[start:pos].strip())
                break
        elif char == "," and depth == 1:
            keys.append(definition[start:pos].strip())
            start = pos + 1
    return match.group(1).lower(), tuple(keys)
