"""Loose ends of issues 12 and 13, each checked against real servers.

* saving the editor text failing mid-session is shown once, and again when it recovers;
* a page fetch that fails resets the results' loading state and shows the error;
* the connection manager connects with the configured connect timeout;
* an unparsable URL on the command line exits 2 with one line before connecting;
* the title shows one state while a held write waits for its commit answer.
"""

from __future__ import annotations

import fcntl
import gc
import os
import pty
import select
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from textual.strip import Strip
from textual.widgets import Static
from uitools import settle, until

from dbtui.core.driver import Driver
from dbtui.core.errors import ConnectError
from dbtui.core.registry import open_driver
from dbtui.core.spec import ConnectionSpec, spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.results.view import ResultsView

SIZE = (100, 30)


def make_app(*urls: str) -> DbtuiApp:
    """The app over real connections."""
    outcomes: list[tuple[ConnectionSpec, Driver | ConnectError]] = []
    for url in urls:
        spec = spec_from_url(url)
        outcomes.append((spec, open_driver(spec)))
    return DbtuiApp(outcomes)


def notes(app: DbtuiApp) -> list[str]:
    """Every notification shown so far (title: message)."""
    shown: Any = app._notifications
    return [f"{n.title}: {n.message}" for n in shown]


def sqlite_db(tmp_path: Path) -> str:
    path = tmp_path / "loose.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v INTEGER)")
    return f"sqlite://{path}"


