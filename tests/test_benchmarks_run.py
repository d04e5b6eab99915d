"""The pure parts of ``benchmarks/run``: arguments, medians and ratios, the table rewrite.

No timing is asserted: nothing here starts a server, a tmux pane or a clock.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

# Imported by name: benchmarks/ is not on mypy's path for tests (pyproject's mypy_path).
report: Any = importlib.import_module("onscreen.report")
START_MARKER: str = report.START_MARKER
END_MARKER: str = report.END_MARKER
Anchor: Any = report.Anchor
RowResult: Any = report.RowResult


def test_defaults_are_full_sizes_and_every_row() -> None:
    args = report.parse_args([])
    assert args.sizes == report.FULL
    assert args.sizes.pg_rows == 5_000_000
    assert args.sizes.redis_keys == 1_000_000
    assert args.only == report.ROWS
    assert not args.quick
    assert not args.no_write


def test_quick_uses_small_sizes_and_overrides_win() -> None:
    args = report.parse_args(["--quick", "--rounds", "3", "--plan-nodes", "50"])
    assert args.sizes.pg_rows == report.QUICK.pg_rows < report.FULL.pg_rows
    assert args.sizes.rounds == 3
    assert args.sizes.plan_nodes == 50


def test_only_accepts_commas_and_repeats_and_keeps_the_table_order() -> None:
    args = report.parse_args(["--only", "redis-tree,launch", "--only", "plan-metric"])
    assert args.only == ("launch", "redis-tree", "plan-metric")


def test_only_refuses_an_unknown_row(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        report.parse_args(["--only", "launch,nope"])
    assert exit_info.value.code == 2
    assert "unknown row 'nope'" in capsys.readouterr().err


def test_median_and_ratio() -> None:
    assert report.median([3.0, 1.0, 2.0]) == 2.0
    assert report.median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert report.median([]) is None
    assert report.ratio([2.0, 4.0, 6.0], [1.0, 2.0, 3.0]) == 2.0
    assert report.ratio([], [1.0]) is None
    assert report.ratio([1.0], [0.0]) is None


def test_formatting_by_magnitude() -> None:
    assert report.fmt_seconds(0.0125) == "12.5 ms"
    assert report.fmt_seconds(0.412) == "412 ms"
    assert report.fmt_seconds(5.271) == "5.27 s"
    assert report.fmt_seconds(18.74) == "18.7 s"
    assert report.fmt_seconds(None) == "n/a"
    assert report.fmt_ratio(2.4149) == "2.41x"


def test_markdown_row_has_medians_ratios_and_escaped_pipes() -> None:
    row = RowResult("export", "export | rows", dbtui=[2.0, 4.0, 3.0], goal="<= 2x")
    row.anchors.append(Anchor("psql \\copy", [1.0, 1.5, 0.5]))
    line = report.markdown_row(row)
    assert line.startswith("| export \\| rows | 3.00 s | psql \\copy 1.00 s | 3.00x psql \\copy |")
    assert line.count("\n") == 0


def test_markdown_row_names_the_load_when_known() -> None:
    row = RowResult("launch", "launch", dbtui=[1.0], note="how", load=3.456)
    assert report.markdown_row(row).endswith("| how (load 3.5) |")


def test_failed_row_shows_the_error() -> None:
    line = report.markdown_row(RowResult("launch", "launch", error="ScreenTimeout: x"))
    assert "failed" in line
    assert "ScreenTimeout: x" in line


def test_rewrite_replaces_only_between_markers() -> None:
    before = f"# Title\n\nintro\n\n{START_MARKER}\nold table\n{END_MARKER}\n\n## Later\ntext\n"
    after = report.rewrite_between_markers(before, "| new |\n", "## ignored")
    assert after == f"# Title\n\nintro\n\n{START_MARKER}\n| new |\n{END_MARKER}\n\n## Later\ntext\n"
    assert report.rewrite_between_markers(after, "| new |\n", "## ignored") == after


def test_rewrite_appends_a_section_when_there_are_no_markers() -> None:
    after = report.rewrite_between_markers("# Title\nbody", "| t |", "## On screen")
    assert after == f"# Title\nbody\n\n## On screen\n\n{START_MARKER}\n| t |\n{END_MARKER}\n"
    again = report.rewrite_between_markers(after, "| u |", "## On screen")
    assert again.count(START_MARKER) == 1
    assert "| u |" in again
    assert "| t |" not in again


def test_samples_line_lists_every_sample() -> None:
    row = RowResult("launch", "launch", dbtui=[1.0, 2.0])
    row.anchor("harlequin").samples.append(0.5)
    assert row.anchor("harlequin") is row.anchors[0]
    assert report.samples_line(row) == "launch: dbtui 1.000 2.000 | harlequin 0.500"
