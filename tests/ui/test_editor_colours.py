"""Issue 17: keywords, strings, numbers and comments stay distinct in 16 colours.

The colours are read from the editor's rendered line, downgraded exactly as Textual does
for a terminal with the 16 standard colours (``Color.downgrade(ColorSystem.STANDARD)``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.style import Style
from textual.strip import Strip
from uitools import SixteenColourApp, make_app, settle

from dbtui.ui.app import DbtuiApp
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.editor.themes import SIXTEEN_COLOUR_THEME_NAME, TRUECOLOR_THEME_NAME

TYPED = "SELECT name, 'text', 42 FROM users -- c"
TOKENS = {"keyword": "SELECT", "string": "'text'", "number": "42", "comment": "-- c"}


def colour_at(strip: Strip, column: int) -> tuple[int | None, bool]:
    """The 16-colour index (``None``: the default foreground) and boldness of a cell."""
    offset = 0
    for segment in strip:
        if offset <= column < offset + len(segment.text):
            style = segment.style or Style()
            colour = style.color.downgrade(ColorSystem.STANDARD) if style.color else None
            number = None if colour is None or colour.is_default else colour.number
            return number, bool(style.bold)
        offset += len(segment.text)
    raise AssertionError(f"column {column} is past the line")


def token_colours(editor: QueryEditor) -> dict[str, tuple[int | None, bool]]:
    """Each token kind's colour in the editor's first rendered line (the typed text)."""
    strip = editor.render_line(0)
    line = strip.text
    assert TYPED in line, line
    start = line.index(TYPED)
    return {kind: colour_at(strip, start + TYPED.index(text)) for kind, text in TOKENS.items()}


def database(tmp_path: Path) -> Path:
    """A SQLite file with one table (a missing file leaves the editor without a language)."""
    path = tmp_path / "colours.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE users (name TEXT)")
        connection.commit()
    return path


async def typed_editor(app: DbtuiApp) -> QueryEditor:
    """The app's editor, emptied, with :data:`TYPED` typed into it (cursor moved off line 1)."""
    editor = app.screen.query_one(QueryEditor)
    editor.focus()
    editor.clear()
    await settle(app)
    for character in TYPED:
        editor.insert(character)  # as typing does: one edit per key
    editor.insert("\n")
    await settle(app)
    editor.notify_style_update()  # drop the line cache (the cursor line's style changed)
    return editor


async def test_token_kinds_are_four_colours_in_16_colours(tmp_path: Path) -> None:
    app = make_app(database(tmp_path), app_class=SixteenColourApp)
    async with app.run_test(size=(100, 24)):
        await settle(app)
        editor = await typed_editor(app)
        assert editor.theme == SIXTEEN_COLOUR_THEME_NAME
        assert editor.language == "sql"
        assert editor.text.startswith(TYPED)
        colours = token_colours(editor)
        assert len({colour for colour, _bold in colours.values()}) == 4, colours
        assert None not in {colour for colour, _bold in colours.values()}, colours
        assert colours["keyword"][1], "keywords are bold"
        identifier = colour_at(editor.render_line(0), editor.render_line(0).text.index("name"))
        assert identifier[0] not in {colour for colour, _bold in colours.values()}

        # A number is a number whatever else the line holds (captures come in any order),
        # and a quoted number is a string.
        for text, colour in [
            ("SELECT 42", "number"),
            ("SELECT 3.5", "number"),
            ("SELECT '7'", "string"),
        ]:
            editor.text = text
            await settle(app)
            editor.notify_style_update()
            line = editor.render_line(0)
            column = line.text.index(text) + len("SELECT ")
            assert colour_at(line, column) == colours[colour], (text, colour_at(line, column))
        editor.text = TYPED
        await settle(app)

        # The same check fails with the truecolor theme: its keyword, string and number
        # (#c586c0, #ce9178, #b5cea8) all downgrade to white.
        editor.theme = TRUECOLOR_THEME_NAME
        editor.notify_style_update()
        old = token_colours(editor)
        assert old["keyword"][0] == old["string"][0] == old["number"][0], old
        assert len({colour for colour, _bold in old.values()}) < 4, old


async def test_truecolor_terminal_keeps_the_css_theme(tmp_path: Path) -> None:
    app = make_app(database(tmp_path))
    async with app.run_test(size=(100, 24)):
        await settle(app)
        assert app.screen.query_one(QueryEditor).theme == TRUECOLOR_THEME_NAME


@pytest.mark.parametrize(
    ("term", "colorterm", "system"),
    [
        ("xterm-16color", None, "standard"),
        ("xterm", None, "standard"),
        ("xterm", "truecolor", "truecolor"),
    ],
)
def test_the_console_reads_16_colours_from_the_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, term: str, colorterm: str | None, system: str
) -> None:
    """The premise of ``shows_16_colours`` on a real terminal: Textual's console reads
    ``TERM``/``COLORTERM`` when the app is made (``TEXTUAL_COLOR_SYSTEM`` unset)."""
    monkeypatch.setenv("TERM", term)
    if colorterm is None:
        monkeypatch.delenv("COLORTERM", raising=False)
    else:
        monkeypatch.setenv("COLORTERM", colorterm)
    app = make_app(database(tmp_path))
    assert app.console.color_system == system
