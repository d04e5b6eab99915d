"""Rows on SQL engines: launch, first rows of a big SELECT, CSV export, whole-result stream.

Each measurement of dbtui is a fresh ``dbtui`` in a fresh tmux pane; the peers likewise.
In each round dbtui and the peers take turns, the order reversed every other round.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from onscreen import tmux
from onscreen.bench import Bench
from onscreen.report import RowResult
from onscreen.setup import DBTUI, load_pg, make_sqlite, peer

ROW_LINE = re.compile(r"\brow \d+\b")
"""Any data row of the benchmark tables: the start of the label column, ``row 123 <md5>``
(dbtui may show the column too narrow for the md5)."""
BIG = "t_big"
STREAM_ROUNDS = 3
"""At most this many rounds for the whole-result stream (minutes per round at 5M rows)."""
EXPORT = "t_export"


def has_rows(screen: str) -> bool:
    """True when a data row of a benchmark table is on the screen."""
    return ROW_LINE.search(screen) is not None


def alternate(rounds: int, steps: Sequence[Callable[[], None]]) -> None:
    """Run every step once per round, in reverse order every other round."""
    for index in range(rounds):
        for step in steps if index % 2 == 0 else list(reversed(steps)):
            step()


def dbtui_pane(bench: Bench, url: str) -> tmux.Pane:
    """A started dbtui on ``url``, connected (its catalog shows the connection's children)."""
    pane = bench.pane([str(DBTUI), url])
    pane.launch()
    pane.settle(tmux.contains("◆ "), timeout=60)
    return pane


def dbtui_query(pane: tmux.Pane, sql: str) -> None:
    """Replace the editor's text with ``sql`` (focus on the editor, cursor on the text)."""
    pane.keys("F3")
    time.sleep(0.2)
    pane.keys("C-Home", *(["S-Down"] * 30), "S-End", "BSpace")
    time.sleep(0.3)
    pane.type(sql)
    pane.settle(tmux.contains(sql))


def launch(bench: Bench) -> RowResult:
    """Launch to a usable screen: the same SQLite file in dbtui and harlequin; pgcli's prompt."""
    row = RowResult(
        "launch",
        "launch to a usable screen, same SQLite file, 120x40",
        goal="<= 0.5x harlequin; <= 1.5x pgcli's prompt",
        note="dbtui: catalog connected and editor text shown; harlequin: catalog and "
        "editor; pgcli: its prompt on the PostgreSQL server",
    )
    db = bench.tmp / "launch.db"
    make_sqlite(db)

    def timed(argv: list[str], check: tmux.Check) -> float:
        pane = bench.pane(argv)
        try:
            return pane.wait(check, pane.launch(), timeout=60)
        finally:
            pane.close()

    dbtui_ready = lambda s: "◆ main" in s and "sqlite_schema" in s  # noqa: E731
    harlequin_ready = lambda s: "▶ main" in s and "Run Query" in s  # noqa: E731
    pgcli_ready = lambda s: "@127.0.0.1:postgres>" in s  # noqa: E731
    pgcli = [peer("pgcli"), "--less-chatty", bench.pg_url()]
    harlequin = [peer("harlequin"), "-a", "sqlite", str(db)]
    timed([str(DBTUI), f"sqlite:///{db}"], dbtui_ready)  # untimed warm-up of each
    timed(harlequin, harlequin_ready)
    timed(pgcli, pgcli_ready)
    alternate(
        bench.sizes.rounds,
        [
            lambda: row.dbtui.append(timed([str(DBTUI), f"sqlite:///{db}"], dbtui_ready)),
            lambda: row.anchor("harlequin").samples.append(timed(harlequin, harlequin_ready)),
            lambda: row.anchor("pgcli prompt").samples.append(timed(pgcli, pgcli_ready)),
        ],
    )
    return row


def _cli_first_rows(bench: Bench, argv: list[str], prompt: str, sql: str) -> float:
    """Seconds from Enter to the first data row on screen in psql or pgcli."""
    pane = bench.pane(argv)
    pane.launch()
    try:
        pane.settle(tmux.contains(prompt), timeout=60)
        pane.type(sql)
        pane.settle(tmux.contains(sql))
        return pane.wait(has_rows, pane.keys("Enter"), timeout=300)
    finally:
        pane.close()


def _dbtui_first_rows(bench: Bench, sql: str) -> float:
    """Seconds from F5 to the first data row on screen in dbtui."""
    pane = dbtui_pane(bench, bench.pg_url())
    try:
        dbtui_query(pane, sql)
        return pane.wait(has_rows, pane.keys("F5"), timeout=300)
    finally:
        pane.close()


def first_rows(bench: Bench) -> RowResult:
    """F5 on ``SELECT * FROM t_big``: time to the first rows on screen, vs psql and pgcli."""
    rows = bench.sizes.pg_rows
    load_pg(bench.pg_url(), {BIG: rows})
    row = RowResult(
        "pg-first-rows",
        f"F5 on `SELECT *` of a {rows:,}-row table: first rows on screen",
        goal="<= 100 ms",
        note="psql -v FETCH_COUNT=1000 (aligned); pgcli as installed (row limit 1000)",
    )
    sql = f"SELECT * FROM {BIG}"
    psql = ["psql", "-X", "-v", "FETCH_COUNT=1000", "-P", "pager=off", bench.pg_url()]
    pgcli = [peer("pgcli"), "--less-chatty", bench.pg_url()]
    _dbtui_first_rows(bench, sql)  # warm-up: the table is in the server's cache afterwards
    alternate(
        bench.sizes.rounds,
        [
            lambda: row.dbtui.append(_dbtui_first_rows(bench, sql)),
            lambda: row.anchor("psql").samples.append(
                _cli_first_rows(bench, psql, "postgres=#", sql + ";")
            ),
            lambda: row.anchor("pgcli").samples.append(
                _cli_first_rows(bench, pgcli, "@127.0.0.1:postgres>", sql + ";")
            ),
        ],
    )
    return row


def _count_lines(path: Path) -> int:
    """Lines in a file (the rows of a CSV export plus its header)."""
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _dbtui_export(bench: Bench, table: str, rows: int, timeout: float) -> float:
    """Seconds from Ctrl+S in dbtui's export dialog to "Exported" on screen (UI route).

    The whole result of ``SELECT * FROM table`` is exported to CSV: the rows already
    loaded, then the rest streamed from the server. The file is checked and deleted.
    """
    for old in bench.home.glob("dbtui-export-*"):
        old.unlink()
    pane = dbtui_pane(bench, bench.pg_url())
    try:
        dbtui_query(pane, f"SELECT * FROM {table}")
        pane.keys("F5")
        pane.settle(has_rows, timeout=300)
        time.sleep(0.3)
        pane.keys("F4")
        time.sleep(0.3)
        pane.keys("e")
        pane.settle(tmux.contains("Ctrl+S exports"))
        seconds = pane.wait(tmux.contains("Exported "), pane.keys("C-s"), timeout=timeout)
    finally:
        pane.close()
    files = list(bench.home.glob("dbtui-export-*"))
    if len(files) != 1 or _count_lines(files[0]) != rows + 1:
        raise RuntimeError(f"dbtui export wrote {files!r}, not {rows + 1:,} lines")
    files[0].unlink()
    return seconds


def _timed_run(argv: list[str], out: Path | None = None) -> float:
    """Wall-clock seconds of a command (start-up and connecting included)."""
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if out is not None:
        out.unlink()
    return seconds


def export(bench: Bench) -> RowResult:
    """Export ``t_export`` to CSV: dbtui's dialog vs ``psql \\copy`` and ``psql --csv``."""
    rows = bench.sizes.export_rows
    load_pg(bench.pg_url(), {EXPORT: rows})
    row = RowResult(
        "export",
        f"export {rows:,} rows to CSV",
        goal="<= 2x `psql \\copy`",
        note="dbtui through its UI (F5, F4, e, Ctrl+S until the 'Exported' notice); psql "
        "timed as whole commands (start-up and connecting included)",
    )
    out = bench.tmp / "export.csv"
    url = bench.pg_url()
    copy = ["psql", "-X", "-q", url, "-c", f"\\copy {EXPORT} TO '{out}' CSV HEADER"]
    csv = ["psql", "-X", "-q", "--csv", "-o", str(out), "-c", f"SELECT * FROM {EXPORT}", url]
    timeout = max(120.0, rows / 10_000)
    alternate(
        bench.sizes.rounds,
        [
            lambda: row.dbtui.append(_dbtui_export(bench, EXPORT, rows, timeout)),
            lambda: row.anchor("psql \\copy").samples.append(_timed_run(copy, out)),
            lambda: row.anchor("psql --csv").samples.append(_timed_run(csv, out)),
        ],
    )
    return row


def stream(bench: Bench) -> RowResult:
    """Read the whole ``t_big`` result: dbtui's export (the UI path reading every row) vs psql."""
    rows = bench.sizes.pg_rows
    load_pg(bench.pg_url(), {BIG: rows})
    row = RowResult(
        "stream",
        f"stream a whole {rows:,}-row result (to a file)",
        goal="<= 1.5x psql",
        note="dbtui: CSV export of the whole result through the UI (no other UI path reads "
        f"every row); psql -A -v FETCH_COUNT=1000 -o file, whole command; at most "
        f"{STREAM_ROUNDS} rounds",
    )
    out = bench.tmp / "stream.txt"
    psql = ["psql", "-X", "-q", "-A", "-v", "FETCH_COUNT=1000", "-o", str(out)]
    psql += ["-c", f"SELECT * FROM {BIG}", bench.pg_url()]
    timeout = max(300.0, rows / 10_000)
    alternate(
        min(bench.sizes.rounds, STREAM_ROUNDS),
        [
            lambda: row.dbtui.append(_dbtui_export(bench, BIG, rows, timeout)),
            lambda: row.anchor("psql FETCH_COUNT=1000").samples.append(_timed_run(psql, out)),
        ],
    )
    return row
