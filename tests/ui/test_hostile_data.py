"""Hostile server text is inert on every engine (issue 12, section 1).

Values, table/column/collection/field/key names, error messages and notices that hold
terminal escape sequences (OSC 52 clipboard, OSC 0 title, CSI 2J), Rich markup (``[/]``
crashed the app), NUL, bidi overrides and very long lines are shown escaped, never
parsed as markup, and never reach the terminal raw.

Two kinds of check, against real servers:

* in-process (Pilot, all four engines): what the widgets hold is the escaped form, the
  app is still running, and the screen as Textual renders it for the terminal
  (:func:`rendered`) holds no OSC, BEL, NUL or bidi control;
* the real ``dbtui`` program in a pseudo-terminal (PostgreSQL and SQLite): every byte it
  writes is read, and none of the hostile sequences nor a BEL from data is among them.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pymongo
import pytest
import redis as redis_py
from textual.coordinate import Coordinate
from textual.widgets import DataTable, RichLog, TextArea
from textual.widgets.tree import TreeNode
from uitools import make_app, settle, until

from dbtui.core.display import display_bytes, display_text, pictured
from dbtui.core.keytree import format_key
from dbtui.drivers.redis import RedisDriver
from dbtui.ui.app import DbtuiApp
from dbtui.ui.key_browser.screen import RedisBrowserScreen
from dbtui.ui.safe import plain_message, safe_assemble, safe_cell, safe_line, safe_text
from dbtui.ui.widgets.catalog.tree import CatalogTree
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.results.replies import ReplyView
from dbtui.ui.widgets.results.view import CELL_WIDTH

#: Values that must be shown escaped, never interpreted.
HOSTILE = (
    "\x1b]52;c;aGk=\x07",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "[bold red]x[/]",
    "[/]",
    "[link=http://evil]x[/link]",
    "a\x00b",
    "\u202eevil",
    "L" * 20_000,
)
#: A hostile name: table, column, collection, field, key (no NUL, ``.``, ``$`` or ``"``).
NAME = "n\x1b]0;pwned\x07[/][blink]x[/]\u202e"
#: What must never be in the terminal output: OSC (title, clipboard, hyperlink) from data,
#: BEL, NUL, bidi override, clear screen, C1 CSI.
RENDER_FORBIDDEN = ("\x1b]", "\x07", "\x00", "\u202e", "\x1b[2J", "\x9b")
SIZE = (100, 30)

TreeDataT = TypeVar("TreeDataT")


# -------------------------------------------------------------------------- in-process helpers


def rendered(app: DbtuiApp) -> str:
    """The current screen exactly as Textual would write it to the terminal."""
    compositor: Any = app.screen._compositor
    return str(compositor.render_update(full=True).render_segments(app.console))


def assert_inert(app: DbtuiApp) -> None:
    """The app runs and its terminal output holds nothing that came raw from data."""
    assert app.is_running
    out = rendered(app)
    found = [bad for bad in RENDER_FORBIDDEN if bad in out]
    assert not found, f"raw {found!r} in the terminal output"


def notes(app: DbtuiApp) -> str:
    """Every notification shown so far (messages and titles)."""
    shown: Any = app._notifications
    return "\n".join(f"{n.title}: {n.message}" for n in shown)


def messages(app: DbtuiApp) -> str:
    """The Messages tab's text."""
    log = app.screen.query_one("#messages", RichLog)
    return "\n".join(line.text for line in log.lines)


def walk(node: TreeNode[TreeDataT]) -> Iterator[TreeNode[TreeDataT]]:
    for child in node.children:
        yield child
        yield from walk(child)


async def expand_catalog(app: DbtuiApp, found: Callable[[list[str]], bool]) -> list[str]:
    """Expand the catalog tree until ``found(labels)``; returns the labels."""
    tree = app.screen.query_one(CatalogTree)
    labels: list[str] = []
    for _ in range(8):
        for node in list(walk(tree.root)):
            if node.allow_expand and not node.is_expanded:
                node.expand()
        await settle(app)
        labels = [str(node.label) for node in walk(tree.root)]
        if found(labels):
            return labels
    pytest.fail(f"not in the catalog: {labels}")


async def run(app: DbtuiApp, pilot: Any, text: str) -> None:
    """Put ``text`` in the editor and run it with F5."""
    editor = app.screen.query_one(QueryEditor)
    editor.text = text
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press("f5")
    await settle(app)


