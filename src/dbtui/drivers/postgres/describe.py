"""PostgreSQL objects described like psql's ``\\d``, with their DDL (catalog queries only).

Tables (partitions and foreign tables too): columns with types, collations, defaults and
nullability; indexes; check, unique, exclusion and foreign-key constraints; the foreign
keys of other tables that reference it ("Referenced by"); triggers; partitions; sizes;
and ``CREATE TABLE`` assembled from the catalog, followed by its indexes, triggers and
comments. Views and materialized views: columns and ``pg_get_viewdef``. Functions and
procedures: ``pg_get_functiondef``. Sequences: their parameters. Every query runs on the
driver's catalog connection (see :mod:`.describe_queries`); a member of an object in the
tree (a column, an index, a folder) describes its object.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.describe import Description, Section, facts, non_empty, section
from dbtui.core.errors import QueryError
from dbtui.core.sql_literals import quote_string
from dbtui.drivers.postgres import describe_queries as q
from dbtui.drivers.postgres.describe_ddl import comments, table_ddl
from dbtui.drivers.postgres.nodes import (
    FOREIGN_TABLE,
    FUNCTION,
    MATVIEW,
    PROCEDURE,
    SEQUENCE,
    Row,
    Runner,
    estimate_text,
    human_size,
)

_RELATION_KINDS = frozenset({Kind.TABLE, Kind.VIEW, MATVIEW, FOREIGN_TABLE, SEQUENCE})
_FUNCTION_KINDS = frozenset({FUNCTION, PROCEDURE, "aggregate", "window function"})
_KIND_NAMES = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
    "S": "sequence",
}
_CONSTRAINT_TITLES = {
    "c": "Check constraints",
    "u": "Unique constraints",
    "x": "Exclusion constraints",
    "f": "Foreign keys",
}
_TRIGGER_STATES = {"O": "", "D": "disabled", "R": "replica only", "A": "always"}


def target(node: CatalogNode) -> tuple[str, str, str] | None:
    """``("relation" | "function", schema, name)`` for the object ``node`` is or is under.

    ``None`` for databases, schemas, schema folders, types and extensions.
    """
    key = node.key
    if len(key) < 6 or key[0] != "db" or key[2] != "schema":
        return None
    if key[4] in _FUNCTION_KINDS:
        return ("function", key[3], key[5])
    if key[4] in _RELATION_KINDS:
        return ("relation", key[3], key[5])
    return None


def can_describe(node: CatalogNode) -> bool:
    """True for tables, views, materialized views, sequences, functions and their members."""
    return target(node) is not None


def describe(run: Runner, node: CatalogNode) -> Description:
    """The description of the object under ``node`` (several catalog queries).

    Raises:
        QueryError: a query failed, the object is gone, or ``node`` is not describable.
    """
    found = target(node)
    if found is None:
        raise QueryError(f"{node.label} cannot be described", "Nothing to describe")
    what, schema, name = found
    if what == "function":
        return _function(run, schema, name)
    rows = run(q.RELATION, {"schema": schema, "name": name})
    if not rows:
        raise QueryError(f"{schema}.{name} no longer exists", "Nothing to describe")
    rel = rows[0]
    relkind = str(rel["relkind"])
    if relkind == "S":
        return _sequence(run, rel)
    if relkind in ("v", "m"):
        return _view(run, rel)
    return _table(run, rel)


# -- tables ---------------------------------------------------------------------------------


def _table(run: Runner, rel: Row) -> Description:
    oid = {"oid": rel["oid"]}
    columns = run(q.COLUMNS, oid)
    indexes = run(q.INDEXES, oid)
    constraints = run(q.CONSTRAINTS, oid)
    referenced = run(q.REFERENCED_BY, oid)
    triggers = run(q.TRIGGERS, oid)
    partitions = run(q.PARTITIONS, oid) if rel["relkind"] == "p" else []
    policies = run(q.POLICIES, oid)
    sizes, notes = _sizes(run, rel)
    sections = non_empty(
        _columns_section(columns),
        section("Indexes", ("Name", "Kind", "Definition"), (_index_row(i) for i in indexes)),
        *_constraint_sections(constraints),
        section(
            "Referenced by",
            ("Table", "Constraint", "Definition"),
            ((r["source"], r["name"], r["definition"]) for r in referenced),
        ),
        section(
            "Triggers",
            ("Name", "State", "Definition"),
            ((t["name"], _TRIGGER_STATES.get(t["enabled"], ""), t["definition"]) for t in triggers),
        ),
        section(
            "Partitions", ("Partition", "Bound"), ((p["name"], p["bound"]) for p in partitions)
        ),
        section(
            "Policies",
            ("Name", "Command", "Roles", "Using", "With check"),
            (_policy_row(p) for p in policies),
        ),
    )
    ddl = table_ddl(rel, columns, constraints, indexes, triggers, policies)
    return Description(
        title=f"{_KIND_NAMES.get(str(rel['relkind']), 'table')} {rel['qualified']}",
        facts=_relation_facts(rel, sizes),
        sections=sections,
        ddl=ddl,
        notes=notes,
    )


def _policy_row(policy: Row) -> tuple[object, ...]:
    command = policy["command"] + ("" if policy["permissive"] else " (restrictive)")
    return (policy["name"], command, policy["roles"], policy["using_expr"], policy["check_expr"])


def _sizes(run: Runner, rel: Row) -> tuple[Row, tuple[str, ...]]:
    """The sizes, or a note when they could not be read (a lock held elsewhere)."""
    try:
        rows = run(q.SIZES, {"oid": rel["oid"]})
    except QueryError as exc:
        return {}, (f"Sizes not shown: {exc.one_line()}",)
    return (rows[0] if rows else {}), ()


def _relation_facts(rel: Row, sizes: Row) -> tuple[tuple[str, str], ...]:
    return facts(
        [
            ("Owner", rel["owner"]),
            ("Row estimate", estimate_text(rel["estimate"]) if rel["relkind"] != "v" else ""),
            ("Total size", human_size(sizes.get("total_size"))),
            ("Table size", human_size(sizes.get("table_size"))),
            ("Index size", human_size(sizes.get("index_size"))),
            ("Access method", rel["access_method"]),
            ("Tablespace", rel["tablespace"]),
            ("Partition of", rel["parents"] if rel["is_partition"] else ""),
            ("Partition bound", rel["bound"]),
            ("Partition key", rel["partkey"]),
            ("Inherits", "" if rel["is_partition"] else rel["parents"]),
            ("Foreign server", rel["foreign_server"]),
            ("Options", ", ".join(rel["options"] or ())),
            ("Row-level security", _row_security(rel)),
            ("Comment", rel["comment"]),
        ]
    )


def _row_security(rel: Row) -> str:
    if not rel["row_security"]:
        return ""
    return "enabled, forced" if rel["force_row_security"] else "enabled"


def _columns_section(columns: Sequence[Row]) -> Section:
    rows = []
    for col in columns:
        rows.append(
            (
                col["name"],
                col["type"],
                col["collation"],
                "not null" if col["not_null"] else "",
                _column_default(col),
                col["comment"],
            )
        )
    return section(
        "Columns", ("Column", "Type", "Collation", "Nullable", "Default", "Comment"), rows
    )


def _column_default(col: Row) -> str:
    """What psql shows in "Default": the expression, an identity or a generated column."""
    if col["identity"] == "a":
        return "generated always as identity"
    if col["identity"] == "d":
        return "generated by default as identity"
    if col["generated"] == "s":
        return f"generated always as ({col['default_expr']}) stored"
    return str(col["default_expr"] or "")


def _index_row(index: Row) -> tuple[str, str, str]:
    kind = "primary key" if index["is_primary"] else "unique" if index["is_unique"] else ""
    if not index["is_valid"]:
        kind = f"{kind} INVALID".strip()
    definition = str(index["definition"])
    return (index["name"], kind, definition.split(" USING ", 1)[-1])


def _constraint_sections(constraints: Sequence[Row]) -> list[Section]:
    """One section per kind (primary keys are shown with the indexes, as psql does)."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for con in constraints:
        if con["type"] in _CONSTRAINT_TITLES:
            note = "" if con["validated"] else " NOT VALID"
            grouped.setdefault(con["type"], []).append(
                (con["name"], str(con["definition"]).removesuffix(" NOT VALID") + note)
            )
    return [
        section(title, ("Name", "Definition"), grouped.get(kind, ()))
        for kind, title in _CONSTRAINT_TITLES.items()
    ]


