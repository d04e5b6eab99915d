"""The MongoDB driver: connection state, catalog, commands, safety, editing.

State: the current database (the URL path, else ``test``; changed by
``use name``) and the current collection (set by the UI with
:meth:`MongoDriver.set_current_collection` when a collection is selected),
which a bare ``{filter}`` or ``[pipeline]`` runs against.

Options (``ConnectionSpec.options``): ``max_time_ms`` (default 60 000) and
``batch_size`` (default 100) for user queries; ``sample_size`` (default
1 000) for schema sampling.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from pymongo.collection import Collection

from dbtui.core.advice import HealthFinding, Suggestion
from dbtui.core.capabilities.completion import CompletionKind, CompletionSource
from dbtui.core.capabilities.pipelines import PipelineTarget
from dbtui.core.catalog import CatalogNode
from dbtui.core.confirmation import Confirmation
from dbtui.core.driver import Capabilities, Driver
from dbtui.core.errors import ConnectError, QueryError, ReadOnlyError
from dbtui.core.plan import Plan
from dbtui.core.results import Result, Statement, StatusResult
from dbtui.core.spec import ConnectionSpec
from dbtui.core.writes import PendingWrite
from dbtui.drivers.mongo import catalog, details, editing, held, schema
from dbtui.drivers.mongo.advising import advise_command
from dbtui.drivers.mongo.commands import MongoCommand, parse_command
from dbtui.drivers.mongo.connection import (
    CLIENT_ERRORS,
    MongoClient,
    default_database,
    open_client,
    translate,
)
from dbtui.drivers.mongo.explaining import plan_from_explain
from dbtui.drivers.mongo.inference import FieldSchema, SchemaReport
from dbtui.drivers.mongo.runner import DEFAULT_BATCH_SIZE, DEFAULT_MAX_TIME_MS, Runner, Target
from dbtui.drivers.mongo.safety import (
    confirmation,
    plain_question,
    question_before,
    write_reason,
)
from dbtui.drivers.mongo.splitting import split_commands
from dbtui.drivers.mongo.urls import parse_url

Doc = dict[str, Any]


def _int_option(spec: ConnectionSpec, key: str, default: int) -> int:
    value = spec.option(key)
    try:
        return int(value) if value is not None else default
    except ValueError:
        raise ConnectError(f"option {key}={value!r} is not an integer") from None


class MongoDriver(Driver):
    """MongoDB through pymongo (see the module docstring for state and options)."""

    engine: ClassVar[str] = "mongodb"
    parse_url = staticmethod(parse_url)
    """Masking and naming hook of :func:`dbtui.core.spec.url_facts` (engine's own URL rules)."""
    display_name: ClassVar[str] = "MongoDB"
    language: ClassVar[str] = "text"
    """Plain text on purpose: Textual's TextArea with "javascript" (or "json") crashes the
    process with a segfault in this environment (textual 8.2.8, tree-sitter 0.26.1,
    tree-sitter-javascript 0.25.0, tree-sitter-json 0.24.8). Switch to "javascript" once
    that combination works; mongosh syntax is JavaScript."""
    capabilities: ClassVar[Capabilities] = Capabilities(
        cancel=True, explain=True, explain_analyze=True, advise=True
    )

    def __init__(self, spec: ConnectionSpec) -> None:
        super().__init__(spec)
        self._client: MongoClient | None = None
        self._runner: Runner | None = None
        self.current_database = "test"
        """Database of commands that do not name one (URL path, then ``use``)."""
        self.current_collection: str | None = None
        """Collection a bare ``{filter}``/``[pipeline]`` runs on; ``None`` until the UI sets it."""
        self.max_time_ms = _int_option(spec, "max_time_ms", DEFAULT_MAX_TIME_MS)
        self.sample_size = _int_option(spec, "sample_size", schema.DEFAULT_SAMPLE_SIZE)
        self._batch_size = _int_option(spec, "batch_size", DEFAULT_BATCH_SIZE)
        self._schemas: dict[tuple[str, str], SchemaReport] = {}
        self._version = ""
        self._held: held.HeldCommand | None = None

    # -- connection -------------------------------------------------------

    def connect(self) -> None:
        client = open_client(self.spec, self._password)
        self._client = client
        self._runner = Runner(client, self.max_time_ms, self._batch_size)
        self.current_database = default_database(client)
        with contextlib.suppress(Exception):
            self._version = str(client.server_info().get("version", ""))

    def close(self) -> None:
        self._held = None
        client, self._client, self._runner = self._client, None, None
        if client is not None:
            client.close()

    @property
    def client(self) -> MongoClient:
        """The connected client.

        Raises:
            ConnectError: :meth:`connect` was not called or the driver is closed.
        """
        if self._client is None:
            raise ConnectError(f"not connected to {self.spec.display_url}")
        return self._client

    @property
    def runner(self) -> Runner:
        """The command runner of the connected client."""
        if self._runner is None:
            raise ConnectError(f"not connected to {self.spec.display_url}")
        return self._runner

    @property
    def server_version(self) -> str:
        return self._version

    def collection(self, database: str, collection: str) -> Collection[Doc]:
        """The pymongo collection ``database.collection``.

        Raises:
            QueryError: a name MongoDB does not allow (empty, ``$``, NUL, spaces in a
                database name...).
        """
        try:
            return self.client[database][collection]
        except CLIENT_ERRORS as exc:
            raise translate(exc, f"{database}.{collection}") from None

    def set_current_collection(self, database: str, collection: str | None) -> None:
        """Make ``database`` current and ``collection`` the target of bare filters."""
        self.current_database = database
        self.current_collection = collection

    @property
    def context(self) -> str:
        """The current database and collection, as ``db.collection``."""
        if self.current_collection:
            return f"{self.current_database}.{self.current_collection}"
        return self.current_database or ""

    def set_context(self, node: CatalogNode) -> None:
        """A collection (or anything under it) highlighted in the catalog becomes current."""
        if len(node.key) >= 3 and node.key[0] != "db":
            self.set_current_collection(node.key[1], node.key[2])
        elif node.key[:1] == ("db",) and len(node.key) == 2:
            self.set_current_collection(node.key[1], None)

    # -- catalog ----------------------------------------------------------

    def children(self, node: CatalogNode | None) -> Sequence[CatalogNode]:
        if node is None:
            return catalog.database_nodes(self.client, self.current_database)
        kind, *rest = node.key
        if kind == "db":
            return catalog.collection_nodes(self.client, rest[0])
        if kind == "coll":
            return catalog.collection_children(rest[0], rest[1], node.kind)
        if kind == "indexes":
            return catalog.index_nodes(self.client, rest[0], rest[1])
        if kind == catalog.SCHEMA:
            report = self.sample_schema(rest[0], rest[1])
            return catalog.field_nodes(rest[0], rest[1], report.fields)
        if kind == catalog.FIELD:
            field = self._cached_field(rest[0], rest[1], rest[2])
            return catalog.field_nodes(rest[0], rest[1], field.fields if field else ())
        return []

    def details(self, node: CatalogNode) -> Sequence[tuple[str, str]]:
        kind, *rest = node.key
        if kind == "db":
            return details.database_details(self.client, rest[0])
        if kind == "coll":
            facts = details.collection_details(self.client, rest[0], rest[1], node.kind)
            return [*facts, *node.meta]
        if kind == catalog.SCHEMA:
            report = self._schemas.get((rest[0], rest[1]))
            if report is None:
                return [("schema", "expand the node to sample the collection")]
            return _report_facts(report)
        return node.meta

    def _cached_field(self, database: str, collection: str, path: str) -> FieldSchema | None:
        report = self._schemas.get((database, collection))
        return report.field(path) if report else None

    def sample_schema(
        self,
        database: str,
        collection: str,
        size: int | None = None,
        max_time_ms: int | None = None,
    ) -> SchemaReport:
        """Sample ``collection`` and infer its schema (cached for the catalog's field nodes).

        Raises:
            QueryError: the sample failed or exceeded ``max_time_ms``.
        """
        if size is not None and size < 1:
            raise QueryError(f"the sample size must be at least 1, not {size}")
        coll = self.collection(database, collection)
        report = schema.sample_schema(
            coll,
            size or self.sample_size,
            max_time_ms or schema.DEFAULT_SAMPLE_MAX_TIME_MS,
            is_view=self._is_view(coll),
        )
        self._schemas[(database, collection)] = report
        return report

    def _is_view(self, coll: Collection[Doc]) -> bool:
        try:
            infos = list(coll.database.list_collections(filter={"name": coll.name}))
        except CLIENT_ERRORS as exc:
            raise translate(exc, f"listCollections on {coll.database.name}") from None
        return any(info.get("type") == "view" for info in infos)

    def count_documents(
        self, database: str, collection: str, filter: Mapping[str, Any] | str | None = None
    ) -> int:
        """The exact number of documents (matching ``filter``): may scan, bounded by ``max_time_ms``."""
        query = editing.as_document(filter) if filter is not None else None
        return details.exact_count(self.client, database, collection, query, self.max_time_ms)

    # -- statements -------------------------------------------------------

    def split(self, script: str) -> list[Statement]:
        return split_commands(script)

    def parse(self, statement: str) -> MongoCommand:
        """Parse one command (see :mod:`.commands`); raises MongoSyntaxError."""
        return parse_command(statement)

    def _target(self, command: MongoCommand) -> Target:
        database = command.database or self.current_database
        collection = command.collection
        if collection is None and command.operation in ("find", "aggregate"):
            collection = self.current_collection
            if collection is None:
                raise QueryError(
                    "no collection is selected for this filter",
                    statement=command.text,
                    hint="Select a collection in the catalog, or write db.<collection>.find({...}).",
                )
        return Target(database, collection)

    def execute(self, statement: str) -> Iterator[Result]:
        self._held = None  # a command held for confirmation is never sent by anything else
        command = parse_command(statement)
        self._refuse_writes(command)
        target = self._target(command)
        if command.operation == "use":
            self.current_database = target.database
            self.current_collection = None
            result: Result = StatusResult(statement, f"switched to db {target.database}")
        else:
            result = self.runner.run(command, target)
            if command.operation in ("drop", "dropDatabase", "renameCollection"):
                self._forget_schemas(target)
            elif command.operation in ("runCommand", "adminCommand"):
                # a database command may drop or rename anything: sample again next time
                self._forget_schemas(Target(target.database, None))
        yield result

    # -- writes held for confirmation (dbtui.core.writes.ConfirmsWrites) -----

    def execute_checked(self, statement: str, confirm_over: int) -> Iterator[Result | PendingWrite]:
        """:meth:`execute`, but a ``deleteMany``/``updateMany`` whose filter matches more
        than ``confirm_over`` documents (or any, with an empty filter) is not sent:
        it is yielded as a :class:`PendingWrite` (with the bounded count) and held;
        :meth:`commit_pending` sends it, :meth:`rollback_pending` drops it."""
        self._held = None
        command = parse_command(statement)
        self._refuse_writes(command)
        found = held.check(
            self.client,
            command,
            self._target(command),
            confirm_over=confirm_over,
            max_time_ms=self.max_time_ms,
        )
        if found is not None:
            self._held = found
            yield found.pending
            return
        yield from self.execute(statement)

    @property
    def pending(self) -> PendingWrite | None:
        """The command held (unsent) for confirmation, or ``None``."""
        return self._held.pending if self._held is not None else None

    def commit_pending(self) -> StatusResult:
        """Send the held command now; returns its status (``deleted 500 documents``).

        Raises:
            QueryError: nothing is held, or the server refused the command.
        """
        found, self._held = self._held, None
        if found is None:
            raise QueryError("no write is waiting for confirmation")
        result = self.runner.run(found.command, found.target)
        if not isinstance(result, StatusResult):  # pragma: no cover - writes give a status
            raise QueryError(f"{found.command.operation} gave no status")
        return result

    def rollback_pending(self) -> StatusResult:
        """Forget the held command (it was never sent)."""
        found, self._held = self._held, None
        if found is None:
            return StatusResult("", "nothing was held")
        return StatusResult(found.pending.statement, "not sent: nothing changed", 0)

    def question_before(self, statement: str) -> Confirmation | None:
        """:meth:`needs_confirmation` minus ``deleteMany``/``updateMany``, which
        :meth:`execute_checked` counts and asks about with the number."""
        try:
            command = parse_command(statement)
        except QueryError:
            return None
        if self.spec.read_only and write_reason(command) is not None:
            return None  # refused at once by execute(): nothing to ask
        database = command.database or self.current_database
        return question_before(command, database, command.collection or self.current_collection)

    def _refuse_writes(self, command: MongoCommand) -> None:
        if not self.spec.read_only:
            return
        reason = write_reason(command)
        if reason is not None:
            raise ReadOnlyError(
                f"refused: {reason}, and this connection is read-only", statement=command.text
            )

    def _forget_schemas(self, target: Target) -> None:
        for key in list(self._schemas):
            if key[0] == target.database and target.collection in (None, key[1]):
                del self._schemas[key]

    def confirmation(self, statement: str) -> Confirmation | None:
        """The typed confirmation ``statement`` needs (question + text to type), or ``None``.

        Covers ``deleteMany({})``, ``drop()``, ``dropIndexes()`` and
        ``dropDatabase()``. Unparsable text needs none (running it fails anyway),
        nor does a write on a read-only connection (refused at once when run).
        """
        try:
            command = parse_command(statement)
        except QueryError:
            return None
        if self.spec.read_only and write_reason(command) is not None:
            return None
        database = command.database or self.current_database
        return confirmation(command, database, command.collection or self.current_collection)

    def typed_confirmation(self, statement: str) -> str | None:
        """What the user must type before ``statement`` runs (a collection or database name)."""
        needed = self.confirmation(statement)
        return needed.typed if needed else None

    def needs_confirmation(self, statement: str) -> Confirmation | None:
        """The typed :meth:`confirmation`, else a yes/no question for a risky write
        (``updateMany({})``, ``dropIndex``, an empty-filter single write), else ``None``."""
        needed = self.confirmation(statement)
        if needed is not None:
            return needed
        try:
            command = parse_command(statement)
        except QueryError:
            return None
        if self.spec.read_only and write_reason(command) is not None:
            return None  # refused at once by execute(): nothing to ask
        database = command.database or self.current_database
        question = plain_question(command, database, command.collection or self.current_collection)
        return Confirmation(question) if question is not None else None

    def cancel(self) -> None:
        if self._runner is not None:
            self._runner.cancel()

    def advise(self, statement: str) -> list[Suggestion]:
        """An ESR-ordered index for a find or aggregate, unless an index already serves it."""
        command = parse_command(statement)
        target = self._target(command)
        if target.collection is None:
            raise QueryError("index advice needs a collection", statement=statement)
        return advise_command(command, self.collection(target.database, target.collection))

    def health(self) -> list[HealthFinding]:
        """Unused and redundant indexes of the current database (see :mod:`.index_health`)."""
        from dbtui.drivers.mongo.index_health import database_health

        return database_health(self.client[self.current_database])

    def explain_raw(self, statement: str, verbosity: str = "executionStats") -> dict[str, Any]:
        """The raw explain document of a find/aggregate/countDocuments/distinct command.

        ``$out``/``$merge`` stages are stripped first, so nothing is written.
        """
        command = parse_command(statement)
        return self.runner.explain(command, self._target(command), verbosity)

    def explain(self, statement: str, *, analyze: bool = False) -> Plan:
        """The plan tree: ``queryPlanner`` verbosity, or ``executionStats`` when ``analyze``."""
        raw = self.explain_raw(statement, "executionStats" if analyze else "queryPlanner")
        return plan_from_explain(raw, statement)

    # -- capabilities (see dbtui.core.capabilities) -------------------------

    @classmethod
    def starter_text(cls, spec: ConnectionSpec) -> str:
        """:class:`~dbtui.core.capabilities.StarterText`: a new editor's examples."""
        return "// F5 runs the command under the cursor.\nshow collections\n"

    def completion_source(
        self, *, sample_fields: bool = False, previous: CompletionSource | None = None
    ) -> CompletionSource:
        """:class:`~dbtui.core.capabilities.NameCompletion`: collections and sampled fields."""
        from dbtui.drivers.mongo.completing import completion_source

        return completion_source(self, sample_fields, previous)

    def completion_fallback(self) -> CompletionSource:
        """Operators and shell words only, before the collections are listed."""
        return CompletionSource(CompletionKind.DOCUMENTS)

    def document_text(self, value: object, *, indent: int | None = None) -> str:
        """:class:`~dbtui.core.capabilities.DocumentText`: mongosh syntax (round-trips BSON)."""
        from dbtui.drivers.mongo.export import to_shell

        return to_shell(value, indent=indent)

    def parse_document_text(self, text: str) -> Doc:
        """One relaxed mongosh document; raises MongoSyntaxError (with the position)."""
        from dbtui.drivers.mongo.syntax import parse_document

        return parse_document(text)

    def document_json(self, document: Mapping[str, Any]) -> str:
        """Relaxed Extended JSON, as ``mongoimport`` reads it."""
        from dbtui.drivers.mongo.export import document_to_extended_json

        return document_to_extended_json(document)

    def pipeline_target(self, statement: str) -> PipelineTarget:
        """:class:`~dbtui.core.capabilities.PipelineEditing`: what ``statement`` names."""
        from dbtui.drivers.mongo.pipelines import pipeline_target

        return pipeline_target(statement)

    def current_namespace(self) -> tuple[str, str | None]:
        """The database and collection of commands that name none."""
        return self.current_database, self.current_collection

    def pipeline_command(
        self, database: str, collection: str, stages: Sequence[Doc], allow_disk_use: bool
    ) -> str:
        """``db.<collection>.aggregate([...])`` running ``stages``."""
        from dbtui.drivers.mongo.pipelines import aggregate_command, collection_ref

        ref = collection_ref(database, collection, self.current_database)
        return aggregate_command(ref, stages, allow_disk_use)

    # -- editing ----------------------------------------------------------

    def _writable(self, database: str, collection: str, action: str) -> Collection[Doc]:
        if self.spec.read_only:
            raise ReadOnlyError(
                f"refused: {action} changes the database, and this connection is read-only"
            )
        return self.collection(database, collection)

    def insert_document(self, database: str, collection: str, doc: editing.DocumentInput) -> object:
        """Insert a document (mapping or relaxed text); returns its ``_id``."""
        return editing.insert_document(self._writable(database, collection, "insert"), doc)

    def replace_document(
        self,
        database: str,
        collection: str,
        id_: object,
        doc: editing.DocumentInput,
        original: Mapping[str, Any] | None = None,
    ) -> None:
        """Replace the document with ``_id`` ``id_`` by ``doc`` (validated before sending).

        With ``original`` (the document as loaded for editing) it only replaces
        while the stored document still equals it, else raises
        :class:`~.editing.DocumentChangedError` (see :func:`.editing.replace_document`).
        """
        coll = self._writable(database, collection, "replace")
        editing.replace_document(coll, id_, doc, original)

    def delete_document(self, database: str, collection: str, id_: object) -> bool:
        """Delete the document with ``_id`` ``id_``; False if it was already gone."""
        return editing.delete_document(self._writable(database, collection, "delete"), id_)

    def find_document(self, database: str, collection: str, id_: object) -> Doc | None:
        """The current version of one document (to refresh the edit buffer)."""
        return editing.find_document(self.collection(database, collection), id_)

    def create_index(self, database: str, collection: str, keys: Any, options: Any = None) -> str:
        """Create an index (keys and options as mappings or relaxed text); returns its name."""
        coll = self._writable(database, collection, "createIndex")
        return editing.create_index(coll, keys, options)

    def drop_index(self, database: str, collection: str, name: str) -> None:
        """Drop one index by name."""
        editing.drop_index(self._writable(database, collection, "dropIndex"), name)


def _report_facts(report: SchemaReport) -> list[tuple[str, str]]:
    facts = [("sampled", f"{report.sampled} documents"), ("method", report.source)]
    facts.append(("fields", str(sum(1 for _ in report.walk()))))
    facts.append(("time", f"{report.elapsed_ms:.0f} ms"))
    if report.truncated:
        facts.append(("truncated", "too many distinct fields; later ones were ignored"))
    return facts
