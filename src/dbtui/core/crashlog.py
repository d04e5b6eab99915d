"""The error log: unexpected exceptions (bugs) written with their traceback, never shown raw.

The UI and the command line show one line naming :func:`error_log_path`; the traceback goes
only to that file, in the user's state directory (``$XDG_STATE_HOME/dbtui/errors.log``).
Writing it never raises: when the directory cannot be written, :func:`write_error` says so
and the caller's message says the log could not be written.
"""

from __future__ import annotations

import datetime
import os
import traceback
from pathlib import Path

import platformdirs

from dbtui.core.paths import APP_NAME

LOG_NAME = "errors.log"
#: The log is cut to its newer half when it grows past this many bytes.
MAX_LOG_BYTES = 1_000_000


def error_log_path() -> Path:
    """Where unexpected errors are written (not created here)."""
    return platformdirs.user_state_path(APP_NAME) / LOG_NAME


def write_error(error: BaseException, what: str) -> Path | None:
    """Append ``error`` with its traceback and a time stamp; the log's path, or None if unwritable.

    Args:
        error: The unexpected exception.
        what: What was being done, in a few words ("reading the catalog").
    """
    path = error_log_path()
    stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    body = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    entry = f"--- {stamp} while {what}\n{body}\n"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _trim(path)
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(entry)
    except OSError:
        return None
    return path


def _trim(path: Path) -> None:
    """Keep the log bounded: past :data:`MAX_LOG_BYTES`, keep only its newer half."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size <= MAX_LOG_BYTES:
        return
    with open(path, "rb") as log:
        log.seek(size - MAX_LOG_BYTES // 2)
        tail = log.read()
    temp = path.with_suffix(".tmp")
    temp.write_bytes(tail)
    os.replace(temp, path)


def unexpected_message(what: str, error: BaseException, log: Path | None) -> str:
    """The one line shown for a bug: what failed, the exception's type, and where the log is."""
    kind = type(error).__name__
    where = f"details in {log}" if log is not None else "the error log could not be written"
    return f"Unexpected error while {what} ({kind}); {where}"
