"""``dbtui explain --format text`` as a script and as a person get it (subprocesses).

Piped or redirected, nothing is cut whatever the terminal's width (a script used to get
``Parallel Seq Scan on public.invo…``); on a terminal, lines fit its width.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RELATION = "invoices_with_a_name_long_enough_to_be_cut_" + "x" * 120
LABEL = f"Parallel Seq Scan on public.{RELATION} i"


def long_plan(tmp_path: Path) -> Path:
    """A VERBOSE-style plan whose scan label is about 200 characters long."""
    scan = {"Node Type": "Seq Scan", "Parallel Aware": True, "Relation Name": RELATION,
            "Schema": "public", "Alias": "i", "Parent Relationship": "Outer",
            "Plan Rows": 1000, "Actual Rows": 1000, "Actual Loops": 3,
            "Actual Total Time": 30.0, "Total Cost": 900.0}  # fmt: skip
    gather = {"Node Type": "Gather", "Workers Planned": 2, "Workers Launched": 2,
              "Plan Rows": 3000, "Actual Rows": 3000, "Actual Loops": 1,
              "Actual Total Time": 40.0, "Total Cost": 1000.0, "Plans": [scan]}  # fmt: skip
    path = tmp_path / "plan.json"
    path.write_text(json.dumps([{"Plan": gather, "Execution Time": 41.0}]), encoding="utf-8")
    return path


def test_piped_text_keeps_long_labels_whole(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "80"}  # as if started from an 80-column terminal
    result = subprocess.run(
        [sys.executable, "-m", "dbtui", "explain", "--plan-file", str(long_plan(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    assert "…" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[2].endswith("└─ " + LABEL), lines[2]
    assert len(lines[2]) > 200


def test_on_a_terminal_lines_fit_its_width(tmp_path: Path) -> None:
    """In a 100-column pseudo-terminal: coloured, every line at most 100 columns."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-m", "dbtui", "explain", "--plan-file", str(long_plan(tmp_path))],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    output = b"".join(chunks).decode("utf-8")
    assert "\x1b[" in output, "coloured on a terminal"
    lines = ANSI.sub("", output).replace("\r\n", "\n").splitlines()
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    tree = next(line for line in lines if "Parallel Seq Scan" in line)
    assert tree.endswith("…")
    assert len(tree) == 100


def test_explain_text_loads_no_textual(tmp_path: Path) -> None:
    """The renderer depends on Rich and core only: ``dbtui explain`` never loads the UI."""
    probe = (
        "import sys\n"
        "from dbtui.explain_cli import run_explain\n"
        f"assert run_explain(['--plan-file', {str(long_plan(tmp_path))!r}]) == 0\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'"
        " or m == 'dbtui.ui' or m.startswith('dbtui.ui.'))\n"
        "print('LEAKED', leaked)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert LABEL in result.stdout
    assert result.stdout.splitlines()[-1] == "LEAKED []"
