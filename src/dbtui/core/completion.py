"""Completion candidates for the editor: SQL (from a catalog snapshot), Redis, MongoDB.

Pure functions, no I/O: the UI builds a :class:`CatalogSnapshot` in a worker
(``build_snapshot(driver)``, per driver), swaps it in when ready, and calls
:func:`complete_sql` / :func:`complete_redis` / :func:`complete_mongo` with
the editor text and cursor offset. Each returns :class:`Completions`: the
span ``[start, end)`` of the text the chosen candidate replaces, and the
candidates best first.

Matching is case-insensitive: names starting with the typed prefix come
first, then names containing it (for prefixes of two characters or more).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dbtui.core.completion_words import (
    MONGO_METHODS,
    MONGO_OPERATORS,
    RESERVED,
    SQL_FUNCTIONS,
    SQL_KEYWORDS,
)
from dbtui.core.sql_context import Suggestion, suggest_type
from dbtui.core.sql_tokens import TableRef

__all__ = [
    "Candidate",
    "CatalogSnapshot",
    "Completions",
    "ForeignKey",
    "Suggestion",
    "TableRef",
    "complete_mongo",
    "complete_redis",
    "complete_sql",
    "quote_sql_name",
    "rank",
    "suggest_type",
]

DEFAULT_LIMIT = 200
_PLAIN_SQL = re.compile(r"[a-z_][a-z0-9_$]*")
_PLAIN_JS = re.compile(r"[A-Za-z_$][\w$]*")


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key, for join-condition completion.

    Attributes:
        schema: Schema (SQLite: database) of the referencing table.
        table: The referencing table.
        columns: Its referencing columns, in key order.
        ref_schema: Schema of the referenced table.
        ref_table: The referenced table.
        ref_columns: The referenced columns, paired with ``columns``.
        name: The constraint name (may be empty).
    """

    schema: str
    table: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class CatalogSnapshot:
    """What completion knows about one SQL connection, built off the UI thread.

    Attributes:
        tables: schema -> table (or view) -> column names in table order.
        functions: Function names callable without a schema; empty means the
            built-in list of the dialect.
        keywords: Keywords to offer; empty means the built-in list.
        search_path: Schemas whose tables are offered unqualified, in order
            (``("public",)``, ``("main",)``); empty means every schema.
        dialect: ``"postgresql"`` or ``"sqlite"`` (keyword lists and quoting).
        foreign_keys: The foreign keys between the tables, for ``JOIN ... ON`` conditions.
    """

    tables: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)
    functions: Sequence[str] = ()
    keywords: Sequence[str] = ()
    search_path: Sequence[str] = ()
    dialect: str = "postgresql"
    foreign_keys: Sequence[ForeignKey] = ()

    def resolve(self, ref: TableRef) -> tuple[str, str] | None:
        """(schema, table) that ``ref`` names (search path first, case-insensitive), or ``None``."""
        for schema in self._schemas_for(ref.schema):
            tables = self.tables.get(schema, {})
            if ref.name in tables:
                return schema, ref.name
            for name in tables:
                if name.lower() == ref.name.lower():
                    return schema, name
        return None

    def columns_of(self, ref: TableRef) -> Sequence[str]:
        """Columns of ``ref`` (case-insensitive lookup, search path first); ``()`` if unknown."""
        for schema in self._schemas_for(ref.schema):
            tables = self.tables.get(schema, {})
            if ref.name in tables:
                return tables[ref.name]
            for name, columns in tables.items():
                if name.lower() == ref.name.lower():
                    return columns
        return ()

    def _schemas_for(self, schema: str | None) -> list[str]:
        if schema is not None:
            return [s for s in self.tables if s.lower() == schema.lower()]
        visible = [s for s in self.search_path if s in self.tables]
        return visible + [s for s in self.tables if s not in visible]

    def visible_tables(self, schema: str | None) -> list[tuple[str, str]]:
        """(schema, table) pairs offered for ``schema`` (``None``: the search path)."""
        if schema is not None:
            chosen = self._schemas_for(schema)
        elif self.search_path:
            chosen = [s for s in self.search_path if s in self.tables]
        else:
            chosen = list(self.tables)
        return [(s, t) for s in chosen for t in self.tables.get(s, {})]


