"""DDL of a PostgreSQL table assembled from catalog rows (see :mod:`.describe`); no I/O.

Names arrive quoted by the server (``quote_ident``) and definitions come from its own
deparsers, so the statements read back as the server wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbtui.core.sql_literals import quote_string
from dbtui.drivers.postgres.nodes import Row


def table_ddl(
    rel: Row,
    columns: Sequence[Row],
    constraints: Sequence[Row],
    indexes: Sequence[Row],
    triggers: Sequence[Row],
    policies: Sequence[Row] = (),
) -> str:
    """``CREATE TABLE`` (or ``FOREIGN TABLE``, ``... PARTITION OF``) from the catalog,
    then the indexes that are not constraints, the triggers, row-level security with its
    policies, and the comments.

    Inherited columns, constraints, indexes and triggers are left out: they come from
    the parent.
    """
    name = rel["qualified"]
    head = "CREATE " + ("UNLOGGED " if rel["persistence"] == "u" else "")
    head += "FOREIGN TABLE" if rel["relkind"] == "f" else "TABLE"
    local = [c for c in constraints if c["is_local"]]
    statements: list[str] = []
    if rel["is_partition"]:
        create = f"{head} {name} PARTITION OF {rel['parents']}\n    {rel['bound']}"
        statements.append(_create_tail(create, rel))
        statements += [
            f"ALTER TABLE {name} ADD CONSTRAINT {c['name']} {c['definition']};" for c in local
        ]
    else:
        lines = [_column_ddl(c) for c in columns if c["is_local"]]
        lines += [f"CONSTRAINT {c['name']} {c['definition']}" for c in local]
        create = f"{head} {name} (\n    " + ",\n    ".join(lines) + "\n)"
        if rel["parents"]:
            create += f"\nINHERITS ({rel['parents']})"
        statements.append(_create_tail(create, rel))
    statements += [
        f"{i['definition']};" for i in indexes if not i["is_constraint"] and not i["inherited"]
    ]
    statements += [f"{t['definition']};" for t in triggers if not t["inherited"]]
    statements += _policies(name, rel, policies)
    statements += comments(name, "TABLE", rel, columns)
    return "\n\n".join(statements) + "\n"


def _create_tail(create: str, rel: Row) -> str:
    """PARTITION BY, SERVER ... OPTIONS and WITH (...) after the column list."""
    if rel["partkey"]:
        create += f"\nPARTITION BY {rel['partkey']}"
    if rel["foreign_server"]:
        create += f"\nSERVER {rel['foreign_server']}"
        if rel["foreign_options"]:
            create += f"\nOPTIONS ({_options(rel['foreign_options'])})"
    if rel["options"]:
        create += f"\nWITH ({', '.join(rel['options'])})"
    return create + ";"


def _options(options: list[str]) -> str:
    """``key=value`` option strings as ``key 'value'`` pairs."""
    pairs = (option.partition("=") for option in options)
    return ", ".join(f"{key} {quote_string(value)}" for key, _, value in pairs)


def _column_ddl(col: Row) -> str:
    parts = [str(col["quoted"]), str(col["type"])]
    if col["collation"]:
        parts.append(f"COLLATE {col['collation']}")
    if col["identity"] in ("a", "d"):
        parts.append(f"GENERATED {'ALWAYS' if col['identity'] == 'a' else 'BY DEFAULT'}")
        parts.append("AS IDENTITY")
    elif col["generated"] == "s":
        parts.append(f"GENERATED ALWAYS AS ({col['default_expr']}) STORED")
    elif col["default_expr"] is not None:
        parts.append(f"DEFAULT {col['default_expr']}")
    if col["not_null"]:
        parts.append("NOT NULL")
    return " ".join(parts)


def comments(name: str, kind: str, rel: Row, columns: Sequence[Row]) -> list[str]:
    """``COMMENT ON`` the object ``name`` (of ``kind``) and on its columns."""
    out = []
    if rel["comment"] is not None:
        out.append(f"COMMENT ON {kind} {name} IS {quote_string(rel['comment'])};")
    for col in columns:
        if col["comment"] is not None:
            target_name = f"{name}.{col['quoted']}"
            out.append(f"COMMENT ON COLUMN {target_name} IS {quote_string(col['comment'])};")
    return out


def _policies(name: str, rel: Row, policies: Sequence[Row]) -> list[str]:
    """``ALTER TABLE ... ENABLE ROW LEVEL SECURITY`` and one ``CREATE POLICY`` each."""
    out = []
    if rel["row_security"]:
        out.append(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;")
    if rel["force_row_security"]:
        out.append(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;")
    for policy in policies:
        text = f"CREATE POLICY {policy['name']} ON {name}"
        text += "" if policy["permissive"] else " AS RESTRICTIVE"
        text += f" FOR {policy['command']} TO {policy['roles']}"
        if policy["using_expr"] is not None:
            text += f"\n    USING ({policy['using_expr']})"
        if policy["check_expr"] is not None:
            text += f"\n    WITH CHECK ({policy['check_expr']})"
        out.append(text + ";")
    return out
