"""Editor highlighting themes: Textual's ``css`` theme, and one that survives 16 colours.

On a terminal with only the 16 standard colours (``TERM=xterm-16color``, or ``xterm``
without ``COLORTERM``) Textual downgrades every truecolor to the nearest of the 16: the
``css`` theme's keyword (``#c586c0``), string (``#ce9178``) and number (``#b5cea8``) all
become white, like the identifiers. :data:`SIXTEEN_COLOUR_THEME` keeps the ``css`` theme's
layout but draws each SQL token kind in a colour that *is* one of the 16 (the exact values of
Rich's standard palette, so the downgrade maps each to itself and never merges two).
"""

from __future__ import annotations

from rich.style import Style
from textual.app import App
from textual.widgets import TextArea
from textual.widgets.text_area import TextAreaTheme

#: The theme used when the terminal shows millions (or 256) colours.
TRUECOLOR_THEME_NAME = "css"
#: The name :data:`SIXTEEN_COLOUR_THEME` is registered under.
SIXTEEN_COLOUR_THEME_NAME = "dbtui-16"

# Rich's standard palette (``rich._palettes.STANDARD_PALETTE``): what each index downgrades from.
_BRIGHT_BLUE = "#5555ff"  # 12
_GREEN = "#00aa00"  # 2
_MAGENTA = "#aa00aa"  # 5
_CYAN = "#00aaaa"  # 6
_YELLOW = "#aa5500"  # 3
_BRIGHT_BLACK = "#555555"  # 8

_KEYWORD = Style(color=_BRIGHT_BLUE, bold=True)
_NUMBER = Style(color=_MAGENTA)
_TYPE = Style(color=_CYAN)
_PLAIN = Style()
"""The terminal's default foreground: identifiers, operators and punctuation."""

#: Token style per tree-sitter capture name (those of Textual's SQL highlights, and the
#: ``css`` theme's other names that downgrade to white), each distinct in 16 colours.
SIXTEEN_COLOUR_STYLES: dict[str, Style] = {
    "keyword": _KEYWORD,
    "keyword.operator": _KEYWORD,
    "keyword.function": _KEYWORD,
    "keyword.return": _KEYWORD,
    "conditional": _KEYWORD,
    "repeat": _KEYWORD,
    "exception": _KEYWORD,
    "include": _KEYWORD,
    "storageclass": _KEYWORD,
    "type.qualifier": _KEYWORD,
    "string": Style(color=_GREEN),
    "string.documentation": Style(color=_GREEN),
    "number": _NUMBER,
    "float": _NUMBER,
    "boolean": _NUMBER,
    "constant.builtin": _NUMBER,
    "json.null": _NUMBER,
    "comment": Style(color=_BRIGHT_BLACK),
    "type": _TYPE,
    "type.builtin": _TYPE,
    "function": Style(color=_YELLOW),
    "function.call": Style(color=_YELLOW),
    "operator": _PLAIN,
    "punctuation.bracket": _PLAIN,
    "punctuation.delimiter": _PLAIN,
    "punctuation.special": _PLAIN,
}


def _sixteen_colour_theme() -> TextAreaTheme:
    """The ``css`` theme with :data:`SIXTEEN_COLOUR_STYLES` laid over its token styles."""
    css = TextAreaTheme.get_builtin_theme(TRUECOLOR_THEME_NAME)
    assert css is not None, "Textual ships the css theme"
    assert css.base_style is None, "only its token styles are taken over"
    return TextAreaTheme(
        name=SIXTEEN_COLOUR_THEME_NAME,
        syntax_styles={**css.syntax_styles, **SIXTEEN_COLOUR_STYLES},
    )


SIXTEEN_COLOUR_THEME = _sixteen_colour_theme()

_INTEGER = "^[-+]?[0-9]+$"
_DECIMAL = "^[-+]?[0-9]*[.][0-9]*$"
_NUMERIC = "^[-+]?[0-9]*[.]?[0-9]+$|^[-+]?[0-9]+[.]$"

#: ``Console.color_system`` names of terminals with 16 colours.
_SIXTEEN_COLOUR_SYSTEMS = frozenset({"standard", "windows"})


def shows_16_colours(app: App[object]) -> bool:
    """Whether ``app`` writes to a terminal with only the 16 standard colours.

    Textual's console detects this from ``TERM``/``COLORTERM`` (or takes
    ``TEXTUAL_COLOR_SYSTEM``) and downgrades every colour it writes to that system. A
    headless app (``run_test``) has no terminal, so the environment it runs in says nothing:
    it counts as truecolor unless its class sets ``SIXTEEN_COLOURS = True`` (as the tests'
    16-colour app does).
    """
    if app.is_headless:
        return bool(getattr(app, "SIXTEEN_COLOURS", False))
    return app.console.color_system in _SIXTEEN_COLOUR_SYSTEMS


#: Textual's SQL number captures, and what they become (Python regular expressions).
_NUMBER_CAPTURES = {
    '(#match? @number "^[-+]?%d+$")': f'(#match? @number "{_INTEGER}")',
    '(#match? @float "^[-+]?%d*\\.%d*$")': f'(#match? @float "{_DECIMAL}")',
    "\n(literal) @string\n": f'\n((literal) @string (#not-match? @string "{_NUMERIC}"))\n',
}


def sql_highlight_query() -> str:
    """Textual's SQL highlight query with its number captures fixed.

    Its ``#match?`` predicates use Lua's ``%d``, which py-tree-sitter (Python's ``re``) reads
    as the two characters ``%d``, so no literal is a number; and every literal is also
    captured as ``@string``, which wins or loses by the order the captures come in. Here a
    number matches ``@number``/``@float`` only, so ``42`` always gets the number colour.
    """
    query = TextArea._get_builtin_highlight_query("sql")
    for old, new in _NUMBER_CAPTURES.items():
        query = query.replace(old, new)  # a newer Textual without the bug: left as it is
    return query