# -- views, sequences, functions --------------------------------------------------------------


def _view(run: Runner, rel: Row) -> Description:
    oid = {"oid": rel["oid"]}
    columns = run(q.COLUMNS, oid)
    matview = rel["relkind"] == "m"
    indexes = run(q.INDEXES, oid) if matview else []
    triggers = [] if matview else run(q.TRIGGERS, oid)
    sizes, notes = _sizes(run, rel) if matview else ({}, ())
    name = rel["qualified"]
    body = str(rel["viewdef"] or "").rstrip().removesuffix(";")
    with_options = f" WITH ({', '.join(rel['options'])})" if rel["options"] else ""
    if matview:
        create = f"CREATE MATERIALIZED VIEW {name}{with_options} AS\n{body}\nWITH DATA;"
    else:
        create = f"CREATE OR REPLACE VIEW {name}{with_options} AS\n{body};"
    statements = [create]
    statements += [f"{i['definition']};" for i in indexes]
    statements += [f"{t['definition']};" for t in triggers]
    statements += comments(name, "MATERIALIZED VIEW" if matview else "VIEW", rel, columns)
    sections = non_empty(
        _columns_section(columns),
        section("Indexes", ("Name", "Kind", "Definition"), (_index_row(i) for i in indexes)),
        section(
            "Triggers", ("Name", "Definition"), ((t["name"], t["definition"]) for t in triggers)
        ),
    )
    return Description(
        title=f"{_KIND_NAMES[str(rel['relkind'])]} {name}",
        facts=_relation_facts(rel, sizes),
        sections=sections,
        ddl="\n\n".join(statements) + "\n",
        notes=notes,
    )


