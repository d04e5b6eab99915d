"""The describe screen: one catalog object the way psql's ``\\d`` shows it, and its DDL.

``d`` on a catalog node (see :class:`~dbtui.ui.widgets.catalog.tree.CatalogTree`) calls
:func:`open_describe`, which pushes :class:`DescribeScreen` when the connection's driver
has the :class:`~dbtui.core.capabilities.describing.Describing` capability. The screen
reads the description in a thread worker (it shows "reading…" until then) and lays it
out in one scrollable column: facts, then each section as a table, then the DDL. ``y``
copies the DDL exactly as the server gave it; every name, comment and definition is
shown escaped (:mod:`dbtui.ui.safe`), never parsed as markup.
"""

from __future__ import annotations

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from dbtui.core.capabilities.describing import Describing
from dbtui.core.catalog import CatalogNode
from dbtui.core.describe import Description, Section
from dbtui.core.errors import DbtuiError
from dbtui.ui.safe import safe_line, safe_text

#: Longest cell shown in a section table (a long definition is cut; the DDL has it whole).
CELL_LIMIT = 2000


def open_describe(app: App[object], driver: object, node: CatalogNode) -> None:
    """Push the describe screen for ``node``, or say (in a notification) why there is none."""
    if driver is None:
        app.notify("Not connected: nothing to describe.", severity="warning")
    elif not isinstance(driver, Describing):
        app.notify("Describe is not available for this connection.", severity="warning")
    elif not driver.can_describe(node):
        app.notify(
            "Nothing to describe here: highlight a table, view or function (or a column).",
            severity="warning",
        )
    else:
        app.push_screen(DescribeScreen(driver, node))


def section_table(section: Section) -> Table:
    """A section as a Rich table; every cell escaped."""
    table = Table(expand=True, show_edge=False, pad_edge=False, header_style="bold")
    for header in section.headers:
        table.add_column(safe_line(header), overflow="fold")
    for row in section.rows:
        table.add_row(*(safe_text(value, limit=CELL_LIMIT) for value in row))
    return table


def facts_table(description: Description) -> Table:
    """The facts as a two-column grid."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for name, value in description.facts:
        grid.add_row(safe_line(name), safe_text(value, limit=CELL_LIMIT))
    return grid


class DescribeScreen(ModalScreen[None]):
    """One object's columns, indexes, keys both ways, triggers, size and DDL (``y`` copies)."""

    DEFAULT_CSS = """
    DescribeScreen #describe-body {
        height: 1fr;
    }
    DescribeScreen #describe-body > Static {
        height: auto;
    }
    DescribeScreen .describe-heading {
        margin-top: 1;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="describe.close"),
        Binding("y", "copy_ddl", "Copy DDL", id="describe.copy", tooltip="Copy the DDL"),
    ]

    HINT = "y copies the DDL · ↑↓ PgUp PgDn scroll · Esc closes"

    def __init__(self, driver: Describing, node: CatalogNode) -> None:
        super().__init__()
        self.driver = driver
        self.node = node
        self.description: Description | None = None
        """What was read; ``None`` until the worker is done (or when it failed)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(safe_line(self.node.label, style="bold"), id="describe-title")
            with VerticalScroll(id="describe-body"):
                yield Static(safe_text("reading…", style="dim italic"), id="describe-status")
            yield Static(safe_text(self.HINT), classes="dialog-body")

    def on_mount(self) -> None:
        self.query_one("#describe-body").focus()
        self.run_worker(self._read, thread=True, exit_on_error=False, description="describe")

    def _read(self) -> None:
        """In a thread worker: ask the driver, hand the outcome to the UI thread."""
        try:
            description = self.driver.describe(self.node)
        except DbtuiError as error:
            self.app.call_from_thread(self._failed, error.one_line())
            return
        except Exception as error:  # a driver bug must not take the window down
            self.app.call_from_thread(self._failed, f"{type(error).__name__}: {error}")
            return
        self.app.call_from_thread(self.show, description)

    def _failed(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#describe-status", Static).update(
                safe_text(f"Cannot describe it: {message}", style="red")
            )

    def show(self, description: Description) -> None:
        """Lay out ``description`` (replaces "reading…")."""
        if not self.is_attached:
            return
        self.description = description
        self.query_one("#describe-title", Static).update(safe_line(description.title, style="bold"))
        body = self.query_one("#describe-body", VerticalScroll)
        body.remove_children()
        parts: list[Static] = []
        if description.facts:
            parts.append(Static(facts_table(description)))
        for note in description.notes:
            parts.append(Static(safe_text(note, style="yellow")))
        for section in description.sections:
            heading = f"{section.title} ({len(section.rows)})"
            parts.append(Static(safe_line(heading), classes="describe-heading"))
            parts.append(Static(section_table(section)))
        if description.ddl:
            parts.append(Static(safe_line("DDL (y copies it)"), classes="describe-heading"))
            parts.append(Static(safe_text(description.ddl, limit=None), id="describe-ddl"))
        body.mount_all(parts)

    def action_copy_ddl(self) -> None:
        """Copy the DDL (exactly as the engine gave it) to the clipboard."""
        ddl = self.description.ddl if self.description is not None else ""
        if not ddl:
            self.notify("No DDL to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(ddl)
        self.notify(f"DDL copied ({len(ddl):,} characters).")
