"""Writes held until the user confirms them: the engine-neutral API, no I/O.

Pattern checks ("DELETE without WHERE") miss ``WHERE true``, ``WHERE 1 = 1``
or a MongoDB filter that happens to match everything. So a driver that
implements :class:`ConfirmsWrites` measures what a write really affects and
holds it while the user decides:

* SQL engines run UPDATE / DELETE / MERGE / INSERT ... SELECT inside a
  transaction of their own (a savepoint when the user has a transaction
  open), read the affected row count, and keep that transaction open when
  :func:`should_hold` says so; :meth:`ConfirmsWrites.commit_pending` commits
  it (or releases the savepoint, leaving the change in the user's
  transaction) and :meth:`ConfirmsWrites.rollback_pending` undoes it.
* MongoDB counts the documents a ``deleteMany``/``updateMany`` filter matches
  (a bounded count) and holds the command *unsent*; committing sends it.

A held write never outlives an answer: any other statement on the driver,
``close()`` and a reconnect roll it back, so quitting the app or cancelling
the dialog never commits anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from dbtui.core.confirmation import Confirmation
from dbtui.core.results import Result, StatusResult

if TYPE_CHECKING:  # pglast is imported when a statement is first classified, not at start
    from pglast import ast

DEFAULT_CONFIRM_ROWS_OVER = 100
"""Writes affecting more rows (or documents) than this are held for confirmation."""

_PHRASES = {
    "DELETE": ("would remove", "from"),
    "UPDATE": ("would change", "of"),
    "MERGE": ("would change", "of"),
    "INSERT": ("would add", "to"),
    "deleteMany": ("would delete", "from"),
    "updateMany": ("would update", "of"),
}


@dataclass(frozen=True)
class WriteShape:
    """What a row-changing SQL statement is, read from its text.

    Attributes:
        verb: ``DELETE``, ``UPDATE``, ``MERGE`` or ``INSERT``.
        target: The table it changes, as written (``public.orders``).
        whole: It has no WHERE at all, or a constant-true one (DELETE/UPDATE): it targets
            every row.
    """

    verb: str
    target: str
    whole: bool = False


@dataclass(frozen=True)
class PendingWrite:
    """A write that is held until the user says yes or no.

    Attributes:
        statement: The statement or command as the user wrote it.
        verb: What it does (``DELETE``, ``UPDATE``, ``deleteMany``...).
        target: What it changes (``public.orders``, ``shop.users``).
        affected: Rows it changed (SQL, already run) or documents its filter
            matches (MongoDB, not sent yet).
        capped: ``affected`` is a lower bound: the count stopped there.
        whole: No WHERE / an empty filter: it targets everything.
        ran: True when it already ran in a transaction that is still open;
            False when nothing was sent yet (committing sends it).
        in_transaction: It ran inside the user's open transaction (under a
            savepoint): yes keeps it there, uncommitted, and no undoes only it.
        typed: Text the user must type to confirm (a collection name), or ``None``.
        result: The statement's own status (``DELETE 500``) when it ran.
        unit: What is counted: ``row`` or ``document``.
    """

    statement: str
    verb: str
    target: str
    affected: int
    capped: bool = False
    whole: bool = False
    ran: bool = True
    in_transaction: bool = False
    typed: str | None = None
    result: StatusResult | None = None
    unit: str = "row"

    @property
    def count_text(self) -> str:
        """``12,345 rows``, ``more than 100 documents``, ``1 row``."""
        noun = self.unit if self.affected == 1 and not self.capped else f"{self.unit}s"
        more = "more than " if self.capped else ""
        return f"{more}{self.affected:,} {noun}"

    @property
    def question(self) -> str:
        """``DELETE would remove 12,345 rows from public.orders. Commit?``"""
        action, preposition = _PHRASES.get(self.verb, ("would change", "of"))
        if self.in_transaction:
            ask = "Keep it in your open transaction?"
        else:
            ask = "Commit?" if self.ran else "Run it?"
        return f"{self.verb} {action} {self.count_text} {preposition} {self.target}. {ask}"

    @property
    def detail(self) -> str:
        """What yes and no do, then the statement (shortened)."""
        if not self.ran:
            outcome = "Nothing has been sent yet; No leaves the data as it is."
        elif self.in_transaction:
            outcome = (
                "It ran under a savepoint of your transaction: No undoes only this "
                "statement; Yes keeps it (COMMIT or ROLLBACK the transaction yourself)."
            )
        else:
            outcome = (
                "It ran in a transaction that is still open (its rows stay locked): "
                "No rolls it back, Yes commits it."
            )
        if self.whole:
            outcome = (
                f"It has no WHERE / filter (or an always-true one): it targets everything.\n"
                f"{outcome}"
            )
        text = self.statement if len(self.statement) <= 300 else self.statement[:299] + "…"
        return f"{outcome}\n\n{text}"

    @property
    def yes_label(self) -> str:
        """The Yes button's label."""
        if self.in_transaction:
            return "Keep it"
        return "Commit" if self.ran else "Run it"


