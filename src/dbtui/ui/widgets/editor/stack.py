"""The editors of the main screen: one per connection, each with its tabs, saved as you type.

Each connection keeps a list of tab texts (:attr:`Session.tabs`); its editor shows one
of them. Switching stores the shown text and cursor and loads the other tab's. Every
change is saved half a second after the last keystroke, and at least once a second
while typing goes on; quitting, SIGHUP and SIGTERM save at once (:meth:`flush_buffers`).
See :mod:`dbtui.ui.widgets.editor.saving` for how a save is written.

Completion: when a connection opens, its names are read in a worker
(:func:`~dbtui.ui.completion_source.build_source`) and the editor's ``completer`` is
replaced in one assignment when they arrive; until then the editor completes keywords.
A driver with :class:`~dbtui.core.capabilities.KeyNameCompletion` also completes key
names (read in a worker when completion is asked for, see
:attr:`~dbtui.ui.widgets.editor.completion.CompletingTextArea.argument_lookup`).

Command help: while the shown connection's driver offers
:class:`~dbtui.core.capabilities.CommandHelp`, a
:class:`~dbtui.ui.widgets.editor.command_help.CommandHelpLine` under the editors shows
the syntax of the command being typed (looked up in a worker); otherwise it is hidden.

The tab keys (``main.new_tab``...) are the main screen's, so that they work from every
pane; their actions call :meth:`new_tab`, :meth:`next_tab` and :meth:`close_tab` here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual.app import ComposeResult
from textual.message import Message
from textual.timer import Timer
from textual.widgets import ContentSwitcher

from dbtui.core.capabilities.completion import CommandHelp, KeyNameCompletion
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.ui import jobs
from dbtui.ui.completion_source import CompletionSource, build_source, fallback_source
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.session import Session
from dbtui.ui.starter import initial_text
from dbtui.ui.widgets.editor.command_help import CommandHelpLine
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.editor.saving import (
    SAVE_DELAY,
    SAVE_MAX_WAIT,
    BufferSaveChanged,
    BufferWriter,
)
from dbtui.ui.workbench import workbench_of


@dataclass
class CompletionReady(Message):
    """A connection's completion names were read (or failed to be)."""

    session_index: int
    driver: Driver
    source: CompletionSource | None
    error: DbtuiError | None
    announce: bool
    """True when the user asked for the refresh: report the outcome."""


def build_completion(
    post: Callable[[Message], object],
    index: int,
    driver: Driver,
    sample_fields: bool,
    previous: CompletionSource | None,
    announce: bool,
) -> None:
    """Worker body: read the names for completion and post :class:`CompletionReady`."""
    try:
        source = build_source(driver, sample_fields=sample_fields, previous=previous)
    except DbtuiError as error:
        post(CompletionReady(index, driver, None, error, announce))
        return
    post(CompletionReady(index, driver, source, None, announce))


