"""Classify PostgreSQL statements with the real parser (pglast), without any I/O.

Used before sending anything: to ask for confirmation of destructive
statements, to decide whether EXPLAIN ANALYZE of a statement writes, and to
refuse statements that would switch a read-only session back to read-write.
Classification is about the statement text only; a ``SELECT`` that calls a
function which writes is still classified "read" (the server's read-only
mode is what stops it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import pglast
from pglast import ast
from pglast.parser import ParseError

from dbtui.core.confirmation import Confirmation, typed_text
from dbtui.core.destroyed import destroyed_names
from dbtui.core.errors import QueryError
from dbtui.core.sql_truth import every_row


class StatementKind(StrEnum):
    """What a statement does, coarsely."""

    READ = "read"
    """Reads only: SELECT, SHOW, EXPLAIN without ANALYZE of a write, COPY ... TO."""
    WRITE = "write"
    """Changes rows: INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY ... FROM, REFRESH."""
    DDL = "ddl"
    """Changes the schema or privileges: CREATE, ALTER, DROP, GRANT, SELECT INTO..."""
    TRANSACTION = "transaction"
    """BEGIN, COMMIT, ROLLBACK, SAVEPOINT..."""
    OTHER = "other"
    """Session and maintenance commands (SET, VACUUM, LOCK), and CALL/DO/EXECUTE,
    whose effect the text does not tell."""


#: Priority of kinds when summarising several statements: the first one present wins.
_KIND_PRIORITY = (
    StatementKind.DDL,
    StatementKind.WRITE,
    StatementKind.OTHER,
    StatementKind.TRANSACTION,
    StatementKind.READ,
)

_WRITE_NODES = frozenset(
    {"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "TruncateStmt", "RefreshMatViewStmt"}
)
_MODIFYING_NODES = frozenset({"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"})
_READ_NODES = frozenset({"VariableShowStmt"})
_OTHER_NODES = frozenset(
    {
        "VariableSetStmt",
        "DiscardStmt",
        "ListenStmt",
        "UnlistenStmt",
        "NotifyStmt",
        "PrepareStmt",
        "DeallocateStmt",
        "ExecuteStmt",
        "CallStmt",
        "DoStmt",
        "LockStmt",
        "CheckPointStmt",
        "LoadStmt",
        "VacuumStmt",
        "ClusterStmt",
        "ReindexStmt",
        "DeclareCursorStmt",
        "ClosePortalStmt",
        "ConstraintsSetStmt",
    }
)
_OTHER_DROPS = {
    "DropdbStmt": "DROP DATABASE",
    "DropRoleStmt": "DROP ROLE",
    "DropTableSpaceStmt": "DROP TABLESPACE",
    "DropSubscriptionStmt": "DROP SUBSCRIPTION",
    "DropOwnedStmt": "DROP OWNED",
    "DropUserMappingStmt": "DROP USER MAPPING",
}
_READ_ONLY_SETTINGS = frozenset({"default_transaction_read_only", "transaction_read_only"})
_OFF_WORDS = frozenset({"off", "false", "0", "no", "f", "n"})


@dataclass(frozen=True)
class StatementClass:
    """The classification of one statement.

    Attributes:
        text: The statement's text as it appears in the script.
        start: 0-based offset of the statement in the classified script.
        node: The parser's node name, e.g. ``"SelectStmt"``, ``"DropStmt"``.
        kind: What the statement does.
        destructive_reason: Why it destroys data or objects, in a few words
            ("DELETE without WHERE removes every row of t"); ``None`` when it does not.
        has_data_modifying_cte: A ``WITH`` query inside it inserts, updates or deletes.
        returns_rows: It returns (or, for CALL and EXECUTE, may return) a result set.
        disables_read_only: It would switch the session or transaction to read-write
            (``SET default_transaction_read_only = off``, ``BEGIN READ WRITE``,
            ``RESET ALL``, ``DISCARD ALL``, ``set_config(...)``).
        tree: The parsed statement itself (pglast node), so later checks
            (e.g. the read-only walk) need not parse again; ``None`` if not kept.
    """

    text: str
    start: int
    node: str
    kind: StatementKind
    destructive_reason: str | None = None
    has_data_modifying_cte: bool = False
    returns_rows: bool = False
    disables_read_only: bool = False
    tree: ast.Node | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Classification:
    """The classification of a script of zero or more statements."""

    statements: tuple[StatementClass, ...]

    @property
    def count(self) -> int:
        """Number of statements (empty ones and comments are not counted)."""
        return len(self.statements)

    @property
    def kind(self) -> StatementKind:
        """The most consequential kind present (DDL > write > other > transaction > read).

        An empty script is ``OTHER``.
        """
        kinds = {s.kind for s in self.statements}
        return next((k for k in _KIND_PRIORITY if k in kinds), StatementKind.OTHER)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every destructive reason, in statement order."""
        return tuple(s.destructive_reason for s in self.statements if s.destructive_reason)

    @property
    def is_destructive(self) -> bool:
        """Some statement drops, truncates, or deletes/updates every row."""
        return bool(self.reasons)

    @property
    def reason(self) -> str:
        """The destructive reasons joined by "; " (empty when not destructive)."""
        return "; ".join(self.reasons)

    @property
    def has_data_modifying_cte(self) -> bool:
        """Some statement has a data-modifying ``WITH`` query."""
        return any(s.has_data_modifying_cte for s in self.statements)

    @property
    def returns_rows(self) -> bool:
        """Some statement returns (or may return) rows."""
        return any(s.returns_rows for s in self.statements)

    @property
    def disables_read_only(self) -> bool:
        """Some statement would make the session read-write."""
        return any(s.disables_read_only for s in self.statements)

    @property
    def writes(self) -> bool:
        """Some statement is a write or DDL, or modifies data in a ``WITH`` query."""
        return self.has_data_modifying_cte or any(
            s.kind in (StatementKind.WRITE, StatementKind.DDL) for s in self.statements
        )


