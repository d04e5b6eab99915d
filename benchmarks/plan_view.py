"""How fast the Plan tab opens and navigates a 2,000-node plan (a script, not a test).

Builds the same synthetic 2,000-node PostgreSQL plan as ``plan_parse.py``, then in a
headless Textual app: the time for ``PlanView.show`` plus the first refresh, and the
median time of 200 cursor moves, 20 metric cycles and 20 fold/unfold toggles.
Prints medians. Run: ``.venv/bin/python benchmarks/plan_view.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from textual.app import App, ComposeResult

sys.path.insert(0, str(Path(__file__).parent))

from plan_parse import synthetic_plan

from dbtui.drivers.postgres.plans.parse import parse_postgres_plan
from dbtui.ui.widgets.plan.view import PlanView


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield PlanView(id="plan")


async def measure(nodes: int) -> dict[str, float]:
    plan = parse_postgres_plan(synthetic_plan(nodes))
    app = Host()
    async with app.run_test(size=(160, 48)) as pilot:
        view = app.query_one(PlanView)
        started = time.perf_counter()
        view.show(plan)
        await pilot.pause()
        opened = time.perf_counter() - started
        view.table.focus()
        moves, metrics, folds = [], [], []
        for _ in range(200):
            started = time.perf_counter()
            await pilot.press("down")
            moves.append(time.perf_counter() - started)
        for _ in range(20):
            started = time.perf_counter()
            await pilot.press("m")
            metrics.append(time.perf_counter() - started)
        for _ in range(20):
            started = time.perf_counter()
            await pilot.press("space")
            folds.append(time.perf_counter() - started)
    return {
        "open_ms": opened * 1000,
        "move_ms": statistics.median(moves) * 1000,
        "metric_ms": statistics.median(metrics) * 1000,
        "fold_ms": statistics.median(folds) * 1000,
    }


def main() -> None:
    nodes = 2000
    result = asyncio.run(measure(nodes))
    print("| plan nodes | open ms | cursor move ms (median) | metric cycle ms | fold ms |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {nodes:,} | {result['open_ms']:.0f} | {result['move_ms']:.1f} | "
        f"{result['metric_ms']:.0f} | {result['fold_ms']:.0f} |"
    )


if __name__ == "__main__":
    main()
