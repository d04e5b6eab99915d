"""``dbtui explain``: print an analysed plan without the TUI, for scripts and CI logs.

Two forms::

    dbtui explain URL "STATEMENT" [--analyze] [--format text|json]
    dbtui explain --plan-file FILE [--engine postgres|mongo] [--format text|json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from dbtui.core.errors import DbtuiError, UnsupportedError
from dbtui.core.plan import Plan
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``dbtui explain``."""
    parser = argparse.ArgumentParser(
        prog="dbtui explain",
        description="Print the analysed EXPLAIN plan of a statement, or of a saved plan file.",
    )
    parser.add_argument("url", nargs="?", help="connection URL (not with --plan-file)")
    parser.add_argument("statement", nargs="?", help="the statement to explain")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run the statement and measure it",
    )
    parser.add_argument(
        "--allow-write",
        action="store_true",
        help="with --analyze, accept running a write inside a transaction that is rolled back",
    )
    parser.add_argument(
        "--plan-file", type=Path, help="a saved plan: PostgreSQL JSON or text, MongoDB explain JSON"
    )
    parser.add_argument(
        "--engine",
        choices=("postgres", "mongo"),
        help="engine of --plan-file (guessed when absent)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: the tree as the TUI shows it, cut to the terminal's width on a terminal "
        "and whole when piped; json: every computed field",
    )
    parser.add_argument("--read-only", action="store_true", help="open the connection read-only")
    return parser


def plan_from_file(path: Path, engine: str | None) -> Plan:
    """Parse a saved plan file; the engine is guessed from the content if not given."""
    from dbtui.drivers.mongo.plans.parse import parse_mongo_explain
    from dbtui.drivers.postgres.plans.parse import parse_postgres_plan, parse_postgres_text_plan

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DbtuiError(f"cannot read {path}: {exc.strerror or exc}", "Plan file") from exc
    except UnicodeDecodeError:
        raise DbtuiError(f"{path} is not UTF-8 text (a binary file?)", "Plan file") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise DbtuiError(f"{path} is JSON nested too deeply to be a plan", "Plan file") from None
    except json.JSONDecodeError:
        if engine == "mongo":
            raise DbtuiError(f"{path} is not JSON", "Plan file") from None
        return parse_postgres_text_plan(text)
    if engine is None:
        engine = "postgres" if isinstance(data, list) or _has_key(data, "Plan") else "mongo"
    if engine == "mongo":
        if not isinstance(data, dict):
            raise DbtuiError(f"{path} is not a MongoDB explain document", "Plan file")
        return parse_mongo_explain(data)
    return parse_postgres_plan(data)


def _has_key(data: object, key: str) -> bool:
    """True when ``data`` is a JSON object with ``key``."""
    return isinstance(data, dict) and key in data


def plan_from_server(
    url: str, statement: str, *, analyze: bool, allow_write: bool, read_only: bool
) -> Plan:
    """Connect, explain one statement, disconnect."""
    driver = open_driver(spec_from_url(url, read_only=read_only))
    try:
        if analyze and not allow_write and driver.analyze_needs_confirmation(statement):
            raise UnsupportedError(
                "EXPLAIN ANALYZE would run this write (then roll it back); "
                "pass --allow-write to accept that",
                "Explain",
            )
        plan: Plan = driver.explain(statement, analyze=analyze)
        return plan
    finally:
        driver.close()


def run_explain(argv: Sequence[str]) -> int:
    """Entry point of ``dbtui explain``; returns the exit status (2 on error)."""
    from dbtui.core.plans.text import to_json

    args = build_parser().parse_args(list(argv))
    if args.plan_file is not None:
        if args.url or args.statement:
            raise DbtuiError("give either --plan-file or URL and STATEMENT, not both", "Usage")
        plan = plan_from_file(args.plan_file, args.engine)
    elif args.url and args.statement:
        plan = plan_from_server(
            args.url,
            args.statement,
            analyze=args.analyze,
            allow_write=args.allow_write,
            read_only=args.read_only,
        )
    else:
        raise DbtuiError("need URL and STATEMENT, or --plan-file FILE", "Usage")
    if args.format == "json":
        json.dump(to_json(plan), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(plan_text(plan, sys.stdout) + "\n")
    return 0


def plan_text(plan: Plan, out: TextIO) -> str:
    """The plan as ``dbtui explain --format text`` prints it to ``out``.

    On a terminal: coloured (unless ``NO_COLOR`` is set) and cut at the terminal's width.
    Piped or redirected: plain, and nothing is cut, whatever the width of the terminal
    the command was started from.
    """
    from dbtui.render.plan import render_text

    if not out.isatty():
        return render_text(plan, color=False, width=0)
    width = shutil.get_terminal_size().columns
    return render_text(plan, color=not os.environ.get("NO_COLOR"), width=width)
