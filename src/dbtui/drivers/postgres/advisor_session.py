"""The advisor's private connection, its transactions, HypoPG and plain EXPLAIN.

Hypothetical indexes live in the memory of the backend that created them, so
the advisor uses a connection of its own: nothing it creates can ever show up
in the user's session. Every piece of work runs in one transaction that is
always rolled back, after ``hypopg_reset()``; if either fails, the connection is
closed, which discards the backend and whatever it held.

Where HypoPG is installed in the database, the transaction is READ ONLY. Where
it is only available on the server and the role may create it, the transaction
creates the extension, switches itself to read-only, and the final ROLLBACK
removes the extension again (the database is left as it was). Statements are
only ever planned with plain ``EXPLAIN``, which never runs them, writes included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import set_json_loads

from dbtui.core.advisor.dexter import Outcome
from dbtui.core.advisor.indexes import IndexSpec
from dbtui.core.errors import DbtuiError, QueryError
from dbtui.drivers.postgres.connection import Connection, close_quietly
from dbtui.drivers.postgres.errors import is_connection_lost, query_error

STATEMENT_TIMEOUT = "60s"
"""No single advisor query (an EXPLAIN, a catalog read) runs longer than this."""
LOCK_TIMEOUT = "2s"
"""Planning takes light locks; behind someone's DDL the advisor gives up rather than wait."""
GENERIC_PLAN_VERSION = 160000
"""``EXPLAIN (GENERIC_PLAN)`` exists from PostgreSQL 16."""
_PREPARED = "dbtui_advise"


class PrivateSession:
    """A lazily opened autocommit connection used only by the advisor.

    Args:
        connect: Opens a new connection (the driver's conninfo, another application name).
        where: Masked URL, for messages.
    """

    def __init__(self, connect: Callable[[], Connection], where: str) -> None:
        self._connect = connect
        self.where = where
        self._conn: Connection | None = None

    @property
    def conn(self) -> Connection:
        """The open connection, (re)opened on demand."""
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            close_quietly(conn)
            conn = self._conn = self._connect()
            try:
                for name, value in (
                    ("statement_timeout", STATEMENT_TIMEOUT),
                    ("lock_timeout", LOCK_TIMEOUT),
                    ("default_transaction_read_only", "on"),
                ):
                    conn.execute("SELECT pg_catalog.set_config(%s, %s, false)", [name, value])
            except psycopg.Error as exc:
                self.close()
                raise self.error(exc, "SET") from None
        return conn

    def cancel(self) -> None:
        """Cancel what the advisor is running now; safe from another thread."""
        conn = self._conn
        if conn is not None and not conn.closed:
            with suppress(psycopg.Error, OSError):
                conn.cancel_safe(timeout=10.0)

    def close(self) -> None:
        """Close the connection (the backend and its hypothetical indexes go with it)."""
        conn, self._conn = self._conn, None
        close_quietly(conn)

    def error(self, exc: psycopg.Error, text: str) -> DbtuiError:
        """The dbtui error for ``exc``; a lost connection is closed for a fresh start."""
        if is_connection_lost(exc, self._conn):
            self.close()
        return query_error(exc, text, conn=self._conn, prefix_length=None, where=self.where)

    def rows(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        prepare: bool | None = None,
    ) -> list[dict[str, Any]]:
        """Run ``query`` and return its rows as dicts (JSON as plain floats).

        ``prepare=False`` keeps psycopg from preparing a query run many times (a prepared
        statement may switch to a generic plan, which the recall check must not measure).
        """
        try:
            with self.conn.cursor(row_factory=dict_row) as cur:
                set_json_loads(json.loads, cur)
                cur.execute(query, params, prepare=prepare)
                return cur.fetchall() if cur.description is not None else []
        except psycopg.Error as exc:
            raise self.error(exc, query) from None

    @contextmanager
    def transaction(self, create: Sequence[str] = (), *, write: bool = False) -> Iterator[None]:
        """A transaction that is always rolled back; READ ONLY once ``create`` is done.

        Args:
            create: Extensions to create first (``hypopg``, ``pg_stat_statements``);
                they disappear again with the rollback.
            write: Start it READ WRITE and leave it so (the recall check builds an index
                in it, then makes it read-only itself); the rollback still undoes it all.
        """
        self.rows("BEGIN READ WRITE" if create or write else "BEGIN READ ONLY")
        clean = False
        try:
            for extension in create:
                self.rows(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {}")
                    .format(sql.Identifier(extension))
                    .as_string()
                )
            if create:
                self.rows("SET LOCAL transaction_read_only = on")
            yield
            clean = True
        finally:
            self._end(clean)

    def _end(self, clean: bool) -> None:
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            self.close()
            return
        try:
            conn.execute("ROLLBACK")
            conn.execute("DEALLOCATE ALL")
        except psycopg.Error:
            clean = False
        if not clean:
            self.close()

    @contextmanager
    def savepoint(self, name: str = "dbtui_advise") -> Iterator[None]:
        """Roll back to a savepoint when the block fails, so the transaction goes on."""
        self.rows(f"SAVEPOINT {name}")
        try:
            yield
        except DbtuiError:
            with suppress(DbtuiError):
                self.rows(f"ROLLBACK TO SAVEPOINT {name}")
                self.rows(f"RELEASE SAVEPOINT {name}")
            raise
        self.rows(f"RELEASE SAVEPOINT {name}")

    def explain(self, text: str, params: int, version: int) -> Any:
        """Plain ``EXPLAIN (FORMAT JSON)`` of ``text``; never runs it.

        Statements with ``$n`` parameters get a generic plan: ``GENERIC_PLAN`` from
        PostgreSQL 16, before that ``PREPARE`` and ``EXECUTE`` with NULLs under
        ``plan_cache_mode = force_generic_plan`` (the plan does not depend on them).

        Raises:
            QueryError: the server could not plan it.
        """
        if params == 0:
            return self._plan(f"EXPLAIN (FORMAT JSON) {text}", text)
        if version >= GENERIC_PLAN_VERSION:
            return self._plan(f"EXPLAIN (FORMAT JSON, GENERIC_PLAN) {text}", text)
        nulls = ", ".join(["NULL"] * params)
        self.rows(f"PREPARE {_PREPARED} AS {text}")
        try:
            self.rows("SET LOCAL plan_cache_mode = force_generic_plan")
            return self._plan(f"EXPLAIN (FORMAT JSON) EXECUTE {_PREPARED}({nulls})", text)
        finally:
            with suppress(DbtuiError):
                self.rows(f"DEALLOCATE {_PREPARED}")

    def _plan(self, query: str, text: str) -> Any:
        try:
            rows = self.rows(query)
        except QueryError as exc:
            exc.statement = text
            exc.position = None
            raise
        if not rows:
            raise QueryError("EXPLAIN returned no plan", "Cannot advise", statement=text)
        return next(iter(rows[0].values()))


