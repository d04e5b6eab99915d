"""Format SQL in the editor: the statement under the cursor, or the selection (one undo step).

The editor's ``editor.format`` binding (Alt+P) calls :func:`format_in_editor`. The
connection's driver formats (:class:`~dbtui.core.capabilities.formatting.Formatting`:
pglast for PostgreSQL, sqlparse for SQLite); the text is replaced with one
``TextArea.replace`` edit, so Ctrl+Z brings the original back. Text the formatter
refuses (it does not parse, or a comment would be lost) is left as it is, with a
notification saying why.
"""

from __future__ import annotations

from textual.widget import Widget

from dbtui.core.capabilities.formatting import FormatError, Formatting
from dbtui.core.driver import Driver
from dbtui.core.results import Statement
from dbtui.ui.widgets.editor.query_editor import QueryEditor


def driver_for(editor: Widget) -> Driver | None:
    """The driver of the connection whose editor is ``editor`` (``None``: not connected)."""
    for session in getattr(editor.app, "sessions", ()):
        if getattr(session, "editor_id", None) == editor.id:
            driver = getattr(session, "driver", None)
            return driver if isinstance(driver, Driver) else None
    return None


def formatted_region(text: str, region: Statement, formatter: Formatting) -> str | None:
    """The replacement for ``text[region.start:region.end]``, or ``None`` when unchanged.

    The white space around the region's text is kept. When the result ends in a ``--``
    comment and more text follows on the same line, a line break is added so that the
    comment does not swallow it.

    Raises:
        FormatError: the formatter refused.
    """
    original = text[region.start : region.end]
    body = original.strip()
    if not body:
        return None
    lead = original[: len(original) - len(original.lstrip())]
    trail = original[len(original.rstrip()) :]
    result = formatter.format_sql(body).strip()
    following = text[region.end : region.end + 1]
    if not trail and following not in ("", "\n") and "--" in result.rsplit("\n", 1)[-1]:
        trail = "\n"
    replacement = lead + result + trail
    return None if replacement == original else replacement


def format_in_editor(editor: QueryEditor) -> None:
    """Format the selection, or the statement under the cursor, of the query editor ``editor``.

    Notifies instead when there is no connection, its engine has no formatter, there is
    nothing to format, or the formatter refused.
    """
    driver = driver_for(editor)
    if driver is None or not isinstance(driver, Formatting):
        editor.notify("Formatting is not available for this connection.", severity="warning")
        return
    if editor.read_only:
        return
    text = editor.text
    region = editor.current_statement(driver.split(text))
    if region is None:
        editor.notify("No statement under the cursor to format.", severity="warning")
        return
    try:
        replacement = formatted_region(text, region, driver)
    except FormatError as error:
        editor.notify(str(error), severity="warning", timeout=6)
        return
    if replacement is None:
        editor.notify("Already formatted.")
        return
    document = editor.plain_document
    start = document.get_location_from_index(region.start)
    end = document.get_location_from_index(region.end)
    editor.replace(replacement, start, end)
    editor.move_cursor(start)
