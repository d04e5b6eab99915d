"""A password in the URL never reaches the screen, the history, the saved buffers or the logs."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from secret_cases import ALL_SPECIALS, HEAD, TAIL, files_leaking, keyword_quoted, leaks
from test_cli import closed_port
from textual.widgets.tree import TreeNode
from uitools import current_screen, settle

from dbtui.core import paths
from dbtui.core.config import load_config, saved_spec
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError, PasswordRequired
from dbtui.core.registry import open_driver
from dbtui.core.spec import ConnectionSpec, spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import PasswordScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor

PASSWORD = "s3cret-pw"
HOSTILE = ALL_SPECIALS
LIBPQ_RAW = HEAD + "#?[]é秘&=+" + TAIL
"""Unencoded, yet read whole by libpq: the password the old ``urlsplit`` masking showed."""


def every_file_under(directory: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in directory.rglob("*")
        if path.is_file()
    )


async def test_password_never_shown_or_stored(postgres_server: Any) -> None:
    url = postgres_server.url_for(user="dbtui_pw", password=PASSWORD)
    assert PASSWORD in url
    good = spec_from_url(url)
    failing = spec_from_url(url.replace("127.0.0.1", "127.0.0.1").rsplit("/", 1)[0] + "/no_such_db")
    outcomes: list[Any] = [(good, open_driver(good))]
    try:
        open_driver(failing)
    except Exception as error:
        outcomes.append((failing, error))
    app = DbtuiApp(outcomes)
    screens: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app)
        screens.append(app.export_screenshot())
        editor = app.screen.query_one(QueryEditor)
        editor.text = f"SELECT '{url.split('@')[0].split('//')[1].split(':')[0]}' AS who"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        screens.append(app.export_screenshot())
        for key in ("f1", "escape", "ctrl+r", "escape", "f6", "f4", "f2"):
            await pilot.press(key)
            await settle(app)
            screens.append(app.export_screenshot())
        app.screen.query_one("#messages")  # the log exists and was rendered above
        await pilot.press("ctrl+q")
    for number, svg in enumerate(screens):
        assert PASSWORD not in svg, f"screen {number} shows the password"
    stored = every_file_under(paths.data_dir())
    assert "dbtui_pw" in stored, "history and buffers were written"
    assert PASSWORD not in stored


# -- passwords with every URL-special character (issue 12, section 6) ---------------------------


def _outcome(spec: ConnectionSpec) -> Driver | DbtuiError:
    try:
        return open_driver(spec)
    except DbtuiError as error:
        return error


def _hostile_specs(pg_port: int, redis_url: str, mongo_url: str) -> list[ConnectionSpec]:
    """Connections holding HOSTILE: good, refused, unreachable and unparsable ones."""
    enc = quote(HOSTILE, safe="")
    closed = closed_port()
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    mongo_port = int(mongo_url.rstrip("/").rsplit(":", 1)[1])
    texts = [
        f"postgresql://postgres:{enc}@127.0.0.1:{pg_port}/postgres",  # trust: connects
        f"host=127.0.0.1 port={pg_port} user=postgres password={keyword_quoted(HOSTILE)}"
        " dbname=postgres",
        f"postgresql://postgres:{HOSTILE}@127.0.0.1:{pg_port}/postgres",  # unparsable
        f"redis://me:{enc}@127.0.0.1:{redis_port}/0",  # no such user: refused
        f"redis://me:{HOSTILE}@127.0.0.1:{redis_port}/0",
        f"rediss://me:{enc}@127.0.0.1:{closed}/0",
        f"mongodb://me:{enc}@127.0.0.1:{mongo_port}/db?serverSelectionTimeoutMS=2000",
        f"mongodb://me:{HOSTILE}@127.0.0.1:{closed}/db",
    ]
    return [spec_from_url(text) for text in texts]


def _tree_labels(node: TreeNode[Any]) -> list[str]:
    """The label of ``node`` and of every node below it."""
    return [str(node.label)] + [text for child in node.children for text in _tree_labels(child)]


def _visible_text(app: DbtuiApp) -> str:
    """The screenshot with its HTML escapes undone, plus the titles of the app and screen."""
    svg = html.unescape(app.export_screenshot()).replace("\xa0", " ")
    return "\n".join([svg, app.title, app.sub_title, app.screen.title or "", str(app.screen)])


async def test_hostile_passwords_never_shown_or_stored(
    postgres_server: Any, redis_url: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Path(os.environ["HOME"])
    config_path = home / "config.toml"
    config_path.write_text(
        f'[connections.saved]\nurl = "postgresql://dbtui_pw@127.0.0.1:{postgres_server.port}/'
        'postgres"\npassword_env = "DBTUI_HOSTILE_PW"\n',
        encoding="utf-8",
    )
    config_path.chmod(0o600)
    monkeypatch.setenv("DBTUI_CONFIG", str(config_path))
    monkeypatch.setenv("DBTUI_HOSTILE_PW", HOSTILE)
    config = load_config()
    # libpq reads this unencoded password whole (urlsplit used to cut it at the "#").
    raw = f"postgresql://dbtui_pw:{LIBPQ_RAW}@127.0.0.1:{postgres_server.port}/postgres"
    specs = [
        spec_from_url(raw),
        saved_spec(config, "saved"),
        *_hostile_specs(postgres_server.port, redis_url, mongo_url),
    ]
    outcomes = [(spec, _outcome(spec)) for spec in specs]
    for number in (0, 1):
        assert isinstance(outcomes[number][1], PasswordRequired), "dbtui_pw refuses them"
    assert isinstance(outcomes[2][1], Driver), outcomes[2][1]
    assert isinstance(outcomes[3][1], Driver), outcomes[3][1]
    for spec, outcome in outcomes:
        for password in (HOSTILE, LIBPQ_RAW):
            assert not leaks(str(outcome), password), f"{spec.name}: {outcome}"
    app = DbtuiApp(outcomes, config=config)
    seen: list[str] = []
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app)
        seen.append(_visible_text(app))
        main = current_screen(app)
        assert isinstance(main, MainScreen)
        sessions = main.sessions
        tree = main.query_one(CatalogTree)
        tree.focus()
        tree.move_cursor(tree.session_node(2))
        await settle(app)
        editor = main.query_one(f"#{sessions[2].editor_id}", QueryEditor)
        editor.text = "SELECT current_user AS who"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        seen.append(_visible_text(app))
        tree.focus()
        tree.move_cursor(tree.session_node(0))
        await pilot.press("r")
        await settle(app)
        prompt = current_screen(app)
        assert isinstance(prompt, PasswordScreen)
        assert "127.0.0.1" in prompt.question
        seen += [_visible_text(app), prompt.question]
        await pilot.press("ctrl+c")  # cancels only the prompt
        await settle(app)
        assert current_screen(app) is main
        assert app.is_running
        assert sessions[2].driver is not None, "the other connections stay open"
        await pilot.press("ctrl+o")
        await settle(app)
        seen.append(_visible_text(app))
        await pilot.press("escape")
        await settle(app)
        seen += _tree_labels(tree.root)
        await pilot.press("ctrl+q")
        await settle(app)
    for number, text in enumerate(seen):
        for password in (HOSTILE, LIBPQ_RAW):
            assert not leaks(text, password), f"view {number} shows {leaks(text, password)}"
    assert list(home.rglob("*.jsonl")), "the history was written"
    assert list(home.rglob("buffers/*/*.txt")), "the editor text was saved"
    assert not list(files_leaking(home, HOSTILE))
    assert not list(files_leaking(home, LIBPQ_RAW))