class Hypo:
    """The hypothetical indexes of one transaction (HypoPG functions in ``schema``)."""

    def __init__(self, session: PrivateSession, schema: str) -> None:
        self.session = session
        self.schema = schema
        self.created: dict[IndexSpec, tuple[int, str]] = {}
        """spec -> (oid, name) of what exists now."""
        self.failed: dict[IndexSpec, str] = {}
        """specs HypoPG refused, with the reason (a non-immutable expression, a type
        without a default operator class...)."""

    def _function(self, name: str) -> str:
        return (
            sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name)).as_string()
        )

    def reset(self) -> None:
        """Remove every hypothetical index of this backend."""
        self.session.rows(f"SELECT {self._function('hypopg_reset')}()")
        self.created.clear()

    def ensure(self, specs: Sequence[IndexSpec]) -> None:
        """Make exactly ``specs`` exist (adding to the current set when it is a subset)."""
        if not set(self.created) <= set(specs):
            self.reset()
        create = self._function("hypopg_create_index")
        for spec in specs:
            if spec in self.created or spec in self.failed:
                continue
            try:
                with self.session.savepoint("dbtui_hypo"):
                    rows = self.session.rows(
                        f"SELECT indexrelid, indexname FROM {create}(%(ddl)s)",
                        {"ddl": spec.ddl(concurrently=False)},
                    )
            except QueryError as exc:
                self.failed[spec] = exc.message
                continue
            if rows:
                self.created[spec] = (int(rows[0]["indexrelid"]), str(rows[0]["indexname"]))

    def size(self, spec: IndexSpec) -> int | None:
        """HypoPG's estimated size of ``spec`` in bytes (an upper bound), if it exists."""
        made = self.created.get(spec)
        if made is None:
            return None
        rows = self.session.rows(
            f"SELECT {self._function('hypopg_relation_size')}(%(oid)s) AS size", {"oid": made[0]}
        )
        return int(rows[0]["size"]) if rows and rows[0]["size"] is not None else None

    def definition(self, spec: IndexSpec) -> str | None:
        """The server's rendering of ``spec`` (``CREATE INDEX ON s.t USING btree (k)``)."""
        made = self.created.get(spec)
        if made is None:
            return None
        rows = self.session.rows(
            f"SELECT {self._function('hypopg_get_indexdef')}(%(oid)s) AS def", {"oid": made[0]}
        )
        return str(rows[0]["def"]) if rows else None

    def outcome(self, plan: Any) -> Outcome:
        """Cost and used hypothetical indexes of ``plan`` (EXPLAIN JSON)."""
        names = set(index_names(plan))
        used = tuple(spec for spec, (_oid, name) in self.created.items() if name in names)
        return Outcome(plan_cost(plan), used, plan)


def plan_cost(plan: Any) -> float:
    """The ``Total Cost`` of the top node of EXPLAIN JSON."""
    try:
        return float(plan[0]["Plan"]["Total Cost"])
    except (LookupError, TypeError, ValueError):
        return 0.0


def index_names(plan: Any) -> Iterator[str]:
    """Every ``Index Name`` in EXPLAIN JSON, depth first."""
    try:
        stack = [plan[0]["Plan"]]
    except (LookupError, TypeError):
        return
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if node.get("Index Name"):
                yield str(node["Index Name"])
            stack.extend(node.get("Plans") or ())
