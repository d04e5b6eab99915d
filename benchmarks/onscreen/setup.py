"""What the measurements need: the peers' venv, system tools, servers and data.

The peers (harlequin, pgcli, iredis; pinned) go into ``benchmarks/.peers-venv``, never
into the project's ``.venv``. psql, redis-cli and tmux come from the system (installed
with apt-get when missing). Servers are the test harness's (``tests/harness``):
PostgreSQL run as the ``postgres`` user when we are root, and a redis-server.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[2]
PEERS_VENV = REPO / "benchmarks" / ".peers-venv"
PEERS = ("harlequin==2.17.0", "pgcli==4.7.1", "iredis==1.16.1")
"""Pinned peer versions (newest on PyPI when this script was written)."""
DBTUI = REPO / ".venv" / "bin" / "dbtui"
PYTHON = REPO / ".venv" / "bin" / "python"
APT = {"psql": "postgresql-client", "redis-cli": "redis-tools", "tmux": "tmux", "gcc": "gcc"}

PG_TABLE = """
CREATE UNLOGGED TABLE {table} (id int, label text, created timestamptz, amount numeric(12,2));
INSERT INTO {table}
SELECT g, 'row ' || g || ' ' || md5(g::text),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
       round((g::bigint * 7919 % 10000000) / 100.0, 2)
FROM generate_series(1, {rows}) AS g;
"""
FIRST_ROW_MARK = "c4ca4238a0b923820dcc509a6f75849b"
"""``md5('1')``: part of the first row of every table made by :data:`PG_TABLE`."""


def log(text: str) -> None:
    """Progress on stderr (stdout holds the results)."""
    print(text, file=sys.stderr, flush=True)


def ensure_tools() -> None:
    """Install psql, redis-cli, tmux and gcc through apt-get when any is missing."""
    missing = sorted({pkg for tool, pkg in APT.items() if shutil.which(tool) is None})
    if missing:
        log(f"installing {' '.join(missing)} with apt-get")
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True)


def peer(name: str) -> str:
    """Path of a peer's executable in the peers' venv."""
    return str(PEERS_VENV / "bin" / name)


def ensure_peers() -> None:
    """Create ``benchmarks/.peers-venv`` and install the pinned peers (once per pin set)."""
    stamp = PEERS_VENV / "pins.txt"
    wanted = "\n".join(PEERS) + "\n"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    base = getattr(sys, "_base_executable", None) or shutil.which("python3") or "python3"
    log(f"installing {', '.join(PEERS)} into {PEERS_VENV}")
    subprocess.run([base, "-m", "venv", str(PEERS_VENV)], check=True)
    pip = [str(PEERS_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, *PEERS], check=True)
    stamp.write_text(wanted)


def compile_sources() -> None:
    """Byte-compile dbtui's sources (as ``pip install`` does), so no launch compiles them."""
    subprocess.run(
        [str(PYTHON), "-m", "compileall", "-q", str(REPO / "src" / "dbtui")],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )


def versions() -> dict[str, str]:
    """Versions of the tools compared (for the report)."""
    out: dict[str, str] = {}
    for name, argv in {
        "psql": ["psql", "--version"],
        "redis-cli": ["redis-cli", "--version"],
        "tmux": ["tmux", "-V"],
    }.items():
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        found = re.search(r"\d+\.\d+[\w.]*", proc.stdout)
        out[name] = found.group(0) if found else "?"
    for pin in PEERS:
        name, version = pin.split("==")
        out[name] = version
    return out


def load_pg(url: str, tables: dict[str, int]) -> None:
    """Create the UNLOGGED tables ``{name: rows}`` (frozen, analysed) unless present."""
    with psycopg.connect(url, autocommit=True) as conn:
        for table, rows in tables.items():
            found = conn.execute(
                "SELECT count(*) FROM pg_class WHERE relname = %s", (table,)
            ).fetchone()
            if found and found[0]:
                continue
            log(f"loading {rows:,} rows into {table}")
            conn.execute(PG_TABLE.format(table=table, rows=rows).encode())
            conn.execute(f"VACUUM (FREEZE, ANALYZE) {table}".encode())


def plan_view_sql(nodes: int) -> str:
    """A view whose plan has about ``nodes`` nodes: an Append over index scans of ``small``."""
    branches = [f"SELECT id, label FROM small WHERE id = {i}" for i in range(1, nodes)]
    return "CREATE VIEW bigplan AS\n" + "\nUNION ALL\n".join(branches)


def load_plan_view(url: str, nodes: int) -> None:
    """Table ``small`` (10,000 rows, primary key) and view ``bigplan`` of ``nodes`` nodes."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(b"DROP VIEW IF EXISTS bigplan")
        conn.execute(b"DROP TABLE IF EXISTS small")
        conn.execute(
            b"CREATE TABLE small AS SELECT g AS id, 'n' || g AS label"
            b" FROM generate_series(1, 10000) g"
        )
        conn.execute(b"ALTER TABLE small ADD PRIMARY KEY (id)")
        conn.execute(b"ANALYZE small")
        conn.execute(plan_view_sql(nodes).encode())


def make_sqlite(path: Path) -> None:
    """A SQLite file for the launch row: a few tables, 200,000 rows in the largest."""
    if path.exists():
        return
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT)")
        conn.execute(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT, status TEXT,"
            " total_cents INT)"
        )
        conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INT, started TEXT)")
        conn.executemany(
            "INSERT INTO users VALUES (?, ?, ?)",
            ((i, f"user {i}", f"u{i}@example.com") for i in range(1, 5001)),
        )
        conn.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)",
            ((i, i % 5000, ("open", "paid", "sent")[i % 3], i * 7 % 10000) for i in range(50000)),
        )
        conn.executemany(
            "INSERT INTO sessions VALUES (?, ?, ?)",
            ((i, i % 5000, f"2024-01-01 00:{i % 60:02}") for i in range(200000)),
        )
    conn.close()
