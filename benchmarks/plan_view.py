"""How fast the Plan tab opens and navigates a 2,000-node plan (a script, not a test).

Builds the same synthetic 2,000-node PostgreSQL plan as ``plan_parse.py``, then in a
headless Textual app: the time for ``PlanView.show`` plus the first refresh, and the
median time of 200 cursor moves, 20 metric cycles (and of those that only replace the bars:
a metric without data drops or brings back the bar column, a whole redraw) and 20
fold/unfold toggles (each a press through Textual's Pilot, its overhead included; "open" lasts
until the table has measured its rows and drawn its visible lines).
Prints medians. Run: ``.venv/bin/python benchmarks/plan_view.py [VIEW_PY]``;
``VIEW_PY`` is another version's ``plan/view.py`` to time instead (an A/B comparison:
e.g. ``git show HEAD:src/dbtui/ui/widgets/plan/view.py > /tmp/view_before.py``).
"""

from __future__ import annotations

import asyncio
import importlib.util
import statistics
import sys
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.geometry import Region

sys.path.insert(0, str(Path(__file__).parent))

from plan_parse import synthetic_plan

from dbtui.drivers.postgres.plans.parse import parse_postgres_plan
from dbtui.ui.widgets.plan.view import PlanView


def view_class(path: str | None) -> type[PlanView]:
    """``PlanView`` from this tree, or from another version's ``view.py`` at ``path``."""
    if path is None:
        return PlanView
    spec = importlib.util.spec_from_file_location("plan_view_other", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    view: type[PlanView] = module.PlanView
    return view


class Host(App[None]):
    def __init__(self, view: type[PlanView]) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view(id="plan")


async def measure(nodes: int, view_type: type[PlanView]) -> dict[str, float]:
    plan = parse_postgres_plan(synthetic_plan(nodes))
    app = Host(view_type)
    async with app.run_test(size=(160, 48)) as pilot:
        view = app.query_one(view_type)
        started = time.perf_counter()
        view.show(plan)
        await pilot.pause()
        for _ in range(20):  # until the idle measuring of the rows has run
            if not view.table._require_update_dimensions:
                break
            await pilot.pause()
        view.table.render_lines(Region(0, 0, *view.table.size))
        opened = time.perf_counter() - started
        view.table.focus()
        moves, metrics, in_place, folds = [], [], [], []
        for _ in range(200):
            started = time.perf_counter()
            await pilot.press("down")
            moves.append(time.perf_counter() - started)
        for _ in range(20):
            columns = len(view.table.columns)
            started = time.perf_counter()
            await pilot.press("m")
            metrics.append(time.perf_counter() - started)
            if len(view.table.columns) == columns:  # only the bars changed
                in_place.append(metrics[-1])
        for _ in range(20):
            started = time.perf_counter()
            await pilot.press("space")
            folds.append(time.perf_counter() - started)
    return {
        "open_ms": opened * 1000,
        "move_ms": statistics.median(moves) * 1000,
        "metric_ms": statistics.median(metrics) * 1000,
        "bars_ms": statistics.median(in_place or [0.0]) * 1000,
        "fold_ms": statistics.median(folds) * 1000,
    }


def main() -> None:
    nodes = 2000
    view_type = view_class(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else None)
    result = asyncio.run(measure(nodes, view_type))
    print(
        "| plan nodes | open ms | cursor move ms | metric cycle ms "
        "| of which bars only ms | fold ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {nodes:,} | {result['open_ms']:.0f} | {result['move_ms']:.1f} | "
        f"{result['metric_ms']:.1f} | {result['bars_ms']:.1f} | {result['fold_ms']:.1f} |"
    )


if __name__ == "__main__":
    main()
