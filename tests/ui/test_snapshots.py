"""Snapshot tests of the main screen (pytest-textual-snapshot).

Update the pictures with ``scripts/test tests/ui/test_snapshots.py --snapshot-update``
after checking the change in the HTML report; each test says what its picture must show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.sqlite.demo import build_demo_database
from dbtui.ui.app import DbtuiApp


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once for this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    build_demo_database(path)
    return path


def demo_app(path: Path) -> DbtuiApp:
    spec = spec_from_url(f"sqlite://{path}", name="demo")
    return DbtuiApp([(spec, open_driver(spec))])


async def settle(pilot: Pilot[Any]) -> None:
    """Stop the cursor blinking, let workers finish and their messages land."""
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    for _ in range(20):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if not any(worker.is_running for worker in pilot.app.workers):
            break


def test_main_screen_80x24(snap_compare: Any, demo_file: Path) -> None:
    """At 80x24: the catalog on the left shows the connected "demo" connection expanded to
    its database; the editor on the right shows the welcome text and example queries with
    line numbers; below it the Results/Plan/Advice/Messages/Details tabs with Results active
    and its empty-state hint; the footer lists F5 Run, F6 Explain and the other keys."""
    assert snap_compare(demo_app(demo_file), terminal_size=(80, 24), run_before=settle)


def test_main_screen_160x48(snap_compare: Any, demo_file: Path) -> None:
    """At 160x48: the same layout with a wider catalog and a taller editor; nothing is cut."""
    assert snap_compare(demo_app(demo_file), terminal_size=(160, 48), run_before=settle)


def test_plan_tab_80x24(snap_compare: Any, demo_file: Path) -> None:
    """At 80x24 after F6 on `SELECT * FROM sessions WHERE user_id = 42`: the Plan tab is
    active; its summary line says "sqlite plan · estimated" with one warning; the tree shows
    the SCAN of sessions in a warning colour with the full-scan warning next to it."""

    async def explain(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        editor = pilot.app.screen.query_one(TextArea)
        editor.text = "SELECT * FROM sessions WHERE user_id = 42"
        await pilot.press("f6")
        await settle(pilot)

    assert snap_compare(demo_app(demo_file), terminal_size=(80, 24), run_before=explain)
