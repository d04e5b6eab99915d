"""The main screen's command palette: every action, with the key it has *now*.

Each entry names the binding whose key it shows (by binding id), so the help text
follows a ``[keys]`` remap of the config instead of going stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding

_KEY_NAMES = {"pagedown": "PgDn", "pageup": "PgUp", "escape": "Esc", "enter": "Enter"}


@dataclass(frozen=True)
class PaletteEntry:
    """One action offered in the command palette.

    Attributes:
        title: What the palette lists.
        help: The line under it, without a key.
        action: The screen action it runs (``next_tab(1)``).
        binding_id: The binding whose current key is shown after ``help``; ``None``: no key.
        where: Where that key works, when not everywhere (" in results").
    """

    title: str
    help: str
    action: str
    binding_id: str | None = None
    where: str = ""


#: Every main-screen action, so everything is reachable without knowing a key.
PALETTE = (
    PaletteEntry("Run statement", "Run the statement under the cursor", "run", "main.run"),
    PaletteEntry(
        "Run all statements", "Run the whole editor as a script", "run_all", "main.run_all"
    ),
    PaletteEntry(
        "Explain", "Show the plan of the statement under the cursor", "explain", "main.explain"
    ),
    PaletteEntry(
        "Explain analyze",
        "Run the statement and show the measured plan",
        "explain_analyze",
        "main.analyze",
    ),
    PaletteEntry(
        "Advise indexes", "Verified index suggestions for the statement", "advise", "main.advise"
    ),
    PaletteEntry("Advise workload", "Index suggestions for the top statements", "advise_workload"),
    PaletteEntry("Index health", "Unused, duplicate and missing indexes", "advise_health"),
    PaletteEntry("New editor tab", "Another editor for this connection", "new_tab", "main.new_tab"),
    PaletteEntry(
        "Next editor tab", "Show the next tab of this connection", "next_tab(1)", "main.next_tab"
    ),
    PaletteEntry("Close editor tab", "Close the shown tab", "close_tab", "main.close_tab"),
    PaletteEntry("History", "Search this connection's query history", "history", "main.history"),
    PaletteEntry(
        "Connections",
        "Add, edit, test, delete or open saved connections",
        "connections",
        "main.connections",
    ),
    PaletteEntry(
        "Reload completion",
        "Read the catalog again for completion; MongoDB samples the fields",
        "refresh_completion",
        "main.refresh_completion",
    ),
    PaletteEntry("Export result", "Export the shown result to a file or the clipboard", "export"),
    PaletteEntry(
        "Aggregate",
        "MongoDB: edit and run a pipeline, stage by stage",
        "aggregate",
        "documents.aggregate",
        " in results",
    ),
    PaletteEntry("Cancel", "Cancel the running statement", "cancel", "main.cancel"),
    PaletteEntry("Focus catalog", "Move to the catalog tree", "focus_catalog", "main.catalog"),
    PaletteEntry("Focus editor", "Move to the editor", "focus_editor", "main.editor"),
    PaletteEntry("Focus output", "Move to the output tabs", "focus_output", "main.output"),
    PaletteEntry("Zoom pane", "Maximise the focused pane or restore", "zoom", "main.zoom"),
    PaletteEntry("Help", "Show the keys of the focused pane", "help", "main.help"),
)


def key_label(key: str) -> str:
    """A key as the help texts spell it: ``ctrl+pagedown`` -> ``Ctrl+PgDn``, ``f5`` -> ``F5``."""
    *modifiers, name = key.split("+")
    shown = _KEY_NAMES.get(name, name)
    if (len(shown) == 1 and modifiers) or (shown[:1] == "f" and shown[1:].isdigit()):
        shown = shown.upper()
    return "+".join([*(m.capitalize() for m in modifiers), shown])


def current_key(binding_id: str, bindings: Iterable[Binding], keymap: Mapping[str, str]) -> str:
    """The first key bound to ``binding_id`` now: the keymap's, else the declared one; or ""."""
    keys = keymap.get(binding_id)
    if keys is None:
        keys = next((b.key for b in bindings if b.id == binding_id), "")
    return keys.split(",")[0].strip()


def entry_help(entry: PaletteEntry, bindings: Iterable[Binding], keymap: Mapping[str, str]) -> str:
    """``entry.help`` followed by its current key, e.g. "Run the statement... (F5)"."""
    key = current_key(entry.binding_id, bindings, keymap) if entry.binding_id else ""
    return f"{entry.help} ({key_label(key)}{entry.where})" if key else entry.help
