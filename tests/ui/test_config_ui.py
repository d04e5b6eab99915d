"""Config in the app: saved connections by name, the picker, key remaps, a persisted theme."""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import DataTable
from uitools import settle

from dbtui.cli import choose_specs, spec_for_argument
from dbtui.core.config import load_config
from dbtui.core.errors import DbtuiError
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.keys import all_binding_ids
from dbtui.ui.picker import PickerApp
from dbtui.ui.widgets.editor.query_editor import QueryEditor


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    return path


@pytest.fixture
def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Write a config file and point DBTUI_CONFIG at it for this test only."""

    def write(text: str) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        monkeypatch.setenv("DBTUI_CONFIG", str(path))
        return path

    return write


def test_saved_connection_by_name(write_config: Callable[[str], Path], shop: Path) -> None:
    write_config(
        f'[connections.shop]\nurl = "sqlite://{shop}"\nread_only = true\n',
    )
    config = load_config()
    spec = spec_for_argument("shop", config, read_only=False)
    assert spec.name == "shop"
    assert spec.read_only
    assert spec.url == f"sqlite://{shop}"
    with pytest.raises(DbtuiError, match="did you mean 'shop'"):
        spec_for_argument("shpo", config, read_only=False)
    args = argparse.Namespace(urls=["shop"], read_only=False)
    assert [s.name for s in choose_specs(args, config) or []] == ["shop"]


def test_unknown_config_key_is_an_error_with_its_line(write_config: Callable[[str], Path]) -> None:
    path = write_config('[ui]\ntheme = "nord"\ncolour = "red"\n')
    result = subprocess.run(
        [sys.executable, "-m", "dbtui"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "DBTUI_CONFIG": str(path)},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "line 3" in result.stderr
    assert "colour" in result.stderr


def test_unknown_binding_id_in_keys_is_an_error(write_config: Callable[[str], Path]) -> None:
    write_config('[keys]\n"main.rnu" = "f10"\n')
    with pytest.raises(DbtuiError, match=r"main\.rnu"):
        load_config(binding_ids=all_binding_ids())


async def test_remapped_binding_runs_the_statement(
    write_config: Callable[[str], Path], shop: Path
) -> None:
    write_config('[keys]\n"main.run" = "f10"\n')
    config = load_config(binding_ids=all_binding_ids())
    spec = spec_from_url(f"sqlite://{shop}")
    app = DbtuiApp([(spec, open_driver(spec))], config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT 5 * 5"
        editor.focus()
        table = app.screen.query_one("#results-table", DataTable)
        await pilot.press("f5")
        await settle(app)
        assert table.row_count == 0, "F5 no longer runs: it was remapped"
        await pilot.press("f10")
        await settle(app)
        assert table.get_row_at(0) == ["25"]


async def test_theme_choice_persists(shop: Path) -> None:
    spec = spec_from_url(f"sqlite://{shop}")
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        app.theme = "textual-light"
        await pilot.pause()
        await settle(app)
    again = DbtuiApp([(spec, open_driver(spec))])
    async with again.run_test(size=(100, 30)):
        await settle(again)
        assert again.theme == "textual-light"


async def test_picker_returns_the_chosen_connection(shop: Path) -> None:
    specs = [
        spec_from_url(f"sqlite://{shop}", name="first"),
        spec_from_url(f"sqlite://{shop}", name="demo"),
    ]
    app = PickerApp(specs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
    assert app.return_value == 1