def results(app: DbtuiApp) -> tuple[list[str], list[str]]:
    """The results grid's column labels and every cell's text."""
    table = app.screen.query_one("#results-table", DataTable)
    headers = [str(column.label) for column in table.columns.values()]
    cells = [
        str(table.get_cell_at(Coordinate(row, column)))
        for row in range(table.row_count)
        for column in range(len(table.columns))
    ]
    return headers, cells


def assert_values_escaped(cells: list[str], values: tuple[str, ...]) -> None:
    """Each short hostile value is shown escaped; the long line is clipped to a cell."""
    for value in values:
        if len(value) > CELL_WIDTH:
            assert any(len(cell) == CELL_WIDTH and cell.endswith("…") for cell in cells)
        else:
            assert display_text(value) in cells, (display_text(value), cells[:20])


def test_display_text_escapes_every_hostile_string() -> None:
    """The core function: no control or bidi character survives; markup is untouched."""
    for value in (*HOSTILE, NAME, "\x7f\x85\x9b\u2066\u200e\u061c"):
        shown = display_text(value, limit=100)
        assert shown.isprintable(), repr(shown)
        assert len(shown) <= 100
    assert display_text("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"
    assert display_text("[/]") == "[/]"
    assert display_text("a\x00b") == "a\\x00b"
    assert display_text("\u202eevil") == "\\u202eevil"
    assert display_text("a\nb\tc", multiline=True) == "a\nb\tc"
    assert display_bytes(b"\xff\x1b") == "\\xff\\x1b"


def test_safe_helpers_build_text_without_markup() -> None:
    """Markup stays literal, controls are escaped, cells are one clipped line."""
    assert safe_text("[bold red]x[/]").plain == "[bold red]x[/]"
    assert not safe_text("[bold red]x[/]").spans
    assert safe_text("a\x1b[2Jb\nc").plain == "a\\x1b[2Jb\nc"
    assert safe_line("a\nb").plain == "a\\nb"
    cell = safe_cell("x\ny\x07" + "z" * 100, width=10)
    assert cell == "x↵y\\x07zz…"
    assert len(cell.plain) == 10
    assert safe_assemble(("[/]", "bold"), " ", "\x1b]0;t\x07").plain == "[/] \\x1b]0;t\\x07"
    assert plain_message("[/]\x1b") == "[/]\\x1b"
    assert pictured("a\x1b\x00\u202e\tb") == "a␛␀�\tb"


# -------------------------------------------------------------------------- SQLite


async def test_sqlite_hostile_names_values_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "hostile.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f'CREATE TABLE "{NAME}" ("{NAME}" TEXT, plain TEXT)')
        conn.executemany(f'INSERT INTO "{NAME}" VALUES (?, ?)', [(v, v) for v in HOSTILE])
    app = make_app(f"sqlite://{path}")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        labels = await expand_catalog(app, lambda ls: any(display_text(NAME) in x for x in ls))
        assert not any("\x1b" in label for label in labels)
        assert_inert(app)

        await run(app, pilot, f'SELECT * FROM "{NAME}"')
        headers, cells = results(app)
        assert headers == [display_text(NAME), "plain"]
        assert_values_escaped(cells, HOSTILE)
        assert_inert(app)

        await run(app, pilot, 'SELECT * FROM "nonexist[/]\x1b]0;x\x07"')
        assert "nonexist[/]\\x1b]0;x\\x07" in notes(app)
        assert "nonexist[/]\\x1b]0;x\\x07" in messages(app)
        assert_inert(app)


# -------------------------------------------------------------------------- PostgreSQL


def _postgres_setup(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{NAME}" ("{NAME}" text, plain text)')
        with conn.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "{NAME}" VALUES (%s, %s)',
                [(v, v) for v in HOSTILE if "\x00" not in v],  # text cannot hold NUL
            )


async def test_postgres_hostile_names_values_errors_and_notices(postgres_db_url: str) -> None:
    _postgres_setup(postgres_db_url)
    app = make_app(postgres_db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await expand_catalog(app, lambda ls: any(display_text(NAME) in x for x in ls))
        assert_inert(app)

        await run(app, pilot, f'SELECT * FROM "{NAME}"')
        headers, cells = results(app)
        assert headers == [display_text(NAME), "plain"]
        assert_values_escaped(cells, tuple(v for v in HOSTILE if "\x00" not in v))
        assert_inert(app)

        await run(app, pilot, 'SELECT * FROM "nonexist[/]\x1b]0;x\x07"')
        assert "nonexist[/]\\x1b]0;x\\x07" in notes(app)
        assert_inert(app)

        await run(
            app,
            pilot,
            "DO $$BEGIN RAISE NOTICE 'NOTICEMARK %', E'\\x1b]0;pwned\\x07[/]\\u202e'; END$$",
        )
        assert "NOTICEMARK \\x1b]0;pwned\\x07[/]\\u202e" in messages(app) + notes(app)
        assert_inert(app)

        await run(
            app,
            pilot,
            "DO $$BEGIN RAISE EXCEPTION 'BOOMMARK %', E'\\x1b]52;c;aGk=\\x07[/bold]'; END$$",
        )
        assert "BOOMMARK \\x1b]52;c;aGk=\\x07[/bold]" in notes(app)
        assert_inert(app)


# -------------------------------------------------------------------------- MongoDB


async def test_mongo_hostile_collection_field_names_values_and_errors(mongo_url: str) -> None:
    database = f"hostile_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    collection = "c" + NAME
    client[database][collection].insert_many(
        [{"v": value, NAME: value, "[/]": "[/bold]"} for value in HOSTILE]
    )
    try:
        app = make_app(f"{mongo_url.rstrip('/')}/{database}")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app)
            await expand_catalog(app, lambda ls: any(display_text(collection) in x for x in ls))
            assert_inert(app)
            tree = app.screen.query_one(CatalogTree)
            node = next(n for n in walk(tree.root) if display_text(collection) in str(n.label))
            tree.focus()
            tree.move_cursor(node)
            await settle(app)

            await run(app, pilot, "{}")
            headers, cells = results(app)
            assert display_text(NAME) in headers
            assert "[/]" in headers
            assert_values_escaped(cells, HOSTILE)
            assert "[/bold]" in cells
            assert_inert(app)

            table = app.screen.query_one("#results-table", DataTable)
            table.focus()
            table.move_cursor(row=1, column=headers.index(display_text(NAME)))
            await pilot.press("enter")
            await settle(app)
            assert_inert(app)
            await pilot.press("escape")
            await settle(app)

            before = notes(app)
            await run(app, pilot, '{"$bad[/]\x1b]0;x\x07": 1}')
            assert notes(app) != before, "the server's error is shown"
            assert "\x1b" not in notes(app)
            assert_inert(app)
    finally:
        client.drop_database(database)
        client.close()


# -------------------------------------------------------------------------- Redis


async def test_redis_hostile_keys_fields_values_and_errors(redis_clean: str) -> None:
    client = redis_py.Redis.from_url(redis_clean)
    key = NAME.encode()
    try:
        client.set(key, HOSTILE[1])
        client.set(b"sk", "\x1b]52;c;aGk=\x07[/]\u202e")
        client.hset(b"hk", mapping={v.encode(): v.encode() for v in HOSTILE})
        client.hset(b"[/bold]", b"[/bold]", b"[/]")
    finally:
        client.close()
    app = make_app(redis_clean)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        assert_inert(app)

        await run(app, pilot, "HGETALL hk")
        lines = app.screen.query_one(ReplyView).plain_lines
        assert len(lines) == len(HOSTILE), lines  # one '1# "field" => "value"' line a field
        assert all(line.isprintable() for line in lines)
        assert_inert(app)

        await run(app, pilot, "FOO[/]\x1b]0;x\x07 bar")
        assert "FOO[/]" in notes(app) + messages(app)
        assert "\x1b" not in notes(app)
        assert_inert(app)

        driver = app.sessions[0].driver
        assert isinstance(driver, RedisDriver)
        browser = RedisBrowserScreen(driver, "hostile", None)
        await app.push_screen(browser)
        keys = browser.keys_view
        key_list = browser.key_list
        await until(pilot, lambda: key_list.scan_finished and not key_list.scanning, "the scan")
        await settle(app)
        labels = [str(node.label) for node in walk(keys.root)]
        assert any(format_key(key) in label for label in labels), labels
        assert any("[/bold]" in label for label in labels), labels
        assert_inert(app)

        for name in (b"hk", b"sk"):
            await pilot.press("slash")
            browser.query_one("#rb-filter").value = format_key(name)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await until(pilot, lambda: value_loaded(browser), "the value")
            await settle(app)
            assert_inert(app)
        for _ in range(2):  # auto (hex) -> text -> json (falls back to text)
            await pilot.press("v")
            await settle(app)
            shown = browser.query_one("#vv-text", TextArea).text
            assert "\x1b" not in shown
            assert "\u202e" not in shown
            assert_inert(app)


def value_loaded(browser: RedisBrowserScreen) -> bool:
    """Whether the browser's value pane shows a loaded value."""
    return browser.viewer.info is not None and not browser.viewer.fetching


# -------------------------------------------------------------------------- the real program


class Terminal:
    """``dbtui`` run in a pseudo-terminal (80x24, xterm-256color); every byte it writes kept."""

    def __init__(self, *args: str) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = dict(os.environ, TERM="xterm-256color")
        for var in ("COLUMNS", "LINES", "TEXTUAL", "NO_COLOR"):
            env.pop(var, None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dbtui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.output.extend(data)

    def raw(self) -> bytes:
        with self.lock:
            return bytes(self.output)

    def text(self) -> bytes:
        """The output without CSI sequences (what reads as text on the screen)."""
        return re.sub(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]", b"", self.raw())

    def wait_for(self, marker: bytes, what: str, timeout: float = 60, again: bytes = b"") -> None:
        """Poll until ``marker`` is on screen; fails with the screen's tail otherwise.

        ``again`` is sent every 10 s meanwhile (F5 pressed while the app was still busy
        reading the catalog only gets a "busy" warning).
        """
        deadline = time.monotonic() + timeout
        retry = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"dbtui exited while waiting for {what}"
            if marker in self.text():
                return
            if again and time.monotonic() > retry:
                self.send(again)
                retry = time.monotonic() + 10
            time.sleep(0.05)
        tail = self.text()[-3000:].decode("utf-8", "replace")
        pytest.fail(f"timed out waiting for {what}; screen tail:\n{tail}")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def run(self, statement: bytes, marker: bytes, what: str) -> None:
        """Type ``statement`` as the editor's first line, run it (F5), wait for ``marker``."""
        self.send(b"\x1bOR")  # F3: the editor (the cursor stays where it was: line 1)
        time.sleep(0.2)
        self.send(statement + b";\r\x1b[A")  # a line of its own, then back up onto it
        time.sleep(0.2)
        self.send(b"\x1b[15~")  # F5
        self.wait_for(marker, what, again=b"\x1b[15~")

    def close(self) -> int:
        """Ctrl+Q; returns the exit status (the process is killed if it does not leave)."""
        if self.process.poll() is None:
            self.send(b"\x11")
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.reader.join(5)
        os.close(self.master)
        return self.process.returncode


@pytest.fixture
def terminal() -> Iterator[Callable[..., Terminal]]:
    """Starts ``dbtui`` in a pseudo-terminal; closes whatever was started."""
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        started.append(Terminal(*args))
        return started[-1]

    yield start
    for term in started:
        if term.process.poll() is None:
            term.close()


def assert_raw_inert(term: Terminal) -> None:
    """No hostile sequence and no BEL from data among the bytes written to the terminal."""
    raw = term.raw()
    # Textual's own OSC 22 (pointer shape) ends with BEL; nothing else may.
    own = re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", raw)
    for bad in (b"\x1b]52", b"\x1b]0;", b"\x1b]2;", b"\x1b]8;", b"\x1b]", b"\x07", b"\x00"):
        assert bad not in own, f"{bad!r} reached the terminal"
    assert "\u202e".encode() not in raw
    assert b"\x1b[2J" not in raw


def test_sqlite_in_a_real_terminal(tmp_path: Path, terminal: Callable[..., Terminal]) -> None:
    path = tmp_path / "hostile.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE h (v TEXT)")
        conn.executemany("INSERT INTO h VALUES (?)", [(v,) for v in ("ROWS" + "END", *HOSTILE)])
        conn.execute(f'CREATE TABLE "{NAME}" ("{NAME}" TEXT)')
        conn.execute(f'INSERT INTO "{NAME}" VALUES (?)', ("[/]",))
        conn.execute(f'CREATE VIEW gone AS SELECT * FROM "{NAME}"')
        conn.execute(f'CREATE VIEW fine AS SELECT "{NAME}", 1 AS NAMES{"END"} FROM "{NAME}"')
    term = terminal(f"sqlite://{path}")
    term.wait_for("◆ main".encode(), "the catalog")
    term.run(b"SELECT v FROM h", b"ROWSEND", "the hostile values")
    screen = term.text()
    assert b"\\x1b]0;pwned\\x07" in screen
    assert b"\\x1b]52;c;aGk=\\x07" in screen
    term.run(b"SELECT * FROM fine", b"NAMESEND", "the hostile column name")
    with sqlite3.connect(path) as conn:
        conn.execute(f'DROP TABLE "{NAME}"')
    term.run(b"SELECT * FROM gone", b"no such table", "the error quoting a hostile name")
    assert term.process.poll() is None, "dbtui is still running"
    assert_raw_inert(term)
    assert term.close() == 0


def test_postgres_in_a_real_terminal(
    postgres_db_url: str, terminal: Callable[..., Terminal]
) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE h (v text)")
        with conn.cursor() as cursor:
            rows = [(v,) for v in ("ROWS" + "END", *HOSTILE) if "\x00" not in v]
            cursor.executemany("INSERT INTO h VALUES (%s)", rows)
        conn.execute(f'CREATE TABLE "{NAME}" ("{NAME}" text)')
    term = terminal(postgres_db_url)
    term.wait_for(b"postgres", "the start")
    term.run(b"SELECT v FROM h", b"ROWSEND", "the hostile values")
    assert b"\\x1b]0;pwned\\x07" in term.text()
    term.run(
        b"SELECT * FROM pg_tables WHERE schemaname = 'public'",
        b"tablename",
        "hostile table names as values",
    )
    # Typed text holds no ESC: the server builds it from the E'' escapes. The notice goes
    # to the Messages tab, which the error after it brings to the front.
    term.run(
        b"DO $$BEGIN RAISE NOTICE 'NOTICE%', E'MARK\\x1b]0;pwned\\x07[/]\\u202e'; END$$",
        b"DO",
        "the hostile notice",
    )
    term.run(
        b"SELECT (E'BO' || E'OM\\x1b]52;c;aGk=\\x07[/]')::int",
        b"BOOM\\x1b]52",
        "the error quoting hostile text",
    )
    term.send(b"\x1bOS")  # F4: the output tabs, where Messages is in front
    term.send(b"\x1b[19~")  # F8: zoomed, so the notice line is on screen too
    term.wait_for(b"NOTICEMARK\\x1b]0;pwned\\x07[/]", "the escaped notice")
    assert term.process.poll() is None, "dbtui is still running"
    assert_raw_inert(term)
    assert term.close() == 0


#: The hostile pieces a Redis key name / MongoDB field name and its value hold in the pty tests.
RAW_PIECES = "\x1b]52;c;aGk=\x07" + "\x1b]0;pwned\x07" + "[/]" + "\u202e"


def test_redis_in_a_real_terminal(redis_clean: str, terminal: Callable[..., Terminal]) -> None:
    """The key browser shows a hostile key name and string value escaped, byte by byte."""
    client = redis_py.Redis.from_url(redis_clean)
    try:
        client.set(("KEYMARK" + RAW_PIECES).encode(), ("VALMARK" + RAW_PIECES).encode())
    finally:
        client.close()
    term = terminal(redis_clean)  # a lone Redis connection opens its key browser by itself
    term.wait_for(b"KEYMARK\\x1b]52;c;aGk=\\x07", "the escaped key name")
    term.send(b"/")
    time.sleep(0.3)
    term.send(b"KEYMARK*\r")
    time.sleep(1)
    term.send(b"\x1b[B\r")  # the key: its value
    term.wait_for(b"VALMARK", "the value")
    time.sleep(0.5)
    term.send(b"v")  # auto shows it as hex: text mode
    term.wait_for(b"VALMARK\\x1b]52;c;aGk=\\x07\\x1b]0;pwned\\x07", "the value as text")
    assert term.process.poll() is None, "dbtui is still running"
    assert_raw_inert(term)
    assert term.close() == 0


def test_mongo_in_a_real_terminal(mongo_url: str, terminal: Callable[..., Terminal]) -> None:
    """A collection's hostile field names and values, found by the editor, escaped in the grid."""
    database = f"hostile_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    client[database]["h"].insert_one({"x": "ROWSEND", "F" + RAW_PIECES: "VALMARK" + RAW_PIECES})
    try:
        term = terminal(f"{mongo_url.rstrip('/')}/{database}")

        term.wait_for(b"// F5 runs the command", "the start")
        term.run(b"db.h.find({})", b"ROWSEND", "the hostile document")
        # The pane is narrow at 80 columns: the cells are clipped after a few characters.
        term.wait_for(b"F\\x1b]52", "the escaped field name", timeout=10)
        term.wait_for(b"VALMARK\\x1b]5", "the escaped value", timeout=10)
        assert term.process.poll() is None, "dbtui is still running"
        assert_raw_inert(term)
        assert term.close() == 0
    finally:
        client.drop_database(database)
        client.close()
