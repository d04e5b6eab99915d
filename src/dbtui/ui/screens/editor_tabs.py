"""Editor tabs: several texts per connection in one editor, saved as you type.

Each connection keeps a list of tab texts (:attr:`Session.tabs`); the editor
widget shows one of them. Switching stores the shown text and cursor and loads
the other tab's. Every change is saved to the user data directory half a
second after the last keystroke (and on quit), so nothing typed is lost when
the terminal or the SSH connection dies.
"""

from __future__ import annotations

from functools import partial

from dbtui.ui import jobs
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.workspace import WorkspaceScreen
from dbtui.ui.session import Session
from dbtui.ui.widgets.editor import QueryEditor

#: Seconds of quiet typing before the editor text is saved.
SAVE_DELAY = 0.5


class EditorTabs(WorkspaceScreen):
    """Tab actions and continuous saving of the editor text."""

    def on_text_area_changed(self, event: QueryEditor.Changed) -> None:
        """Save the shown tab half a second after the last keystroke."""
        session = next((s for s in self.sessions if s.editor_id == event.text_area.id), None)
        if session is None:
            return
        timer = self._save_timers.pop(session.index, None)
        if timer is not None:
            timer.stop()
        self._save_timers[session.index] = self.set_timer(
            SAVE_DELAY, partial(self._save_buffer, session)
        )

    def _save_buffer(self, session: Session) -> None:
        text = self.editor(session).text
        job = partial(jobs.save_buffer, session.buffers, text, session.tab)
        self.start(job, f"buffer-{session.index}", "save editor text")

    def flush_buffers(self) -> None:
        """Save every shown tab now (on quit), without waiting for the save delay."""
        for session in self.sessions:
            timer = self._save_timers.pop(session.index, None)
            if timer is not None:
                timer.stop()
                jobs.save_buffer(session.buffers, self.editor(session).text, session.tab)

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
        timer = self._save_timers.pop(session.index, None)
        if timer is not None:
            timer.stop()
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
