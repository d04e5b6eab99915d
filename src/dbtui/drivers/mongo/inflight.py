"""The operation in flight, and blocking calls the user can walk away from.

pymongo has no way to interrupt a thread blocked on a server reply. So every
blocking call of a user command runs in a short-lived daemon thread while the
caller waits for either its answer or a cancel. On cancel the caller gets
:class:`CancelledError` at once; the abandoned call finishes in the
background (a server that honours ``killOp`` stops it early) and its cursor
is closed when it returns.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from pymongo.command_cursor import CommandCursor
from pymongo.cursor import Cursor
from pymongo.errors import PyMongoError

from dbtui.core.errors import CancelledError

T = TypeVar("T")
AnyCursor = Cursor[dict[str, Any]] | CommandCursor[dict[str, Any]]

CANCELLED_MESSAGE = (
    "the operation was cancelled (dbtui stopped waiting; a server that ignores killOp "
    "may still finish it in the background)"
)


class Operation:
    """One user command in flight.

    Attributes:
        tag: The ``comment`` it is sent with, to find it in ``currentOp``.
        cancelled: Set by cancel; every wait and every document handed out checks it.
        cursor: Its open cursor, if it returned one.
        namespace: ``database.collection`` of that cursor.
    """

    def __init__(self, comment: object = None) -> None:
        if isinstance(comment, str) and comment:
            self.tag = comment
        else:
            self.tag = f"dbtui:{uuid.uuid4().hex[:16]}"
        self.cancelled = threading.Event()
        self.cursor: AnyCursor | None = None
        self.namespace = ""
        self._lock = threading.Lock()
        self._waiters: list[threading.Event] = []
        self._busy = 0
        self._close_when_idle = False

    def cancel(self) -> None:
        """Mark cancelled and wake every waiting caller."""
        with self._lock:
            self.cancelled.set()
            waiters = list(self._waiters)
        for waiter in waiters:
            waiter.set()

    def check(self) -> None:
        """Raise :class:`CancelledError` once cancelled."""
        if self.cancelled.is_set():
            raise CancelledError(CANCELLED_MESSAGE)

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` in a daemon thread; return its result, re-raise its error, or raise
        :class:`CancelledError` as soon as the operation is cancelled."""
        self.check()
        done = threading.Event()
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:  # handed to the waiting caller
                box["error"] = exc
            finally:
                self._finished(done)

        with self._lock:
            self._waiters.append(done)
            self._busy += 1
        threading.Thread(target=target, name="dbtui-mongo-call", daemon=True).start()
        done.wait()
        if "error" in box:
            raise box["error"]
        if "value" in box:
            return box["value"]  # type: ignore[no-any-return]
        raise CancelledError(CANCELLED_MESSAGE)

    def _finished(self, done: threading.Event) -> None:
        with self._lock:
            self._busy -= 1
            if done in self._waiters:
                self._waiters.remove(done)
            close = self._close_when_idle and self._busy == 0
        done.set()
        if close:
            self._close_cursor()

    def close(self) -> None:
        """Close the cursor now, or as soon as an abandoned call on it returns."""
        with self._lock:
            if self._busy:
                self._close_when_idle = True
                return
        self._close_cursor()

    def _close_cursor(self) -> None:
        cursor = self.cursor
        if cursor is not None:
            with contextlib.suppress(PyMongoError):
                cursor.close()
