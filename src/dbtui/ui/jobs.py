"""Blocking work that runs in thread workers and reports back with a message.

Each function here is called inside ``run_worker(..., thread=True)``. It may
block on the network, must not touch widgets, and ends by posting exactly
one message through ``post`` (``Widget.post_message`` is thread-safe).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from enum import Enum

from textual.message import Message
from textual.widgets.tree import NodeID
from textual.worker import NoActiveWorker, get_current_worker

from dbtui.core.advice import HealthFinding, Suggestion
from dbtui.core.buffers import BufferStore
from dbtui.core.catalog import CatalogNode
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.history import History
from dbtui.core.plan import Plan
from dbtui.core.registry import load_driver, open_driver
from dbtui.core.results import DocumentsResult, Result, RowsResult, Statement, StatusResult
from dbtui.core.spec import ConnectionSpec
from dbtui.core.writes import PendingWrite
from dbtui.ui.held_writes import WriteHeld, first_result
from dbtui.ui.messages import (
    AdviceReady,
    ChildrenLoaded,
    DdlApplied,
    DetailsLoaded,
    PageFailed,
    PageFetched,
    PlanReady,
    Reconnected,
    ScriptStep,
    StatementDone,
    StatementFailed,
)
from dbtui.ui.widgets.results.view import PAGE_SIZE

Post = Callable[[Message], object]


def close_result(result: Result | None) -> None:
    """Release the server-side cursor of a result that is no longer shown."""
    if isinstance(result, RowsResult):
        result.rows.close()
    elif isinstance(result, DocumentsResult):
        result.documents.close()


def first_page(result: Result) -> list[object]:
    """Fetch the first page of a streamed result (nothing for other kinds)."""
    if isinstance(result, RowsResult):
        return list(result.rows.fetch(PAGE_SIZE))
    if isinstance(result, DocumentsResult):
        return list(result.documents.fetch(PAGE_SIZE))
    return []


def record(
    history: History | None, statement: str, elapsed_ms: float, error: DbtuiError | None
) -> None:
    """Add a statement to the history; a history that cannot be written never stops a query."""
    if history is None:
        return
    with contextlib.suppress(OSError):
        history.append(
            statement,
            duration_ms=elapsed_ms,
            ok=error is None,
            error=error.one_line() if error is not None else None,
        )


def run_statement(
    post: Post,
    index: int,
    driver: Driver,
    statement: Statement,
    previous: Result | None,
    history: History | None = None,
    confirm_over: int | None = None,
) -> None:
    """Run one statement, record it in the history, post its first result and first page."""
    run_script(post, index, driver, [statement], previous, history, confirm_over)


def step_summary(result: Result | None, page: list[object]) -> str:
    """One line about a script step whose result is not kept on screen."""
    if isinstance(result, StatusResult):
        count = f", {result.rowcount} row(s)" if result.rowcount is not None else ""
        return f"{result.status}{count}"
    if isinstance(result, RowsResult | DocumentsResult):
        stream = result.rows if isinstance(result, RowsResult) else result.documents
        more = "" if stream.exhausted else "+"
        return f"{len(page)}{more} row(s)"
    return "reply" if result is not None else "OK"


class RunMode(Enum):
    """What F5, F6 and F7 do with the statement under the cursor."""

    RUN = "run"
    """Run it and show its result."""
    EXPLAIN = "explain"
    """Show its plan without running it."""
    ANALYZE = "analyze"
    """Run it (a write in a transaction rolled back) and show the measured plan."""


class AdviceScope(Enum):
    """What the index advisor looks at."""

    STATEMENT = "statement"
    """The statement under the cursor."""
    WORKLOAD = "workload"
    """The server's top statements."""
    HEALTH = "health"
    """The existing indexes: unused, duplicate, missing."""


def cancelled() -> bool:
    """True when the worker running this job was cancelled (the app is closing, or the
    job was replaced); False outside a worker."""
    try:
        return get_current_worker().is_cancelled
    except NoActiveWorker:
        return False


def run_script(
    post: Post,
    index: int,
    driver: Driver,
    statements: Sequence[Statement],
    previous: Result | None,
    history: History | None = None,
    confirm_over: int | None = None,
) -> None:
    """Run statements in order; each but the last is reported in Messages, the last is shown.

    The first error stops the script (the statements after it do not run) and
    is reported at its statement's position. With ``confirm_over``, a write
    the driver holds (:mod:`dbtui.core.writes`) stops it too: :class:`WriteHeld`
    is posted with the statements left, which run only after the user's yes.
    A cancelled worker stops before the next statement and posts nothing.
    """
    close_result(previous)
    for number, statement in enumerate(statements):
        if cancelled():
            return
        last = number == len(statements) - 1
        started = time.perf_counter()
        try:
            result = first_result(driver, statement.text, confirm_over)
            page = [] if result is None or isinstance(result, PendingWrite) else first_page(result)
        except DbtuiError as error:
            record(history, statement.text, (time.perf_counter() - started) * 1000, error)
            post(StatementFailed(index, statement.text, error, statement.start))
            return
        elapsed = (time.perf_counter() - started) * 1000
        record(history, statement.text, elapsed, None)
        if isinstance(result, PendingWrite):
            post(WriteHeld(index, result, statement, statements[number + 1 :], elapsed))
            return
        if not last:
            close_result(result)
            notices = tuple(getattr(result, "notices", ()))
            post(ScriptStep(index, statement.text, step_summary(result, page), elapsed, notices))
            continue
        if result is None:
            result = StatusResult(statement.text, "OK", None, elapsed)
        post(StatementDone(index, statement.text, result, page, elapsed))


