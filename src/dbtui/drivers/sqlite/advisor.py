"""SQLite index advice in the manner of the sqlite3 shell's ``.expert`` (``plans-and-advisors.md`` B.6).

1. The user database's schema (not its data) is replayed into an in-memory
   database, and its ``sqlite_stat1`` rows are copied there.
2. Candidate indexes come from the statement's shape (pglast, which reads the
   SQLite statements that matter; when it cannot, every column the statement
   names becomes a candidate): per table, the equality columns, the equality
   columns plus each range column, and the equality columns followed by the
   ORDER BY columns (:func:`dbtui.core.advisor.candidates.expert_candidates`).
3. Each candidate is created in the in-memory copy and given a ``sqlite_stat1``
   row computed from the real table (``nRow`` and the average rows per distinct
   key prefix, ``.expert``'s formula), as are the existing indexes of the tables
   involved that have none; ``ANALYZE sqlite_schema`` loads them.
4. ``EXPLAIN QUERY PLAN`` in the copy shows which candidates SQLite would use;
   only those are suggested, with the plan before (the real database) and after.

Reading the real database only reads (schema, statistics, and ``count(DISTINCT)``
over the tables the statement names, sampled above :data:`EXACT_ROWS` rows).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

from dbtui.core.advice import Confidence, Suggestion
from dbtui.core.advisor.candidates import expert_candidates
from dbtui.core.advisor.evidence import describe_uses, plan_lines
from dbtui.core.advisor.indexes import ExistingIndex, IndexSpec, quote_ident
from dbtui.core.advisor.shape import ColumnUse, TableRef, Use, resolve
from dbtui.core.errors import QueryError
from dbtui.core.plan import Plan
from dbtui.drivers.postgres.sqlwalk import extract_shape
from dbtui.drivers.sqlite.planning import alias_map, query_plan_rows
from dbtui.drivers.sqlite.plans import parse_sqlite_plan
from dbtui.drivers.sqlite.plans import quote_identifier as q

ENGINE = "sqlite"
EXACT_ROWS = 1_000_000
"""Tables up to this many rows get exact distinct counts; bigger ones a sample."""
SAMPLE_PERCENT = 10
"""Share of a big table's rows (by rowid) read for distinct counts."""
_IDENT_RE = re.compile(r'"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_$]*)')


@dataclass
class _Table:
    """A table of the user database, as the advisor needs it."""

    name: str
    columns: dict[str, str]
    """lower-case name -> name as declared."""
    indexes: list[ExistingIndex]
    has_rowid: bool = True
    rows: int | None = None


def advise(conn: sqlite3.Connection, statement: str, before: Plan) -> list[Suggestion]:
    """Suggestions for ``statement`` that SQLite's planner would use.

    Args:
        conn: The user's connection (only read from).
        statement: One statement, without ``EXPLAIN``.
        before: Its current plan (:meth:`SqliteDriver.explain`), quoted as evidence.

    Raises:
        QueryError: the statement cannot be planned in the schema copy.
    """
    tables = _tables(conn, _named_tables(statement, before))
    uses = _uses(conn, statement, tables)
    candidates = [
        spec
        for name, table_uses in uses.items()
        for spec in expert_candidates(name, table_uses, tables[name.casefold()].indexes)
    ]
    if not candidates:
        return []
    with contextlib.closing(_schema_copy(conn)) as copy:
        named = _create(copy, candidates, tables)
        _statistics(conn, copy, named, tables)
        try:
            rows = query_plan_rows(copy, statement)
        except sqlite3.Error as exc:
            raise QueryError(f"cannot plan the statement in a copy of the schema: {exc}") from exc
    used = {name for name in named if any(_uses_index(row[3], name) for row in rows)}
    after = parse_sqlite_plan(rows, statement)
    return [
        _suggestion(spec, name, uses[spec.table], statement, before, after)
        for name, spec in named.items()
        if name in used
    ]


def _uses_index(detail: str, name: str) -> bool:
    """Whether a plan row's detail says it uses index ``name`` (which may hold spaces, quotes)."""
    pattern = rf"USING (?:COVERING )?INDEX {re.escape(name)}(?: \(|$)"
    return re.search(pattern, detail) is not None


# -- what the statement names --------------------------------------------------------------------


