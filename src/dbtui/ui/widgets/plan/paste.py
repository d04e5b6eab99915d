"""Paste an EXPLAIN output into the Plan tab (``p``): a dialog, read in a worker, shown as a tree.

The key is live only when the active connection's driver is a
:class:`~dbtui.core.capabilities.PlanReading` (PostgreSQL: JSON or psql text). The text is
read in a thread worker; a plan replaces the Plan tab's tree like an EXPLAIN result, and a
:class:`~dbtui.core.plans.errors.PlanFormatError` is shown in the dialog and as an error
notification with the parser's words (which name the line), the text left as typed. The
last text given to the dialog is kept for the next ``p``, so Esc loses nothing either.

:class:`PlanPasting` is a base of the Plan view: it brings the binding, its availability
and the action, so the view itself only names it among its bases.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Static

from dbtui.core.capabilities.plans import PlanReading
from dbtui.core.errors import DbtuiError
from dbtui.core.plan import Plan
from dbtui.ui.safe import SafeTextArea, safe_text

HINT = "Paste an EXPLAIN output (psql text or FORMAT JSON), then OK. Esc cancels."


def plan_reader(widget: Widget) -> PlanReading | None:
    """The active connection's driver of ``widget``'s screen, if it reads pasted plans."""
    session = getattr(widget.screen, "session", None)
    driver = getattr(session, "driver", None)
    return driver if isinstance(driver, PlanReading) else None


class PlanPasteScreen(ModalScreen[Plan | None]):
    """A text area for a pasted plan; OK reads it in a worker, Cancel/Esc closes.

    Dismissed with the plan once it is read; on an unreadable plan the dialog stays open
    with the error under the text and the text unchanged. ``text`` is the initial text;
    :attr:`text` is what the area holds (read it after a dismissal to keep it).
    """

    DEFAULT_CSS = """
    PlanPasteScreen { align: center middle; }
    PlanPasteScreen > Vertical {
        width: 90%; height: 80%; border: round $accent; background: $surface; padding: 0 1;
    }
    PlanPasteScreen #plan-paste-text { height: 1fr; }
    PlanPasteScreen #plan-paste-error { color: $error; height: auto; max-height: 4; }
    PlanPasteScreen Horizontal { height: auto; align-horizontal: right; }
    PlanPasteScreen Button { margin-left: 1; }
    """

    @dataclass
    class Read(Message):
        """The worker read the text: the plan, or the parser's error."""

        plan: Plan | None
        error: DbtuiError | None

    def __init__(self, reader: PlanReading, text: str = "") -> None:
        super().__init__()
        self.reader = reader
        self._initial = text
        self.text = text
        """The text of the area as last seen (kept by the caller for the next paste)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(HINT), id="plan-paste-hint")
            yield SafeTextArea(self._initial, id="plan-paste-text", soft_wrap=False)
            yield Static(id="plan-paste-error")
            with Horizontal():
                yield Button("OK", id="plan-paste-ok", variant="primary")
                yield Button("Cancel", id="plan-paste-cancel")

    def on_mount(self) -> None:
        self.query_one(SafeTextArea).focus()

    @property
    def area(self) -> SafeTextArea:
        """The text area holding the pasted plan."""
        return self.query_one("#plan-paste-text", SafeTextArea)

    def on_key(self, event: events.Key) -> None:
        """Esc cancels (the text is kept by the caller)."""
        if event.key == "escape":
            event.stop()
            self._close(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """OK reads the text; Cancel closes."""
        event.stop()
        if event.button.id == "plan-paste-ok":
            self.submit()
        else:
            self._close(None)

    def submit(self) -> None:
        """Read the area's text as a plan in a thread worker (OK)."""
        text = self.area.text
        if not text.strip():
            self._show_error("Nothing to read: paste an EXPLAIN output first.")
            return
        self.query_one("#plan-paste-ok", Button).disabled = True
        self.query_one("#plan-paste-error", Static).update(safe_text("Reading the plan…"))
        self.run_worker(
            lambda: self._read(text),
            thread=True,
            group="plan-paste",
            description="read a pasted plan",
            exit_on_error=False,
        )

    def _read(self, text: str) -> None:
        """In the worker: parse, and post the outcome to the dialog."""
        try:
            plan = self.reader.read_plan(text)
        except DbtuiError as error:
            self.post_message(self.Read(None, error))
        else:
            self.post_message(self.Read(plan, None))

    def on_plan_paste_screen_read(self, event: Read) -> None:
        """Close with the plan, or show the error and keep the text."""
        self.query_one("#plan-paste-ok", Button).disabled = False
        if event.plan is not None:
            self._close(event.plan)
            return
        error = event.error or DbtuiError("the text is not a plan")
        self._show_error(f"{error.title}: {error.message}")
        self.notify(error.message, title=error.title, severity="error", timeout=8)

    def _show_error(self, message: str) -> None:
        self.query_one("#plan-paste-error", Static).update(safe_text(message))
        self.area.focus()

    def _close(self, plan: Plan | None) -> None:
        self.text = self.area.text
        self.dismiss(plan)


class PlanPasting(Widget):
    """Base of the Plan view: ``p`` pastes a plan when the active driver is a PlanReading."""

    BINDINGS = [
        Binding(
            "p",
            "paste_plan",
            "Paste",
            id="plan.paste",
            tooltip="Paste an EXPLAIN output (text or JSON) and show it as a tree",
        ),
    ]

    pasted_text = ""
    """The text last given to the paste dialog (shown again by the next ``p``)."""

    def show(self, plan: Plan) -> None:
        """Display ``plan`` (the Plan view's own ``show`` replaces this)."""
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``paste_plan`` only when the active driver reads plans."""
        if action == "paste_plan":
            return plan_reader(self) is not None
        return True

    def action_paste_plan(self) -> None:
        """Open the paste dialog; a plan read from it is shown like an EXPLAIN result."""
        reader = plan_reader(self)
        if reader is None:
            self.notify("This connection cannot read a pasted plan.", severity="warning")
            return
        dialog = PlanPasteScreen(reader, self.pasted_text)

        def done(plan: Plan | None) -> None:
            self.pasted_text = dialog.text
            if plan is not None:
                self.show(plan)
                show_tab = getattr(self.screen, "show_tab", None)
                if callable(show_tab):
                    show_tab("tab-plan")

        self.app.push_screen(dialog, done)