def save_buffer(store: BufferStore, text: str, tab: int = 0) -> OSError | None:
    """Save one editor tab's text (atomically); a full disk must not break the editor.

    Returns the error when the text could not be written (the caller shows it: the
    text stays in the editor but is no longer saved), ``None`` when it was.
    """
    try:
        store.save(tab, text)
    except OSError as error:
        return error
    return None


def remove_buffer(store: BufferStore, tab: int) -> None:
    """Forget a closed tab (later tabs move down one); failures are ignored."""
    with contextlib.suppress(OSError, ValueError):
        store.remove(tab)


def fetch_more(post: Post, index: int, result: Result) -> None:
    """Fetch the next page of the shown result."""
    try:
        if isinstance(result, RowsResult):
            page: list[object] = list(result.rows.fetch(PAGE_SIZE))
        elif isinstance(result, DocumentsResult):
            page = list(result.documents.fetch(PAGE_SIZE))
        else:
            return
    except DbtuiError as error:
        post(PageFailed(index, result, error))
        return
    post(PageFetched(index, result, page))


def explain(post: Post, index: int, driver: Driver, statement: Statement, analyze: bool) -> None:
    """EXPLAIN a statement and post the analysed plan."""
    try:
        plan = driver.explain(statement.text, analyze=analyze)
    except DbtuiError as error:
        post(StatementFailed(index, statement.text, error, statement.start))
        return
    post(PlanReady(index, plan))


def advise(
    post: Post, index: int, driver: Driver, scope: AdviceScope, statement: Statement | None
) -> None:
    """Index advice for a statement, the workload, or index health.

    The statement's advice is posted as the driver returned it: a
    :class:`~dbtui.core.advice.Advice` also carries what was tried, which the Advice tab
    shows when nothing is suggested.
    """
    text = statement.text if statement is not None else ""
    try:
        items: Sequence[Suggestion | HealthFinding]
        if scope is AdviceScope.HEALTH:
            items = list(driver.health())
            title = "Index health"
        elif scope is AdviceScope.WORKLOAD:
            items = list(driver.workload())
            title = "Workload (pg_stat_statements)"
        else:
            items = driver.advise(text)  # an Advice also says what was tried
            title = "Suggestions for the statement"
    except DbtuiError as error:
        post(
            StatementFailed(
                index,
                text or f"({scope.value} advice)",
                error,
                statement.start if statement else 0,
            )
        )
        return
    post(AdviceReady(index, title, items, text))


def apply_ddl(
    post: Post, index: int, driver: Driver, ddl: str, statement: str, before: Plan | None
) -> None:
    """Run a suggested DDL, then re-explain the statement it was for."""
    try:
        for result in driver.execute(ddl):
            close_result(result)
        after = driver.explain(statement) if statement else None
    except DbtuiError as error:
        post(StatementFailed(index, ddl, error))
        return
    post(DdlApplied(index, ddl, before, after))


def load_children(
    post: Post, tree_node_id: NodeID, driver: Driver, node: CatalogNode | None
) -> None:
    """Load one level of the catalog."""
    try:
        children = list(driver.children(node))
    except DbtuiError as error:
        post(ChildrenLoaded(tree_node_id, [], error))
        return
    post(ChildrenLoaded(tree_node_id, children))


def load_details(post: Post, driver: Driver, node: CatalogNode) -> None:
    """Load the details-pane facts of a catalog node."""
    try:
        facts = list(driver.details(node))
    except DbtuiError as error:
        facts = [("error", error.one_line())]
    post(DetailsLoaded(node.label, facts))


def reconnect(
    post: Post, index: int, spec: ConnectionSpec, old: Driver | None, password: str | None = None
) -> None:
    """Close the old driver (if any) and connect again (with ``password`` if given)."""
    if old is not None:
        with contextlib.suppress(DbtuiError):
            old.close()
    try:
        if password is None:
            driver = open_driver(spec)
        else:
            driver = load_driver(spec.engine)(spec)
            driver.set_password(password)
            driver.connect()
    except DbtuiError as error:
        post(Reconnected(index, None, error))
        return
    post(Reconnected(index, driver, None))


def switch_database(post: Post, index: int, driver: Driver, name: str) -> None:
    """Reconnect the driver to another database of the same server."""
    try:
        driver.switch_database(name)
    except DbtuiError as error:
        post(StatementFailed(index, f"(switching to database {name})", error))
        post(Reconnected(index, driver, None))
        return
    post(Reconnected(index, driver, None))


def cancel(driver: Driver) -> None:
    """Ask the driver to interrupt its running statement (best effort)."""
    with contextlib.suppress(DbtuiError):
        driver.cancel()
