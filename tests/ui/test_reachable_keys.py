"""Every key a binding names can arrive from a real terminal.

A terminal sends Alt+letter as ESC followed by the letter, and Textual's parser reads some of
those as other keys (ESC f and ESC b are the emacs word motions, ``ctrl+right`` and
``ctrl+left``): a binding on such a key can never fire over SSH. This feeds each bound
Alt+character through Textual's own parser and checks that it comes back as the same key.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual._xterm_parser import XTermParser
from textual.binding import Binding
from textual.events import Key
from textual.widgets import TextArea

import dbtui.ui


def _bindings() -> list[tuple[type, Binding, str]]:
    """Every (class, binding, key) of every UI class's ``BINDINGS``."""
    found: list[tuple[type, Binding, str]] = []
    for info in pkgutil.walk_packages(dbtui.ui.__path__, "dbtui.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for binding in vars(cls).get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    found.extend((cls, binding, key.strip()) for key in binding.key.split(","))
    return found


def _bound_keys() -> dict[str, str]:
    """Every bound key -> where it is bound."""
    return {key: f"{cls.__module__}.{cls.__name__}" for cls, _, key in _bindings()}


def _parsed(sequence: str) -> list[str]:
    parser = XTermParser()
    events = [*parser.feed(sequence), *parser.feed("")]
    return [event.key for event in events if isinstance(event, Key)]


def test_alt_letter_bindings_arrive_as_themselves() -> None:
    keys = _bound_keys()
    assert len(keys) > 50, "the scan found the UI's bindings"
    unreachable = {
        key: where
        for key, where in keys.items()
        if key.startswith("alt+")
        and len(key) == len("alt+x")
        and _parsed("\x1b" + key[-1]) != [key]
    }
    assert unreachable == {}, "these keys never arrive from a terminal: bind other keys"


def test_alt_letters_on_text_areas_are_priority_bindings() -> None:
    """A terminal's Alt+letter arrives as a key that carries its letter; a TextArea types
    any key with a printable character before its own (non-priority) bindings are looked at,
    so such a binding on an editor must be a priority binding. Pilot's ``press("alt+p")``
    carries no character, which is why this is checked here and not by a Pilot test."""
    typed_over = [
        f"{cls.__name__}: {key}"
        for cls, binding, key in _bindings()
        if issubclass(cls, TextArea)
        and key.startswith("alt+")
        and len(key) == len("alt+x")
        and not binding.priority
    ]
    assert typed_over == []


def test_the_parser_check_can_fail() -> None:
    assert _parsed("\x1bf") == ["ctrl+right"], "ESC f is read as a word motion, not alt+f"
    assert _parsed("\x1bp") == ["alt+p"]
