"""``dbtui advise``: index suggestions and index health without the TUI, for scripts.

::

    dbtui advise URL --query "STATEMENT" [--format text|json]
    dbtui advise URL --workload [--limit N] [--format text|json]
    dbtui advise URL --health [--format text|json]

With ``--format json``, suggestions are a JSON list; when there is none, the object
``{"suggestions": [], "tried": [...]}`` says what was tried and why each candidate was
rejected (a plain ``[]`` when the engine does not say).

Exit status 0, or 1 with ``--fail-on low|medium|high`` when a suggestion or finding
of at least that severity was found (for CI and scripts); 2 on error.

Severity: health findings carry their own; a suggestion is high when verified to save
90% of the planner cost or more, medium when verified (it saves at least half), low when
heuristic.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from dbtui.core.advice import Advice, HealthFinding, Suggestion
from dbtui.core.advice_text import render_health, render_suggestions, to_json
from dbtui.core.plan import Severity
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
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        metavar="{low,medium,high}",
        help="exit with status 1 when a suggestion or finding of at least this severity "
        "is found (suggestions: high = verified to save 90%% or more of the cost, medium = "
        "verified, low = heuristic); without it the exit status is 0 either way",
    )
    return parser


FAIL_ON = {"low": Severity.LOW, "medium": Severity.MEDIUM, "high": Severity.HIGH}
"""``--fail-on`` choices."""


def worst(items: Sequence[Suggestion | HealthFinding]) -> Severity:
    """The highest severity among ``items`` (NONE when empty)."""
    return max((item.severity for item in items), default=Severity.NONE)


def suggestions_json(suggestions: Sequence[Suggestion]) -> object:
    """``--format json`` of suggestions: their list; when there is none and the advisor
    said what it tried (an :class:`~dbtui.core.advice.Advice`), an object
    ``{"suggestions": [], "tried": [...]}`` so that a script can show why."""
    if not suggestions and isinstance(suggestions, Advice) and suggestions.tried:
        return {"suggestions": [], "tried": list(suggestions.tried)}
    return to_json(list(suggestions))


def run_advise(argv: Sequence[str]) -> int:
    """Entry point of ``dbtui advise``; returns the exit status."""
    args = build_parser().parse_args(list(argv))
    driver = open_driver(spec_from_url(args.url, read_only=args.read_only))
    items: Sequence[Suggestion | HealthFinding]
    try:
        if args.health:
            findings = list(driver.health())
            items, text, data = findings, render_health(findings), to_json(findings)
        else:
            suggestions = (
                driver.workload(args.limit) if args.workload else driver.advise(args.query)
            )
            items, text = suggestions, render_suggestions(suggestions)
            data = suggestions_json(suggestions)
    finally:
        driver.close()
    if args.format == "json":
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text + "\n")
    if args.fail_on is not None and worst(items) >= FAIL_ON[args.fail_on]:
        return 1
    return 0
