"""No exception ends the app or vanishes: the one place unexpected errors are caught and shown.

Three ways an exception can escape dbtui's code inside Textual, and how each ends up here:

* a message handler, action or callback of the app or of any screen or widget (Textual
  would otherwise stop that node's message loop and exit): see :func:`install`;
* a worker created with ``exit_on_error=False`` (Textual would keep the error silently):
  :class:`ReportingWorkerManager` sees every worker that ends in the ERROR state;
* anything else Textual hands to ``App._handle_exception`` (a timer, a Textual widget).

Each is reported by :func:`report_unexpected`: the traceback goes to the error log
(:func:`dbtui.core.crashlog.error_log_path`) and the user sees one notification saying what
failed, that nothing typed was lost, and where the log is. A :class:`DbtuiError` that escapes
a worker is not a bug in the same sense; it is shown as its own one line and not logged.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from textual._context import active_app
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerFailed, WorkerState
from textual.worker_manager import WorkerManager

from dbtui.core.crashlog import unexpected_message, write_error
from dbtui.core.errors import DbtuiError
from dbtui.core.paths import APP_NAME

if TYPE_CHECKING:
    from textual.app import App

NOTHING_LOST = "Nothing you typed was lost."


class WorkerCrashed(Message):
    """Posted to a worker's node when the worker raised: the node can clear its busy state."""

    def __init__(self, worker: Worker[object]) -> None:
        super().__init__()
        self.worker = worker


def report_unexpected(app: App[Any], error: BaseException, what: str) -> None:
    """Log ``error`` with its traceback and tell the user in one notification; never raises.

    A :class:`~textual.worker.WorkerFailed` (a worker started with ``exit_on_error=True``)
    is reported as the error it wraps.
    """
    if isinstance(error, WorkerFailed) and isinstance(error.error, BaseException):
        error, what = error.error, "running a background job"
    what = what if len(what) <= 80 else what[:79] + "…"
    if isinstance(error, DbtuiError):
        _notify(app, f"{what}: {error.one_line()}")
        return
    log = write_error(error, what)
    _notify(app, f"{unexpected_message(what, error, log)}. {NOTHING_LOST}")


def _notify(app: App[Any], message: str) -> None:
    try:
        app.notify(message, severity="error", timeout=15)
    except Exception:  # the report itself must never raise (e.g. the app is closing)
        return


def describe(message: Message) -> str:
    """A few words for what was being handled, e.g. "handling Key" or "running a callback"."""
    name = type(message).__name__
    return "running a callback" if name == "Callback" else f"handling {name}"


_ORIGINAL_DISPATCH = MessagePump._dispatch_message
REPORTS_ERRORS = "_dbtui_reports_errors"
"""Attribute set on an app by :func:`install`: its nodes' handler errors are reported."""


async def _reporting_dispatch(self: MessagePump, message: Message) -> None:
    """``MessagePump._dispatch_message`` that reports a handler's exception instead of dying.

    Only inside an app that called :func:`install`; any other app keeps Textual's behaviour.
    """
    try:
        await _ORIGINAL_DISPATCH(self, message)
    except asyncio.CancelledError:
        raise
    except Exception as error:
        app = active_app.get(None)
        if app is None or not getattr(app, REPORTS_ERRORS, False):
            raise
        report_unexpected(app, error, describe(message))


class ReportingWorkerManager(WorkerManager):
    """The app's worker manager, reporting every worker that ended with an error.

    Workers started with ``exit_on_error=True`` already reach ``App._handle_exception``;
    the others (most of dbtui's) would keep their error to themselves.
    """

    def _remove_worker(self, worker: Worker[object]) -> None:
        super()._remove_worker(worker)
        error = worker.error
        if worker.state != WorkerState.ERROR or error is None or worker.exit_on_error:
            return
        if isinstance(error, asyncio.CancelledError):
            return
        report_unexpected(self._app, error, worker.description or worker.name or "a job")
        node = worker.node
        if isinstance(node, MessagePump):
            node.post_message(WorkerCrashed(worker))


def fatal_at_start(app: App[Any], error: Exception) -> None:
    """An error before the app runs (it cannot go on): log it, exit 1 printing one line.

    What Textual's own handler does, minus the traceback on the terminal.
    """
    log = write_error(error, "starting dbtui")
    app._return_code = 1
    if app._exception is None:  # run_test re-raises it, so tests still see start-up bugs
        app._exception = error
        app._exception_event.set()
    app._exit_renderables.append(f"dbtui: {unexpected_message('starting dbtui', error, log)}")
    app._close_messages_no_wait()


def install(app: App[Any]) -> None:
    """Make ``app`` survive and report every unexpected error (call from its ``__init__``).

    Failed workers go through :class:`ReportingWorkerManager`. Handler errors go through one
    hook on Textual's ``MessagePump._dispatch_message``, the method every app, screen and
    widget (Textual's own included) handles its messages with: without it, Textual stops
    that node's message loop on the first exception (a dead editor or tree) and exits. The
    hook is installed once per process and only changes apps that called this function.
    """
    app._workers = ReportingWorkerManager(app)
    setattr(app, REPORTS_ERRORS, True)
    if MessagePump._dispatch_message is not _reporting_dispatch:
        MessagePump._dispatch_message = _reporting_dispatch  # type: ignore[method-assign]


def data_dir_problem() -> str | None:
    """Why typed text cannot be saved (the data directory is not writable), or None if it can."""
    path = platformdirs.user_data_path(APP_NAME)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=path)
        os.close(fd)
        Path(probe).unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return (
            f"The data directory {path} cannot be written ({reason}): typed text will not be "
            "saved and history is not kept. Fix its permissions, or set XDG_DATA_HOME."
        )
    return None


def warn_if_data_dir_unwritable(app: App[Any]) -> None:
    """Tell the user once, at start, when nothing typed can be saved."""
    problem = data_dir_problem()
    if problem is not None:
        app.notify(problem, severity="warning", timeout=30)
