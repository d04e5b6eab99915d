"""The connection manager: add, edit, test, delete and open saved connections (temp DBTUI_CONFIG)."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, OptionList
from uitools import current_screen, settle

from dbtui.core.config import load_config
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.connection_form import ConnectionForm
from dbtui.ui.screens.connections import ConnectionsScreen
from dbtui.ui.screens.dialogs import ConfirmScreen, PasswordScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor

CONFIG = """\
# my connections (this comment must survive every edit)
[ui]
page_size = 500

[connections.local]
url = "sqlite:///{path}"
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
    return path


@pytest.fixture
def config_file(tmp_path: Path, shop: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    path.write_text(CONFIG.format(path=shop), encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("DBTUI_CONFIG", str(path))
    return path


def app_on(shop: Path) -> DbtuiApp:
    spec = spec_from_url(f"sqlite://{shop}")
    return DbtuiApp([(spec, open_driver(spec))])


def status(screen: Any) -> str:
    widget = screen.query_one(
        "#connections-status" if isinstance(screen, ConnectionsScreen) else "#form-status"
    )
    return str(widget.render())


async def open_manager(app: DbtuiApp, pilot: Any) -> ConnectionsScreen:
    app.screen.query_one(QueryEditor).focus()
    await pilot.press("ctrl+o")
    await pilot.pause()
    manager = app.screen
    assert isinstance(manager, ConnectionsScreen)
    return manager


async def fill(form: ConnectionForm, pilot: Any, **values: str) -> None:
    for field, value in values.items():
        form.query_one(f"#field-{field}", Input).value = value
    await pilot.pause()


async def test_add_edit_and_delete_write_the_file(config_file: Path, shop: Path) -> None:
    app = app_on(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        manager = await open_manager(app, pilot)
        assert manager.query_one(OptionList).option_count == 1

        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ConnectionForm)
        await fill(form, pilot, name="prod", url="postgresql://app@db.example.com/shop")
        await fill(form, pilot, password_env="PROD_PW", default_schema="sales")
        form.query_one("#field-read_only", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is manager
        assert "Saved prod" in status(manager)

        saved = load_config(config_file).connection("prod")
        assert saved is not None
        assert (saved.url, saved.read_only, saved.password_env, saved.default_schema) == (
            "postgresql://app@db.example.com/shop",
            True,
            "PROD_PW",
            "sales",
        )
        text = config_file.read_text(encoding="utf-8")
        assert text.startswith("# my connections (this comment must survive every edit)")
        assert stat.S_IMODE(config_file.stat().st_mode) == 0o600

        # Edit: rename and turn read-only off.
        chosen = manager.selected()
        assert chosen is not None
        assert chosen.name == "prod"
        await pilot.press("e")
        form = current_screen(app)
        assert isinstance(form, ConnectionForm)
        assert form.query_one("#field-url", Input).value == "postgresql://app@db.example.com/shop"
        await fill(form, pilot, name="production")
        form.query_one("#field-read_only", Checkbox).value = False
        await pilot.press("ctrl+s")
        await pilot.pause()
        config = load_config(config_file)
        assert config.connection_names == ["local", "production"]
        production = config.connection("production")
        assert production is not None
        assert not production.read_only

        # Delete, after a confirmation.
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
        await pilot.pause()
        assert load_config(config_file).connection_names == ["local"]
        assert "# my connections" in config_file.read_text(encoding="utf-8")


async def test_problems_show_next_to_their_fields(config_file: Path, shop: Path) -> None:
    app = app_on(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_manager(app, pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ConnectionForm)
        await fill(
            form,
            pilot,
            name="local",
            url="postgresql://app:hunter2@db/shop",
            statement_timeout_ms="soon",
            password_env="not a name",
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form, "an invalid form is not saved"
        errors = {
            field: str(form.query_one(f"#error-{field}").render())
            for field in ("name", "url", "statement_timeout_ms", "password_env")
        }
        assert "already exists" in errors["name"]
        assert "password" in errors["url"]
        assert "whole number" in errors["statement_timeout_ms"]
        assert errors["password_env"].strip()
        assert form.query_one("#error-url").display
        assert not form.query_one("#error-color").display
        assert "hunter2" not in config_file.read_text(encoding="utf-8")
        await pilot.press("escape")
        assert isinstance(app.screen, ConnectionsScreen)
        assert load_config(config_file).connection_names == ["local"]


async def test_test_reports_success_failure_and_asks_for_a_password(
    config_file: Path, shop: Path, tmp_path: Path, postgres_server: Any
) -> None:
    app = app_on(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        manager = await open_manager(app, pilot)
        await pilot.press("t")
        await settle(app)
        assert "✓ local: connected to SQLite" in status(manager)

        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ConnectionForm)
        await fill(form, pilot, name="gone", url=f"sqlite:///{tmp_path / 'missing.db'}")
        await pilot.press("ctrl+t")
        await settle(app)
        assert "✖ gone:" in status(form)

        url = postgres_server.url_for(user="dbtui_pw")
        await fill(form, pilot, name="pw", url=url)
        await pilot.press("ctrl+t")
        await settle(app)
        assert isinstance(app.screen, PasswordScreen)
        await pilot.press(*"s3cret-pw")
        assert "s3cret" not in app.export_screenshot()  # masked while typed
        await pilot.press("enter")
        await settle(app)
        assert current_screen(app) is form
        assert "✓ pw: connected to PostgreSQL" in status(form)
        assert "s3cret" not in app.export_screenshot()
        await pilot.press("ctrl+s")
        await pilot.pause()
    text = config_file.read_text(encoding="utf-8")
    assert "[connections.pw]" in text
    assert "s3cret" not in text


async def test_open_adds_a_session_next_to_the_others(config_file: Path, shop: Path) -> None:
    other = shop.parent / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    app = app_on(other)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await open_manager(app, pilot)
        await pilot.press("o")
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert len(screen.sessions) == 2
        local = screen.sessions[1]
        assert local.name == "local"
        assert local.driver is not None
        assert screen.active == 1
        editor = screen.editor(local)
        editor.text = "SELECT name FROM items"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        assert local.result is not None
        assert screen._completion[1].snapshot.tables["main"]["items"] == ["id", "name"]
        tree = screen.query_one(CatalogTree)
        tree.move_cursor(tree.session_node(0))
        await settle(app)
        assert screen.active == 0
        await open_manager(app, pilot)
        await pilot.press("o")  # already open: made active, not opened twice
        await settle(app)
        assert len(screen.sessions) == 2
        assert screen.active == 1
