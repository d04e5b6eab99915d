"""Benchmark: dbtui's PostgreSQL streaming against ``psql`` with ``FETCH_COUNT=1000``.

Starts a throwaway PostgreSQL server (the test harness's ``PostgresServer``: initdb in
/tmp, fsync off, run as the ``postgres`` user when we are root), loads UNLOGGED tables of
100k, 1M and 5M rows (int, text, timestamptz, numeric; one ``INSERT ... SELECT`` from
``generate_series`` each, then ``VACUUM (FREEZE, ANALYZE)`` so that no measured scan pays
for setting hint bits), and measures ``SELECT * FROM <table>`` in the same run, side by
side, alternating which tool goes first in each round:

* **first page**: time until the first 500 rows are in the client's hands, and the peak
  RSS (``VmHWM``) of the client process at that moment;
* **whole result**: time to stream every row, page by page, and the peak RSS afterwards.

Every measurement is a fresh child process, so peaks are independent: for dbtui a child
Python process (``pg_stream.py --child``) that connects with ``PostgresDriver``, runs
``execute()`` and calls ``rows.fetch(500)`` (until exhausted for the whole result); for
the reference a ``psql -X -q -A -t -v FETCH_COUNT=1000`` process. Fairness:

* Both clients are started and connected first; the child says ``READY`` (psql through
  ``\\echo READY``, which it flushes) and only then does the clock start. Process start,
  Python imports and connecting are therefore excluded for both sides; the times cover
  sending the query, the server's work, the transfer and the client's decoding.
* The clock is the parent's, for both: it starts when the parent writes the go signal or
  the query to the child's stdin, and stops when it reads the child's answer on stdout:
  for dbtui the line the child prints once ``fetch(500)`` returned, for psql the 500th
  row line (psql fetched its first 1000-row chunk by then: with ``FETCH_COUNT=1000`` it
  cannot print anything sooner, and that is the reference as specified). For the whole
  result psql writes rows to ``/dev/null`` (``\\o /dev/null``) and the clock stops at the
  ``\\echo DONE`` that follows the query; dbtui decodes every row into Python values
  (``Decimal``, aware ``datetime``), psql formats them as unaligned text.
* Peak memory is ``VmHWM`` from ``/proc/<pid>/status`` of the child, read by the parent
  right after the answer arrives. The dbtui child is a whole Python interpreter with
  psycopg, pglast and dbtui imported, so its idle RSS (printed too) is far above psql's;
  what must stay flat is the peak across table sizes.

Medians of ``--repeats`` runs are printed as Markdown tables with the dbtui/psql ratio,
then whether time to first page and peak memory stay flat as the table grows (5M vs
100k: time within 2x + 5 ms, peak RSS within 10% + 4 MB).

Usage: ``.venv/bin/python benchmarks/pg_stream.py [--sizes 100k,1m,5m] [--repeats 5]``
(about 4 minutes on 2 cores with the defaults).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
PAGE = 500
"""Rows in the first page (the driver's FETCH size)."""
FETCH_COUNT = 1000
SIZES = {"100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}
LOAD = """
CREATE UNLOGGED TABLE {table} (id int, label text, created timestamptz, amount numeric(12,2));
INSERT INTO {table}
SELECT g, 'row ' || g || ' ' || md5(g::text),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
       round((g::bigint * 7919 % 10000000) / 100.0, 2)
FROM generate_series(1, {rows}) AS g;
"""


# -- the dbtui child ------------------------------------------------------------------------


def child(mode: str, url: str, table: str) -> None:
    """Run in the child: connect, say READY, wait for "go", then stream and report rows."""
    from dbtui.core.results import RowsResult
    from dbtui.core.spec import spec_from_url
    from dbtui.drivers.postgres import PostgresDriver

    driver = PostgresDriver(spec_from_url(url))
    driver.connect()
    print("READY", flush=True)
    sys.stdin.readline()
    result = next(iter(driver.execute(f"SELECT * FROM {table}")))
    assert isinstance(result, RowsResult)
    rows = len(result.rows.fetch(PAGE))
    if mode == "full":
        while not result.rows.exhausted:
            rows += len(result.rows.fetch(PAGE))
    print(f"ROWS {rows}", flush=True)
    sys.stdin.readline()
    result.rows.close()
    driver.close()


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Sample:
    """One measurement: seconds on the parent's clock, peak and idle RSS in KiB, rows seen."""

    seconds: float
    peak_kb: int
    idle_kb: int
    rows: int


def proc_kb(pid: int, key: str) -> int:
    """``VmHWM``/``VmRSS`` (KiB) of a live process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} missing for pid {pid}")


def expect(proc: subprocess.Popen[bytes], word: bytes) -> bytes:
    """Read one stdout line of ``proc`` and check it starts with ``word``."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith(word):
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"expected {word!r} from {proc.args!r}, got {line!r}\n{err}")
    return line


def send(proc: subprocess.Popen[bytes], text: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(text.encode())
    proc.stdin.flush()


def finish(proc: subprocess.Popen[bytes]) -> None:
    """Let the child end (stdin closed), killing it if it lingers."""
    try:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
    except (BrokenPipeError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()


def popen(argv: list[str]) -> subprocess.Popen[bytes]:
    pipe = subprocess.PIPE
    return subprocess.Popen(argv, stdin=pipe, stdout=pipe, stderr=pipe, cwd=REPO)


def run_dbtui(mode: str, url: str, table: str) -> Sample:
    """One dbtui child: time from "go" to its ROWS line, then its VmHWM."""
    proc = popen([sys.executable, __file__, "--child", mode, url, table])
    try:
        expect(proc, b"READY")
        idle = proc_kb(proc.pid, "VmRSS")
        start = time.perf_counter()
        send(proc, "go\n")
        line = expect(proc, b"ROWS")
        seconds = time.perf_counter() - start
        peak = proc_kb(proc.pid, "VmHWM")
        send(proc, "quit\n")
    finally:
        finish(proc)
    return Sample(seconds, peak, idle, int(line.split()[1]))


def run_psql(mode: str, url: str, table: str) -> Sample:
    """One psql child: time from sending the query to the 500th row (or DONE), then VmHWM."""
    argv = ["psql", "-X", "-q", "-A", "-t", "-v", f"FETCH_COUNT={FETCH_COUNT}", "-v"]
    proc = popen([*argv, "ON_ERROR_STOP=1", "-d", url])
    assert proc.stdout is not None
    try:
        send(proc, ("\\o /dev/null\n" if mode == "full" else "") + "\\echo READY\n")
        expect(proc, b"READY")
        idle = proc_kb(proc.pid, "VmRSS")
        start = time.perf_counter()
        if mode == "full":
            send(proc, f"SELECT * FROM {table};\n\\echo DONE :ROW_COUNT\n")
            rows = int(expect(proc, b"DONE").split()[1])
        else:
            send(proc, f"SELECT * FROM {table};\n")
            rows = sum(1 for _ in range(PAGE) if proc.stdout.readline())
        seconds = time.perf_counter() - start
        peak = proc_kb(proc.pid, "VmHWM")
    finally:
        if mode == "first":
            proc.kill()  # it would go on printing the rest of the table
        finish(proc)
    return Sample(seconds, peak, idle, rows)


# -- the run --------------------------------------------------------------------------------


@dataclass
class Case:
    """All samples of one (table, mode, tool)."""

    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(float(getattr(s, attr)) for s in self.samples)


def load(url: str, sizes: list[str]) -> dict[str, int]:
    """Create and fill one table per size; returns table name -> row count."""
    tables = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for size in sizes:
            table, rows = f"t_{size}", SIZES[size]
            start = time.perf_counter()
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            for stmt in LOAD.format(table=table, rows=rows).split(";")[:-1]:
                conn.execute(stmt)
            conn.execute(f"VACUUM (FREEZE, ANALYZE) {table}")
            print(f"loaded {table}: {rows:,} rows in {time.perf_counter() - start:.1f} s")
            tables[table] = rows
    return tables


def measure(url: str, tables: dict[str, int], repeats: int) -> dict[tuple[str, str, str], Case]:
    """Every case ``repeats`` times, rounds outermost, tools alternating who goes first."""
    cases: dict[tuple[str, str, str], Case] = {}
    runners = {"dbtui": run_dbtui, "psql": run_psql}
    for rnd in range(repeats):
        start = time.perf_counter()
        for table, rows in tables.items():
            for mode in ("first", "full"):
                order = ["dbtui", "psql"] if rnd % 2 == 0 else ["psql", "dbtui"]
                for tool in order:
                    sample = runners[tool](mode, url, table)
                    want = PAGE if mode == "first" else rows
                    if sample.rows != want:
                        raise RuntimeError(f"{tool} {mode} {table}: {sample.rows} rows != {want}")
                    cases.setdefault((table, mode, tool), Case()).samples.append(sample)
        print(f"round {rnd + 1}/{repeats}: {time.perf_counter() - start:.1f} s", flush=True)
    return cases


def mb(kb: float) -> str:
    return f"{kb / 1024:.1f}"


def report(cases: dict[tuple[str, str, str], Case], tables: dict[str, int], n: int) -> None:
    """Print the Markdown tables of medians and ratios."""
    print(f"\n### Time to first page ({PAGE} rows), median of {n}\n")
    print("| table | rows | dbtui ms | psql ms | dbtui/psql | dbtui peak MB (idle) "
          "| psql peak MB (idle) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for table, rows in tables.items():
        d, p = cases[table, "first", "dbtui"], cases[table, "first", "psql"]
        dt, pt = d.median("seconds") * 1000, p.median("seconds") * 1000
        print(f"| {table} | {rows:,} | {dt:.1f} | {pt:.1f} | {dt / pt:.2f} "
              f"| {mb(d.median('peak_kb'))} ({mb(d.median('idle_kb'))}) "
              f"| {mb(p.median('peak_kb'))} ({mb(p.median('idle_kb'))}) |")  # fmt: skip
    print(f"\n### Whole result, page by page, median of {n}\n")
    print("| table | rows | dbtui s | psql s | dbtui/psql | dbtui rows/s | psql rows/s "
          "| dbtui peak MB | psql peak MB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for table, rows in tables.items():
        d, p = cases[table, "full", "dbtui"], cases[table, "full", "psql"]
        ds, ps = d.median("seconds"), p.median("seconds")
        print(f"| {table} | {rows:,} | {ds:.2f} | {ps:.2f} | {ds / ps:.2f} "
              f"| {rows / ds:,.0f} | {rows / ps:,.0f} "
              f"| {mb(d.median('peak_kb'))} | {mb(p.median('peak_kb'))} |")  # fmt: skip


def show(value: float, attr: str) -> str:
    """A median as "12.3 ms" (seconds) or "41.7 MB" (KiB)."""
    return f"{value * 1000:.1f} ms" if attr == "seconds" else f"{mb(value)} MB"


def flatness(cases: dict[tuple[str, str, str], Case], tables: dict[str, int]) -> bool:
    """Print whether first-page time and peak RSS stay flat from the smallest to the largest."""
    small, large = min(tables, key=tables.__getitem__), max(tables, key=tables.__getitem__)
    ok = True
    print(f"\n### Flat as the table grows ({small} -> {large})\n")
    for tool in ("dbtui", "psql"):
        for mode, attr, label in (
            ("first", "seconds", "time to first page"),
            ("first", "peak_kb", "peak RSS at first page"),
            ("full", "peak_kb", "peak RSS after all rows"),
        ):
            a, b = cases[small, mode, tool].median(attr), cases[large, mode, tool].median(attr)
            limit = 2 * a + 0.005 if attr == "seconds" else 1.10 * a + 4096
            holds = b <= limit
            ok = ok and (holds or tool != "dbtui")
            shown = f"{show(a, attr)} -> {show(b, attr)}"
            print(f"- {tool} {label}: {shown}: {'holds' if holds else 'GROWS'}")
    return ok


def machine(url: str) -> None:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version()").fetchone()
    psql = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"nproc {os.cpu_count()}, Python {sys.version.split()[0]}, psycopg "
          f"{psycopg.__version__} ({psycopg.pq.__impl__}), {psql}")  # fmt: skip
    print(f"server: {row[0] if row else '?'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k,1m,5m", help="comma list of " + ",".join(SIZES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "URL", "TABLE"), help="internal")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if shutil.which("psql") is None:
        print("psql not found on PATH", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO / "tests"))
    from harness.postgres import PostgresServer  # type: ignore[import-not-found]

    server = PostgresServer()
    try:
        server.start()
        machine(server.url)
        tables = load(server.url, args.sizes.split(","))
        cases = measure(server.url, tables, args.repeats)
        report(cases, tables, args.repeats)
        return 0 if flatness(cases, tables) else 1
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
