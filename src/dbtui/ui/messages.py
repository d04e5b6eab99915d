"""Messages that worker threads post back to the UI thread.

Every database call runs in a thread worker that ends by posting exactly one
of these; widgets are only ever touched on the UI thread, in the handlers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.message import Message
from textual.widgets.tree import NodeID

from dbtui.core.advice import HealthFinding, Suggestion
from dbtui.core.catalog import CatalogNode
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.plan import Plan
from dbtui.core.results import Result


@dataclass
class StatementDone(Message):
    """A statement finished; ``page`` holds the first page of rows or documents."""

    session_index: int
    statement: str
    result: Result
    page: list[object]
    elapsed_ms: float


@dataclass
class ScriptStep(Message):
    """A statement of a script finished; the next one is about to run."""

    session_index: int
    statement: str
    summary: str
    elapsed_ms: float
    notices: tuple[str, ...] = ()


@dataclass
class StatementFailed(Message):
    """A statement (or plan, or catalog call) failed with a user-facing error."""

    session_index: int
    statement: str
    error: DbtuiError
    start: int = 0
    """Offset of the statement inside the editor text, to place the cursor."""


@dataclass
class PageFetched(Message):
    """More rows or documents arrived for the result currently shown."""

    session_index: int
    result: Result
    page: list[object]


@dataclass
class PageFailed(Message):
    """Reading another page of ``result`` failed (the stream or connection is gone)."""

    session_index: int
    result: Result
    error: DbtuiError


@dataclass
class PlanReady(Message):
    """An EXPLAIN finished."""

    session_index: int
    plan: Plan


@dataclass
class AdviceReady(Message):
    """Suggestions (or health findings) arrived for the Advice tab."""

    session_index: int
    title: str
    items: Sequence[Suggestion | HealthFinding]
    statement: str = ""


@dataclass
class DdlApplied(Message):
    """A suggested DDL ran; ``before``/``after`` are the statement's plans around it."""

    session_index: int
    ddl: str
    before: Plan | None
    after: Plan | None


@dataclass
class ChildrenLoaded(Message):
    """Catalog children of a tree node arrived (or failed)."""

    tree_node_id: NodeID
    children: Sequence[CatalogNode]
    error: DbtuiError | None = None


@dataclass
class DetailsLoaded(Message):
    """Facts about the highlighted catalog node arrived."""

    title: str
    facts: Sequence[tuple[str, str]]


@dataclass
class Reconnected(Message):
    """A (re)connection attempt finished."""

    session_index: int
    driver: Driver | None
    error: DbtuiError | None


@dataclass
class IndexBuildProgress(Message):
    """A ``CREATE INDEX CONCURRENTLY`` is in ``phase``; ``fraction`` (0..1) when known."""

    session_index: int
    phase: str
    fraction: float | None


@dataclass
class InvalidIndexLeft(Message):
    """A failed or cancelled concurrent build left INVALID ``names``; ``ddl`` drops them."""

    session_index: int
    names: tuple[str, ...]
    ddl: str
