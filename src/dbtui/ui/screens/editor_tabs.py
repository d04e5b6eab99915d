"""Editor tabs: several texts per connection in one editor, saved as you type.

Each connection keeps a list of tab texts (:attr:`Session.tabs`); the editor
widget shows one of them. Switching stores the shown text and cursor and loads
the other tab's. Every change is saved to the user data directory half a
second after the last keystroke, and at least once a second while typing goes
on (a debounce with a maximum wait), so a killed process loses at most the
last second. Quitting, SIGHUP (the terminal or SSH connection closed) and
SIGTERM save at once (:meth:`EditorTabs.flush_buffers`). Saves are atomic
(temporary file and rename, see :mod:`dbtui.core.buffers`) and a save never
replaces newer text with older (each carries a generation number).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

from textual.message import Message

from dbtui.ui import jobs
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.workspace import WorkspaceScreen
from dbtui.ui.session import Session
from dbtui.ui.widgets.editor import QueryEditor

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


class EditorTabs(WorkspaceScreen):
    """Tab actions and continuous saving of the editor text."""

    def __init__(self, sessions: list[Session]) -> None:
        super().__init__(sessions)
        self.buffer_writer = BufferWriter(self.post_message)

    def on_buffer_save_changed(self, message: BufferSaveChanged) -> None:
        """Say once that typed text is not being saved (and again when that changes)."""
        name = message.session.name
        if message.problem is None:
            self.notify(f"{name}: the editor text is saved again.", title="Editor text")
            return
        self.notify(
            f"{name}: cannot save the editor text in {message.problem}. Typed text is not"
            " being saved; it is still in the editor (copy it somewhere safe).",
            title="Editor text",
            severity="error",
            timeout=30,
        )

    def on_text_area_changed(self, event: QueryEditor.Changed) -> None:
        """Save the shown tab 0.5 s after the last keystroke, and at least every second."""
        session = next((s for s in self.sessions if s.editor_id == event.text_area.id), None)
        if session is None:
            return
        now = time.monotonic()
        first = self._unsaved_since.setdefault(session.index, now)
        pending = self._save_timers.get(session.index)
        if pending is not None and now + SAVE_DELAY >= first + SAVE_MAX_WAIT:
            return  # the pending save fires by the maximum wait: keep it, do not push it back
        if pending is not None:
            pending.stop()
        delay = min(SAVE_DELAY, first + SAVE_MAX_WAIT - now)
        self._save_timers[session.index] = self.set_timer(
            delay, partial(self._save_buffer, session)
        )

    def _save_buffer(self, session: Session) -> None:
        self._save_timers.pop(session.index, None)
        self._unsaved_since.pop(session.index, None)
        text, tab = self.editor(session).text, session.tab
        job = partial(
            self.buffer_writer.write, session, tab, text, self.buffer_writer.next_generation()
        )
        self.start(job, f"buffer-{session.index}", "save editor text")

    def flush_buffers(self, *, everything: bool = False) -> None:
        """Save every tab with unsaved changes now (quit, SIGHUP, SIGTERM), synchronously.

        ``everything`` saves each connection's shown tab even when no save is pending
        (its change events may still be queued when a signal arrives).
        """
        for session in self.sessions:
            self._unsaved_since.pop(session.index, None)
            timer = self._save_timers.pop(session.index, None)
            if timer is not None:
                timer.stop()
            if timer is not None or everything:
                text = self.editor(session).text
                generation = self.buffer_writer.next_generation()
                self.buffer_writer.write(session, session.tab, text, generation)

    def show_tab_text(self, session: Session, tab: int) -> None:
        """Keep the shown tab's text and cursor, then show tab ``tab``."""
        editor = self.editor(session)
        if session.tabs:
            session.tabs[session.tab] = editor.text
            session.cursors[session.tab] = editor.cursor_location
        session.tab = tab
        self._load_tab(session)
        editor.focus()

    def action_new_tab(self) -> None:
        """Open an empty editor tab for this connection."""
        session = self.session
        self.flush_buffers()
        session.tabs.append("")
        self.show_tab_text(session, len(session.tabs) - 1)
        jobs.save_buffer(session.buffers, "", session.tab)

    def action_next_tab(self, step: int = 1) -> None:
        """Show the next (or, with ``step=-1``, the previous) editor tab."""
        session = self.session
        if len(session.tabs) > 1:
            self.flush_buffers()
            self.show_tab_text(session, (session.tab + step) % len(session.tabs))

    def action_close_tab(self) -> None:
        """Close the shown tab (asks first when it holds text); the last tab stays."""
        session = self.session
        if len(session.tabs) < 2:
            self.notify("This is the only tab of this connection.", severity="warning")
            return
        if not self.editor(session).text.strip():
            self._close_tab(session)
            return
        question = f"Close tab {session.tab + 1}? Its text is discarded."
        self.app.push_screen(
            ConfirmScreen(question), lambda ok: self._close_tab(session) if ok else None
        )

    def _close_tab(self, session: Session) -> None:
        closing = session.tab
        self._unsaved_since.pop(session.index, None)
        timer = self._save_timers.pop(session.index, None)
        if timer is not None:
            timer.stop()
        self.buffer_writer.forget(session)
        jobs.remove_buffer(session.buffers, closing)
        session.tabs.pop(closing)
        session.cursors = {
            (number if number < closing else number - 1): where
            for number, where in session.cursors.items()
            if number != closing
        }
        session.tab = min(closing, len(session.tabs) - 1)
        self._load_tab(session)

    def _load_tab(self, session: Session) -> None:
        """Put the text and cursor of ``session.tab`` into the editor."""
        editor = self.editor(session)
        editor.load_text(session.tabs[session.tab])
        editor.move_cursor(session.cursors.get(session.tab, (0, 0)))
        self.update_title()