def _named_tables(statement: str, before: Plan) -> list[str]:
    """Names of the tables the statement (and its plan) refers to, aliases resolved."""
    names: list[str] = []
    aliases = alias_map(statement)
    for node in before.nodes():
        if node.relation:
            names.append(aliases.get(node.relation.casefold(), (None, node.relation))[1])
    with contextlib.suppress(QueryError):
        names += [t.name for t in extract_shape(statement).tables]
    return list(dict.fromkeys(names))


def _tables(conn: sqlite3.Connection, names: Sequence[str]) -> dict[str, _Table]:
    """The main-schema tables among ``names`` (keyed by lower-case name)."""
    found: dict[str, _Table] = {}
    for name in names:
        row = conn.execute(
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
            " AND name = ? COLLATE NOCASE",
            (name,),
        ).fetchone()
        if row is None or row[0].casefold() in found or row[0].startswith("sqlite_"):
            continue
        table = str(row[0])
        columns = {
            str(c).casefold(): str(c)
            for (c,) in conn.execute("SELECT name FROM pragma_table_xinfo(?)", (table,))
        }
        rowid = conn.execute(
            "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", (table,)
        ).fetchone()
        found[table.casefold()] = _Table(
            table, columns, _indexes(conn, table), has_rowid=not (rowid and rowid[0])
        )
    return found


def _indexes(conn: sqlite3.Connection, table: str) -> list[ExistingIndex]:
    indexes = []
    for name, partial in conn.execute(
        "SELECT name, partial FROM pragma_index_list(?)", (table,)
    ).fetchall():
        keys = [
            str(key) if key is not None else "?"
            for (key,) in conn.execute(
                "SELECT name FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno", (name,)
            )
        ]
        indexes.append(ExistingIndex(str(name), tuple(keys), partial=bool(partial)))
    return indexes


def _uses(
    conn: sqlite3.Connection, statement: str, tables: dict[str, _Table]
) -> dict[str, list[ColumnUse]]:
    """Column uses per table (keyed by the table's declared name), column names as declared."""
    try:
        shape = extract_shape(statement)
        grouped = resolve(
            shape,
            lambda ref: (
                tables[ref.name.casefold()].columns if ref.name.casefold() in tables else ()
            ),
        )
    except QueryError:
        grouped = _token_uses(statement, tables)
    result: dict[str, list[ColumnUse]] = {}
    for (_schema, name), table_uses in grouped.items():
        table = tables.get(name.casefold())
        if table is None:
            continue
        result[table.name] = [
            replace(use, column=table.columns[use.column.casefold()])
            for use in table_uses
            if use.column.casefold() in table.columns
        ]
    return {name: uses for name, uses in result.items() if uses}


def _token_uses(
    statement: str, tables: dict[str, _Table]
) -> dict[tuple[str | None, str], list[ColumnUse]]:
    """Fallback when pglast cannot parse: every column name a table has becomes an equality use."""
    words = [next(g for g in m.groups() if g) for m in _IDENT_RE.finditer(statement)]
    grouped: dict[tuple[str | None, str], list[ColumnUse]] = {}
    for key, table in tables.items():
        ref = TableRef(table.name)
        for word in dict.fromkeys(w.casefold() for w in words):
            if word in table.columns and word != key:
                grouped.setdefault(ref.key, []).append(ColumnUse(ref, word, Use.EQUALITY, "="))
    return grouped


# -- the in-memory copy ------------------------------------------------------------------------


def _schema_copy(conn: sqlite3.Connection) -> sqlite3.Connection:
    """A new in-memory database with the main schema's tables, indexes and views."""
    copy = sqlite3.connect(":memory:")
    rows = conn.execute(
        "SELECT type, sql FROM main.sqlite_master WHERE sql IS NOT NULL"
        " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND type IN ('table', 'index', 'view')"
        " ORDER BY rowid"
    ).fetchall()
    for _kind, sql in rows:
        with contextlib.suppress(sqlite3.Error):  # e.g. a virtual table of a missing module
            copy.execute(sql)
    copy.execute("ANALYZE")  # creates sqlite_stat1
    copy.execute("DELETE FROM sqlite_stat1")
    with contextlib.suppress(sqlite3.Error):  # no sqlite_stat1: ANALYZE never ran
        stats = conn.execute("SELECT tbl, idx, stat FROM main.sqlite_stat1").fetchall()
        copy.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", stats)
    return copy


