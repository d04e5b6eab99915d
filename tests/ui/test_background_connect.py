"""The screen comes first: connections connect in the background, each with its own state.

One URL points at a black hole (a local TCP listener that accepts and never replies) for
Redis, PostgreSQL or MongoDB; the three other connections (SQLite and the real servers of
the two other engines) must be usable while the black-holed one still shows "connecting…",
and the black-holed one must end with a timeout error after the configured timeout.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from uitools import until

from dbtui.core.spec import ConnectionSpec, connect_timeout, spec_from_url, with_connect_timeout
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import PasswordScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.catalog.tree import CatalogTree

TIMEOUT = 3.0
"""The connect timeout of the test (seconds): short, but long enough that the real servers of
a loaded CI machine answer first (psycopg waits at least 2 s whatever it is told)."""


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A loopback port that accepts connections and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()


def black_hole_url(engine: str, port: int) -> str:
    """A URL of ``engine`` pointing at the black hole."""
    return {
        "redis": f"redis://127.0.0.1:{port}/0",
        "postgresql": f"postgresql://postgres@127.0.0.1:{port}/postgres",
        "mongodb": f"mongodb://127.0.0.1:{port}/",
    }[engine]


def four_specs(
    engine: str, port: int, servers: dict[str, str], tmp_path: Path
) -> list[ConnectionSpec]:
    """SQLite plus PostgreSQL, Redis and MongoDB, with ``engine``'s URL black-holed."""
    path = tmp_path / "bg.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE fruit (name TEXT)")
    urls = {"sqlite": f"sqlite://{path}", **servers, engine: black_hole_url(engine, port)}
    return [with_connect_timeout(spec_from_url(url), TIMEOUT) for url in urls.values()]


def tree_text(app: DbtuiApp, session_index: int) -> str:
    """The label of a connection's node in the catalog tree."""
    tree = app.screen.query_one(CatalogTree)
    return str(tree.session_node(session_index).label)


def catalog_loaded(app: DbtuiApp, session_index: int) -> bool:
    """The connection's node is expanded and holds loaded children (not "loading…")."""
    node = app.screen.query_one(CatalogTree).session_node(session_index)
    children = list(node.children)
    return bool(children) and all(str(child.label) != "loading…" for child in children)


@pytest.mark.parametrize("engine", ["redis", "postgresql", "mongodb"])
async def test_a_black_holed_url_does_not_hold_the_others(
    engine: str,
    black_hole: int,
    postgres_url: str,
    redis_url: str,
    mongo_url: str,
    tmp_path: Path,
) -> None:
    servers = {"postgresql": postgres_url, "redis": redis_url, "mongodb": mongo_url}
    specs = four_specs(engine, black_hole, servers, tmp_path)
    assert all(connect_timeout(spec) == TIMEOUT for spec in specs)
    stuck = next(i for i, spec in enumerate(specs) if spec.engine == engine)
    good = [i for i in range(len(specs)) if i != stuck]
    app = DbtuiApp([(spec, None) for spec in specs])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        sessions = screen.sessions
        # The first screen is there while the black-holed connection is still trying.
        assert sessions[stuck].connecting
        assert "connecting…" in tree_text(app, stuck)
        started = sessions[stuck].connect_started

        await until(
            pilot,
            lambda: all(sessions[i].driver is not None for i in good),
            "the three reachable connections",
        )
        assert sessions[stuck].connecting, "the others connected while the stuck one waits"
        assert sessions[stuck].driver is None
        assert sessions[stuck].error is None
        assert "connecting…" in tree_text(app, stuck)

        tree = screen.query_one(CatalogTree)
        for index in good:
            tree.session_node(index).expand()
        await until(pilot, lambda: all(catalog_loaded(app, i) for i in good), "three catalogs")

        # A query runs on SQLite (the active connection) while the black hole still waits.
        editor = screen.editor(sessions[0])
        editor.load_text("SELECT 41 + 1 AS answer;")
        editor.focus()
        await pilot.press("f5")
        await until(pilot, lambda: sessions[0].result is not None, "the query's result")
        assert not sessions[0].busy
        assert sessions[stuck].connecting, "the query ran before the stuck one gave up"

        await until(pilot, lambda: not sessions[stuck].connecting, "the timeout error")
        waited = time.monotonic() - started
        error = sessions[stuck].error
        assert sessions[stuck].driver is None
        assert error is not None
        assert "time" in error.one_line().lower(), error.one_line()
        assert waited >= TIMEOUT * 0.9, f"gave up after {waited:.1f} s, before the timeout"
        assert waited < TIMEOUT + 20, f"took {waited:.1f} s to give up"
        assert error.one_line()[:30] in tree_text(app, stuck), "the error is shown in the tree"
        assert all(sessions[i].driver is not None for i in good)
        for index in good:
            driver = sessions[index].driver
            assert driver is not None
            driver.close()


async def test_retry_after_a_background_failure_shows_connecting_again(
    black_hole: int, tmp_path: Path
) -> None:
    spec = with_connect_timeout(spec_from_url(black_hole_url("redis", black_hole)), 1.0)
    app = DbtuiApp([(spec, None)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        session = screen.sessions[0]
        await until(pilot, lambda: session.error is not None, "the first timeout")
        assert "connecting" not in tree_text(app, 0)
        tree = screen.query_one(CatalogTree)
        tree.focus()
        tree.move_cursor(tree.session_node(0))
        await pilot.press("r")
        assert session.connecting
        assert "connecting…" in tree_text(app, 0)
        await until(pilot, lambda: not session.connecting, "the second timeout")
        assert session.error is not None
        assert session.driver is None


def test_run_path_gives_every_spec_the_timeout() -> None:
    from dbtui.cli import build_parser, connect_timeout_for
    from dbtui.core.config import Config, ConfigError, UiConfig, parse_config

    assert parse_config("[ui]\nconnect_timeout = 3\n", Path("c.toml")).ui.connect_timeout == 3
    with pytest.raises(ConfigError, match="connect_timeout"):
        parse_config("[ui]\nconnect_timeout = 0\n", Path("c.toml"))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--connect-timeout", "-1"])

    config = Config(path=Path("/nonexistent"), ui=UiConfig(connect_timeout=7))
    assert connect_timeout_for(build_parser().parse_args([]), config) == 7.0
    args = build_parser().parse_args(["--connect-timeout", "1.5"])
    assert connect_timeout_for(args, config) == 1.5
    assert connect_timeout_for(build_parser().parse_args([]), Config(path=Path("/x"))) == 10.0


async def test_a_password_is_asked_inside_the_app(postgres_server: Any) -> None:
    """A server wanting a password prompts (masked) once the window is up; then it connects."""
    password = "s3cret-pw"  # the harness role dbtui_pw (see test_password_prompt.py)
    spec = spec_from_url(postgres_server.url_for(user="dbtui_pw"))
    app = DbtuiApp([(spec, None)])
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PasswordScreen), "the password prompt")
        await pilot.press(*password)
        assert password not in app.export_screenshot()
        await pilot.press("enter")
        main = next(s for s in app.screen_stack if isinstance(s, MainScreen))
        session = main.sessions[0]
        await until(pilot, lambda: session.driver is not None, "the connection")
        assert session.error is None
        assert not session.connecting
        await until(pilot, lambda: catalog_loaded(app, 0), "its catalog")
        assert password not in app.export_screenshot()
        driver = session.driver
        assert driver is not None
        driver.close()
