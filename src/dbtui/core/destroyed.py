"""The names of the objects an SQL statement destroys, read from pglast's parse tree. No I/O.

A statement that destroys an object (``DROP ...``, ``TRUNCATE``, ``ALTER TABLE
... DROP COLUMN / CONSTRAINT``) is confirmed by typing the object's name
(see :mod:`dbtui.core.confirmation`); these names come from the parser, never
from matching the text, and are unquoted as the server sees them
(``DROP TABLE public."My T"`` destroys ``public.My T``).
"""

from __future__ import annotations

from pglast import ast

#: DROP of these names the object as ``table.name``: the name alone is typed.
_ON_TABLE = frozenset({"OBJECT_TRIGGER", "OBJECT_RULE", "OBJECT_POLICY"})


def destroyed_names(node: ast.Node) -> tuple[str, ...] | None:
    """What the statement ``node`` (a ``RawStmt.stmt``) destroys, by name.

    ``None`` when it destroys no object (DELETE without WHERE changes rows:
    not covered here). An object without a plain name (``DROP CAST (int AS
    text)``) is given by its kind (``CAST``), so the result is never empty.
    """
    if isinstance(node, ast.DropStmt):
        kind = getattr(node.removeType, "name", "")
        names = [_object_name(obj, kind in _ON_TABLE) for obj in node.objects or ()]
        return _or_kind(names, kind.removeprefix("OBJECT_").replace("_", " "))
    if isinstance(node, ast.TruncateStmt):
        return _or_kind([_relation(r) for r in node.relations or ()], "TRUNCATE")
    if isinstance(node, ast.AlterTableStmt):
        dropped = [
            str(cmd.name)
            for cmd in node.cmds or ()
            if getattr(cmd.subtype, "name", "") in ("AT_DropColumn", "AT_DropConstraint")
        ]
        return tuple(dropped) if dropped else None
    return _other_drop(node)


def _other_drop(node: ast.Node) -> tuple[str, ...] | None:
    """DROP DATABASE / ROLE / TABLESPACE / SUBSCRIPTION / OWNED / USER MAPPING."""
    name = type(node).__name__
    if not name.startswith("Drop"):
        return None
    single = (
        getattr(node, "dbname", None)
        or getattr(node, "tablespacename", None)
        or getattr(node, "subname", None)
        or getattr(node, "servername", None)
    )
    roles = [str(getattr(role, "rolename", "") or "") for role in getattr(node, "roles", ()) or ()]
    return _or_kind([str(single)] if single else roles, name.removeprefix("Drop").upper())


def _or_kind(names: list[str], kind: str) -> tuple[str, ...]:
    """The names found, else the kind of object (never empty)."""
    found = tuple(name for name in names if name)
    return found or (kind or "DROP",)


def _object_name(obj: object, last_only: bool) -> str:
    """The dotted name of one DROP target (``""`` when it has none)."""
    if isinstance(obj, ast.String):
        return str(obj.sval)
    if isinstance(obj, ast.TypeName):
        return _dotted(obj.names)
    if isinstance(obj, ast.ObjectWithArgs):
        return _dotted(obj.objname)
    if isinstance(obj, tuple):
        if last_only and obj:
            return _dotted(obj[-1:])
        return _dotted(obj)
    return ""


def _dotted(parts: tuple[object, ...] | None) -> str:
    """``a.b.c`` from String nodes; ``""`` when some part is not a plain name."""
    words = [getattr(part, "sval", None) for part in parts or ()]
    if not words or not all(isinstance(word, str) for word in words):
        return ""
    return ".".join(str(word) for word in words)


def _relation(rel: ast.RangeVar) -> str:
    """``schema.table`` as written."""
    return ".".join(p for p in (rel.catalogname, rel.schemaname, rel.relname) if p)