def classify(sql: str) -> Classification:
    """Parse ``sql`` (one or more statements) and classify each statement.

    Raises:
        QueryError: the text does not parse; ``position`` is the 0-based offset
            of the error in ``sql``.
    """
    try:
        raw_statements = pglast.parse_sql(sql)
    except ParseError as exc:
        message, index = (*exc.args, None)[:2]
        position = _error_position(sql, str(message), index)
        raise QueryError(str(message), "Syntax error", statement=sql, position=position) from None
    classes: list[StatementClass] = []
    for raw in raw_statements:
        assert raw.stmt is not None
        start = raw.stmt_location or 0
        end = start + raw.stmt_len if raw.stmt_len else len(sql)
        classes.append(classify_node(raw.stmt, sql[start:end].strip(), start))
    return Classification(tuple(classes))


def _error_position(sql: str, message: str, index: object) -> int | None:
    """The 0-based offset of a parse error in ``sql``, or ``None`` when unknown.

    pglast before 8.8 reports some offsets one off after non-ASCII text; when the message names
    the token (``at or near "frm"``), the occurrence of that token nearest to the reported
    offset is taken, so the position is right on every supported pglast version.
    """
    position = index if isinstance(index, int) and 0 <= index <= len(sql) else None
    if position is None:
        return len(sql.rstrip()) if "end of input" in message else None
    near = re.search(r'at or near "(.+)"$', message)
    if near is None or sql.startswith(near.group(1), position):
        return position
    token = near.group(1)
    found = [m.start() for m in re.finditer(re.escape(token), sql)]
    return min(found, key=lambda start: abs(start - position)) if found else position


def destructive_question(sql: str) -> Confirmation | None:
    """The confirmation a destructive statement (or script) needs, or ``None``.

    Classified with PostgreSQL's own parser, which also reads the SQLite
    statements that matter here (DROP, DELETE, UPDATE, ALTER). Text that does
    not parse needs no confirmation: the server rejects it anyway. When a
    statement destroys objects (DROP, TRUNCATE, ALTER ... DROP COLUMN), their
    names (from the parse tree, see :func:`~dbtui.core.destroyed.destroyed_names`)
    must be typed; DELETE/UPDATE without WHERE only asks yes or no.
    """
    try:
        classes = classify(sql).statements
    except QueryError:
        return None
    reasons = [c.destructive_reason for c in classes if c.destructive_reason]
    if not reasons:
        return None
    names = [
        name
        for c in classes
        if c.destructive_reason and c.tree is not None
        for name in destroyed_names(c.tree) or ()
    ]
    typed = typed_text(names)
    question = f"Destructive: {'; '.join(reasons)}. Run it anyway?"
    return Confirmation(question, typed=typed, yes_label="Run it" if typed else "Yes")


def classify_node(node: ast.Node, text: str = "", start: int = 0) -> StatementClass:
    """Classify one parsed statement node (a ``RawStmt.stmt``)."""
    name = type(node).__name__
    executed = list(_executed(node))
    return StatementClass(
        text=text,
        start=start,
        node=name,
        kind=_kind(node),
        destructive_reason=next((r for n in executed if (r := _destructive(n))), None),
        has_data_modifying_cte=any(_modifying_ctes(node)),
        returns_rows=_returns_rows(node),
        disables_read_only=_disables_read_only(node),
        tree=node,
    )


