"""Redis rows: the whole key tree with folder counts on screen, and key presses during it.

The keys are the ones ``benchmarks/redis_scan.py`` loads (``bench:<type>:<group>:<n>``,
mixed types), so the tree has folders three levels deep.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import redis

from onscreen import tmux
from onscreen.bench import Bench
from onscreen.report import RowResult
from onscreen.rows_sql import alternate
from onscreen.setup import DBTUI, REPO, log

sys.path.insert(0, str(REPO / "benchmarks"))

from redis_scan import compile_c_baseline
from redis_scan import load as load_keys

FOLDER_COUNTS = (
    "-F:",
    '{p=$1; c[p]++; for (i = 2; i < NF; i++) {p = p ":" $i; c[p]++}}'
    " END {for (k in c) n++; print n}",
)
"""awk counting the keys under every folder (each ``:``-separated prefix) of every key."""
PRESSES = 40
"""Most key presses timed while the scan runs (it usually ends first)."""


def ensure_keys(bench: Bench) -> None:
    """Load ``sizes.redis_keys`` keys unless the database already holds that many."""
    client = redis.Redis(port=bench.redis_port(), protocol=2)
    try:
        if client.dbsize() != bench.sizes.redis_keys:
            client.flushall()
            log(f"loading {bench.sizes.redis_keys:,} Redis keys")
            load_keys(bench.redis_port(), bench.sizes.redis_keys)
    finally:
        client.close()


def open_keys(bench: Bench) -> tuple[tmux.Pane, float]:
    """dbtui on the Redis server, its db0 node opened, Enter sent on ``Keys``.

    Returns the pane and the ``perf_counter`` time just before that Enter.
    """
    pane = bench.pane([str(DBTUI), f"redis://127.0.0.1:{bench.redis_port()}/0"])
    pane.launch()
    pane.settle(tmux.contains("◆ db0"), timeout=60)
    pane.keys("F2")
    time.sleep(0.3)
    pane.keys(*(["Up"] * 20), "Down")
    time.sleep(0.3)
    pane.keys("Enter")
    pane.settle(lambda s: "▼ ◆ db0" in s and "⚷ Keys" in s)
    pane.keys("Down")
    time.sleep(0.3)
    return pane, pane.keys("Enter")


def tree_done(bench: Bench) -> tmux.Check:
    """The browser's header says every key was seen and the ``bench`` folder is shown."""
    total = f"{bench.sizes.redis_keys:,}/{bench.sizes.redis_keys:,} done"
    return lambda screen: total in screen and "▶ bench" in screen


def _dbtui_tree(bench: Bench) -> float:
    pane, started = open_keys(bench)
    try:
        return pane.wait(tree_done(bench), started, timeout=600)
    finally:
        pane.close()


def _pipeline(argv: list[str], awk: bool) -> float:
    """Wall-clock seconds of ``argv`` (stdout piped to the awk folder count, or discarded)."""
    started = time.perf_counter()
    if awk:
        scan = subprocess.Popen(argv, stdout=subprocess.PIPE)
        subprocess.run(
            ["awk", *FOLDER_COUNTS], stdin=scan.stdout, stdout=subprocess.DEVNULL, check=True
        )
        assert scan.stdout is not None
        scan.stdout.close()
        if scan.wait() != 0:
            raise RuntimeError(f"{argv[0]} failed")
    else:
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def tree(bench: Bench) -> RowResult:
    """Enter on ``Keys`` to the whole tree with folder counts, vs a C SCAN loop + awk."""
    ensure_keys(bench)
    keys = bench.sizes.redis_keys
    awk = shutil.which("mawk") or "awk"
    row = RowResult(
        "redis-tree",
        f"{keys:,} Redis keys: the whole tree with folder counts on screen",
        goal="<= 2x the C loop with folder counting",
        note=f"dbtui: Enter on Keys until the header says {keys:,}/{keys:,} done; anchors "
        f"are whole commands: C SCAN COUNT 1000 loop piped to {Path(awk).name} counting every "
        "folder, and redis-cli --scan (COUNT 10) alone",
    )
    build = bench.tmp / "cscan"
    build.mkdir(exist_ok=True)
    binary = compile_c_baseline(build)
    port = str(bench.redis_port())
    steps = [lambda: row.dbtui.append(_dbtui_tree(bench))]
    if binary is not None:
        c_argv = [str(binary), port, "1000"]
        steps.append(
            lambda: row.anchor("C loop + folder counts").samples.append(_pipeline(c_argv, awk=True))
        )
    cli = ["redis-cli", "-p", port, "--scan"]
    steps.append(lambda: row.anchor("redis-cli --scan").samples.append(_pipeline(cli, False)))
    alternate(bench.sizes.rounds, steps)
    return row


HELP = "keys for the focused pane"
"""On screen while the browser's F1 help is open."""


def _press(pane: tmux.Pane, opened: bool) -> float:
    """F1 (help open) or Esc (help closed): seconds until the screen shows the change."""
    if opened:
        return pane.wait(lambda s: HELP not in s, pane.keys("Escape"), timeout=60)
    return pane.wait(tmux.contains(HELP), pane.keys("F1"), timeout=60)


def _presses(bench: Bench, row: RowResult) -> None:
    """One dbtui: F1/Esc presses while the scan runs, then ten once it is done."""
    pane, _ = open_keys(bench)
    done = tree_done(bench)
    opened = False
    try:
        for _ in range(PRESSES):
            seconds = _press(pane, opened)
            opened = not opened
            if done(pane.last):
                break
            row.dbtui.append(seconds)
        pane.settle(done, timeout=600)
        for _ in range(10):
            row.anchor("idle (scan done)").samples.append(_press(pane, opened))
            opened = not opened
    finally:
        pane.close()


def keypress(bench: Bench) -> RowResult:
    """A key press (F1 / Esc on the help) while the scan runs vs once it is done."""
    ensure_keys(bench)
    row = RowResult(
        "redis-keypress",
        "a key press while that scan runs",
        goal="<= 1.2x idle",
        note="F1 (help opens) and Esc (it closes) in the key browser until the screen "
        "changes; only presses answered before the scan finished count as 'during'",
    )
    for _ in range(bench.sizes.rounds):
        _presses(bench, row)
    if not row.dbtui:
        row.note += " (none: the scan ended before the first answer; use more keys)"
    return row
