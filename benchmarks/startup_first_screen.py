"""Time to the first screen of the demo: ``dbtui`` in tmux (80x24) until the editor shows.

Starts ``python -m dbtui`` (no URL: the SQLite demo) in a detached tmux session of 80x24
and polls ``tmux capture-pane`` every 10 ms until the demo's editor text is on screen.
Each variant runs once untimed (creating the demo database, warming the disk cache),
then ``--rounds`` times, alternating which variant goes first; medians are printed.
Also times ``import dbtui.ui.app`` alone in a fresh interpreter.

``--baseline-src DIR`` compares with another tree's ``src`` (e.g. a ``git archive`` of an
older commit), run with the same interpreter through ``PYTHONPATH``.

    .venv/bin/python benchmarks/startup_first_screen.py [--rounds 5] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARKER = "sum(total_cents)"
"""A line of the demo's starter text: on screen means the first screen is drawn."""
TIMEOUT_S = 60.0


def _env(home: Path, src: str | None) -> dict[str, str]:
    env = dict(os.environ, HOME=str(home), TERM="xterm-256color")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["XDG_DATA_HOME"] = str(home / "data")
    if src is not None:
        env["PYTHONPATH"] = src
    else:
        env.pop("PYTHONPATH", None)
    return env


def first_screen_s(home: Path, src: str | None) -> float:
    """Seconds from starting ``dbtui`` in tmux to the demo text being on screen."""
    name = f"dbtui-bench-{os.getpid()}"
    env = _env(home, src)
    command = f"exec {sys.executable} -m dbtui"
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", command],
        env=env,
        check=True,
    )
    try:
        while time.perf_counter() - start < TIMEOUT_S:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            if MARKER in screen:
                return time.perf_counter() - start
            time.sleep(0.01)
        raise RuntimeError(f"no first screen after {TIMEOUT_S:.0f} s:\n{screen}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def import_s(src: str | None, home: Path) -> float:
    """Seconds for a fresh interpreter to ``import dbtui.ui.app`` (start-up included)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import dbtui.ui.app"], env=_env(home, src), check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-src", help="another tree's src directory to compare with")
    args = parser.parse_args()
    variants: dict[str, str | None] = {"current": None}
    if args.baseline_src:
        variants = {"baseline": args.baseline_src, "current": None}
    with tempfile.TemporaryDirectory(prefix="dbtui-bench-") as tmp:
        home = Path(tmp)
        for src in variants.values():
            first_screen_s(home, src)  # creates the demo database, warms the cache
        screens: dict[str, list[float]] = {name: [] for name in variants}
        imports: dict[str, list[float]] = {name: [] for name in variants}
        for round_ in range(args.rounds):
            order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
            for name in order:
                screens[name].append(first_screen_s(home, variants[name]))
                imports[name].append(import_s(variants[name], home))
    for name in variants:
        print(
            f"{name:9} first screen median {statistics.median(screens[name]):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in screens[name])}); "
            f"import dbtui.ui.app median {statistics.median(imports[name]):.2f} s"
        )


if __name__ == "__main__":
    main()