def _create(
    copy: sqlite3.Connection, candidates: Sequence[IndexSpec], tables: dict[str, _Table]
) -> dict[str, IndexSpec]:
    """Create the candidates in the copy; name -> spec of those SQLite accepted."""
    taken = {i.name.casefold() for t in tables.values() for i in t.indexes}
    named: dict[str, IndexSpec] = {}
    for spec in candidates:
        name = index_name(spec, taken)
        try:
            copy.execute(spec.ddl(concurrently=False, name=name))
        except sqlite3.Error:
            continue  # an expression SQLite does not accept
        taken.add(name.casefold())
        named[name] = spec
    return named


def index_name(spec: IndexSpec, taken: set[str]) -> str:
    """``<table>_<col>_<col>``, or ``.expert``'s ``<table>_idx_<hash>`` when that is taken
    or the keys are expressions."""
    if all(key.column for key in spec.keys):
        readable = "_".join([spec.table, *(str(key.column) for key in spec.keys)])
        if readable.casefold() not in taken and re.fullmatch(r"\w+", readable):
            return readable
    digest = hashlib.sha256(",".join(k.sql for k in spec.keys).encode()).hexdigest()[:8]
    return f"{spec.table}_idx_{digest}"


def _statistics(
    conn: sqlite3.Connection,
    copy: sqlite3.Connection,
    named: dict[str, IndexSpec],
    tables: dict[str, _Table],
) -> None:
    """``sqlite_stat1`` rows for the candidates and for unanalysed indexes, then load them."""
    have = {
        (str(t).casefold(), str(i).casefold())
        for t, i in copy.execute("SELECT tbl, idx FROM sqlite_stat1")
    }
    work = [(name, spec.table, [k.sql for k in spec.keys]) for name, spec in named.items()]
    for table in {spec.table for spec in named.values()}:
        for index in tables[table.casefold()].indexes:
            if (table.casefold(), index.name.casefold()) not in have and "?" not in index.keys:
                work.append((index.name, table, [quote_ident(k) for k in index.keys]))
    for name, table, keys in work:
        stat = stat1(conn, tables[table.casefold()], keys)
        copy.execute(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", (table, name, stat)
        )
    copy.execute("ANALYZE sqlite_schema")


def stat1(conn: sqlite3.Connection, table: _Table, keys: Sequence[str]) -> str:
    """``"nRow d1 d2 ..."``: rows, then the average rows per distinct value of each key
    prefix, ``(nRow + nDistinct/2) / nDistinct`` rounded down (at least 1).

    Tables over :data:`EXACT_ROWS` rows are sampled (every ``100/SAMPLE_PERCENT``-th
    rowid): a prefix whose values the sample all saw (few distinct values) is scaled to
    the whole table, one with many distinct values keeps the sample's rows per value.
    """
    source = f"main.{q(table.name)}"
    if table.rows is None:
        table.rows = int(conn.execute(f"SELECT count(*) FROM {source}").fetchone()[0])
    rows = max(table.rows, 1)
    sampled = rows
    if rows > EXACT_ROWS and table.has_rowid:
        source = f"(SELECT * FROM {source} WHERE rowid % {100 // SAMPLE_PERCENT} = 0)"
        sampled = max(int(conn.execute(f"SELECT count(*) FROM {source}").fetchone()[0]), 1)
    parts = [str(table.rows)]
    for end in range(1, len(keys) + 1):
        prefix = ", ".join(keys[:end])
        query = f"SELECT count(*) FROM (SELECT DISTINCT {prefix} FROM {source})"
        distinct = max(int(conn.execute(query).fetchone()[0]), 1)
        if sampled >= rows or distinct * 2 < sampled:
            per_value = (rows + distinct // 2) // distinct
        else:
            per_value = round(sampled / distinct)
        parts.append(str(max(per_value, 1)))
    return " ".join(parts)


# -- suggestions ---------------------------------------------------------------------------------


def _suggestion(
    spec: IndexSpec,
    name: str,
    uses: Sequence[ColumnUse],
    statement: str,
    before: Plan,
    after: Plan,
) -> Suggestion:
    return Suggestion(
        engine=ENGINE,
        target=spec.table,
        ddl=spec.ddl(concurrently=False, name=name),
        reason=f"Serves {describe_uses(spec.keys, uses)}.",
        confidence=Confidence.VERIFIED,
        evidence=("plan before:", *plan_lines(before), "plan after:", *plan_lines(after)),
        queries=(statement,),
        plan_before=before,
        plan_after=after,
        columns=spec.labels,
        method=spec.method,
        note="SQLite's planner chose this index in a copy of the schema with the "
        "database's statistics; SQLite reports no costs.",
    )
