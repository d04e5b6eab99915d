"""The add/edit form of a saved connection, with problems shown next to their field.

There is deliberately no password field: a password never goes into the
config. The form offers ``password_env`` (the name of an environment
variable) instead, and Test prompts for a password when the server wants one
(kept in memory for that one attempt).
"""

from __future__ import annotations

from collections.abc import Collection

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from dbtui.core.config import SavedConnection
from dbtui.core.config_schema import CONNECTION_FIELDS
from dbtui.core.config_write import validate_connection
from dbtui.ui.safe import safe_text
from dbtui.ui.screens.connection_test import ConnectionTested, TestsConnections

#: Text fields of the form: (field, label, placeholder).
TEXT_FIELDS = (
    ("name", "Name", "what you type after dbtui"),
    ("url", "URL", "postgresql://user@host/db (no password)"),
    ("color", "Colour", "#d04040 or red (optional)"),
    ("default_schema", "Schema", "PostgreSQL schema to open first"),
    ("default_database", "Database", "MongoDB database / Redis db"),
    ("redis_delimiter", "Delimiter", "Redis key tree separator (default :)"),
    ("password_env", "Password env", "name of a variable holding it"),
    ("statement_timeout_ms", "Timeout ms", "statement time limit (optional)"),
)


class ConnectionForm(TestsConnections[SavedConnection | None]):
    """Edit one saved connection; dismisses with the valid entry, or ``None``."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="connform.cancel", tooltip="Discard"),
        Binding("ctrl+s", "save", "Save", id="connform.save", tooltip="Check and save"),
        Binding(
            "ctrl+t",
            "test",
            "Test",
            id="connform.test",
            tooltip="Try to connect with these settings",
        ),
    ]

    def __init__(
        self, entry: SavedConnection | None, taken: Collection[str], config_path: str
    ) -> None:
        super().__init__()
        self.entry = entry
        self.taken = frozenset(taken) - ({entry.name} if entry else set())
        """Names of the other saved connections (a new name must differ)."""
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        entry = self.entry
        title = f"Edit {entry.name}" if entry else "New saved connection"
        with VerticalScroll(classes="dialog wide connection-form"):
            yield Static(safe_text(title, style="bold"), classes="dialog-title")
            for field, label, placeholder in TEXT_FIELDS:
                value = getattr(entry, field, None) if entry else None
                with Horizontal(classes="form-row"):
                    yield Label(safe_text(label), classes="form-label")
                    yield Input(
                        "" if value is None else str(value),
                        placeholder=placeholder,
                        id=f"field-{field}",
                        compact=True,
                    )
                yield Static(id=f"error-{field}", classes="form-error")
            with Horizontal(classes="form-row"):
                yield Label("", classes="form-label")
                yield Checkbox(
                    "Read-only",
                    entry.read_only if entry else False,
                    id="field-read_only",
                    compact=True,
                )
            yield Static(id="error-general", classes="form-error")
            yield Static("Ctrl+S saves · Ctrl+T tests · Esc cancels", id="form-status")
            yield Static(
                safe_text(
                    f"Written to {self.config_path} (mode 0600). No password here: name an "
                    "environment variable, or dbtui asks when it connects."
                ),
                classes="dialog-body",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="form-save", variant="primary", compact=True)
                yield Button("Test", id="form-test", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self._show_problems({})
        self.query_one("#field-name" if self.entry is None else "#field-url", Input).focus()

    def value(self, field: str) -> str:
        """The trimmed text of one field."""
        return self.query_one(f"#field-{field}", Input).value.strip()

    def build(self) -> SavedConnection | dict[str, str]:
        """The entry the form describes, or problems by field name (``general`` for others)."""
        problems: dict[str, str] = {}
        name = self.value("name")
        if not name:
            problems["name"] = "give the connection a name"
        elif name in self.taken:
            problems["name"] = f"a connection named {name!r} already exists"
        timeout: int | None = None
        if self.value("statement_timeout_ms"):
            try:
                timeout = int(self.value("statement_timeout_ms"))
            except ValueError:
                problems["statement_timeout_ms"] = "a whole number of milliseconds"
        optional = {
            field: self.value(field) or None
            for field, _, _ in TEXT_FIELDS
            if field not in ("name", "url", "statement_timeout_ms")
        }
        entry = SavedConnection(
            name=name or "unnamed",
            url=self.value("url"),
            read_only=self.query_one("#field-read_only", Checkbox).value,
            statement_timeout_ms=timeout,
            **optional,  # type: ignore[arg-type]
        )
        if not entry.url:
            problems["url"] = "a URL is required (sqlite:///file.db, postgresql://host/db...)"
        for problem in validate_connection(entry):
            field = problem.key.rsplit(".", 1)[-1]
            field = field if field in CONNECTION_FIELDS else "general"
            problems.setdefault(field, problem.message)
        return problems or entry

    def _show_problems(self, problems: dict[str, str]) -> None:
        for widget in self.query(".form-error"):
            field = (widget.id or "").removeprefix("error-")
            message = problems.get(field, "")
            assert isinstance(widget, Static)
            widget.update(safe_text(f"  ↳ {message}", style="red") if message else "")
            widget.display = bool(message)

    def checked(self) -> SavedConnection | None:
        """The entry when valid; otherwise show its problems and return ``None``."""
        built = self.build()
        if isinstance(built, dict):
            self._show_problems(built)
            self.status("Fix the fields marked in red.", "red")
            return None
        self._show_problems({})
        return built

    def action_save(self) -> None:
        """Check the fields; close with the entry when they are fine."""
        entry = self.checked()
        if entry is not None:
            self.dismiss(entry)

    def action_test(self) -> None:
        """Try to connect with the form's settings (in a worker)."""
        entry = self.checked()
        if entry is not None:
            self.try_entry(entry)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        elif event.button.id == "form-test":
            self.action_test()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field saves."""
        event.stop()
        self.action_save()

    def status(self, text: str, style: str = "") -> None:
        """Show one line under the fields."""
        self.query_one("#form-status", Static).update(safe_text(text, style=style))

    def on_connection_tested(self, event: ConnectionTested) -> None:
        """Report a test."""
        self.report_test(event)