def held_results(
    results: Iterator[Result],
    arm: Callable[[int | None], None],
    pending: Callable[[], PendingWrite | None],
    confirm_over: int,
) -> Iterator[Result | PendingWrite]:
    """A SQL driver's ``execute`` results, stopping at the first write it held.

    ``execute`` is a lazy generator that reads the driver's threshold while it runs a
    statement, so the threshold is armed (``arm(confirm_over)``) only while the generator
    advances and disarmed (``arm(None)``) between steps, whatever the caller does. When a step
    leaves a write held (``pending()``), that :class:`PendingWrite` is yielded instead of the
    step's result and the iteration ends: the caller answers before anything else runs.
    """
    while True:
        arm(confirm_over)
        try:
            result = next(results, None)
        finally:
            arm(None)
        if result is None:
            return
        held = pending()
        if held is not None:
            yield held
            return
        yield result


def should_hold(affected: int, *, whole: bool, confirm_over: int) -> bool:
    """Whether a write of ``affected`` rows must wait for the user's yes.

    Held when it affects more than ``confirm_over`` rows, or when it has no
    WHERE/filter at all and affects any row. Nothing affected: never held.
    """
    if affected <= 0:
        return False
    return whole or affected > confirm_over


@runtime_checkable
class ConfirmsWrites(Protocol):
    """A driver that can run a write and hold it until the user decides.

    The UI calls these from worker threads, one at a time, like every driver
    method: :meth:`execute_checked`, then (when it yielded a
    :class:`PendingWrite`) exactly one of :meth:`commit_pending` or
    :meth:`rollback_pending`.
    """

    def execute_checked(self, statement: str, confirm_over: int) -> Iterator[Result | PendingWrite]:
        """Like ``Driver.execute``, but a write that affects more than ``confirm_over``
        rows (or has no WHERE) is yielded as a :class:`PendingWrite` and held;
        the iteration stops there. Other writes are committed at once (or stay in
        the user's open transaction) and yielded as their usual result.

        Raises the same errors as ``Driver.execute``; a write that fails is rolled back.
        """
        ...

    def commit_pending(self) -> StatusResult:
        """Commit (SQL) or send (MongoDB) the held write; returns its final status.

        Raises:
            DbtuiError: nothing is held, or the commit failed (then nothing was
                committed: the transaction is gone).
        """
        ...

    def rollback_pending(self) -> StatusResult:
        """Undo (SQL) or drop (MongoDB) the held write; a no-op when nothing is held."""
        ...

    @property
    def pending(self) -> PendingWrite | None:
        """The held write, or ``None``."""
        ...

    def question_before(self, statement: str) -> Confirmation | None:
        """The pattern pre-check (``Driver.needs_confirmation``) minus what
        :meth:`execute_checked` asks about anyway with the real count."""
        ...


def sql_write_shape(sql: str) -> WriteShape | None:
    """The shape of one SQL statement whose row count decides whether it is held.

    ``DELETE``, ``UPDATE``, ``MERGE`` and ``INSERT ... SELECT`` (not ``INSERT
    ... VALUES``: the user typed those rows). ``None`` for anything else, for a
    statement with ``RETURNING`` (its rows are shown, not held), and for text
    PostgreSQL's parser cannot read.
    """
    import pglast
    from pglast import ast
    from pglast.parser import ParseError

    from dbtui.core.sql_truth import every_row  # pglast too: imported only when asked

    try:
        statements = pglast.parse_sql(sql)
    except ParseError:
        return None
    if len(statements) != 1 or statements[0].stmt is None:
        return None
    node = statements[0].stmt
    if _has_returning(node):
        return None
    if isinstance(node, ast.DeleteStmt):
        return WriteShape("DELETE", relation_name(node.relation), every_row(node.whereClause))
    if isinstance(node, ast.UpdateStmt):
        return WriteShape("UPDATE", relation_name(node.relation), every_row(node.whereClause))
    if isinstance(node, ast.MergeStmt):
        return WriteShape("MERGE", relation_name(node.relation))
    if isinstance(node, ast.InsertStmt) and _from_query(node):
        return WriteShape("INSERT", relation_name(node.relation))
    return None


def sql_question_before(sql: str) -> Confirmation | None:
    """:func:`~dbtui.core.sqlclass.destructive_question` for a driver that holds writes.

    A DELETE/UPDATE without WHERE that :func:`sql_write_shape` covers is not asked
    about before it runs: it is held afterwards, with the real row count.
    """
    from dbtui.core.sqlclass import destructive_question  # imports pglast: only when asked

    shape = sql_write_shape(sql)
    if shape is not None and shape.whole:
        return None
    return destructive_question(sql)


def _from_query(node: ast.InsertStmt) -> bool:
    """``INSERT ... SELECT`` (or ``TABLE``), not ``VALUES`` and not ``DEFAULT VALUES``."""
    from pglast import ast

    source = node.selectStmt
    return isinstance(source, ast.SelectStmt) and not source.valuesLists


def _has_returning(node: ast.Node) -> bool:
    """RETURNING is ``returningClause`` in PostgreSQL 18's grammar, ``returningList`` before."""
    clause = getattr(node, "returningClause", None)
    if clause is not None:
        return bool(getattr(clause, "exprs", None))
    return bool(getattr(node, "returningList", None))


def relation_name(rel: ast.RangeVar | None) -> str:
    """``schema.table`` as written (``?`` when unknown)."""
    if rel is None:
        return "?"
    parts = [p for p in (rel.catalogname, rel.schemaname, rel.relname) if p]
    return ".".join(parts) or "?"