def _kind(node: ast.Node) -> StatementKind:
    name = type(node).__name__
    if isinstance(node, ast.SelectStmt):
        if node.intoClause is not None:
            return StatementKind.DDL
        return StatementKind.WRITE if any(_modifying_ctes(node)) else StatementKind.READ
    if isinstance(node, ast.ExplainStmt):
        query = node.query
        inner = _kind(query) if query is not None and _is_analyze(node) else StatementKind.READ
        return inner if inner in (StatementKind.WRITE, StatementKind.DDL) else StatementKind.READ
    if isinstance(node, ast.CopyStmt):
        return StatementKind.WRITE if node.is_from else StatementKind.READ
    if isinstance(node, ast.FetchStmt):
        return StatementKind.OTHER if node.ismove else StatementKind.READ
    if name in _WRITE_NODES:
        return StatementKind.WRITE
    if name in _READ_NODES:
        return StatementKind.READ
    if name == "TransactionStmt":
        return StatementKind.TRANSACTION
    if name in _OTHER_NODES:
        return StatementKind.OTHER
    return StatementKind.DDL


def _returns_rows(node: ast.Node) -> bool:
    if isinstance(node, ast.SelectStmt):
        return node.intoClause is None
    if isinstance(node, ast.FetchStmt):
        return not node.ismove
    if type(node).__name__ in _MODIFYING_NODES:
        return _has_returning(node)
    return isinstance(node, ast.ExplainStmt | ast.VariableShowStmt | ast.ExecuteStmt | ast.CallStmt)


def _has_returning(node: ast.Node) -> bool:
    """RETURNING is ``returningClause`` in PostgreSQL 18's grammar, ``returningList`` before."""
    clause = getattr(node, "returningClause", None)
    if clause is not None:
        return bool(getattr(clause, "exprs", None))
    return bool(getattr(node, "returningList", None))


def _is_analyze(node: ast.ExplainStmt) -> bool:
    return any(opt.defname == "analyze" and _option_on(opt) for opt in node.options or ())


def _option_on(opt: ast.DefElem) -> bool:
    """An EXPLAIN option is on when it has no argument or a true-ish one."""
    arg = opt.arg
    if arg is None:
        return True
    value = getattr(arg, "sval", None) or getattr(arg, "boolval", None)
    if value is None:
        value = getattr(arg, "ival", 1)
    return str(value).lower() not in _OFF_WORDS


def _executed(node: ast.Node) -> Iterator[ast.Node]:
    """The statement and the statements it runs now: WITH queries, EXPLAIN ANALYZE's target."""
    yield node
    if isinstance(node, ast.ExplainStmt):
        if node.query is not None and _is_analyze(node):
            yield from _executed(node.query)
        return
    with_clause = getattr(node, "withClause", None)
    for cte in getattr(with_clause, "ctes", None) or ():
        yield from _executed(cte.ctequery)


def _modifying_ctes(node: ast.Node) -> Iterator[ast.CommonTableExpr]:
    """WITH queries (at any nesting depth) that insert, update, delete or merge."""
    for inner in _executed(node):
        with_clause = getattr(inner, "withClause", None)
        for cte in getattr(with_clause, "ctes", None) or ():
            if type(cte.ctequery).__name__ in _MODIFYING_NODES:
                yield cte


def _destructive(node: ast.Node) -> str | None:
    """Why ``node`` itself destroys data or objects, or ``None``."""
    name = type(node).__name__
    if isinstance(node, ast.DropStmt):
        return f"DROP {_object_type(node.removeType)} {_names(node.objects)}".rstrip()
    if name.startswith("Drop"):
        what = _OTHER_DROPS.get(name, "DROP")
        target = getattr(node, "dbname", None) or getattr(node, "subname", None) or ""
        return f"{what} {target}".rstrip()
    if isinstance(node, ast.TruncateStmt):
        tables = ", ".join(_relname(r) for r in node.relations or ())
        return f"TRUNCATE removes every row of {tables}"
    if isinstance(node, ast.DeleteStmt) and every_row(node.whereClause):
        return f"DELETE {_where_text(node)} removes every row of {_relname(node.relation)}"
    if isinstance(node, ast.UpdateStmt) and every_row(node.whereClause):
        return f"UPDATE {_where_text(node)} changes every row of {_relname(node.relation)}"
    if isinstance(node, ast.AlterTableStmt):
        return _alter_drop(node)
    return None