class EditorStack(ContentSwitcher):
    """One :class:`QueryEditor` per connection; shows the active connection's.

    Args:
        sessions: The connections (shared with the screen; new ones are appended there).
        active: Index of the connection shown first.
    """

    def __init__(self, sessions: list[Session], active: int, *, id: str | None = None) -> None:
        super().__init__(id=id, initial=sessions[active].editor_id)
        self.sessions = sessions
        self.buffer_writer = BufferWriter(self.post_message)
        self.completion: dict[int, CompletionSource] = {}
        """The completion names read for each connection, by session index."""
        self._save_timers: dict[int, Timer] = {}
        self._unsaved_since: dict[int, float] = {}

    def compose(self) -> ComposeResult:
        for session in self.sessions:
            yield QueryEditor(
                initial_text(session), language=session.language, id=session.editor_id
            )
        yield CommandHelpLine(id="command-help")

    def on_mount(self) -> None:
        """Show the command help line if the first connection's driver offers it."""
        self.follow_command_help()

    def watch_current(self, old: str | None, new: str | None) -> None:
        """Switch the shown editor, then the help line to its connection."""
        super().watch_current(old, new)
        help_line = self.query(CommandHelpLine)
        if help_line:
            help_line.first().forget()
        self.follow_command_help()

    def editor(self, session: Session) -> QueryEditor:
        """The editor of ``session``."""
        return self.query_one(f"#{session.editor_id}", QueryEditor)

    def add_editor(self, session: Session) -> None:
        """Mount an editor for a connection opened after start-up."""
        self.mount(QueryEditor(initial_text(session), language=None, id=session.editor_id))

    # ----------------------------------------------------------------- saving
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
        self.follow_command_help()
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
        workbench_of(self).start(job, f"buffer-{session.index}", "save editor text")

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

    # ----------------------------------------------------------------- tabs
    def show_tab_text(self, session: Session, tab: int) -> None:
        """Keep the shown tab's text and cursor, then show tab ``tab``."""
        editor = self.editor(session)
        if session.tabs:
            session.tabs[session.tab] = editor.text
            session.cursors[session.tab] = editor.cursor_location
        session.tab = tab
        self._load_tab(session)
        editor.focus()

    def new_tab(self, session: Session) -> None:
        """Open an empty editor tab for ``session``."""
        self.flush_buffers()
        session.tabs.append("")
        self.show_tab_text(session, len(session.tabs) - 1)
        jobs.save_buffer(session.buffers, "", session.tab)

    def next_tab(self, session: Session, step: int = 1) -> None:
        """Show the next (or, with ``step=-1``, the previous) tab of ``session``."""
        if len(session.tabs) > 1:
            self.flush_buffers()
            self.show_tab_text(session, (session.tab + step) % len(session.tabs))

    def close_tab(self, session: Session) -> None:
        """Close the shown tab (asks first when it holds text); the last tab stays."""
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
        workbench_of(self).update_title()

    # ----------------------------------------------------------------- command help
    def on_text_area_selection_changed(self, event: QueryEditor.SelectionChanged) -> None:
        """The cursor moved: the help line follows the command before it."""
        self.follow_command_help()

    def follow_command_help(self, driver: Driver | None = None) -> None:
        """Show the help of the command before the shown editor's cursor (worker lookup).

        Hidden when the shown connection's driver does not offer :class:`CommandHelp`.
        """
        found = self.query(CommandHelpLine)
        session = next((s for s in self.sessions if s.editor_id == self.current), None)
        if not found or session is None:
            return
        help_line = found.first()
        shown: object = driver or session.driver
        lookup = shown.command_help if isinstance(shown, CommandHelp) else None
        help_line.display = lookup is not None
        if lookup is None:
            help_line.forget()
            return
        editor = self.editor(session)
        row, column = editor.cursor_location
        line = editor.document.get_line(row)
        before = line[:column]
        help_line.follow(lookup, before if before.strip() else line)

    # ----------------------------------------------------------------- completion
    def refresh_completion(
        self,
        session: Session,
        *,
        driver: Driver | None = None,
        sample_fields: bool = False,
        announce: bool = False,
    ) -> None:
        """Read ``session``'s names in a worker; keywords complete meanwhile."""
        driver = driver or session.driver
        if driver is None:
            return
        editor = self.editor(session)
        if editor.completer is None:
            editor.completer = fallback_source(driver).complete
        if isinstance(driver, KeyNameCompletion):
            editor.argument_lookup = driver.key_name_candidates
        if session.editor_id == self.current:
            self.follow_command_help(driver)
        previous = self.completion.get(session.index)
        job = partial(
            build_completion,
            self.post_message,
            session.index,
            driver,
            sample_fields,
            previous,
            announce,
        )
        workbench_of(self).start(job, f"completion-{session.index}", "read names for completion")

    def on_completion_ready(self, event: CompletionReady) -> None:
        """Swap the new names in (unless the connection changed meanwhile)."""
        session = self.sessions[event.session_index]
        if session.driver is not event.driver:
            return
        if event.source is None:
            if event.announce and event.error is not None:
                self.notify(f"Completion: {event.error.one_line()}", severity="error")
            return
        self.completion[session.index] = event.source
        self.editor(session).completer = event.source.complete
        if event.announce:
            self.notify(f"Completion knows {event.source.summary()}.", timeout=4)
