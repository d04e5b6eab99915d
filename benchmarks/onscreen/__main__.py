"""``benchmarks/run``: dbtui against its peers, measured on screen in tmux (issue #19).

Each row times what the user sees: from the launch or the key press to a marker on the
screen (``tmux capture-pane`` polled every few milliseconds), dbtui and its peers
alternating in each round. Prints the samples, the medians, the ratios and the load
average, then rewrites the table between the markers in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from onscreen import report
from onscreen.bench import Bench
from onscreen.report import RowResult
from onscreen.setup import REPO, compile_sources, ensure_peers, ensure_tools, log, versions

Measure = Callable[[Bench], RowResult]


def measures() -> dict[str, Measure]:
    """Row name -> the function measuring it (imported late: they pull in the harness)."""
    from onscreen import rows_plan, rows_redis, rows_sql

    return {
        "launch": rows_sql.launch,
        "pg-first-rows": rows_sql.first_rows,
        "export": rows_sql.export,
        "stream": rows_sql.stream,
        "redis-tree": rows_redis.tree,
        "redis-keypress": rows_redis.keypress,
        "plan-open": rows_plan.plan_open,
        "plan-metric": rows_plan.plan_metric,
    }


def load_text() -> str:
    """``1.23, 1.10, 0.98`` (the 1, 5 and 15-minute load averages)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run(args: argparse.Namespace) -> list[RowResult]:
    """Measure every chosen row; a row that fails is reported, the others still run."""
    sizes: report.Sizes = args.sizes
    chosen: tuple[str, ...] = args.only
    table = measures()
    results: list[RowResult] = []
    with Bench(sizes, chosen).servers() as bench:
        for name in chosen:
            load = os.getloadavg()[0]
            log(f"== {name} (load {load_text()})")
            started = time.perf_counter()
            try:
                row = table[name](bench)
            except Exception as error:
                first = str(error).splitlines()[0] if str(error) else ""
                row = RowResult(name, name, error=f"{type(error).__name__}: {first}"[:160])
                log(f"{name} failed: {error}")
            row.load = load
            results.append(row)
            print(report.samples_line(row), flush=True)
            log(f"   {time.perf_counter() - started:.0f} s")
    return results


def main() -> None:
    """Parse, set up, measure, print, rewrite BENCHMARKS.md."""
    args = report.parse_args()
    load_before = os.getloadavg()[0]
    if args.max_load is not None and not args.quick and load_before > args.max_load:
        sys.exit(f"load average {load_before:.2f} > --max-load {args.max_load}: not measuring")
    ensure_tools()
    ensure_peers()
    compile_sources()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_start = load_text()
    results = run(args)
    load_end = load_text()
    sizes = args.sizes
    header = (
        f"Measured {started} by `benchmarks/run{' --quick' if args.quick else ''}`"
        f" ({sizes.rounds} alternating round(s), medians; PostgreSQL table {sizes.pg_rows:,}"
        f" rows, export {sizes.export_rows:,} rows, {sizes.redis_keys:,} Redis keys,"
        f" {sizes.plan_nodes:,}-node plan). Load average (1, 5, 15 min) {load_start} at the"
        f" start, {load_end} at the end, on {os.cpu_count()} cores. Versions: "
        + ", ".join(f"{k} {v}" for k, v in versions().items())
        + ".\n\n"
    )
    block = header + report.markdown_table(results)
    print()
    print(block)
    if not args.no_write:
        path = REPO / "BENCHMARKS.md"
        heading = "## On screen, side by side: `benchmarks/run`"
        path.write_text(report.rewrite_between_markers(path.read_text(), block, heading))
        log(f"rewrote the table in {path}")


if __name__ == "__main__":
    main()