async def test_failing_buffer_save_is_shown_once_and_its_recovery(tmp_path: Path) -> None:
    app = make_app(sqlite_db(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.focus()
        await pilot.press(*"select 1")
        await settle(app)
        await pilot.pause(1.2)
        await settle(app)
        directory = app.sessions[0].buffers.directory
        assert list(directory.glob("*.txt")), "saved while the directory was fine"
        assert not [n for n in notes(app) if "not being saved" in n.lower()]

        shutil.rmtree(directory)
        directory.write_text("a file where the directory was")  # fails for root too
        for key in ("space", "x", "space", "y"):
            await pilot.press(key)
            await pilot.pause(1.2)
            await settle(app)
        failed = [n for n in notes(app) if "typed text is not being saved" in n.lower()]
        assert len(failed) == 1, notes(app)
        assert str(directory) in failed[0]
        assert app.is_running

        directory.unlink()
        await pilot.press("z")
        await pilot.pause(1.2)
        await settle(app)
        assert [n for n in notes(app) if "saved again" in n], notes(app)
        saved = [f.read_text() for f in directory.glob("*.txt")]
        assert any(text.startswith("select 1 x yz") for text in saved), saved


async def test_a_failed_page_fetch_stops_loading_and_shows_the_error(postgres_db_url: str) -> None:
    app = make_app(postgres_db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT g, repeat('x', 20) FROM generate_series(1, 200000) AS g"
        editor.move_cursor((0, 0))
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        view = app.screen.query_one(ResultsView)
        assert view.result is not None
        assert view.table.row_count > 0
        with psycopg.connect(postgres_db_url, autocommit=True) as other:
            killed = other.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        assert killed, "the app's backend was terminated"
        before = len(notes(app))
        view.table.focus()
        view.table.move_cursor(row=view.table.row_count - 1)
        await until(pilot, lambda: len(notes(app)) > before, "the error")
        await settle(app)
        assert not view.fetching, "fetching is reset"
        assert view.read_failed
        footer = app.screen.query_one("#results-footer", Static)
        assert "reading more failed" in str(footer.render())
        assert app.is_running
        view.table.move_cursor(row=0)
        view.table.move_cursor(row=view.table.row_count - 1)
        await settle(app)
        assert not view.fetching, "no new ask on a failed result"


async def test_connection_manager_uses_the_configured_connect_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saved connection to a server that never answers fails after [ui] connect_timeout."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)  # accepts at the TCP level (backlog), never answers
    port = hole.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(
        "[ui]\nconnect_timeout = 1\n\n"
        f'[connections.hole]\nurl = "postgresql://u@127.0.0.1:{port}/db"\n'
    )
    monkeypatch.setenv("DBTUI_CONFIG", str(config))
    try:
        app = make_app(sqlite_db(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await settle(app)
            await pilot.press("ctrl+o")
            await settle(app)
            await pilot.press("o")
            started = time.monotonic()
            await until(pilot, lambda: len(app.sessions) == 2, "the new connection")
            session = app.sessions[1]
            assert session.spec.option("connect_timeout") == "1"
            await until(pilot, lambda: session.error is not None, "the connect error")
            assert time.monotonic() - started < 6, "gave up after about 1 s, not 10"
            assert session.driver is None
            assert app.is_running
    finally:
        hole.close()


def run_in_a_pty(*args: str, timeout: float = 20) -> tuple[int, bytes]:
    """``dbtui *args`` on a pseudo-terminal (so it would start the app): status and output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    process = subprocess.Popen(
        [sys.executable, "-m", "dbtui", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                output.extend(data)
                if not data and process.poll() is not None:
                    break
            elif process.poll() is not None:
                break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        os.close(master)
    return process.returncode, bytes(output)


def test_unparsable_url_exits_2_with_one_line_before_connecting(
    postgres_db_url: str, redis_url: str
) -> None:
    """An unencoded ``@``/``/`` in a password: one line, status 2, in a terminal too."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)
    port = hole.getsockname()[1]
    try:
        for url in (
            f"postgresql://u:se@cr/et@127.0.0.1:{port}/db",
            redis_url.replace("redis://", "redis://:se@cr/et@"),
        ):
            started = time.monotonic()
            status, output = run_in_a_pty(url)
            assert status == 2, output[-2000:]
            assert time.monotonic() - started < 15
            text = output.decode("utf-8", "replace").strip()
            assert len(text.splitlines()) == 1, text
            assert text.startswith("dbtui: "), text
            assert "cr/et" not in text, "the password is not shown"
            assert "se@cr" not in text, "the password is not shown"
            assert "\x1b[?1049h" not in text, "the app never started"
        hole.settimeout(0.1)
        with pytest.raises(TimeoutError):
            hole.accept()  # nothing connected to it
        status, output = run_in_a_pty(postgres_db_url, timeout=3)
        assert b"\x1b[?1049h" in output, "a parsable URL still starts the app"
    finally:
        hole.close()


def title_text(app: DbtuiApp) -> str:
    """The line above the editor, on the main screen (under any dialog)."""
    main = next(screen for screen in app.screen_stack if screen.query("#editor-title"))
    return str(main.query_one("#editor-title", Static).render())


async def test_title_shows_one_state_while_a_held_write_waits(tmp_path: Path) -> None:
    url = sqlite_db(tmp_path)
    with sqlite3.connect(url.removeprefix("sqlite://")) as conn:
        conn.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(300)])
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "DELETE FROM t WHERE v >= 0"
        editor.move_cursor((0, 0))
        editor.focus()
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the commit question")
        await settle(app)
        title = title_text(app)
        assert "waiting for your answer" in title, title
        assert "running" not in title, title
        assert "Esc cancels" not in title, title
        assert "idle" not in title, title
        await pilot.press("escape")  # No: rolled back
        await settle(app)
        title = title_text(app)
        assert "waiting" not in title, title
        assert "running" not in title, title
    with sqlite3.connect(url.removeprefix("sqlite://")) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (300,)


def live_strips() -> int:
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, Strip))


async def test_scrolling_pages_keeps_render_strips_flat(tmp_path: Path) -> None:
    """Each page used to set Textual's ``loading`` reactive: a new LoadingIndicator per
    page, whose ~44 render strips Textual kept (memory grew ~130 bytes per row scrolled)."""
    path = tmp_path / "big.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a INTEGER, b TEXT)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", ((n, f"text {n}") for n in range(25_000)))
    app = make_app(f"sqlite://{path}")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT * FROM t"
        editor.move_cursor((0, 0))
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        view = app.screen.query_one(ResultsView)
        view.table.focus()
        counts: list[int] = []
        for page in range(40):
            view.table.move_cursor(row=view.table.row_count - 1)
            await until(pilot, lambda: not view.fetching, "the page")
            await pilot.pause(0.01)
            assert not view.loading, "Textual's loading indicator is never put over the results"
            if page in (9, 39):
                counts.append(live_strips())
        assert view.first_index > 10_000, "scrolled far"
        assert counts[1] - counts[0] < 200, counts
