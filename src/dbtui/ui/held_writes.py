"""Running a statement so that a big write waits for the user's yes (see :mod:`dbtui.core.writes`).

Worker side only (no widgets): :func:`first_result` runs one statement
through :meth:`ConfirmsWrites.execute_checked` when the driver can hold
writes, and the script runner posts :class:`WriteHeld` when it got a
:class:`PendingWrite`; the main screen then asks and answers with
:func:`dbtui.ui.screens.write_confirm.decide`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import App
from textual.message import Message

from dbtui.core.confirmation import Confirmation
from dbtui.core.driver import Driver
from dbtui.core.results import Result, Statement
from dbtui.core.writes import DEFAULT_CONFIRM_ROWS_OVER, ConfirmsWrites, PendingWrite


@dataclass
class WriteHeld(Message):
    """A write ran (or, MongoDB, was counted) and waits for the user's yes or no.

    Attributes:
        session_index: The session whose driver holds it (it stays busy until the answer).
        pending: What is held.
        statement: The statement, with its place in the editor.
        remaining: Script statements after it, run only after a yes.
        elapsed_ms: Time the statement took so far.
    """

    session_index: int
    pending: PendingWrite
    statement: Statement
    remaining: Sequence[Statement]
    elapsed_ms: float


def first_result(
    driver: Driver, text: str, confirm_over: int | None
) -> Result | PendingWrite | None:
    """The first result of ``text``: held as a :class:`PendingWrite` when the driver
    holds writes and ``confirm_over`` is set, else as ``Driver.execute`` gives it."""
    if confirm_over is not None and isinstance(driver, ConfirmsWrites):
        return next(iter(driver.execute_checked(text, confirm_over)), None)
    return next(iter(driver.execute(text)), None)


def question_before(driver: Driver, text: str) -> Confirmation | None:
    """The confirmation to ask for before ``text`` is sent: drivers that hold writes leave out
    what they will ask about with the real count."""
    if isinstance(driver, ConfirmsWrites):
        return driver.question_before(text)
    return driver.needs_confirmation(text)


def confirm_rows_over(app: App[object]) -> int:
    """``[ui] confirm_rows_over`` of the app's config, else the default (100)."""
    config = getattr(app, "config", None)
    value = getattr(getattr(config, "ui", None), "confirm_rows_over", None)
    return value if isinstance(value, int) else DEFAULT_CONFIRM_ROWS_OVER
