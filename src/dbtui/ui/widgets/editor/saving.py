"""Saving editor text as you type: atomic, never older over newer, failures said once.

Every change is saved to the user data directory half a second after the last
keystroke, and at least once a second while typing goes on (a debounce with a maximum
wait, see :class:`~dbtui.ui.widgets.editor.stack.EditorStack`), so a killed process loses
at most the last second. Saves are atomic (temporary file and rename, see
:mod:`dbtui.core.buffers`) and a save never replaces newer text with older (each carries
a generation number).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual.message import Message

from dbtui.ui import jobs
from dbtui.ui.session import Session

#: Seconds of quiet typing before the editor text is saved.
SAVE_DELAY = 0.5
#: Longest time (seconds) a change waits to be saved while typing goes on.
SAVE_MAX_WAIT = 1.0


class BufferSaveChanged(Message):
    """Saving a connection's editor text started failing, failed differently, or recovered.

    ``problem`` is ``None`` when saves work again, else what failed (a directory and
    the system's reason). Posted from any thread; shown once per change.
    """

    def __init__(self, session: Session, problem: str | None) -> None:
        super().__init__()
        self.session = session
        self.problem = problem


class BufferWriter:
    """Writes editor tabs from any thread, never replacing newer text with older.

    Each change gets a generation number (:meth:`next_generation`); a write
    whose generation is older than the last one written for the same tab is
    dropped, so a slow background save cannot overwrite a later flush.
    ``report(message)`` is called (from the writing thread) only when the save
    state of a connection changes: first failure, a different failure, recovery.
    """

    def __init__(self, report: Callable[[BufferSaveChanged], object] | None = None) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._written: dict[tuple[int, int], int] = {}
        self._problems: dict[int, str | None] = {}
        self._report = report

    def next_generation(self) -> int:
        """A number larger than every one handed out before."""
        with self._lock:
            self._generation += 1
            return self._generation

    def write(self, session: Session, tab: int, text: str, generation: int) -> None:
        """Save ``text`` as ``tab`` of ``session`` unless a newer save already happened."""
        key = (session.index, tab)
        with self._lock:
            if self._written.get(key, -1) > generation:
                return
            self._written[key] = generation
            error = jobs.save_buffer(session.buffers, text, tab)
            self._note(session, error)

    def _note(self, session: Session, error: OSError | None) -> None:
        """Report a change of ``session``'s save state (never the same state twice)."""
        problem = None
        if error is not None:
            reason = error.strerror or type(error).__name__
            problem = f"{session.buffers.directory}: {reason}"
        if self._problems.get(session.index) == problem:
            return
        self._problems[session.index] = problem
        if self._report is not None:
            self._report(BufferSaveChanged(session, problem))

    def forget(self, session: Session) -> None:
        """Tabs were renumbered (one closed): earlier generations no longer apply."""
        with self._lock:
            for key in [k for k in self._written if k[0] == session.index]:
                del self._written[key]
