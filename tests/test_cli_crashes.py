"""Command lines that printed a traceback (issue #13): each now gives one line and a clean status.

Run in-process through :func:`dbtui.cli.main` with stderr captured.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from dbtui.cli import main, report_crash
from dbtui.core.crashlog import error_log_path


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_a_10kb_sqlite_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sqlite:///" + "a" * 10_000]) == 2
    assert "File name too long" in one_error_line(capsys)


def test_explain_a_binary_plan_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.bin"
    plan.write_bytes(bytes(range(256)) * 4)
    assert main(["explain", "--plan-file", str(plan)]) == 2
    assert "not UTF-8" in one_error_line(capsys)


def test_explain_a_plan_whose_plans_is_not_a_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps([{"Plan": {"Node Type": "Seq Scan", "Plans": 5}}]))
    assert main(["explain", "--plan-file", str(plan)]) == 2
    assert "Unreadable plan" in one_error_line(capsys)


def test_explain_a_json_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("5")
    assert main(["explain", "--plan-file", str(plan)]) == 2
    one_error_line(capsys)


def test_advise_a_table_with_quotes_and_capitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quoted.db"
    with sqlite3.connect(path) as conn:
        conn.execute("""CREATE TABLE "We""ird' T" (a INTEGER, b TEXT)""")
        conn.executemany(
            """INSERT INTO "We""ird' T" VALUES (?, ?)""", [(n, str(n)) for n in range(3000)]
        )
    statement = """SELECT * FROM "We""ird' T" WHERE a = 5"""
    assert main(["advise", f"sqlite://{path}", "--query", statement, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    suggestions = json.loads(captured.out)
    assert len(suggestions) == 1
    assert "CREATE INDEX" in json.dumps(suggestions)


def test_no_url_with_an_unwritable_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data directory should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    assert main([]) == 2
    line = one_error_line(capsys)
    assert str(blocker / "data" / "dbtui") in line
    assert "not be saved" in line


def test_redis_database_that_is_not_a_number(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = redis_url.rstrip("/").rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
    assert main([f"{url.rstrip('/')}/abc"]) == 2
    line = one_error_line(capsys)
    assert "must be a number" in line
    assert "'abc'" in line


@pytest.mark.writes_error_log
def test_an_unexpected_error_is_one_line_and_logged(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError) as caught:
        raise RuntimeError("a bug")
    assert report_crash(caught.value, "explain") == 1
    line = one_error_line(capsys)
    log = error_log_path()
    assert str(log) in line
    assert "RuntimeError" in line
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text
    assert "RuntimeError: a bug" in text
    assert os.stat(log).st_size < 1_000_000