def _sequence(run: Runner, rel: Row) -> Description:
    rows = run(q.SEQUENCE, {"oid": rel["oid"]})
    seq = rows[0] if rows else {}
    name = rel["qualified"]
    ddl = ""
    if seq:
        ddl = (
            f"CREATE SEQUENCE {name}\n    AS {seq['type']}\n    START WITH {seq['start']}\n"
            f"    INCREMENT BY {seq['increment']}\n    MINVALUE {seq['minimum']}\n"
            f"    MAXVALUE {seq['maximum']}\n    CACHE {seq['cache']}\n"
            f"    {'CYCLE' if seq['cycle'] else 'NO CYCLE'};\n"
        )
    return Description(
        title=f"sequence {name}",
        facts=facts([("Owner", rel["owner"]), *((k.capitalize(), v) for k, v in seq.items())])
        + facts([("Comment", rel["comment"])]),
        ddl=ddl,
    )


def _function(run: Runner, schema: str, signature: str) -> Description:
    rows = run(q.FUNCTION, {"schema": schema, "signature": signature})
    if not rows:
        raise QueryError(f"{schema}.{signature} no longer exists", "Nothing to describe")
    fn = rows[0]
    kind = {"p": "procedure", "a": "aggregate", "w": "window function"}.get(fn["prokind"])
    volatility = {"i": "immutable", "s": "stable", "v": "volatile"}.get(fn["volatility"])
    parallel = {"s": "safe", "r": "restricted", "u": "unsafe"}.get(fn["parallel"])
    definition = str(fn["definition"] or "")
    ddl = definition.rstrip() + ";\n" if definition else ""
    if ddl and fn["comment"] is not None:
        what = "PROCEDURE" if fn["prokind"] == "p" else "FUNCTION"
        target_name = f"{fn['qualified']}({fn['args']})"
        ddl += f"\nCOMMENT ON {what} {target_name} IS {quote_string(fn['comment'])};\n"
    notes = () if ddl else ("PostgreSQL gives no definition for an aggregate.",)
    return Description(
        title=f"{kind or 'function'} {fn['qualified']}({fn['args']})",
        facts=facts(
            [
                ("Arguments", fn["args"] or "(none)"),
                ("Returns", fn["result"]),
                ("Language", fn["language"]),
                ("Volatility", volatility),
                ("Strict", "yes" if fn["strict"] else "no"),
                ("Security", "definer" if fn["security_definer"] else "invoker"),
                ("Parallel", parallel),
                ("Owner", fn["owner"]),
                ("Comment", fn["comment"]),
            ]
        ),
        ddl=ddl,
        notes=notes,
    )
