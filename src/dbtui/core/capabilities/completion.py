"""Completion: what a driver tells the editor's completion about the names it knows.

:class:`CompletionSource` is the immutable result (built in a worker and swapped in
whole). A driver provides one of three protocols, tried in this order:

* :class:`NameCompletion`: builds its own :class:`CompletionSource` (document stores:
  collection names, sampled field paths);
* :class:`SqlCompletion`: a :class:`~dbtui.core.completion.CatalogSnapshot` of schemas,
  tables, columns and functions;
* :class:`CommandCompletion`: command names and their subcommands (command-line engines).

Command-line drivers may also offer :class:`CommandHelp` (the typed command's syntax,
shown under the editor) and :class:`KeyNameCompletion` (key names in key arguments,
read in a worker when completion is asked for).

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


class CommandDoc(Protocol):
    """One command's documentation, as completion and the help line show it."""

    @property
    def name(self) -> str:
        """Upper-case name (``CONFIG GET`` for a subcommand)."""
        ...

    @property
    def syntax(self) -> str:
        """Arguments as typed, e.g. ``key start stop`` ("" when unknown)."""
        ...

    @property
    def since(self) -> str:
        """The server version that introduced it ("" when unknown)."""
        ...

    @property
    def complexity(self) -> str:
        """Time complexity text ("" when unknown)."""
        ...

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

    #: Commands that take a subcommand (``CONFIG GET``): completion lists their subcommands.
    container_commands: Sequence[str]

    def command_hint(self, name: str) -> CommandDoc | None:
        """The documentation of command ``name`` (lower case), or ``None``."""
        ...


@runtime_checkable
class CommandHelp(Protocol):
    """A command-line driver that documents the command being typed (iredis-style help)."""

    def command_help(self, line: str) -> CommandDoc | None:
        """The documentation of the command ``line`` (the text before the cursor) types.

        Blocking (may ask the server once per command): call it in a worker. ``None``
        for an empty line or an unknown command.

        Raises:
            DbtuiError: the server could not be asked.
        """
        ...


@dataclass(frozen=True)
class ArgumentCandidates:
    """Names that fit the argument being typed at the end of a command line.

    Attributes:
        start: Offset in the line where the argument being typed starts.
        candidates: The names as they must be typed (quoted in the console's syntax,
            so that any name, hostile ones included, is one inert argument).
        complete: False when a limit cut the list (a longer prefix may find others).
        kind: What the names are (``key``), shown beside each candidate.
    """

    start: int
    candidates: tuple[str, ...]
    complete: bool = True
    kind: str = "key"


@runtime_checkable
class KeyNameCompletion(Protocol):
    """A command-line driver that completes key names in key arguments."""

    def key_name_candidates(self, line: str) -> ArgumentCandidates | None:
        """Key names for the argument ``line`` (the text before the cursor) ends with.

        ``None`` when that argument is not a key of its command (or the line does not
        parse). Blocking (a bounded scan of the server): call it in a worker.

        Raises:
            DbtuiError: the server could not be asked.
        """
        ...