def _where_text(node: ast.DeleteStmt | ast.UpdateStmt) -> str:
    return "without WHERE" if node.whereClause is None else "with an always-true WHERE"


def _alter_drop(node: ast.AlterTableStmt) -> str | None:
    drops: list[str] = []
    what = _object_type(node.objtype)
    for cmd in node.cmds or ():
        subtype = getattr(cmd.subtype, "name", "")
        if subtype == "AT_DropColumn":
            drops.append(f"DROP {'ATTRIBUTE' if what == 'TYPE' else 'COLUMN'} {cmd.name}")
        elif subtype == "AT_DropConstraint":
            drops.append(f"DROP CONSTRAINT {cmd.name}")
    if not drops:
        return None
    return f"ALTER {what} {_relname(node.relation)} {', '.join(drops)}"


def _object_type(value: object) -> str:
    name = getattr(value, "name", str(value)).removeprefix("OBJECT_")
    return {"MATVIEW": "MATERIALIZED VIEW"}.get(name, name.replace("_", " "))


def _relname(rel: ast.RangeVar | None) -> str:
    if rel is None:
        return "?"
    parts = [p for p in (rel.catalogname, rel.schemaname, rel.relname) if p]
    return ".".join(parts)


def _names(objects: tuple[object, ...] | None) -> str:
    """Dotted names of DROP targets; objects that are not plain names are skipped."""
    names: list[str] = []
    for obj in objects or ():
        parts = obj if isinstance(obj, tuple) else (obj,)
        words = [getattr(p, "sval", None) for p in parts]
        if all(isinstance(w, str) for w in words):
            names.append(".".join(str(w) for w in words))
        elif isinstance(obj, ast.ObjectWithArgs):
            names.append(".".join(str(getattr(p, "sval", "")) for p in obj.objname or ()))
    return ", ".join(names)


def _disables_read_only(node: ast.Node) -> bool:
    if isinstance(node, ast.VariableSetStmt):
        return _set_disables_read_only(node)
    if isinstance(node, ast.TransactionStmt):
        return any(_read_write_option(opt) for opt in node.options or ())
    if isinstance(node, ast.DiscardStmt):
        return getattr(node.target, "name", "") == "DISCARD_ALL"
    return any(_is_read_only_set_config(call) for call in _walk(node, ast.FuncCall))


def _set_disables_read_only(node: ast.VariableSetStmt) -> bool:
    kind = getattr(node.kind, "name", "")
    if kind == "VAR_RESET_ALL":
        return True
    if kind == "VAR_SET_MULTI":
        return any(_read_write_option(a) for a in node.args or () if isinstance(a, ast.DefElem))
    if (node.name or "").lower() not in _READ_ONLY_SETTINGS:
        return False
    if kind != "VAR_SET_VALUE":
        return True  # SET ... TO DEFAULT, RESET ...: back to the server default
    return any(_const_text(arg).lower() in _OFF_WORDS for arg in node.args or ())


def _read_write_option(opt: ast.DefElem) -> bool:
    """``transaction_read_only`` set to false, as in ``BEGIN READ WRITE``."""
    return opt.defname == "transaction_read_only" and _const_text(opt.arg) in _OFF_WORDS


def _is_read_only_set_config(call: ast.FuncCall) -> bool:
    """``set_config('default_transaction_read_only', ...)``, or with a name not known."""
    names = [getattr(p, "sval", "") for p in call.funcname or ()]
    if not names or names[-1].lower() != "set_config" or not call.args:
        return False
    setting = _const_text(call.args[0])
    return setting == "" or setting.lower() in _READ_ONLY_SETTINGS


def _const_text(node: object) -> str:
    """The text of a constant (``'off'``, ``off``, ``0``, ``false``); empty if not a constant."""
    if isinstance(node, ast.A_Const):
        node = node.val
    for attr in ("sval", "ival", "boolval"):
        value = getattr(node, attr, None)
        if value is not None:
            return str(value).lower() if not isinstance(value, bool) else str(int(value))
    return ""


def _walk(node: object, wanted: type[ast.FuncCall]) -> Iterator[ast.FuncCall]:
    """Every ``wanted`` node in the tree under ``node``."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from _walk(item, wanted)
    elif isinstance(node, ast.Node):
        if isinstance(node, wanted):
            yield node
        for attr in node:
            yield from _walk(getattr(node, attr), wanted)
