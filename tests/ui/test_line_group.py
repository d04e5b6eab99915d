"""Stacked safe text keeps its lines (the advice detail and plan stats are built this way)."""

from __future__ import annotations

from rich.console import Console

from dbtui.ui.safe import line_group, safe_text


def _rendered(group: object) -> list[str]:
    console = Console(width=60, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(group)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_each_safe_text_part_keeps_a_line_of_its_own() -> None:
    lines = _rendered(line_group(safe_text("heuristic"), safe_text("Serves ORDER BY [b]x[/b]")))
    assert lines[:2] == ["heuristic", "Serves ORDER BY [b]x[/b]"]


def test_the_parts_themselves_are_not_changed() -> None:
    part = safe_text("piece")
    line_group(part)
    assert part.end == "", "safe_text stays a piece of a line wherever else it is used"
