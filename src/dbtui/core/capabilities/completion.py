"""Completion: what a driver tells the editor's completion about the names it knows.

:class:`CompletionSource` is the immutable result (built in a worker and swapped in
whole). A driver provides one of three protocols, tried in this order:

* :class:`NameCompletion`: builds its own :class:`CompletionSource` (document stores:
  collection names, sampled field paths);
* :class:`SqlCompletion`: a :class:`~dbtui.core.completion.CatalogSnapshot` of schemas,
  tables, columns and functions;
* :class:`CommandCompletion`: command names and their subcommands (command-line engines).

A driver with none of them gets SQL keywords of its :mod:`~.quoting` dialect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol, runtime_checkable

from dbtui.core.completion import (
    CatalogSnapshot,
    Completions,
    complete_mongo,
    complete_redis,
    complete_sql,
)


class CompletionKind(Enum):
    """Which completer applies to a connection's editor."""

    SQL = "sql"
    """SQL statements (keywords, schemas, tables, columns, functions)."""
    COMMANDS = "commands"
    """Command lines: a command name, then its subcommand."""
    DOCUMENTS = "documents"
    """Shell-style document commands: collection names, field paths, operators."""


@dataclass(frozen=True)
class CompletionSource:
    """What completion knows about one connection; never changed once built.

    Attributes:
        kind: Which completer applies.
        snapshot: The SQL catalog (:attr:`CompletionKind.SQL`).
        commands: Command names, upper case (:attr:`CompletionKind.COMMANDS`).
        subcommands: Container command -> its subcommands.
        collections: Collection names of :attr:`database` (:attr:`CompletionKind.DOCUMENTS`).
        fields: Field paths of :attr:`fields_of` (empty until sampled).
        database: The database the collections belong to.
        fields_of: ``database.collection`` whose fields were sampled, or ``""``.
    """

    kind: CompletionKind
    snapshot: CatalogSnapshot = field(default_factory=CatalogSnapshot)
    commands: Sequence[str] = ()
    subcommands: Mapping[str, Sequence[str]] = field(default_factory=dict)
    collections: Sequence[str] = ()
    fields: Sequence[str] = ()
    database: str = ""
    fields_of: str = ""

    def complete(self, text: str, cursor: int) -> Completions:
        """Candidates at character offset ``cursor`` of ``text``."""
        if self.kind is CompletionKind.COMMANDS:
            return complete_redis(text, cursor, self.commands, subcommands=self.subcommands)
        if self.kind is CompletionKind.DOCUMENTS:
            return complete_mongo(text, cursor, fields=self.fields, collections=self.collections)
        return complete_sql(text, cursor, self.snapshot)

    def summary(self) -> str:
        """A short description for a notification ("42 tables, 310 columns")."""
        if self.kind is CompletionKind.COMMANDS:
            return f"{len(self.commands)} commands"
        if self.kind is CompletionKind.DOCUMENTS:
            sampled = f", {len(self.fields)} fields of {self.fields_of}" if self.fields_of else ""
            return f"{len(self.collections)} collections of {self.database}{sampled}"
        tables = [t for schema in self.snapshot.tables.values() for t in schema.values()]
        columns = sum(len(columns) for columns in tables)
        return f"{len(tables):,} tables and views, {columns:,} columns"


@runtime_checkable
class NameCompletion(Protocol):
    """A driver that builds its own completion source (blocking: call in a worker)."""

    def completion_source(
        self, *, sample_fields: bool = False, previous: CompletionSource | None = None
    ) -> CompletionSource:
        """The names it knows now.

        Args:
            sample_fields: Also read sample data for field names (expensive; only on
                an explicit refresh).
            previous: The source being replaced, whose costly parts may be kept.

        Raises:
            DbtuiError: the names cannot be read.
        """
        ...

    def completion_fallback(self) -> CompletionSource:
        """What completes before the names are read (keywords, operators); no I/O."""
        ...


@runtime_checkable
class SqlCompletion(Protocol):
    """A SQL driver that lists its catalog for completion (blocking: call in a worker)."""

    def completion_snapshot(self) -> CatalogSnapshot:
        """Schemas, tables, columns and functions of the current database."""
        ...


class CommandHelp(Protocol):
    """What completion needs of one command's documentation."""

    @property
    def subcommands(self) -> Sequence[str]:
        """The command's subcommands (empty for a plain command)."""
        ...


@runtime_checkable
class CommandCompletion(Protocol):
    """A command-line driver that lists its commands (blocking: call in a worker)."""

    def command_names(self) -> Sequence[str]:
        """Every command the server knows, upper case."""
        ...

    def command_hint(self, name: str) -> CommandHelp | None:
        """The documentation of command ``name`` (lower case), or ``None``."""
        ...
