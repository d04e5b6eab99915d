"""Per-connection completion data, built off the UI thread and swapped in whole.

:func:`build_source` is called in a thread worker when a connection opens
(and when the user asks for a refresh); it asks the driver for the names it
knows and returns an immutable :class:`CompletionSource`. The screen then
hands ``source.complete`` to the connection's editor in one assignment, so
the editor never sees a half-built source (pgcli's completion refresher does
the same).

Engines: PostgreSQL and SQLite through their ``completion_snapshot()``;
Redis from ``COMMAND LIST`` plus the subcommands of the container commands;
MongoDB from the collection names of the current database and, only when
asked (``sample_fields=True``, it reads up to a thousand documents), the
fields of the current collection's sampled schema.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dbtui.core.completion import (
    CatalogSnapshot,
    Completions,
    complete_mongo,
    complete_redis,
    complete_sql,
)
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError

#: Redis commands that take a subcommand (``CONFIG GET``); their subcommands are listed.
REDIS_CONTAINERS = (
    "ACL",
    "CLIENT",
    "CLUSTER",
    "COMMAND",
    "CONFIG",
    "FUNCTION",
    "LATENCY",
    "MEMORY",
    "MODULE",
    "OBJECT",
    "PUBSUB",
    "SCRIPT",
    "SLOWLOG",
    "XGROUP",
    "XINFO",
)


@dataclass(frozen=True)
class CompletionSource:
    """What completion knows about one connection; never changed once built.

    Attributes:
        kind: ``"sql"``, ``"redis"`` or ``"mongo"``: which completer applies.
        snapshot: The SQL catalog (``kind == "sql"``).
        commands: Redis command names, upper case.
        subcommands: Redis container command -> its subcommands.
        collections: MongoDB collection names of :attr:`database`.
        fields: MongoDB field paths of :attr:`fields_of` (empty until sampled).
        database: The MongoDB database the collections belong to.
        fields_of: ``database.collection`` whose fields were sampled, or ``""``.
    """

    kind: str
    snapshot: CatalogSnapshot = field(default_factory=CatalogSnapshot)
    commands: Sequence[str] = ()
    subcommands: Mapping[str, Sequence[str]] = field(default_factory=dict)
    collections: Sequence[str] = ()
    fields: Sequence[str] = ()
    database: str = ""
    fields_of: str = ""

    def complete(self, text: str, cursor: int) -> Completions:
        """Candidates at character offset ``cursor`` of ``text``."""
        if self.kind == "redis":
            return complete_redis(text, cursor, self.commands, subcommands=self.subcommands)
        if self.kind == "mongo":
            return complete_mongo(text, cursor, fields=self.fields, collections=self.collections)
        return complete_sql(text, cursor, self.snapshot)

    def summary(self) -> str:
        """A short description for a notification ("42 tables, 310 columns")."""
        if self.kind == "redis":
            return f"{len(self.commands)} commands"
        if self.kind == "mongo":
            sampled = f", {len(self.fields)} fields of {self.fields_of}" if self.fields_of else ""
            return f"{len(self.collections)} collections of {self.database}{sampled}"
        tables = [t for schema in self.snapshot.tables.values() for t in schema.values()]
        columns = sum(len(columns) for columns in tables)
        return f"{len(tables):,} tables and views, {columns:,} columns"


def fallback_source(engine: str) -> CompletionSource:
    """What completion offers before the catalog is read: keywords, functions, operators."""
    if engine == "redis":
        return CompletionSource("redis")
    if engine == "mongodb":
        return CompletionSource("mongo")
    dialect = "sqlite" if engine == "sqlite" else "postgresql"
    return CompletionSource("sql", CatalogSnapshot(dialect=dialect))


def build_source(
    driver: Driver, *, sample_fields: bool = False, previous: CompletionSource | None = None
) -> CompletionSource:
    """Read the names ``driver`` knows into a new source (blocking: call it in a worker).

    Args:
        driver: A connected driver.
        sample_fields: MongoDB only: sample the current collection for its
            field names (expensive; only on an explicit refresh).
        previous: The source being replaced; MongoDB keeps its sampled fields
            when they belong to the same collection and no new sample is taken.

    Raises:
        DbtuiError: the driver failed to read its catalog.
    """
    engine = driver.spec.engine
    snapshot = getattr(driver, "completion_snapshot", None)
    if callable(snapshot):
        result = snapshot()
        assert isinstance(result, CatalogSnapshot)
        return CompletionSource("sql", result)
    if engine == "redis":
        return _redis_source(driver)
    if engine == "mongodb":
        return _mongo_source(driver, sample_fields, previous)
    return fallback_source(engine)


def _redis_source(driver: Driver) -> CompletionSource:
    from dbtui.drivers.redis.driver import RedisDriver

    assert isinstance(driver, RedisDriver)
    commands = driver.command_names()
    known = set(commands)
    subcommands: dict[str, tuple[str, ...]] = {}
    for container in REDIS_CONTAINERS:
        if container not in known:
            continue
        with contextlib.suppress(DbtuiError):  # one missing doc must not lose the rest
            hint = driver.command_hint(container.lower())
            if hint is not None and hint.subcommands:
                subcommands[container] = hint.subcommands
    return CompletionSource("redis", commands=tuple(commands), subcommands=subcommands)


def _mongo_source(
    driver: Driver, sample_fields: bool, previous: CompletionSource | None
) -> CompletionSource:
    from dbtui.drivers.mongo.catalog import collection_infos
    from dbtui.drivers.mongo.driver import MongoDriver

    assert isinstance(driver, MongoDriver)
    database = driver.current_database
    names = tuple(str(info["name"]) for info in collection_infos(driver.client, database))
    current = driver.current_collection
    fields: Sequence[str] = ()
    fields_of = ""
    if sample_fields and current:
        report = driver.sample_schema(database, current)
        fields = tuple(f.path for f in report.walk())
        fields_of = f"{database}.{current}"
    elif previous is not None and previous.fields_of == f"{database}.{current}":
        fields, fields_of = previous.fields, previous.fields_of
    return CompletionSource(
        "mongo",
        collections=names,
        fields=fields,
        database=database,
        fields_of=fields_of,
    )