@dataclass(frozen=True)
class Candidate:
    """One completion choice.

    Attributes:
        text: What replaces the completed span (quoted when the name needs it).
        label: The name as shown in the menu.
        kind: ``keyword``, ``function``, ``schema``, ``table``, ``column``,
            ``alias``, ``join`` (a whole join condition), ``command``, ``operator``,
            ``field``, ``collection``, ``method``.
        detail: Secondary text: the table of a column, the schema of a table.
    """

    text: str
    label: str
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class Completions:
    """Candidates for the span ``text[start:end]`` (``end`` is the cursor)."""

    start: int
    end: int
    candidates: tuple[Candidate, ...] = ()


def quote_sql_name(name: str) -> str:
    """``name`` as it must be typed: bare when lower-case and not reserved, else double-quoted."""
    if _PLAIN_SQL.fullmatch(name) and name.upper() not in RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


_EXACT_KINDS = frozenset({"keyword", "command", "subcommand", "operator", "method"})


def rank(
    prefix: str,
    candidates: Iterable[Candidate],
    limit: int = DEFAULT_LIMIT,
    *,
    case_sensitive: bool = False,
) -> list[Candidate]:
    """Keep candidates whose label matches ``prefix``: starts-with first, then contains.

    Containment applies to names (columns, tables, fields...), not to
    keywords, commands, operators or methods, and only for prefixes of two
    characters or more. Order within each group follows the input (the
    caller's relevance); the same (label, kind) appears once.
    """
    needle = prefix if case_sensitive else prefix.casefold()
    starts: list[Candidate] = []
    contains: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for candidate in candidates:
        key = (candidate.label, candidate.kind)
        if key in seen:
            continue
        label = candidate.label if case_sensitive else candidate.label.casefold()
        if label.startswith(needle):
            starts.append(candidate)
        elif len(needle) >= 2 and candidate.kind not in _EXACT_KINDS and needle in label:
            contains.append(candidate)
        else:
            continue
        seen.add(key)
        if len(starts) >= limit:
            break
    return (starts + contains)[:limit]


def complete_sql(
    text: str, cursor: int, snapshot: CatalogSnapshot, *, limit: int = DEFAULT_LIMIT
) -> Completions:
    """Candidates at ``cursor`` in SQL ``text``; empty inside strings and comments.

    ``SELECT u.| FROM users u`` offers the columns of ``users``; ``SELECT |
    FROM orders`` offers the columns of ``orders`` before functions and
    keywords; ``FROM public.|`` the tables of ``public``; ``FROM users u JOIN
    orders o ON |`` first the foreign-key conditions (``o.user_id = u.id``).
    """
    context = suggest_type(text, cursor)
    start = context.prefix_start
    produced: list[Candidate] = []
    for suggestion in context.suggestions:
        produced.extend(_sql_candidates(suggestion, snapshot, context.prefix))
    if context.quoted:
        produced = [
            Candidate('"' + c.label.replace('"', '""') + '"', c.label, c.kind, c.detail)
            for c in produced
            if c.kind not in ("keyword", "function", "join")
        ]
    ranked = rank(context.prefix, produced, limit, case_sensitive=context.quoted)
    return Completions(start, cursor, tuple(ranked))


def _sql_candidates(
    suggestion: Suggestion, snapshot: CatalogSnapshot, prefix: str
) -> Iterable[Candidate]:
    kind = suggestion.kind
    if kind == "column":
        for ref in suggestion.tables:
            for column in snapshot.columns_of(ref):
                yield Candidate(quote_sql_name(column), column, "column", ref.ref)
    elif kind == "join":
        yield from join_conditions(suggestion.tables, snapshot)
    elif kind == "alias":
        for ref in suggestion.tables:
            yield Candidate(quote_sql_name(ref.ref), ref.ref, "alias", ref.name)
    elif kind == "table":
        for schema, table in snapshot.visible_tables(suggestion.schema):
            yield Candidate(quote_sql_name(table), table, "table", schema)
    elif kind == "schema":
        for schema in snapshot.tables:
            yield Candidate(quote_sql_name(schema), schema, "schema")
    elif kind == "function" and suggestion.schema is None:
        for name in snapshot.functions or SQL_FUNCTIONS.get(snapshot.dialect, ()):
            yield Candidate(name, name, "function")
    elif kind == "keyword":
        lower = bool(prefix) and prefix == prefix.lower()
        for word in snapshot.keywords or SQL_KEYWORDS.get(snapshot.dialect, ()):
            shown = word.lower() if lower else word.upper()
            yield Candidate(shown, shown, "keyword")


