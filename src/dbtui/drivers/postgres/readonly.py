"""What a read-only PostgreSQL connection may run: a pure walk over pglast's parse tree.

PostgreSQL's ``default_transaction_read_only`` does not stop ``COPY ... TO
PROGRAM``, ``lo_import``, ``VACUUM``, ``ALTER SYSTEM``, ``NOTIFY`` and many
more, so dbtui refuses, before sending, every statement that is not a plain
read. Allowed (everything else is refused):

* ``SELECT`` / ``VALUES`` / ``TABLE`` / ``WITH`` without ``INTO``, without a
  data-modifying ``WITH`` query anywhere, and without ``FOR UPDATE`` /
  ``FOR [NO KEY] SHARE`` / ``FOR KEY SHARE`` (row locks block writers);
* ``EXPLAIN`` of any explainable statement (it is planned, not run), and
  ``EXPLAIN ANALYZE`` of an allowed statement;
* ``SHOW``; ``SET`` / ``RESET`` except what would make the session writable
  or change who it acts as (see :data:`REFUSED_SETTINGS`, ``RESET ALL``,
  ``... READ WRITE``);
* ``BEGIN`` / ``START TRANSACTION`` (not ``READ WRITE``), ``COMMIT``,
  ``ROLLBACK``, ``SAVEPOINT``, ``RELEASE``, ``ROLLBACK TO`` (not the
  two-phase ``PREPARE TRANSACTION`` / ``COMMIT PREPARED`` / ``ROLLBACK PREPARED``);
* ``DECLARE`` a cursor for an allowed query, ``FETCH``, ``MOVE``, ``CLOSE``;
* ``PREPARE`` of an allowed statement, ``EXECUTE`` of a statement prepared
  (and so checked) on this connection, ``DEALLOCATE``;
* ``DISCARD PLANS`` / ``SEQUENCES`` / ``TEMP`` (not ``DISCARD ALL``), ``UNLISTEN``;
* ``COPY table TO STDOUT`` / ``COPY (allowed query) TO STDOUT``.

Refused on purpose: ``LISTEN`` (dbtui shows no notifications, and a session
that listens while it holds a transaction open keeps the server's
notification queue from being trimmed), ``LOCK``, ``LOAD``, ``DO``, ``CALL``,
every DDL and maintenance command, ``COPY`` from anything or to a file or
program.

Every function called anywhere in an allowed statement (``FuncCall`` nodes:
select lists, ``FROM``, ``WHERE``, subqueries, ``EXECUTE`` parameters) must
also pass :func:`function_refusal`: never one of :data:`DENIED_FUNCTIONS` or
:data:`DENIED_PREFIXES`; otherwise IMMUTABLE or STABLE in every overload, in
every schema (judged from ``pg_proc.provolatile``, see
:mod:`.readonly_catalog`), or on :data:`HARMLESS_VOLATILE`. Not seen by this
walk, and left to the server's read-only transaction: operators' functions,
type input/cast functions, functions called through views or attribute
notation (``t.f``), and functions that lie about their volatility.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from pglast import ast

from dbtui.core.sqlclass import classify_node

REFUSED_SETTINGS = frozenset(
    {
        "default_transaction_read_only",
        "transaction_read_only",
        "session_authorization",
        "role",
        "session_replication_role",
        "allow_system_table_mods",
    }
)
"""Settings a read-only connection never changes (``SET x = on`` for the first two is fine)."""

_READ_ONLY_ON = frozenset({"default_transaction_read_only", "transaction_read_only"})

HARMLESS_VOLATILE = frozenset(
    # A word list reads better than dozens of quoted strings.
    """
    random random_normal setseed gen_random_uuid uuid_generate_v1 uuid_generate_v1mc
    uuid_generate_v4 gen_random_bytes clock_timestamp timeofday pg_sleep pg_sleep_for
    pg_sleep_until pg_relation_size pg_total_relation_size pg_table_size pg_indexes_size
    pg_database_size pg_tablespace_size pg_column_size pg_is_in_recovery
    pg_current_wal_lsn pg_current_wal_insert_lsn pg_current_wal_flush_lsn
    pg_last_wal_receive_lsn pg_last_wal_replay_lsn pg_last_xact_replay_timestamp
    pg_is_wal_replay_paused pg_get_wal_replay_pause_state pg_blocking_pids
    pg_safe_snapshot_blocking_pids pg_lock_status pg_prepared_xact pg_stat_statements
    pg_stat_statements_info pg_stat_clear_snapshot
    """.split()  # noqa: SIM905
)
"""VOLATILE functions that change nothing outside the session and may run read-only."""

DENIED_FUNCTIONS = frozenset(
    # A word list reads better than dozens of quoted strings.
    """
    pg_terminate_backend pg_cancel_backend pg_reload_conf pg_rotate_logfile
    pg_rotate_logfile_old set_config pg_promote pg_switch_wal pg_switch_xlog
    pg_create_restore_point pg_logical_emit_message pg_notify pg_read_file
    pg_read_file_old pg_read_binary_file pg_stat_file pg_import_system_collations
    pg_log_backend_memory_contexts pg_start_backup pg_stop_backup pg_backup_start
    pg_backup_stop pg_export_snapshot pg_truncate_visibility_map pg_nextoid pg_logdir_ls
    txid_current pg_current_xact_id nextval setval loread lowrite query_to_xml
    query_to_xmlschema query_to_xml_and_xmlschema cursor_to_xml cursor_to_xmlschema
    ts_stat
    """.split()  # noqa: SIM905
)
"""Functions refused whatever their volatility: administration, server files, SQL in a string."""

DENIED_PREFIXES = (
    "lo_",
    "dblink",
    "pg_stat_reset",
    "pg_advisory_",
    "pg_try_advisory_",
    "pg_ls_",
    "pg_file_",
    "pg_read_",
    "pg_create_",
    "pg_drop_",
    "pg_copy_",
    "pg_replication_origin_",
    "pg_replication_slot_",
    "pg_logical_slot_",
    "pg_wal_replay_",
)
"""Name prefixes refused like :data:`DENIED_FUNCTIONS` (``lo_*``, ``dblink*``, advisory locks...)."""

_STAT_RESET = re.compile(r"^pg_stat_\w*reset\w*$")
_MODIFYING = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)
_EXPLAINABLE = (
    ast.SelectStmt,
    ast.InsertStmt,
    ast.UpdateStmt,
    ast.DeleteStmt,
    ast.MergeStmt,
    ast.ExecuteStmt,
    ast.DeclareCursorStmt,
    ast.CreateTableAsStmt,
)
_REFUSED_TRANSACTIONS = {
    "TRANS_STMT_PREPARE": "PREPARE TRANSACTION",
    "TRANS_STMT_COMMIT_PREPARED": "COMMIT PREPARED",
    "TRANS_STMT_ROLLBACK_PREPARED": "ROLLBACK PREPARED",
}
_LABELS = {
    "CheckPointStmt": "CHECKPOINT",
    "IndexStmt": "CREATE INDEX",
    "CreateStmt": "CREATE TABLE",
    "CreateTableAsStmt": "CREATE TABLE AS",
    "ViewStmt": "CREATE VIEW",
    "RuleStmt": "CREATE RULE",
    "CreatedbStmt": "CREATE DATABASE",
    "DropdbStmt": "DROP DATABASE",
    "GrantStmt": "GRANT/REVOKE",
    "GrantRoleStmt": "GRANT/REVOKE",
    "RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
    "VariableSetStmt": "SET",
    "InsertStmt": "INSERT",
    "UpdateStmt": "UPDATE",
    "DeleteStmt": "DELETE",
    "MergeStmt": "MERGE",
    "ListenStmt": "LISTEN",
}


@dataclass(frozen=True)
class ReadCheck:
    """The verdict of the pure walk on one statement.

    Attributes:
        refused: Why the statement may not run read-only (a clause for a
            message, e.g. "VACUUM is not a plain read"); ``None`` when the
            statement is allowed once its functions pass.
        functions: Names (as written, unqualified) of every function it calls;
            each must pass :func:`function_refusal`.
        prepares: The name a ``PREPARE`` gives its statement (to remember once
            it is allowed), else ``None``.
    """

    refused: str | None = None
    functions: frozenset[str] = frozenset()
    prepares: str | None = None


def check(node: ast.Node, prepared: Collection[str] = ()) -> ReadCheck:
    """Whether the parsed statement ``node`` (a ``RawStmt.stmt``) is a plain read.

    Args:
        node: The statement.
        prepared: Names of the statements prepared (and allowed) on this
            connection: ``EXECUTE`` of any other name is refused.
    """
    if isinstance(node, ast.ExplainStmt):
        return _check_explain(node, prepared)
    if isinstance(node, ast.SelectStmt):
        if node.intoClause is not None:
            return ReadCheck("SELECT INTO creates a table")
        return _check_query(node)
    if isinstance(node, ast.CopyStmt):
        return _check_copy(node)
    if isinstance(node, ast.DeclareCursorStmt):
        return _check_inner(node.query, "DECLARE CURSOR")
    if isinstance(node, ast.PrepareStmt):
        inner = _check_inner(node.query, "PREPARE")
        return ReadCheck(inner.refused, inner.functions, node.name)
    if isinstance(node, ast.ExecuteStmt):
        if node.name not in prepared:
            return ReadCheck(
                f"EXECUTE {node.name} runs a statement dbtui did not see prepared on this "
                "connection, so it cannot be checked"
            )
        return _check_query(node)
    if isinstance(node, ast.VariableSetStmt | ast.TransactionStmt | ast.DiscardStmt):
        return ReadCheck(_session_refusal(node))
    if isinstance(
        node,
        ast.VariableShowStmt
        | ast.FetchStmt
        | ast.ClosePortalStmt
        | ast.DeallocateStmt
        | ast.UnlistenStmt,
    ):
        return ReadCheck()
    return ReadCheck(f"{label(node)} is not a plain read")


def _check_explain(node: ast.ExplainStmt, prepared: Collection[str]) -> ReadCheck:
    """Plain EXPLAIN only plans (nothing runs); EXPLAIN ANALYZE runs its statement."""
    query = node.query
    if not _is_analyze(node):
        if isinstance(query, _EXPLAINABLE):
            return ReadCheck()
        return ReadCheck(f"EXPLAIN of {label(query)} is not a plain read")
    assert query is not None
    inner = check(query, prepared)
    if inner.refused is None:
        return inner
    return ReadCheck(f"EXPLAIN ANALYZE runs the statement, and {inner.refused}", inner.functions)


def _is_analyze(node: ast.ExplainStmt) -> bool:
    for opt in node.options or ():
        if opt.defname != "analyze":
            continue
        arg = opt.arg
        if arg is None:
            return True
        value = getattr(arg, "sval", None)
        if value is None:
            value = getattr(arg, "boolval", None)
        if value is None:
            value = getattr(arg, "ival", 1)
        return str(value).lower() not in {"off", "false", "0", "no", "f", "n"}
    return False


def _check_inner(query: ast.Node | None, what: str) -> ReadCheck:
    if not isinstance(query, ast.SelectStmt):
        return ReadCheck(f"{what} of {label(query) if query else 'this'} is not a plain read")
    if query.intoClause is not None:
        return ReadCheck(f"{what} of SELECT INTO creates a table")
    return _check_query(query)


def _check_copy(node: ast.CopyStmt) -> ReadCheck:
    if node.is_from:
        return ReadCheck("COPY ... FROM writes rows")
    if node.is_program:
        return ReadCheck("COPY ... TO PROGRAM runs a shell command on the server")
    if node.filename is not None:
        return ReadCheck("COPY ... TO a file writes a file on the server")
    if node.query is None:
        return ReadCheck()
    return _check_inner(node.query, "COPY")


def _check_query(node: ast.Node) -> ReadCheck:
    """A query (or EXECUTE's parameters): no writes, no row locks, and its function calls."""
    for inner in _nodes(node):
        if isinstance(inner, _MODIFYING):
            return ReadCheck(f"it holds a data-modifying {label(inner)} (in a WITH query)")
        if isinstance(inner, ast.SelectStmt) and inner.lockingClause:
            return ReadCheck("SELECT ... FOR UPDATE/SHARE locks rows (and blocks writers)")
        if isinstance(inner, ast.SelectStmt) and inner.intoClause is not None:
            return ReadCheck("SELECT INTO creates a table")
    return ReadCheck(functions=called_functions(node))


def called_functions(node: ast.Node) -> frozenset[str]:
    """Names (unqualified, as written) of every function called anywhere in ``node``."""
    return frozenset(
        str(getattr(inner.funcname[-1], "sval", ""))
        for inner in _nodes(node)
        if isinstance(inner, ast.FuncCall) and inner.funcname
    )


def _session_refusal(node: ast.Node) -> str | None:
    if isinstance(node, ast.TransactionStmt):
        refused = _REFUSED_TRANSACTIONS.get(getattr(node.kind, "name", ""))
        if refused is not None:
            return f"{refused} is two-phase commit, which changes other sessions' work"
    if classify_node(node).disables_read_only:
        return "it would make the session read-write"
    if isinstance(node, ast.VariableSetStmt):
        name = (node.name or "").lower()
        if name in REFUSED_SETTINGS and not (name in _READ_ONLY_ON and _sets_on(node)):
            return f"SET {name} changes what the session may do"
    return None


def _sets_on(node: ast.VariableSetStmt) -> bool:
    """``SET default_transaction_read_only = on`` (or true, 1...)."""
    if getattr(node.kind, "name", "") != "VAR_SET_VALUE":
        return False
    words = [str(getattr(getattr(a, "val", a), "sval", "")).lower() for a in node.args or ()]
    words += [str(getattr(getattr(a, "val", a), "ival", "")) for a in node.args or ()]
    words += [str(getattr(getattr(a, "val", a), "boolval", "")).lower() for a in node.args or ()]
    return any(w in {"on", "true", "1", "yes", "t", "y"} for w in words)


def function_refusal(name: str, volatility: str | None) -> str | None:
    """Why calling function ``name`` is refused on a read-only connection, or ``None``.

    Args:
        name: The function's name as the parser gives it (unqualified).
        volatility: Every ``pg_proc.provolatile`` letter of every function of
            that name in any schema (e.g. ``"is"``); ``None`` when there is none.
    """
    lower = name.lower()
    if lower in DENIED_FUNCTIONS or lower.startswith(DENIED_PREFIXES) or _STAT_RESET.match(lower):
        return f"{name}() is an administration or server-file function"
    if lower in HARMLESS_VOLATILE:
        return None
    if volatility is None:
        return f"{name}() is not in the catalog, so it cannot be checked"
    if "v" in volatility:
        return f"{name}() is VOLATILE (it may write); only IMMUTABLE and STABLE functions run"
    return None


def label(node: ast.Node | None) -> str:
    """A statement's name for messages: ``VACUUM``, ``ALTER SYSTEM``, ``DROP TABLE``..."""
    if node is None:
        return "?"
    name = type(node).__name__
    if name in _LABELS:
        return _LABELS[name]
    if isinstance(node, ast.VacuumStmt):
        return "VACUUM" if node.is_vacuumcmd else "ANALYZE"
    if isinstance(node, ast.DropStmt):
        kind = getattr(node.removeType, "name", "").removeprefix("OBJECT_").replace("_", " ")
        return f"DROP {kind}".rstrip()
    words = re.findall(r"[A-Z][a-z]*", name.removesuffix("Stmt"))
    return " ".join(words).upper() or name


def _nodes(node: object) -> Iterator[ast.Node]:
    """Every node of the tree under ``node``, ``node`` included."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from _nodes(item)
    elif isinstance(node, ast.Node):
        yield node
        for attr in node:
            yield from _nodes(getattr(node, attr))
