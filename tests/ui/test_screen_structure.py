"""The main screen is composed of widgets: no chain of screen slices, keys at home.

Each binding's action is defined by the class that declares the binding (the widget it
acts on), not inherited from another class of the project; no screen class inherits
from more than one class of its own project; the palette shows the keys in force.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from uitools import make_app, settle

from dbtui.core.config import Config
from dbtui.ui.app import DbtuiApp
from dbtui.ui.palette import PALETTE, key_label
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.editor.stack import EditorStack
from dbtui.ui.widgets.results.tab import ResultsTab

OWN = ("dbtui.ui.screens", "dbtui.ui.widgets", "dbtui.ui.statement_runs")
"""The modules of the main screen and its widgets (the Redis browser is checked apart)."""


def own_classes() -> list[type]:
    """Every class defined in :data:`OWN` modules."""
    found: list[type] = []
    for package_name in OWN:
        package = importlib.import_module(package_name)
        paths = getattr(package, "__path__", None)
        names = [package_name]
        if paths is not None:
            names = [f"{package_name}.{m.name}" for m in pkgutil.iter_modules(paths)]
        for name in names:
            module = importlib.import_module(name)
            found.extend(
                cls
                for _, cls in inspect.getmembers(module, inspect.isclass)
                if cls.__module__ == name
            )
    return found


def project_bases(cls: type) -> list[type]:
    """The classes of the project that ``cls`` inherits from (itself excluded)."""
    return [base for base in cls.__mro__[1:] if base.__module__.startswith("dbtui.")]


@pytest.mark.parametrize(
    "cls", [c for c in own_classes() if issubclass(c, Screen)], ids=lambda c: c.__name__
)
def test_no_screen_inherits_from_more_than_one_class_of_the_project(cls: type) -> None:
    assert len(project_bases(cls)) <= 1, [b.__name__ for b in project_bases(cls)]


def test_the_main_screen_is_no_chain_of_slices() -> None:
    assert project_bases(MainScreen) == []


@pytest.mark.parametrize(
    "cls",
    [c for c in own_classes() if issubclass(c, Widget) and "BINDINGS" in c.__dict__],
    ids=lambda c: c.__name__,
)
def test_each_binding_is_handled_by_the_class_that_declares_it(cls: type) -> None:
    for binding in cls.__dict__["BINDINGS"]:
        assert isinstance(binding, Binding)
        namespace, _, action = binding.action.split("(")[0].rpartition(".")
        name = f"action_{action}"
        if namespace:  # an explicit hand-over: the screen's or the app's action must exist
            target = {"screen": MainScreen, "app": DbtuiApp}[namespace]
            assert hasattr(target, name), f"{binding.id}: no {target.__name__}.{name}"
            continue
        owner = next((k for k in cls.__mro__ if name in k.__dict__), None)
        assert owner is not None, f"{cls.__name__}: no {name} for {binding.id}"
        assert owner is cls or not owner.__module__.startswith("dbtui."), (
            f"{binding.id}: {name} comes from {owner.__name__}, not {cls.__name__}"
        )


def test_the_main_screen_is_composed_of_its_parts() -> None:
    sources = inspect.getsource(MainScreen.compose)
    for part in ("CatalogPane", "EditorStack", "ResultsTab", "AdviceTab", "MessagesLog"):
        assert part in sources
    assert {b.id for b in ResultsTab.BINDINGS if isinstance(b, Binding)} >= {
        "documents.aggregate",
        "documents.edit_document",
    }
    assert not [b for b in EditorStack.__mro__ if b.__module__.startswith("dbtui.ui.screens")]


def test_key_labels() -> None:
    assert key_label("ctrl+pagedown") == "Ctrl+PgDn"
    assert key_label("shift+f5") == "Shift+F5"
    assert key_label("escape") == "Esc"
    assert key_label("A") == "A"


async def test_the_palette_shows_remapped_keys(tmp_path: Path) -> None:
    database = tmp_path / "palette.db"
    database.touch()
    app = make_app(
        database,
        config=Config(tmp_path / "config.toml", keys={"main.run": "f12", "main.new_tab": "alt+t"}),
    )
    async with app.run_test() as pilot:
        await settle(app)
        await pilot.pause()
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
    assert commands["Run statement"] == "Run the statement under the cursor (F12)"
    assert commands["New editor tab"] == "Another editor for this connection (Alt+T)"
    assert commands["Explain"].endswith("(F6)"), "a key not remapped keeps its default"
    assert commands["Aggregate"].endswith("(A in results)")
    titles = {entry.title for entry in PALETTE}
    assert titles <= set(commands)