def join_conditions(tables: Sequence[TableRef], snapshot: CatalogSnapshot) -> Iterable[Candidate]:
    """``x.fk = y.pk`` conditions joining ``tables[0]`` (just joined) to each of the others.

    Both directions count: the joined table referencing another, or referenced by it.
    """
    if len(tables) < 2:
        return
    joined, others = tables[0], tables[1:]
    where = snapshot.resolve(joined)
    if where is None:
        return
    here = _folded(where)
    for other in others:
        found = snapshot.resolve(other)
        if found is None or joined.ref == other.ref:
            continue
        there = _folded(found)
        for key in snapshot.foreign_keys:
            child = _folded((key.schema, key.table))
            parent = _folded((key.ref_schema, key.ref_table))
            if (child, parent) == (here, there):
                yield _join_candidate(joined, key.columns, other, key.ref_columns, key.name)
            if (child, parent) == (there, here):
                yield _join_candidate(joined, key.ref_columns, other, key.columns, key.name)


def _folded(pair: tuple[str, str]) -> tuple[str, str]:
    return pair[0].casefold(), pair[1].casefold()


def _join_candidate(
    left: TableRef,
    left_columns: Sequence[str],
    right: TableRef,
    right_columns: Sequence[str],
    name: str,
) -> Candidate:
    a, b = quote_sql_name(left.ref), quote_sql_name(right.ref)
    text = " AND ".join(
        f"{a}.{quote_sql_name(x)} = {b}.{quote_sql_name(y)}"
        for x, y in zip(left_columns, right_columns, strict=False)
    )
    return Candidate(text, text, "join", name)


def complete_redis(
    text: str,
    cursor: int,
    commands: Sequence[str],
    *,
    subcommands: Mapping[str, Sequence[str]] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Completions:
    """Command names for the first word of the cursor's line, subcommands for the second.

    Args:
        commands: Command names (``driver.command_names()``: upper case).
        subcommands: Container command -> its subcommands (``"CONFIG"`` ->
            ``["GET", "SET", ...]``), matched case-insensitively.

    Candidates follow the typed case: lower case when the word typed so far is.
    """
    line_start = text.rfind("\n", 0, cursor) + 1
    line = text[line_start:cursor]
    words = line.split()
    typing_new = not line or line[-1].isspace()
    prefix = "" if typing_new else words[-1]
    position = len(words) if typing_new else len(words) - 1
    if position == 0:
        names: Sequence[str] = commands
        kind = "command"
    elif position == 1 and subcommands:
        lookup = {key.upper(): value for key, value in subcommands.items()}
        names = lookup.get(words[0].upper(), ())
        kind = "subcommand"
    else:
        names, kind = (), "command"
    lower = bool(prefix) and prefix == prefix.lower()
    produced = (Candidate(n.lower() if lower else n.upper(), n.upper(), kind) for n in names)
    return Completions(cursor - len(prefix), cursor, tuple(rank(prefix, produced, limit)))


def complete_mongo(
    text: str,
    cursor: int,
    *,
    fields: Sequence[str] = (),
    collections: Sequence[str] = (),
    operators: Sequence[str] = MONGO_OPERATORS,
    limit: int = DEFAULT_LIMIT,
) -> Completions:
    """Operators, field names, collections and methods for mongosh-style text.

    * ``$`` starts an operator (``$gt``, ``$match``...) or, in a value, a
      field path (``"$total"``);
    * after ``db.``: collection names; after ``db.<collection>.``: methods;
    * in a key position (after ``{`` or ``,`` inside braces): field names
      (dotted paths as given by the sampled schema), quoted when needed.
    """
    word_start = cursor
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] in "_$."):
        word_start -= 1
    word = text[word_start:cursor]
    quote = text[word_start - 1] if word_start > 0 and text[word_start - 1] in "\"'" else ""
    head = text[: word_start - len(quote)].rstrip()
    produced: list[Candidate] = []
    start, prefix = word_start, word
    if "." in word and word.startswith("db."):
        parts = word.split(".")
        start = cursor - len(parts[-1])
        prefix = parts[-1]
        if len(parts) == 2:
            produced = [Candidate(c, c, "collection") for c in collections]
        elif len(parts) == 3:
            produced = [Candidate(m, m, "method") for m in MONGO_METHODS]
    elif word.startswith("$"):
        refs = [Candidate("$" + f, "$" + f, "field") for f in fields]
        ops = [Candidate(op, op, "operator") for op in operators]
        produced = refs + ops if head.endswith(":") or quote else ops + refs
    elif head.endswith(("{", ",")):
        produced = [Candidate(_js_key(f, quote), f, "field") for f in fields]
    return Completions(start, cursor, tuple(rank(prefix, produced, limit)))


def _js_key(name: str, quote: str) -> str:
    if quote or _PLAIN_JS.fullmatch(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
