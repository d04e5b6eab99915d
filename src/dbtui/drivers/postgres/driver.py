"""The PostgreSQL driver: two connections, a lazy catalog, streamed statements.

Connections: one for the user's statements (:class:`Session`) and one for
catalog introspection, so a long query never blocks the tree. Both are
autocommit; the catalog one is always read-only.

Connection loss: a statement on a lost session raises
:class:`ConnectionLostError` and so does every later one, until the UI
calls :meth:`PostgresDriver.reconnect` (reconnecting is explicit because an
open transaction and session settings made with SET were lost, and the
user should know). The catalog connection, which holds no user state,
reconnects by itself once per query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

import psycopg
from pglast import ast
from pglast.stream import RawStream
from psycopg.rows import dict_row

from dbtui.core.advice import HealthFinding, Suggestion
from dbtui.core.capabilities.vectors import RecallOutcome
from dbtui.core.catalog import CatalogNode
from dbtui.core.completion import CatalogSnapshot
from dbtui.core.confirmation import Confirmation
from dbtui.core.describe import Description
from dbtui.core.driver import Capabilities, Driver
from dbtui.core.errors import (
    ConnectError,
    ConnectionLostError,
    QueryError,
)
from dbtui.core.plan import Plan
from dbtui.core.results import Result, Statement, StatusResult
from dbtui.core.spec import ConnectionSpec
from dbtui.core.sqlclass import destructive_question
from dbtui.core.writes import PendingWrite, held_results, sql_question_before
from dbtui.drivers.postgres import completion, held, index_ddl, queries, vectors
from dbtui.drivers.postgres import describe as describing
from dbtui.drivers.postgres import explain as explaining
from dbtui.drivers.postgres import export as server_export
from dbtui.drivers.postgres import health as health_checks
from dbtui.drivers.postgres.advisor import PostgresAdvisor
from dbtui.drivers.postgres.catalog import CatalogBrowser
from dbtui.drivers.postgres.connection import (
    Connection,
    build_conninfo,
    close_quietly,
    describe_target,
    open_connection,
)
from dbtui.drivers.postgres.details import details as table_details
from dbtui.drivers.postgres.errors import is_connection_lost, one_line, query_error
from dbtui.drivers.postgres.formatting import format_sql
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan
from dbtui.drivers.postgres.readonly_catalog import ReadOnlyGuard
from dbtui.drivers.postgres.session import PAGE_SIZE, Session, classify_one
from dbtui.drivers.postgres.splitting import split_script
from dbtui.drivers.postgres.urls import parse_url

CATALOG_APPLICATION_NAME = "dbtui catalog"
ADVISOR_APPLICATION_NAME = "dbtui advisor"
CATALOG_STATEMENT_TIMEOUT = "30s"
"""A catalog query never runs longer than this."""
CATALOG_LOCK_TIMEOUT = "2s"
"""A catalog query waiting this long for a lock (size functions need one) gives up."""


class PostgresDriver(Driver):
    """PostgreSQL through psycopg 3.

    Args:
        spec: What to connect to. ``spec.url`` may be a URL, a keyword
            conninfo string, or empty (libpq environment, pgpass, service file).
            ``spec.option("statement_timeout")`` sets a statement timeout
            (milliseconds, or a PostgreSQL duration such as ``"30s"``).
        statement_timeout_ms: Overrides the spec's statement timeout; 0 disables it.
        page_size: Rows per server-side FETCH while streaming.
    """

    engine: ClassVar[str] = "postgresql"
    parse_url = staticmethod(parse_url)
    """Masking and naming hook of :func:`dbtui.core.spec.url_facts` (engine's own URL rules)."""
    display_name: ClassVar[str] = "PostgreSQL"
    sql_dialect: ClassVar[str] = "postgresql"
    """:class:`~dbtui.core.capabilities.LiteralQuoting`: how exports spell literals."""
    capabilities: ClassVar[Capabilities] = Capabilities(
        cancel=True,
        explain=True,
        explain_analyze=True,
        transactions=True,
        advise=True,
        server_read_only=True,
    )

    @classmethod
    def starter_text(cls, spec: ConnectionSpec) -> str:
        """:class:`~dbtui.core.capabilities.StarterText`: a new editor's examples."""
        return (
            "-- F5 runs the statement under the cursor, F6 explains it.\n"
            "SELECT schemaname, relname, n_live_tup\nFROM pg_stat_user_tables\n"
            "ORDER BY n_live_tup DESC\nLIMIT 20;\n"
        )

    def __init__(
        self,
        spec: ConnectionSpec,
        *,
        statement_timeout_ms: int | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(spec)
        self.page_size = page_size
        self._password: str | None = None
        self._dbname: str | None = None
        self._statement_timeout = (
            str(statement_timeout_ms)
            if statement_timeout_ms is not None
            else spec.option("statement_timeout")
        )
        self._where = describe_target(spec)
        self._session: Session | None = None
        self._catalog: Connection | None = None
        self._catalog_lock = threading.Lock()
        self._browser: CatalogBrowser | None = None
        self._advisor: PostgresAdvisor | None = None
        self._guard = ReadOnlyGuard(self._catalog_rows)
        """Read-only refusals before sending, and the function volatility cache."""
        self._confirm_over: int | None = None
        """Set only while :meth:`execute_checked` advances :meth:`execute` (never across a yield)."""

    def __repr__(self) -> str:
        return f"PostgresDriver({self._where!r}, read_only={self.spec.read_only})"

    # -- connecting -------------------------------------------------------------------------

    def set_password(self, password: str | None) -> None:
        """Use ``password`` for the next :meth:`connect` (kept in memory only, never shown)."""
        self._password = password

    def connect(self) -> None:
        """Open the user and catalog connections.

        Raises:
            PasswordRequired: a password is needed (or was refused); prompt,
                call :meth:`set_password` and connect again.
            ConnectError: anything else that prevents connecting.
        """
        self.close()
        user = open_connection(self._conninfo(), self._where)
        try:
            self._configure(user, read_only=self.spec.read_only, timeout=self._statement_timeout)
            catalog = open_connection(self._conninfo(CATALOG_APPLICATION_NAME), self._where)
            self._configure_catalog(catalog)
        except BaseException:
            close_quietly(user)
            raise
        self._catalog = catalog
        self._session = Session(
            user,
            self._where,
            self._type_names,
            page_size=self.page_size,
            read_only=self.spec.read_only,
        )
        self._browser = CatalogBrowser(self._catalog_rows, user.info.dbname)
        self._guard.reset()

    def reconnect(self) -> None:
        """Open fresh connections after a loss (or to reset the session); same settings."""
        self.connect()

    def switch_database(self, name: str) -> None:
        """Reconnect both connections to database ``name`` of the same server.

        An open transaction is lost: ask the user first when
        :attr:`transaction_status` is not "idle". On failure the driver stays
        connected to the previous database and the error is raised.
        """
        previous = self._dbname
        self._dbname = name
        try:
            self.connect()
        except ConnectError:
            self._dbname = previous
            self.connect()
            raise

    def _conninfo(self, application_name: str = "dbtui") -> str:
        return build_conninfo(
            self.spec,
            password=self._password,
            dbname=self._dbname,
            application_name=application_name,
        )

    def _configure_catalog(self, conn: Connection) -> None:
        """Read-only, and never stuck behind a lock (e.g. the user's own uncommitted DDL)."""
        self._configure(conn, read_only=True, timeout=CATALOG_STATEMENT_TIMEOUT)
        self._configure(conn, read_only=False, timeout=CATALOG_LOCK_TIMEOUT, name="lock_timeout")

    def _configure(
        self,
        conn: Connection,
        *,
        read_only: bool,
        timeout: str | None,
        name: str = "statement_timeout",
    ) -> None:
        """Apply session settings right after connecting (``timeout`` sets ``name``)."""
        try:
            if read_only:
                conn.execute("SET default_transaction_read_only = on")
            if timeout is not None:
                conn.execute("SELECT pg_catalog.set_config(%s, %s, false)", [name, timeout])
        except psycopg.Error as exc:
            raise ConnectError(f"{self._where}: {one_line(str(exc))}") from None

    def close(self) -> None:
        """Close both connections; safe to call twice."""
        session, self._session = self._session, None
        if session is not None:
            session.close()
        with self._catalog_lock:
            close_quietly(self._catalog)
            self._catalog = None
        self._browser = None
        advisor, self._advisor = self._advisor, None
        if advisor is not None:
            advisor.close()

    def _require_session(self) -> Session:
        if self._session is None:
            raise ConnectionLostError(f"not connected to {self._where}")
        return self._session

    # -- catalog ----------------------------------------------------------------------------

    def children(self, node: CatalogNode | None) -> Sequence[CatalogNode]:
        """Catalog children of ``node``: one catalog query per call (see :mod:`.catalog`)."""
        if self._browser is None:
            raise ConnectionLostError(f"not connected to {self._where}")
        return self._browser.children(node)

    def details(self, node: CatalogNode) -> Sequence[tuple[str, str]]:
        """Sizes, counters and maintenance times for tables; ``node.meta`` otherwise."""
        return table_details(self._catalog_rows, node)

    def can_describe(self, node: CatalogNode) -> bool:
        """:class:`~dbtui.core.capabilities.describing.Describing`; no I/O."""
        return describing.can_describe(node)

    def describe(self, node: CatalogNode) -> Description:
        """The object under ``node`` as psql's ``\\d`` shows it, with its DDL (:mod:`.describe`)."""
        return describing.describe(self._catalog_rows, node)

    format_sql = staticmethod(format_sql)
    """:class:`~dbtui.core.capabilities.formatting.Formatting`: pglast's prettifier."""

    def completion_snapshot(self) -> CatalogSnapshot:
        """Schemas, tables, views, columns and functions for editor completion (one query).

        Runs on the catalog connection, so a long user statement does not delay it.

        Raises:
            QueryError: the catalog query failed.
            ConnectionLostError: not connected.
        """
        return completion.snapshot(self._catalog_rows(completion.SNAPSHOT_QUERY, {}))

    def _catalog_rows(self, sql: str, params: Mapping[str, object]) -> list[dict[str, Any]]:
        """Run a catalog query, reopening the catalog connection once if it was lost."""
        with self._catalog_lock:
            for attempt in (1, 2):
                conn = self._catalog
                if conn is None or conn.closed or conn.broken:
                    close_quietly(conn)
                    conn = self._catalog = open_connection(
                        self._conninfo(CATALOG_APPLICATION_NAME), self._where
                    )
                    self._configure_catalog(conn)
                try:
                    with conn.cursor(row_factory=dict_row) as cur:
                        cur.execute(sql, params)
                        return cur.fetchall()
                except psycopg.Error as exc:
                    if attempt == 1 and is_connection_lost(exc, conn):
                        continue
                    raise query_error(exc, sql, conn=conn, where=self._where) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _type_names(self, oids: Sequence[int]) -> dict[int, str]:
        rows = self._catalog_rows(queries.TYPE_NAMES, {"oids": list(oids)})
        return {int(row["oid"]): str(row["format_type"]) for row in rows}

    # -- statements -------------------------------------------------------------------------

    def split(self, script: str) -> list[Statement]:
        """Split with PostgreSQL's own lexer (dollar quotes, comments, BEGIN ATOMIC)."""
        return split_script(script)

    def execute(self, statement: str) -> Iterator[Result]:
        """Run each statement of ``statement`` in turn, yielding one result per statement.

        SELECT-like statements stream through a server-side cursor (see
        :mod:`.session`); close each result's stream, or advance the iterator,
        before the next call. Error positions are 0-based offsets in ``statement``.

        Raises:
            QueryError: the server rejected a statement (with detail, hint, position).
            ReadOnlyError: read-only mode, and the statement is not a plain read
                (refused before sending, see :mod:`.readonly`) or the server refused it.
            CancelledError: :meth:`cancel` interrupted it.
            ConnectionLostError: the session is gone; call :meth:`reconnect`.
        """
        session = self._require_session()
        for piece in split_script(statement):
            info = classify_one(piece.text)
            self._guard.before_send(info, piece, statement, read_only=self.spec.read_only)
            try:
                result = session.run(
                    piece.text, classification=info, confirm_over=self._confirm_over
                )
            except QueryError as exc:
                _relocate(exc, statement, piece.start)
                raise
            yield result

    # -- writes held for confirmation (dbtui.core.writes.ConfirmsWrites) ---------------------

    def execute_checked(self, statement: str, confirm_over: int) -> Iterator[Result | PendingWrite]:
        """:meth:`execute`, holding a write that changes more than ``confirm_over`` rows
        (or has no WHERE) in an open transaction: it is yielded as a
        :class:`PendingWrite` and the iteration ends; answer with
        :meth:`commit_pending` or :meth:`rollback_pending`."""
        yield from held_results(
            self.execute(statement), self._arm_hold, lambda: self.pending, confirm_over
        )

    def _arm_hold(self, confirm_over: int | None) -> None:
        """Set the threshold :meth:`execute` reads while it runs a write (None: never hold)."""
        self._confirm_over = confirm_over

    @property
    def pending(self) -> PendingWrite | None:
        """The write held in an open transaction, or ``None``."""
        return self._session.pending if self._session is not None else None

    def commit_pending(self) -> StatusResult:
        """COMMIT the held write (inside the user's transaction: keep it there)."""
        return held.finish(self._require_session(), commit=True)

    def rollback_pending(self) -> StatusResult:
        """Roll back the held write; a no-op when nothing is held."""
        return held.finish(self._require_session(), commit=False)

    def question_before(self, statement: str) -> Confirmation | None:
        """:meth:`needs_confirmation` minus DELETE/UPDATE without WHERE, which
        :meth:`execute_checked` holds and asks about with the real row count
        (none in read-only mode, which refuses all of them at once)."""
        if self.spec.read_only:
            return None
        analyzed = _analyzed_statement(statement)
        if analyzed is not None:
            return self._typed_analyze_question(analyzed)
        return sql_question_before(statement)

    def cancel(self) -> None:
        """Cancel the running statement (libpq cancel request); safe from another thread."""
        session = self._session
        if session is not None:
            session.cancel()

    def set_statement_timeout(self, milliseconds: int | None) -> None:
        """Set ``statement_timeout`` for this and later sessions; ``None`` or 0 disables it.

        Takes effect at once when connected (inside a transaction that is later
        rolled back, it reverts with it, as SET does).

        Raises:
            QueryError: the server refused it (e.g. in a failed transaction).
        """
        self._statement_timeout = str(milliseconds or 0)
        session = self._session
        if session is None or session.lost:
            return
        sql = "SELECT pg_catalog.set_config('statement_timeout', %s, false)"
        try:
            session.conn.execute(sql, [self._statement_timeout])
        except psycopg.Error as exc:
            raise session.error(exc, sql, None) from None

    # -- explain ----------------------------------------------------------------------------

    def explain(self, statement: str, *, analyze: bool = False) -> Plan:
        """The analysed plan of ``statement`` (see :meth:`explain_json` for the safety rules)."""
        return parse_postgres_plan(self.explain_json(statement, analyze), statement)

    def read_plan(self, text: str) -> Plan:
        """:class:`~dbtui.core.capabilities.PlanReading`: a pasted JSON or text plan, no I/O.

        The parser tells JSON from psql text itself (see ``plans/paste.py``), as
        ``dbtui explain --plan-file`` does; raises ``PlanFormatError`` naming the line.
        """
        from dbtui.drivers.postgres.plans.parse import parse_postgres_text_plan

        return parse_postgres_text_plan(text)

    def explain_json(self, statement: str, analyze: bool = False, buffers: bool = True) -> Any:
        """``EXPLAIN (FORMAT JSON ...)`` of one statement: the server's JSON (a list).

        With ``analyze`` a write runs in a transaction that is always rolled back
        (see :mod:`.explain`); ask the user first when :meth:`explain_is_write`.
        """
        return explaining.explain_json(
            self._require_session(),
            statement,
            analyze=analyze,
            buffers=buffers,
            read_only=self.spec.read_only,
            guard=self._guard,
        )

    def explain_is_write(self, statement: str) -> bool:
        """True when EXPLAIN ANALYZE of ``statement`` would write (confirm first)."""
        return explaining.explain_is_write(statement)

    def analyze_needs_confirmation(self, statement: str) -> str | None:
        """The rollback notice for a write or a call of a function not known to be
        read-only; ``None`` for a plain read, for what read-only mode refuses anyway,
        and for unparsable text (the server rejects it on its own). No I/O."""
        return explaining.analyze_question(statement, self._guard, read_only=self.spec.read_only)

    def needs_confirmation(self, statement: str) -> Confirmation | None:
        """A question for DROP, TRUNCATE, DELETE/UPDATE without WHERE, ALTER ... DROP
        (those that destroy objects need the object's name typed), and for a typed
        ``EXPLAIN ANALYZE`` as :meth:`analyze_needs_confirmation` asks (none in
        read-only mode, which refuses all of them at once)."""
        if self.spec.read_only:
            return None
        analyzed = _analyzed_statement(statement)
        if analyzed is not None:
            return self._typed_analyze_question(analyzed)
        return destructive_question(statement)

    def _typed_analyze_question(self, analyzed: str) -> Confirmation | None:
        """The F7 question for the statement a typed ``EXPLAIN ANALYZE`` runs.

        It runs rolled back (see :mod:`.typed_explain`), so a DELETE without WHERE
        is not "destructive"; but like F7, a write or a call of a function not known
        to be read-only is asked about. Text F7 cannot judge is asked about too.
        """
        notice = self.analyze_needs_confirmation(analyzed) if analyzed else None
        if not analyzed:
            notice = explaining.ANALYZE_WRITE_WARNING
        return Confirmation(notice) if notice is not None else None

    # -- index advice -----------------------------------------------------------------------

    @property
    def advisor(self) -> PostgresAdvisor:
        """The index advisor, on a private connection opened on first use (see :mod:`.advisor`)."""
        if self._session is None:
            raise ConnectionLostError(f"not connected to {self._where}")
        if self._advisor is None:
            self._advisor = PostgresAdvisor(
                lambda: open_connection(self._conninfo(ADVISOR_APPLICATION_NAME), self._where),
                self._where,
                read_only=self.spec.read_only,
            )
        return self._advisor

    def advise(self, statement: str) -> list[Suggestion]:
        """Index suggestions for one statement, verified with HypoPG where possible."""
        return self.advisor.advise(statement)

    def workload(self, limit: int = 50) -> list[Suggestion]:
        """Suggestions for the top ``limit`` statements of pg_stat_statements, merged and ranked."""
        return list(self.advisor.workload(limit).suggestions)

    def health(self) -> list[HealthFinding]:
        """Index health findings for the current database (see :mod:`.health`)."""
        return health_checks.health(self.advisor.session.rows)

    # -- vectors ----------------------------------------------------------------------------

    def neighbours_statement(
        self, statement: str, columns: Sequence[str], row: Sequence[object], k: int = 10
    ) -> str | None:
        """The k-NN SELECT for ``row`` of ``statement``'s result (see :mod:`.vectors`)."""
        return vectors.result_neighbours(self._catalog_rows, statement, columns, row, k)

    def checks_recall(self, suggestion: Suggestion) -> bool:
        """True for an HNSW or IVFFlat suggestion."""
        return vectors.checks_recall(suggestion)

    def recall_check(self, statement: str, suggestion: Suggestion, *, build: bool) -> RecallOutcome:
        """Recall@k of the index serving ``statement`` (see :func:`.vectors.recall_outcome`)."""
        return vectors.recall_outcome(self.advisor, statement, suggestion, build=build)

    def cancel_recall_check(self) -> None:
        """Cancel the advisor connection's running statement (the recall check raises)."""
        if self._advisor is not None:
            self._advisor.cancel()

    def export_csv(
        self,
        statement: str,
        out: BinaryIO,
        progress: Callable[[int, int], None],
        cancelled: threading.Event,
    ) -> int:
        """:class:`~dbtui.core.capabilities.exporting.ServerExport`: COPY into ``out`` (:mod:`.export`)."""
        session = self._require_session()
        return server_export.export_csv(session, statement, out, progress, cancelled)

    # -- index builds -----------------------------------------------------------------------

    def index_build_progress(self, pid: int) -> tuple[str, float | None] | None:
        """Phase and fraction done (0..1, ``None`` if unknown) of backend ``pid``'s index build.

        Reads ``pg_stat_progress_create_index`` on the catalog connection, so it
        can be polled from another thread while the user session builds.
        Returns ``None`` when that backend builds no index right now.

        Raises:
            QueryError: the query failed.
            ConnectionLostError: not connected.
        """
        rows = self._catalog_rows(queries.INDEX_BUILD_PROGRESS, {"pid": pid})
        if not rows:
            return None
        row = rows[0]
        fraction: float | None = None
        for done, total in (("blocks_done", "blocks_total"), ("tuples_done", "tuples_total")):
            if row[total]:
                fraction = min(1.0, int(row[done] or 0) / int(row[total]))
                break
        return str(row["phase"]), fraction

    def invalid_indexes(self) -> list[str]:
        """Schema-qualified, quoted names of the current database's INVALID indexes.

        Raises:
            QueryError: the query failed.
            ConnectionLostError: not connected.
        """
        return [str(row["name"]) for row in self._catalog_rows(queries.INVALID_INDEXES, {})]

    def online_index_ddl(self, ddl: str) -> str:
        """A plain ``CREATE [UNIQUE] INDEX`` as ``... CONCURRENTLY``; anything else as is."""
        return index_ddl.concurrent_ddl(ddl)

    def online_ddl_refusal(self, ddl: str) -> str | None:
        """Why ``ddl`` cannot run now: CONCURRENTLY inside a transaction block; else ``None``."""
        return index_ddl.transaction_refusal(self.transaction_status, ddl)

    def reports_build_progress(self, ddl: str) -> bool:
        """True for ``CREATE [UNIQUE] INDEX`` (pg_stat_progress_create_index follows it)."""
        return index_ddl.is_index_build(ddl)

    def drop_invalid_ddl(self, names: Sequence[str]) -> str:
        """``DROP INDEX CONCURRENTLY`` of each INVALID index in ``names``."""
        return index_ddl.drop_invalid(list(names))

    # -- state ------------------------------------------------------------------------------

    @property
    def transaction_status(self) -> str:
        """ "idle", "in transaction", "failed transaction"; "" when not connected."""
        return self._session.transaction_status if self._session is not None else ""

    @property
    def notices(self) -> list[str]:
        """NOTICE/WARNING messages of the latest statement, as "SEVERITY: message"."""
        return list(self._session.notices) if self._session is not None else []

    @property
    def server_version(self) -> str:
        """The server's version, e.g. "16.4"; empty when not connected."""
        if self._session is None or self._session.lost:
            return ""
        version = self._session.conn.info.parameter_status("server_version") or ""
        return version.split(" ", 1)[0]

    @property
    def current_database(self) -> str:
        """Name of the database the driver is connected to; empty when not connected."""
        return self._browser.database if self._browser is not None else ""

    @property
    def backend_pid(self) -> int | None:
        """Server process id of the user session (for pg_stat_activity); ``None`` if closed."""
        if self._session is None or self._session.lost:
            return None
        return self._session.conn.info.backend_pid


def _analyzed_statement(statement: str) -> str | None:
    """What a typed ``EXPLAIN`` with an ANALYZE option (even ``ANALYZE off``) runs, as SQL.

    ``None`` when ``statement`` is not exactly one such EXPLAIN; ``""`` when the
    explained statement cannot be printed back (ask anyway).
    """
    info = classify_one(statement)
    tree = info.tree if info is not None else None
    if not isinstance(tree, ast.ExplainStmt) or tree.query is None:
        return None
    if not any(option.defname == "analyze" for option in tree.options or ()):
        return None
    try:
        return str(RawStream()(tree.query))
    except Exception:  # a printer gap must not stop the question
        return ""


def _relocate(exc: QueryError, statement: str, offset: int) -> None:
    """Make ``exc``'s position relative to the whole ``statement`` given to execute()."""
    if exc.position is not None:
        exc.position += offset
    exc.statement = statement
