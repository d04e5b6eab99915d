"""Benchmark: dbtui's memory stays flat at any position in a huge result and with a huge value.

Measures the resident set size (``VmRSS`` from ``/proc/<pid>/status``) of child
processes, each started fresh, at several positions:

* **PostgreSQL, driver and window**: ``PostgresDriver`` runs
  ``SELECT g, md5(g::text), repeat('x', 100) FROM generate_series(1, 10000000) g``
  and a :class:`~dbtui.core.window.RowWindow` (what the results table holds: 4 pages
  of 500 rows) walks forward page by page to the end, then jumps back to row 1
  (``MOVE ABSOLUTE`` on the SCROLL cursor). RSS is printed every 1,000,000 rows.
* **PostgreSQL, the app**: the real Textual app, headless (``App.run_test``), runs the
  same query and the cursor is moved to the last row held again and again (each time
  the next page comes in and the oldest drops out), to row 100,000 (the issue measured
  133 MB to 268 MB by row 90,500 before the window), then Ctrl+Home re-reads row 1.
* **Redis**: a 200 MiB string is ``SET``; the app runs ``GET big`` in the console,
  Enter opens the value viewer (the first 64 KiB), ``n`` shows the next part.
  RSS after each step (the reply itself, 200 MiB, is held by the result: that is the
  floor; before the viewer was bounded it grew to 8.4 GB and hung).

References, in the same run: ``psql -v FETCH_COUNT=1000`` streaming the same query to
``/dev/null`` (peak RSS, ``VmHWM``), and ``redis-cli GETRANGE big 0 262143`` (peak RSS).

Servers: the test harness's ``PostgresServer`` and ``RedisServer`` (throwaway, in /tmp),
or ``--pg-url`` / ``--redis-url`` to use running ones (the script creates and deletes
the key ``dbtui:bench:big``). No timing is asserted; the script prints Markdown tables.

Usage: ``.venv/bin/python benchmarks/memory_window.py [--rows 10000000] [--app-rows 100000]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIG_KEY = "dbtui:bench:big"
VALUE_MIB = 200


def query(rows: int) -> str:
    return f"select g, md5(g::text), repeat('x', 100) from generate_series(1, {rows}) g"


def rss_mb(pid: int | str = "self", key: str = "VmRSS") -> float:
    """``key`` (VmRSS, VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def shown(obj: object, attr: str) -> object:
    """``obj.attr`` read through a call (the UI changes it while we wait)."""
    return getattr(obj, attr)


def emit(where: str) -> None:
    print(json.dumps({"where": where, "rss": round(rss_mb(), 1)}), flush=True)


# -- children ---------------------------------------------------------------------------------


def child_driver(url: str, rows: int) -> None:
    """Walk a window through the whole result, then back to row 1."""
    from dbtui.core.results import RowsResult
    from dbtui.core.spec import spec_from_url
    from dbtui.core.window import RowWindow
    from dbtui.drivers.postgres import PostgresDriver

    driver = PostgresDriver(spec_from_url(url))
    driver.connect()
    emit("connected")
    result = next(iter(driver.execute(query(rows))))
    assert isinstance(result, RowsResult)
    window: RowWindow[object] = RowWindow(500, 2000)
    window.place(0, result.rows.fetch(500), 500)
    emit("row 1")
    mark = 1_000_000
    started = time.perf_counter()
    while (start := window.page_below()) is not None:
        window.place(start, result.rows.fetch_page(start, 500), 500)
        if window.end >= mark:
            emit(f"row {mark:,}")
            mark += 1_000_000
    emit(f"end (row {window.end:,}, {time.perf_counter() - started:.0f} s)")
    window.place(0, result.rows.fetch_page(0, 500), 500)
    emit(f"back to row {window.start + 1} ({len(window.items)} rows held)")
    result.rows.close()
    driver.close()


async def _app_pg(url: str, rows: int, far: int) -> None:
    from textual.widgets import DataTable

    from dbtui.core.registry import open_driver
    from dbtui.core.spec import spec_from_url
    from dbtui.ui.app import DbtuiApp
    from dbtui.ui.widgets.editor.query_editor import QueryEditor
    from dbtui.ui.widgets.results.view import ResultsView

    spec = spec_from_url(url)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        emit("app started")
        editor = app.screen.query_one(QueryEditor)
        editor.text = query(rows)
        editor.focus()
        await pilot.press("f5")
        view = app.screen.query_one(ResultsView)
        table = app.screen.query_one(DataTable)
        while shown(view, "result") is None or view.fetching:
            await pilot.pause(0.02)
        table.focus()
        emit("row 1")
        mark = far // 5
        while view.first_index + table.row_count < far:
            table.move_cursor(row=table.row_count - 1)
            await pilot.pause(0.01)
            while shown(view, "fetching"):
                await pilot.pause(0.01)
            if view.first_index + table.row_count >= mark:
                emit(f"row {mark:,} (table holds {table.row_count:,})")
                mark += far // 5
        await pilot.press("ctrl+home")
        await pilot.pause(0.05)
        while shown(view, "fetching"):
            await pilot.pause(0.01)
        await pilot.pause(0.2)
        emit(f"Ctrl+Home: row {view.first_index + 1} (table holds {table.row_count:,})")


async def _app_redis(url: str) -> None:
    from dbtui.core.registry import open_driver
    from dbtui.core.spec import spec_from_url
    from dbtui.ui.app import DbtuiApp
    from dbtui.ui.screens.value_viewer import ValueScreen
    from dbtui.ui.widgets.editor.query_editor import QueryEditor
    from dbtui.ui.widgets.results.view import ResultsView

    spec = spec_from_url(url)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        emit("app started")
        editor = app.screen.query_one(QueryEditor)
        editor.text = f"GET {BIG_KEY}"
        editor.focus()
        await pilot.press("f5")
        view = app.screen.query_one(ResultsView)
        while shown(view, "result") is None:
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        emit(f"GET shown ({VALUE_MIB} MiB reply held)")
        view.table.focus()
        started = time.perf_counter()
        await pilot.press("enter")
        while not isinstance(shown(app, "screen"), ValueScreen):
            await pilot.pause(0.02)
        await pilot.pause(0.3)
        emit(f"viewer open ({time.perf_counter() - started:.1f} s)")
        await pilot.press("n")
        await pilot.pause(0.3)
        emit("next part")
        await pilot.press("escape")
        await pilot.pause(0.2)
        emit("viewer closed")


def child(kind: str, url: str, rows: int, far: int) -> None:
    os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="dbtui-bench-"))
    os.environ.setdefault("XDG_DATA_HOME", os.environ["XDG_STATE_HOME"])
    os.environ.setdefault("XDG_CONFIG_HOME", os.environ["XDG_STATE_HOME"])
    if kind == "driver":
        child_driver(url, rows)
    elif kind == "app-pg":
        asyncio.run(_app_pg(url, rows, far))
    else:
        asyncio.run(_app_redis(url))


