"""Export and copy from the Results tab, driven through Pilot, read back from the files written."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import uuid
from pathlib import Path

import pymongo
import pytest
from bson import Binary, json_util
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select
from uitools import settle

from dbtui.core.registry import open_driver
from dbtui.core.results import Column, RowsResult, Stream
from dbtui.core.spec import spec_from_url
from dbtui.ui import export_job
from dbtui.ui.app import DbtuiApp
from dbtui.ui.export_job import (
    ClipboardTooBig,
    ExportCancelled,
    ExportRequest,
    guess_table,
    run_export,
    source_of,
    table_parts,
)
from dbtui.ui.screens.export_dialog import ExportScreen
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.results.view import ResultsView

ROWS = [
    (1, "plain", b"\x00\x01\xff", 2.5),
    (2, None, None, None),
    (3, "", b"", 0.0),
    (4, 'ünïcødé ✓ 日本, "quoted"\nnew line', b"\xde\xad\xbe\xef", -1.25),
]


@pytest.fixture
def mixed_db(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT, data BLOB, x REAL)")
        conn.executemany("INSERT INTO things VALUES (?, ?, ?, ?)", ROWS)
        conn.execute("CREATE TABLE big (n INTEGER PRIMARY KEY, word TEXT)")
        conn.executemany("INSERT INTO big VALUES (?, ?)", [(i, f"w{i}") for i in range(10_000)])
    return path


def app_for(url: str) -> DbtuiApp:
    spec = spec_from_url(url)
    return DbtuiApp([(spec, open_driver(spec))])


async def run(app: DbtuiApp, pilot: Pilot[int], statement: str) -> DataTable[object]:
    editor = app.screen.query_one(QueryEditor)
    editor.text = statement
    editor.move_cursor((0, 0))
    editor.focus()
    await pilot.press("f5")
    await settle(app)
    table = app.screen.query_one("#results-table", DataTable)
    table.focus()
    return table


async def export(app: DbtuiApp, pilot: Pilot[int], fmt_steps: int, path: Path | None) -> None:
    """Press e, pick the format ``fmt_steps`` below the first, a file or the clipboard, go."""
    await pilot.press("e")
    await settle(app)  # a window past row 1 re-reads row 1 first
    dialog = app.screen
    assert isinstance(dialog, ExportScreen)
    await pilot.press("enter", *(["down"] * fmt_steps), "enter")
    await pilot.pause()
    if path is None:
        dialog.query_one("#export-to", Select).value = "clipboard"
    else:
        dialog.query_one("#export-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await settle(app)
    assert not isinstance(app.screen, ExportScreen), "the dialog stayed open"


async def test_every_row_format_round_trips_nulls_unicode_and_binary(
    mixed_db: Path, tmp_path: Path
) -> None:
    app = app_for(f"sqlite://{mixed_db}")
    async with app.run_test(size=(80, 24)) as pilot:
        await run(app, pilot, "SELECT id, label, data, x FROM things ORDER BY id")
        files = {name: tmp_path / f"out.{name}" for name in ("csv", "json", "md", "sql")}
        for steps, name in enumerate(files):
            await export(app, pilot, steps, files[name])

    text = files["csv"].read_text(encoding="utf-8")
    assert text.splitlines()[0] == "id,label,data,x"
    assert "\n2,,,\n" in text  # NULLs are empty unquoted fields
    assert '\n3,"",\\x,0.0\n' in text  # the empty string is quoted, empty bytes are \x
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[4] == ["4", ROWS[3][1], "\\xdeadbeef", "-1.25"]

    objects = json.loads(files["json"].read_text(encoding="utf-8"))
    assert objects[1] == {"id": 2, "label": None, "data": None, "x": None}
    assert objects[3]["label"] == ROWS[3][1]
    assert objects[0]["data"] == "\\x0001ff"

    lines = files["md"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == "| id | label | data | x |"
    assert lines[3] == "| 2 | *NULL* | *NULL* | *NULL* |"
    assert "ünïcødé ✓ 日本" in lines[5]
    assert "<br>" in lines[5]

    check = sqlite3.connect(":memory:")
    check.execute("CREATE TABLE things (id INTEGER, label TEXT, data BLOB, x REAL)")
    check.executescript(files["sql"].read_text(encoding="utf-8"))
    assert check.execute("SELECT * FROM things ORDER BY id").fetchall() == ROWS


async def test_a_big_result_exports_every_row_though_500_are_loaded(
    mixed_db: Path, tmp_path: Path
) -> None:
    app = app_for(f"sqlite://{mixed_db}")
    target = tmp_path / "big.csv"
    async with app.run_test(size=(80, 24)) as pilot:
        table = await run(app, pilot, "SELECT n, word FROM big ORDER BY n")
        assert table.row_count == 500
        await export(app, pilot, 0, target)
        view = app.screen.query_one(ResultsView)
        assert view.read_elsewhere == 0  # the stream can seek: paging goes on after an export
        table.move_cursor(row=499)
        await settle(app)
        assert table.row_count == 1000
        assert table.get_cell_at(Coordinate(500, 0)) == "500"  # no gap
        await pilot.press("e")  # and a second export is possible
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 10_001
    assert lines[1] == "0,w0"
    assert lines[-1] == "9999,w9999"


async def test_an_export_from_a_window_past_row_1_reads_row_1_again(
    mixed_db: Path, tmp_path: Path
) -> None:
    app = app_for(f"sqlite://{mixed_db}")
    target = tmp_path / "window.csv"
    async with app.run_test(size=(80, 24)) as pilot:
        table = await run(app, pilot, "SELECT n, word FROM big ORDER BY n")
        view = app.screen.query_one(ResultsView)
        for _ in range(6):
            table.move_cursor(row=table.row_count - 1)
            await settle(app)
        assert view.first_index > 0
        await export(app, pilot, 0, target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 10_001
    assert lines[1] == "0,w0"
    assert lines[-1] == "9999,w9999"


async def test_clipboard_export_and_copying_a_cell_row_and_column(mixed_db: Path) -> None:
    app = app_for(f"sqlite://{mixed_db}")
    async with app.run_test(size=(80, 24)) as pilot:
        table = await run(app, pilot, "SELECT id, label, data FROM things ORDER BY id")
        await export(app, pilot, 1, None)  # JSON to the clipboard
        assert json.loads(app.clipboard)[3]["label"] == ROWS[3][1]
        table.move_cursor(row=3, column=1)
        await pilot.press("c")
        assert app.clipboard == ROWS[3][1]
        await pilot.press("C")
        assert app.clipboard == "4\t" + str(ROWS[3][1]).replace("\n", "\\n") + "\t\\xdeadbeef"
        table.move_cursor(row=1, column=2)
        await pilot.press("c")
        assert app.clipboard == ""  # NULL copies as empty text
        await pilot.press("Y")
        assert app.clipboard == "\\x0001ff\n\n\\x\n\\xdeadbeef"


async def test_sql_export_asks_for_a_table_and_guesses_it(mixed_db: Path, tmp_path: Path) -> None:
    app = app_for(f"sqlite://{mixed_db}")
    async with app.run_test(size=(80, 24)) as pilot:
        await run(app, pilot, "SELECT id FROM things WHERE id < 3")
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#export-format", Select).value = "sql"
        await pilot.pause()
        table_input = dialog.query_one("#export-table", Input)
        assert table_input.value == "things"
        assert dialog.query_one("#export-table-row").display
        assert str(dialog.query_one("#export-path", Input).value).endswith(".sql")
        table_input.value = "archive.things"
        dialog.query_one("#export-path", Input).value = str(tmp_path / "x.sql")
        await pilot.press("ctrl+s")
        await settle(app)
    text = (tmp_path / "x.sql").read_text(encoding="utf-8")
    assert text.splitlines()[0] == 'INSERT INTO "archive"."things" ("id") VALUES (1);'


async def test_bad_destinations_are_reported_in_the_dialog(mixed_db: Path, tmp_path: Path) -> None:
    app = app_for(f"sqlite://{mixed_db}")
    async with app.run_test(size=(80, 24)) as pilot:
        await run(app, pilot, "SELECT id FROM things")
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#export-path", Input).value = str(tmp_path / "missing" / "x.csv")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "No such directory" in str(dialog.query_one("#export-status").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, ExportScreen)


async def test_documents_export_as_extended_json(mongo_url: str, tmp_path: Path) -> None:
    name = f"exp_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongo_url)
    docs: list[dict[str, object]] = [
        {"_id": 1, "name": "ünïcødé ✓", "blob": Binary(b"\x00\xff"), "gone": None},
        {"_id": 2, "name": None, "nested": {"a": [1, 2.5, "x"]}},
    ]
    client[name].things.insert_many(docs)
    stored = list(client[name].things.find({}).sort("_id"))  # binary subtype 0 reads as bytes
    target = tmp_path / "docs.json"
    try:
        app = app_for(f"{mongo_url.rstrip('/')}/{name}")
        async with app.run_test(size=(80, 24)) as pilot:
            await run(app, pilot, "db.things.find({}).sort({_id: 1})")
            await export(app, pilot, 0, target)  # Extended JSON comes first for documents
    finally:
        client.drop_database(name)
        client.close()
    assert json_util.loads(target.read_text(encoding="utf-8")) == stored
    assert stored[0]["blob"] == b"\x00\xff"
    assert stored[1]["name"] is None


def test_cancel_deletes_the_partial_file(tmp_path: Path) -> None:
    rows: Stream[tuple[object, ...]] = Stream(iter([(i,) for i in range(5_000)]))
    result = RowsResult("SELECT n FROM t", (Column("n"),), rows)
    loaded = rows.fetch(500)
    source = source_of(result, loaded, "postgresql")
    assert source is not None
    cancelled = threading.Event()
    seen: list[int] = []

    def progress(count: int) -> None:
        seen.append(count)
        if count >= 1_000:
            cancelled.set()

    target = tmp_path / "partial.csv"
    with pytest.raises(ExportCancelled):
        run_export(source, ExportRequest("csv", target), cancelled, progress)
    assert not target.exists()
    assert seen == [500, 1_000]


def test_table_name_guess_and_parts() -> None:
    assert guess_table('SELECT * FROM public."Order Items" oi') == 'public."Order Items"'
    assert guess_table("select 1") == "exported_rows"
    assert table_parts("public.orders") == ("public", "orders")
    assert table_parts('"odd.name"') == "odd.name"


def test_clipboard_export_stops_at_the_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_job, "CLIPBOARD_LIMIT", 1_000)
    rows: Stream[tuple[object, ...]] = Stream(iter([(i, "x" * 20) for i in range(1_000)]))
    result = RowsResult("SELECT * FROM t", (Column("n"), Column("s")), rows)
    source = source_of(result, rows.fetch(10), "sqlite")
    assert source is not None
    with pytest.raises(ClipboardTooBig):
        run_export(source, ExportRequest("csv", None), threading.Event(), lambda count: None)
