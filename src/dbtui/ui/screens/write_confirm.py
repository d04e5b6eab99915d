"""The main screen's side of held writes: ask, then commit or roll back in a worker.

When the script runner posts :class:`~dbtui.ui.held_writes.WriteHeld`, the
session stays busy and :class:`ConfirmScreen` asks the driver's question
("DELETE would remove 12,345 rows from public.orders. Commit?"); No (the
focused button, ``n`` or Esc) rolls it back, Yes (Tab then Enter, and typing
the collection name for an empty-filter ``deleteMany``) commits it and runs
the rest of the script. The answer is carried out by :func:`decide` in a
thread worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from textual.app import App
from textual.message import Message

from dbtui.core.driver import Driver
from dbtui.core.errors import CancelledError, DbtuiError, QueryError
from dbtui.core.history import History
from dbtui.core.writes import ConfirmsWrites
from dbtui.ui import jobs
from dbtui.ui.held_writes import WriteHeld, confirm_rows_over
from dbtui.ui.messages import ScriptStep, StatementDone, StatementFailed
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.workbench import Workbench

Post = Callable[[Message], object]


def decide(
    post: Post,
    index: int,
    driver: Driver,
    held: WriteHeld,
    commit: bool,
    history: History | None,
    confirm_over: int,
) -> None:
    """Worker body: commit (and run the rest of the script) or roll back the held write.

    Posts :class:`StatementDone` (or a :class:`ScriptStep` and goes on with the
    script) after a commit, :class:`StatementFailed` with a :class:`CancelledError`
    after a rollback (the script stops), or the error of a failed commit.
    """
    statement = held.statement
    if not isinstance(driver, ConfirmsWrites):  # pragma: no cover - WriteHeld comes from one
        post(StatementFailed(index, statement.text, QueryError("the driver holds no write")))
        return
    started = time.perf_counter()
    try:
        result = driver.commit_pending() if commit else driver.rollback_pending()
    except DbtuiError as error:
        post(StatementFailed(index, statement.text, error, statement.start))
        return
    elapsed = held.elapsed_ms + (time.perf_counter() - started) * 1000
    if not commit:
        left = len(held.remaining)
        rest = f"; the {left} statement(s) after it did not run" if left else ""
        undone = "not sent" if not held.pending.ran else "rolled back"
        message = f"{held.pending.verb} {undone}: {held.pending.count_text} unchanged{rest}"
        post(StatementFailed(index, statement.text, CancelledError(message, "Not committed")))
        return
    if held.remaining:
        post(ScriptStep(index, statement.text, result.status, elapsed, result.notices))
        jobs.run_script(post, index, driver, held.remaining, None, history, confirm_over)
        return
    post(StatementDone(index, statement.text, result, [], elapsed))


def confirm_over(app: App[object]) -> int:
    """Rows (documents) a write may change without asking: ``[ui] confirm_rows_over``."""
    return confirm_rows_over(app)


def ask_held_write(bench: Workbench, app: App[object], post: Post, event: WriteHeld) -> None:
    """Ask about the held write; the session stays busy until the answer is carried out.

    The answer is carried out by :func:`decide` in a worker that reports through ``post``.
    """
    session = bench.sessions[event.session_index]
    driver = session.driver
    if driver is None:
        return
    pending = event.pending
    limit = confirm_over(app)

    def answer(yes: bool | None) -> None:
        session.awaiting_answer = False
        bench.update_title()
        job = partial(
            decide,
            post,
            session.index,
            driver,
            event,
            bool(yes),
            session.history,
            limit,
        )
        what = "commit" if yes else "roll back"
        bench.start(job, f"query-{session.index}", f"{what}: {pending.statement[:40]}")

    dialog = ConfirmScreen(
        pending.question, pending.detail, typed=pending.typed, yes_label=pending.yes_label
    )
    session.awaiting_answer = True
    bench.update_title()
    app.push_screen(dialog, answer)
