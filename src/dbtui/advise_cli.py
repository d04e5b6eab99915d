"""``dbtui advise``: index suggestions and index health without the TUI, for scripts.

::

    dbtui advise URL --query "STATEMENT" [--format text|json]
    dbtui advise URL --workload [--limit N] [--format text|json]
    dbtui advise URL --health [--format text|json]

Exit status 0 whether or not something is suggested; 2 on error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from dbtui.core.advice_text import render_health, render_suggestions, to_json
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``dbtui advise``."""
    parser = argparse.ArgumentParser(
        prog="dbtui advise",
        description="Print verified index suggestions for a statement or the workload, "
        "or index-health findings. Nothing is created: the DDL is printed for you to run.",
    )
    parser.add_argument("url", help="connection URL")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--query", metavar="STATEMENT", help="advise one statement")
    mode.add_argument(
        "--workload", action="store_true", help="advise the top statements (pg_stat_statements)"
    )
    mode.add_argument("--health", action="store_true", help="unused, duplicate and missing indexes")
    parser.add_argument("--limit", type=int, default=50, help="statements read in --workload mode")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--read-only", action="store_true", help="open the connection read-only")
    return parser


def run_advise(argv: Sequence[str]) -> int:
    """Entry point of ``dbtui advise``; returns the exit status."""
    args = build_parser().parse_args(list(argv))
    driver = open_driver(spec_from_url(args.url, read_only=args.read_only))
    try:
        if args.health:
            findings = list(driver.health())
            text, data = render_health(findings), to_json(findings)
        else:
            suggestions = list(
                driver.workload(args.limit) if args.workload else driver.advise(args.query)
            )
            text, data = render_suggestions(suggestions), to_json(suggestions)
    finally:
        driver.close()
    if args.format == "json":
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text + "\n")
    return 0