# -- parent -----------------------------------------------------------------------------------


def run_child(kind: str, url: str, rows: int, far: int) -> list[tuple[str, float]]:
    argv = [sys.executable, __file__, "--child", kind, url, str(rows), str(far)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=REPO)
    points = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            data = json.loads(line)
            points.append((str(data["where"]), float(data["rss"])))
    if proc.returncode:
        print(proc.stderr[-2000:], file=sys.stderr)
    return points


def peak_of(argv: list[str], stdin: str | None = None) -> float:
    """Peak RSS (MB) of a reference command, as GNU ``/usr/bin/time -f %M`` reports it.

    (``wait4`` from here would report this Python process's size: ``ru_maxrss`` counts
    the forked child before it ran ``exec``. ``time`` is a small C program.)
    """
    if not Path("/usr/bin/time").exists():
        return float("nan")
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "PEAK %M", *argv],
        input=stdin or "",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    for line in proc.stderr.splitlines():
        if line.startswith("PEAK "):
            return int(line.split()[1]) / 1024
    return float("nan")


def table(title: str, points: list[tuple[str, float]]) -> None:
    print(f"\n**{title}**\n\n| position | RSS MB |\n|---|---:|")
    for where, rss in points:
        print(f"| {where} | {rss:.1f} |")


def measure(pg_url: str, redis_url: str, rows: int, far: int) -> None:
    import redis

    table(f"PostgreSQL, driver + window, {rows:,} rows", run_child("driver", pg_url, rows, far))
    if shutil.which("psql"):
        sql = f"\\o /dev/null\n{query(rows)};\n"
        psql = ["psql", "-X", "-q", "-A", "-t", "-v", "FETCH_COUNT=1000", pg_url]
        print(f"\nReference: psql FETCH_COUNT=1000, whole result: peak {peak_of(psql, sql):.1f} MB")
    table(f"PostgreSQL, the app, to row {far:,} and back", run_child("app-pg", pg_url, rows, far))
    client = redis.Redis.from_url(redis_url)
    client.set(BIG_KEY, b"v" * (VALUE_MIB * 1024 * 1024))
    try:
        table(f"Redis, the app, a {VALUE_MIB} MiB string", run_child("app-redis", redis_url, 0, 0))
        if shutil.which("redis-cli"):
            cli = ["redis-cli", "-u", redis_url, "GETRANGE", BIG_KEY, "0", str(64 * 1024 - 1)]
            print(f"\nReference: redis-cli GETRANGE (64 KiB): peak {peak_of(cli):.1f} MB")
            whole = ["redis-cli", "-u", redis_url, "GET", BIG_KEY]
            print(f"Reference: redis-cli GET (the whole value): peak {peak_of(whole):.1f} MB")
    finally:
        client.delete(BIG_KEY)
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--app-rows", type=int, default=100_000, help="how far the app scrolls")
    parser.add_argument("--pg-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--child", nargs=4, metavar=("KIND", "URL", "ROWS", "FAR"), help="internal")
    args = parser.parse_args()
    if args.child:
        kind, url, rows, far = args.child
        child(kind, url, int(rows), int(far))
        return 0
    sys.path.insert(0, str(REPO / "tests"))
    from harness.postgres import PostgresServer
    from harness.redis import RedisServer

    servers: list[PostgresServer | RedisServer] = []
    try:
        pg_url, redis_url = args.pg_url, args.redis_url
        if pg_url is None:
            servers.append(PostgresServer())
            servers[-1].start()
            pg_url = servers[-1].url
        if redis_url is None:
            servers.append(RedisServer())
            servers[-1].start()
            redis_url = servers[-1].url
        measure(pg_url, redis_url, args.rows, args.app_rows)
        return 0
    finally:
        for server in servers:
            server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
