"""PostgreSQL index advice: verified with HypoPG where possible, else PgHero's heuristic.

:class:`PostgresAdvisor` owns a private connection (:mod:`.advisor_session`) and
decides how suggestions can be checked:

* hypopg installed in the database: used in a READ ONLY transaction;
* hypopg only available on the server, and the role is a superuser on a
  read-write connection to a primary: created inside the transaction and gone
  again with its rollback;
* otherwise: heuristic suggestions, with a note saying how to enable verification.

Per-statement work is in :mod:`.advisor_statement`, workload mode in
:mod:`.advisor_workload`, health checks in :mod:`.health`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from dbtui.core.advice import Suggestion
from dbtui.core.advisor.vector import RecallReport
from dbtui.core.advisor.workload import WorkloadReport
from dbtui.core.errors import QueryError
from dbtui.drivers.postgres import advice_queries as q
from dbtui.drivers.postgres.advisor_catalog import TableCache
from dbtui.drivers.postgres.advisor_session import Hypo, PrivateSession
from dbtui.drivers.postgres.advisor_statement import ADVISABLE, Context, advise_in
from dbtui.drivers.postgres.connection import Connection
from dbtui.drivers.postgres.sqlwalk import extract_shape, statement_text


@dataclass(frozen=True)
class AdvisorSetup:
    """What the server offers the advisor.

    Attributes:
        version: ``server_version_num`` (150004 for 15.4).
        hypopg_schema: Schema of the installed hypopg extension; ``None`` when not installed.
        hypopg_available: The server has the hypopg extension files.
        pss_schema: Schema of the installed pg_stat_statements extension, if installed.
        pss_preloaded: pg_stat_statements is loaded (its settings exist), as it is
            when it is in ``shared_preload_libraries``.
        superuser: The role is a superuser (it may create the extensions for a moment).
        standby: The server is a hot standby (nothing can be created).
        qualstats_schema: Schema of the installed pg_qualstats extension, if installed.
        qualstats_loaded: pg_qualstats is loaded (``shared_preload_libraries``) and its
            extension files are available.
    """

    version: int
    hypopg_schema: str | None
    hypopg_available: bool
    pss_schema: str | None
    pss_preloaded: bool
    superuser: bool
    standby: bool
    qualstats_schema: str | None = None
    qualstats_loaded: bool = False


@dataclass(frozen=True)
class Verification:
    """How suggestions will be checked.

    Attributes:
        hypopg: HypoPG can be used.
        temporary: It must be created in the advisor's transaction (and vanishes with it).
        note: Why suggestions are heuristic and how to enable verification; empty
            when HypoPG can be used.
    """

    hypopg: bool
    temporary: bool = False
    note: str = ""


class PostgresAdvisor:
    """Index advice on a private connection (never the user's session).

    Args:
        connect: Opens a new connection to the same database as the driver.
        where: Masked URL, for messages.
        read_only: The connection is read-only: extensions are never created,
            not even inside a rolled-back transaction.
        use_hypopg: False forces the heuristic (for comparisons and tests).
    """

    def __init__(
        self,
        connect: Callable[[], Connection],
        where: str,
        *,
        read_only: bool,
        use_hypopg: bool = True,
    ) -> None:
        self.session = PrivateSession(connect, where)
        self.read_only = read_only
        self.use_hypopg = use_hypopg
        self._setup: AdvisorSetup | None = None

    def cancel(self) -> None:
        """Cancel a running :meth:`advise` or :meth:`workload` (from another thread); it
        raises :class:`~dbtui.core.errors.QueryError` ("canceling statement...")."""
        self.session.cancel()

    def close(self) -> None:
        """Close the private connection."""
        self.session.close()
        self._setup = None

    def setup(self) -> AdvisorSetup:
        """What the server offers (read once per connection)."""
        if self._setup is None:
            row = self.session.rows(q.SETUP)[0]
            self._setup = AdvisorSetup(
                version=int(row["version"]),
                hypopg_schema=row["hypopg_schema"],
                hypopg_available=bool(row["hypopg_available"]),
                pss_schema=row["pss_schema"],
                pss_preloaded=bool(row["pss_loaded"]),
                superuser=bool(row["superuser"]),
                standby=bool(row["standby"]),
                qualstats_schema=row["qualstats_schema"],
                qualstats_loaded=bool(row["qualstats_loaded"]),
            )
        return self._setup

    def can_create(self) -> bool:
        """The advisor may create an extension inside its rolled-back transaction."""
        setup = self.setup()
        return setup.superuser and not setup.standby and not self.read_only

    def verification(self) -> Verification:
        """How suggestions will be checked on this connection."""
        setup = self.setup()
        if not self.use_hypopg:
            return Verification(False, note="HypoPG verification was turned off.")
        if setup.hypopg_schema is not None:
            return Verification(True)
        if setup.hypopg_available and self.can_create():
            return Verification(True, temporary=True)
        if not setup.hypopg_available:
            return Verification(
                False,
                note="HypoPG is not installed on the server, so these suggestions are "
                "heuristic. Install it (the postgresql-NN-hypopg package) and run CREATE "
                "EXTENSION hypopg to have them verified by the planner.",
            )
        why = (
            "the connection is read-only"
            if self.read_only
            else "the server is a standby"
            if setup.standby
            else "this role may not create it"
        )
        return Verification(
            False,
            note=f"HypoPG is available but not created in this database, and {why}; these "
            "suggestions are heuristic. A superuser can run CREATE EXTENSION hypopg"
            f"{' on the primary' if setup.standby else ''} to have them verified.",
        )

    @contextmanager
    def context(self, extensions: Sequence[str] = ()) -> Iterator[Context]:
        """An advisor transaction (always rolled back); ``extensions`` exist during it."""
        how = self.verification()
        create = (["hypopg"] if how.temporary else []) + list(extensions)
        with self.session.transaction(create):
            hypo = None
            if how.hypopg:
                schema = self.setup().hypopg_schema or self._schema_of("hypopg")
                hypo = Hypo(self.session, schema)
            yield Context(
                self.session,
                self.setup().version,
                hypo,
                TableCache(lambda query, params: self.session.rows(query, params)),
                how.note,
            )

    def _schema_of(self, extension: str) -> str:
        rows = self.session.rows(
            "SELECT extnamespace::regnamespace::text AS schema FROM pg_extension"
            " WHERE extname = %(name)s",
            {"name": extension},
        )
        return str(rows[0]["schema"]) if rows else "public"

    def advise(self, statement: str) -> list[Suggestion]:
        """Index suggestions for ``statement`` (see :func:`.advisor_statement.advise_in`).

        Raises:
            QueryError: the statement does not parse, is not a query or DML
                statement, or the server cannot plan it.
            ConnectionLostError: the server went away.
        """
        text = statement_text(statement)
        shape = extract_shape(text)
        if shape.node not in ADVISABLE:
            raise QueryError(
                f"{shape.node.removesuffix('Stmt')} statements get no index advice; the "
                "advisor plans SELECT, INSERT, UPDATE, DELETE and MERGE",
                "Cannot advise",
                statement=statement,
            )
        with self.context() as context:
            return advise_in(context, text, shape)

    def vector_recall(
        self,
        statement: str,
        *,
        build: bool = False,
        method: str = "hnsw",
        options: dict[str, int] | None = None,
        k: int | None = None,
        samples: int = 20,
        values: Sequence[int] | None = None,
    ) -> RecallReport:
        """Recall@k and speed-up of the index for a k-NN ``statement`` (``ORDER BY col <=> $1
        LIMIT k``), at several ``hnsw.ef_search`` / ``ivfflat.probes`` values.

        Measures the existing index that serves the query. When there is none, ``build=True``
        (the user's explicit request) creates the suggested one inside a transaction that is
        rolled back; never on a read-only connection. See :mod:`.vector_recall`.

        Raises:
            QueryError: the statement is not a k-NN query, or a statement failed.
            UnsupportedError: no index serves the query and none may be built.
        """
        from dbtui.drivers.postgres.vector_advice import vector_query
        from dbtui.drivers.postgres.vector_recall import measure_recall

        query = vector_query(statement_text(statement))
        if query is None:
            raise QueryError(
                "the recall check needs a k-nearest-neighbour query: SELECT ... FROM one "
                "table ORDER BY vector_column <-> / <=> / <#> value LIMIT k",
                "Cannot measure recall",
                statement=statement,
            )
        return measure_recall(
            self.session,
            query,
            build=build,
            read_only=self.read_only,
            method=method,
            options=options,
            k=k,
            samples=samples,
            values=values,
        )

    def workload(self, limit: int = 50) -> WorkloadReport:
        """The top ``limit`` statements of pg_stat_statements, advised and merged
        (see :mod:`.advisor_workload`).

        Raises:
            UnsupportedError: pg_stat_statements is not available.
            QueryError: reading it failed.
        """
        from dbtui.drivers.postgres.advisor_workload import workload

        return workload(self, limit)
