"""The command line: exit codes and one-line errors, run as a user would (a subprocess)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dbtui import __version__


def run_dbtui(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m dbtui ARGS`` with no terminal and capture everything."""
    return subprocess.run(
        [sys.executable, "-m", "dbtui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_version() -> None:
    result = run_dbtui("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"dbtui {__version__}"


def test_help_lists_urls_and_read_only() -> None:
    result = run_dbtui("--help")
    assert result.returncode == 0
    assert "--read-only" in result.stdout
    assert "postgresql://" in result.stdout


def test_unknown_scheme_is_one_line_and_exit_2() -> None:
    assert_one_line_error(run_dbtui("nosuch://x"), "nosuch://", "unknown URL scheme")


def test_unreachable_postgres_is_one_line_and_exit_2() -> None:
    port = closed_port()
    result = run_dbtui(f"postgresql://127.0.0.1:{port}/x")
    assert_one_line_error(result, f"127.0.0.1:{port}")


@pytest.mark.parametrize("scheme", ["redis", "mongodb"])
def test_unreachable_server_of_other_engines_is_one_line(scheme: str) -> None:
    port = closed_port()
    result = run_dbtui(f"{scheme}://127.0.0.1:{port}/0")
    assert_one_line_error(result, f"127.0.0.1:{port}")


def test_password_never_printed_in_errors() -> None:
    port = closed_port()
    result = run_dbtui(f"postgresql://me:hunter2-secret@127.0.0.1:{port}/x")
    assert_one_line_error(result)
    assert "hunter2-secret" not in result.stderr + result.stdout


def test_missing_sqlite_file_is_one_line(tmp_path: Path) -> None:
    result = run_dbtui(f"sqlite://{tmp_path}/missing.db")
    assert_one_line_error(result, "missing.db")


def test_explain_plan_file_of_a_missing_file(tmp_path: Path) -> None:
    result = run_dbtui("explain", "--plan-file", str(tmp_path / "nope.json"))
    assert_one_line_error(result, "nope.json")


def test_explain_sqlite_statement_prints_the_tree(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "t.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a INTEGER, b TEXT)")
    result = run_dbtui("explain", f"sqlite://{path}", "SELECT * FROM t WHERE a = 1")
    assert result.returncode == 0, result.stderr
    assert "SCAN t" in result.stdout
    assert "\x1b[" not in result.stdout, "no colour codes when stdout is not a terminal"
