"""Take the README's screenshots of dbtui on the demo database (run by scripts/screenshots)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import TextArea

from dbtui.cli import demo_spec
from dbtui.core.registry import open_driver
from dbtui.ui.app import DbtuiApp

OUT = Path(__file__).resolve().parent.parent / "screenshots"

Scene = Callable[[Pilot[int]], Awaitable[None]]


async def settle(pilot: Pilot[int]) -> None:
    """Let workers finish and their messages land."""
    for _ in range(20):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if not any(worker.is_running for worker in pilot.app.workers):
            break


async def no_blink(pilot: Pilot[int]) -> None:
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    await settle(pilot)


async def run_demo_query(pilot: Pilot[int]) -> None:
    await no_blink(pilot)
    editor = pilot.app.screen.query_one(TextArea)
    editor.move_cursor((2, 0))
    await pilot.press("f5")
    await settle(pilot)


async def explain_demo_query(pilot: Pilot[int]) -> None:
    await no_blink(pilot)
    editor = pilot.app.screen.query_one(TextArea)
    editor.move_cursor((10, 0))
    await pilot.press("f6")
    await settle(pilot)
    await pilot.press("f4")


async def advise_demo_query(pilot: Pilot[int]) -> None:
    await no_blink(pilot)
    editor = pilot.app.screen.query_one(TextArea)
    editor.move_cursor((10, 0))
    await pilot.press("f9")
    await settle(pilot)
    await pilot.press("f4")


SCENES: dict[str, tuple[tuple[int, int], Scene]] = {
    "main-80x24": ((80, 24), run_demo_query),
    "main-160x48": ((160, 48), run_demo_query),
    "plan-80x24": ((80, 24), explain_demo_query),
    "plan-120x32": ((120, 32), explain_demo_query),
    "advice-80x24": ((80, 24), advise_demo_query),
}


async def shoot(name: str, size: tuple[int, int], scene: Scene) -> Path:
    spec = demo_spec(read_only=False)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=size) as pilot:
        await scene(pilot)
        path = OUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
    return path


async def main(names: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    for name, (size, scene) in SCENES.items():
        if names and name not in names:
            continue
        print(await shoot(name, size, scene))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
